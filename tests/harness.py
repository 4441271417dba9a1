"""What factopic's Python test scripts share: check counting and line reading.

Used by tests/cli/test_cli.py and (through sk_corpus.py) the oracle tests;
each puts this folder on sys.path. Standard library only.
"""

import argparse
import os
import shutil
import tempfile
import time
import traceback


class Checks:
    """Runs named checks, printing one PASS/FAIL/SKIP line each and counting.

    A check passes unless it raises. AssertionError is the check's own verdict
    (its message is printed); any other exception is a crash in the test,
    still a failure. `extra` lets a script explain exception types of its own:
    (type, message(exc)) pairs, tried in order after AssertionError and before
    the generic crash. With `crash_location`, a crash also names the file and
    line it came from.
    """

    def __init__(self, extra=(), crash_location=False):
        self.passed = 0
        self.failed = 0
        self.extra = tuple(extra)
        self.crash_location = crash_location

    def run(self, name, fn):
        start = time.monotonic()
        try:
            detail = fn()
        except AssertionError as e:
            self._fail(name, str(e))
        except Exception as e:  # a crash in the test itself is still a failure
            self._fail(name, self._explain(e))
        else:
            self.passed += 1
            took = f" [{time.monotonic() - start:.1f} s]"
            print(f"PASS {name}" + (f" -- {detail}" if detail else "") + took, flush=True)

    def _explain(self, e):
        for kind, message in self.extra:
            if isinstance(e, kind):
                return message(e)
        why = f"{type(e).__name__}: {e}"
        if self.crash_location:
            tb = traceback.format_exc().strip().splitlines()
            why += f" ({tb[-3].strip() if len(tb) > 2 else ''})"
        return why

    def _fail(self, name, why):
        self.failed += 1
        print(f"FAIL {name} -- {why}", flush=True)

    @staticmethod
    def skip(name, why):
        print(f"SKIP {name} -- {why}", flush=True)

    def summary(self):
        """The final line every script prints: "N passed, M failed"."""
        return f"{self.passed} passed, {self.failed} failed"


def read_lines(path):
    """The lines of a UTF-8 text file, without their "\\n"; [] for an empty file.

    Terms and labels are whole lines; splitlines() would also split on
    \\x1c, \\x85, \\u2028 ..., which are legal inside a token.
    """
    with open(path, encoding="utf-8", newline="") as f:
        text = f.read()
    if text.endswith("\n"):
        text = text[:-1]
    return text.split("\n") if text else []


class Lazy:
    """Memoises a computation, including its exception, so that every check
    depending on a broken factopic run fails with the same message instead of
    re-running it."""

    def __init__(self, fn):
        self.fn = fn
        self.done = False

    def __call__(self):
        if not self.done:
            self.done = True
            try:
                self.value, self.error = self.fn(), None
            except Exception as e:
                self.value, self.error = None, e
        if self.error is not None:
            raise self.error
        return self.value

    def drop(self):
        """Forget the value (memory), keeping an error if there was one."""
        if self.done and self.error is None:
            self.value = None
            self.done = False


def finish(checks, workdir, t0):
    """Ends a script that works in `workdir`: keeps it when a check failed (and says so),
    removes it otherwise, prints the time since `t0` and the summary; returns the exit code."""
    if checks.failed:
        print(f"# scratch files kept in {workdir}", flush=True)
    else:
        shutil.rmtree(workdir)
    print(f"# {time.perf_counter() - t0:.1f} s", flush=True)
    print(checks.summary())
    return 1 if checks.failed else 0


def describe_timeout(e):
    """A subprocess.TimeoutExpired as one line: how long, and the command."""
    return f"no answer within {e.timeout} s: {' '.join(map(str, e.cmd))}"


def start_script(doc, prefix, extra=None):
    """The start every test script shares: --factopic, --data and --workdir (and what
    extra(parser) adds). Returns (args, workdir, t0): workdir is a fresh folder inside --workdir."""
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--factopic", required=True)
    ap.add_argument("--data", required=True, help="20news-bydate.tar.gz")
    ap.add_argument("--workdir", required=True, help="scratch directory (a new folder is made inside)")
    if extra:
        extra(ap)
    args = ap.parse_args()
    t0 = time.perf_counter()
    os.makedirs(args.workdir, exist_ok=True)
    return args, tempfile.mkdtemp(prefix=prefix, dir=os.path.abspath(args.workdir)), t0


def print_slow(log, at_least=1.0):
    """The (what, seconds) entries of a run log that took at least `at_least` seconds."""
    for what, seconds in log:
        if seconds >= at_least:
            print(f"# {seconds:6.1f} s  {what}", flush=True)


def take_bytes(*paths):
    """The contents of each file, which is then removed (outputs compared byte for byte)."""
    out = []
    for path in paths:
        with open(path, "rb") as f:
            out.append(f.read())
        os.remove(path)
    return out


_SANITIZED = {}


def sanitized(binary):
    """True when `binary` is the ASan+UBSan build (build-asan): FACTOPIC_SANITIZED=1 in the
    environment (the sanitizer build's ctest sets it), or AddressSanitizer linked into it."""
    flag = os.environ.get("FACTOPIC_SANITIZED")
    if flag is not None:
        return flag == "1"
    binary = os.path.realpath(binary)
    if binary not in _SANITIZED:
        with open(binary, "rb") as f:
            _SANITIZED[binary] = b"__asan_init" in f.read()
    return _SANITIZED[binary]


def memory_limit(binary, mb):
    """subprocess keyword arguments that bound a child factopic's memory to about `mb` MiB, so that
    a regression on a hostile input fails the check instead of taking the machine.

    A normal build gets an address-space rlimit (an allocation past it throws std::bad_alloc).
    ASan reserves terabytes of address space for its shadow memory and cannot start under one, so
    the sanitizer build gets ASan's own bounds instead, which are stricter: one allocation above
    `mb` (not std::bad_alloc as under the rlimit, but a sanitizer report)
    or a resident size above 2 * mb + 256 MiB (room for ASan's shadow and quarantine) is a
    sanitizer report, exit 86. A check passes under both only when factopic refuses a hostile
    input before allocating what it claims, which is what the check is for."""
    if not sanitized(binary):
        import resource

        def limit():
            resource.setrlimit(resource.RLIMIT_AS, (mb << 20, mb << 20))

        return {"preexec_fn": limit}
    env = dict(os.environ)
    bounds = (f"max_allocation_size_mb={mb}:hard_rss_limit_mb={2 * mb + 256}"
              ":quarantine_size_mb=32")
    if "exitcode=" not in env.get("ASAN_OPTIONS", ""):
        bounds += ":exitcode=86"
    env["ASAN_OPTIONS"] = f"{env['ASAN_OPTIONS']}:{bounds}" if env.get("ASAN_OPTIONS") else bounds
    return {"env": env}


SANITIZER_MARKS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer", "runtime error:",
                   "ERROR: UndefinedBehaviorSanitizer", "WARNING: AddressSanitizer")


def sanitizer_report(stderr):
    """The first line of a sanitizer report in a child's stderr, or None."""
    for line in stderr.splitlines():
        if any(mark in line for mark in SANITIZER_MARKS):
            return line.strip()
    return None


# Not sweep: its tests (test_choose_k.py) check that it fits topics' model, tf-idf by default,
# and the older sweep checks name their weighting.
COUNT_COMMANDS = ("vectorize", "svd", "nmf")


def weighting_count(args):
    """args with "--weighting count" added for vectorize/svd/nmf/sweep on a corpus that names no
    weighting: these tests were written against scikit-learn's CountVectorizer, from before
    issue 14 made tf-idf every sub-command's default. A .mtx input has no weighting to choose."""
    args = [str(a) for a in args]
    if len(args) < 2 or args[0] not in COUNT_COMMANDS or "--weighting" in args:
        return args
    if args[1].lower().endswith((".mtx", ".mm")) or args[1].startswith("-"):
        return args
    return [*args, "--weighting", "count"]
