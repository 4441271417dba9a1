#!/usr/bin/python3
"""Trust in the process and its output files (issue 13): standard descriptors, outputs that are inputs, sets of outputs, signals, the report's inline JSON.

    /usr/bin/python3 tests/trust/test_files.py --factopic build/factopic \\
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-files

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1
if anything failed. Every input is a small crafted corpus in a scratch folder
under --workdir (the archive is not read); every child runs under a 4 GiB
address-space limit, so a regression fails instead of taking the machine.
"""

import json
import os
import re
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Checks, describe_timeout, finish, memory_limit, start_script, weighting_count  # noqa: E402

ERROR_PREFIX = "factopic: error: "
TIMEOUT = 60
MEMORY_MB = 4096

SPACE = "space rocket orbit launch nasa moon planet shuttle"
RELIGION = "god church faith bible religion jesus belief prayer"


def bounded(limits, extra=None):
    """A preexec_fn: the memory bound every child gets (an address-space rlimit; none under ASan,
    which cannot start under one and gets its own bounds through the environment), then `extra`."""
    def run():
        if "preexec_fn" in limits:
            limits["preexec_fn"]()
        if extra:
            extra()
    return run


def with_limits(limits, env):
    if "env" not in limits:
        return env
    merged = dict(env if env is not None else os.environ)
    merged["ASAN_OPTIONS"] = ":".join(o for o in (merged.get("ASAN_OPTIONS"), limits["env"]["ASAN_OPTIONS"]) if o)
    return merged


class Env:
    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        self.counter = 0
        self.limits = memory_limit(binary, MEMORY_MB)

    def fresh_dir(self, name):
        self.counter += 1
        path = os.path.join(self.workdir, f"{self.counter:02d}-{name}")
        os.makedirs(path)
        return path

    def run(self, *args, preexec=None, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=None, timeout=TIMEOUT):
        return subprocess.run([self.binary, *weighting_count(args)], stdout=stdout, stderr=stderr, text=True,
                              stdin=subprocess.DEVNULL, timeout=timeout, preexec_fn=bounded(self.limits, preexec),
                              env=with_limits(self.limits, env))

    def popen(self, *args, **kw):
        kw["env"] = with_limits(self.limits, kw.get("env"))
        return subprocess.Popen([self.binary, *map(str, args)], stdin=subprocess.DEVNULL,
                                preexec_fn=bounded(self.limits), **kw)


def describe(p):
    return f"exit {p.returncode}, stderr {(p.stderr or '').strip()[:300]!r}"


def expect(p, code, contains=()):
    if p.returncode != code:
        raise AssertionError(f"expected exit {code}, got {describe(p)}")
    err = (p.stderr or "").strip("\n")
    if code != 0 and (not err.startswith(ERROR_PREFIX) or "\n" in err):
        raise AssertionError(f"expected one line starting {ERROR_PREFIX!r}: {err[:300]!r}")
    for needle in contains:
        if needle.lower() not in err.lower():
            raise AssertionError(f"message lacks {needle!r}: {err[:300]!r}")
    return err


def hidden(d):
    return sorted(n for n in os.listdir(d) if n.startswith("."))


def slurp(path):
    with open(path, "rb") as f:
        return f.read()


def write(path, text):
    with open(path, "w") as f:
        f.write(text)


def make_docs(d, n=40):
    path = os.path.join(d, "docs.txt")
    write(path, "".join(f"{SPACE} {i}\n{RELIGION} {i}\n" for i in range(n)))
    return path


class Fixture:
    """Inputs several checks share: a lines corpus, its matrix and a fitted model."""

    def __init__(self, env):
        self.dir = env.fresh_dir("fixture")
        self.docs = make_docs(self.dir)
        self.mtx = os.path.join(self.dir, "X.mtx")
        self.vocab = os.path.join(self.dir, "vocab.txt")
        self.model = os.path.join(self.dir, "m.ftm")
        p = env.run("vectorize", self.docs, "-o", self.mtx, "--vocab", self.vocab, "-q")
        if p.returncode != 0:
            raise RuntimeError(f"vectorize: {describe(p)}")
        p = env.run("fit", self.docs, "-k", "2", "-o", self.model, "-q")
        if p.returncode != 0:
            raise RuntimeError(f"fit: {describe(p)}")


# ---------------------------------------------------------------------------------------------
# 2. standard descriptors

def check_descriptors(env, fx, checks):
    def close_fd2():
        os.close(2)

    def warning_with_stderr_closed():
        d = env.fresh_dir("fd2-warning")
        w = os.path.join(d, "W.npy")
        # --max-iter 1: the solver stops early and warns on stderr, which is closed.
        p = env.run("nmf", fx.mtx, "-k", "2", "--max-iter", "1", "--w", w, stderr=subprocess.DEVNULL,
                    preexec=close_fd2)
        if p.returncode != 0:
            raise AssertionError(f"exit {p.returncode}")
        data = slurp(w)
        if not data.startswith(b"\x93NUMPY") or b"warning" in data:
            raise AssertionError(f"W.npy holds stderr's text: {data[:80]!r}")
        import numpy as np
        shape = np.load(w).shape
        if shape != (80, 2):
            raise AssertionError(f"W has shape {shape}")
        return "W.npy is a clean (80, 2) array"
    checks.run("stderr closed: the nmf warning does not land in W.npy", warning_with_stderr_closed)

    def error_with_stderr_closed():
        d = env.fresh_dir("fd2-error")
        p = env.run("vectorize", os.path.join(d, "no-such.txt"), "-o", os.path.join(d, "X.mtx"),
                    stderr=subprocess.DEVNULL, preexec=close_fd2)
        if p.returncode != 1:
            raise AssertionError(f"expected exit 1, got {p.returncode}" +
                                 (f" (signal {-p.returncode})" if p.returncode < 0 else ""))
        if os.listdir(d):
            raise AssertionError(f"left behind: {os.listdir(d)}")
        return "exit 1, no abort"
    checks.run("stderr closed: an error exits 1 instead of aborting", error_with_stderr_closed)

    def stdout_closed():
        d = env.fresh_dir("fd1-closed")
        p = env.run("vectorize", fx.docs, "-o", os.path.join(d, "X.mtx"), "--vocab", os.path.join(d, "v.txt"),
                    stdout=subprocess.DEVNULL, preexec=lambda: os.close(1))
        expect(p, 0)
        if not slurp(os.path.join(d, "X.mtx")).startswith(b"%%MatrixMarket"):
            raise AssertionError("X.mtx is not a Matrix Market file")
        return "exit 0, outputs whole"
    checks.run("stdout closed: the run still writes its outputs cleanly", stdout_closed)

    for name, args in [("vectorize summary", ["vectorize", fx.docs]), ("version", ["version"]),
                       ("--help", ["--help"]), ("inspect --json", ["inspect", fx.model, "--json"])]:
        def full(args=args):
            with open("/dev/full", "w") as sink:
                p = env.run(*args, stdout=sink)
            return expect(p, 1, contains=["writing standard output", "no space left"])
        checks.run(f"stdout on /dev/full ({name}): exit 1, the loss is reported", full)

    def warning_to_full_stderr():
        # A warning that cannot be shown (stderr on /dev/full) must not fail a good run: the
        # stop-word warning was printed by fmt::print, which throws when stderr refuses a write.
        d = env.fresh_dir("fd2-full")
        stop = os.path.join(d, "stop.txt")
        write(stop, "you've\n")
        with open("/dev/full", "w") as sink:
            p = env.run("vectorize", fx.docs, "--stop-words", stop, "-o", os.path.join(d, "X.mtx"), stderr=sink)
        if p.returncode != 0:
            raise AssertionError(f"expected exit 0, got {p.returncode}")
        if not slurp(os.path.join(d, "X.mtx")).startswith(b"%%MatrixMarket"):
            raise AssertionError("X.mtx is not a Matrix Market file")
        return "exit 0, outputs whole"
    checks.run("stderr on /dev/full: a warning does not fail the run", warning_to_full_stderr)


# ---------------------------------------------------------------------------------------------
# 3. an output that is an input

def check_output_is_input(env, fx, checks):
    def refused(name, make_args, contains):
        def check():
            d = env.fresh_dir("in-out")
            docs = shutil.copy(fx.docs, d)
            mtx = shutil.copy(fx.mtx, d)
            model = shutil.copy(fx.model, d)
            shutil.copy(fx.vocab, d)
            args = make_args(d, docs, mtx, model)
            before = {n: slurp(os.path.join(d, n)) for n in os.listdir(d) if os.path.isfile(os.path.join(d, n))}
            p = env.run(*args)
            err = expect(p, 2, contains=contains)
            after = {n: slurp(os.path.join(d, n)) for n in os.listdir(d) if os.path.isfile(os.path.join(d, n))}
            if after != before:
                raise AssertionError(f"files changed: {sorted(set(after) ^ set(before)) or 'contents'}")
            return f"exit 2: {err[:150]!r}"
        checks.run(f"output is input ({name}): exit 2, input untouched", check)

    refused("transform --doc-topics MODEL",
            lambda d, docs, mtx, model: ["transform", model, docs, "--doc-topics", model],
            ["--doc-topics", "MODEL"])
    refused("vectorize -o CORPUS", lambda d, docs, mtx, model: ["vectorize", docs, "-o", docs], ["-o", "CORPUS"])
    refused("nmf --doc-topics X.mtx", lambda d, docs, mtx, model: ["nmf", mtx, "-k", "2", "--doc-topics", mtx],
            ["--doc-topics", "X.mtx"])
    refused("report MODEL -o MODEL", lambda d, docs, mtx, model: ["report", model, "-o", model], ["-o", "MODEL"])
    refused("svd --vt on --vocabulary",
            lambda d, docs, mtx, model: ["svd", mtx, "-k", "1", "--vocabulary", os.path.join(d, "vocab.txt"), "--vt",
                                                os.path.join(d, "vocab.txt")],
            ["--vt", "--vocabulary"])

    def hard_link(d, docs, mtx, model):
        os.link(docs, os.path.join(d, "same.txt"))
        return ["vectorize", docs, "-o", os.path.join(d, "same.txt")]
    refused("a hard link to CORPUS, by inode", hard_link, ["same.txt", "docs.txt"])

    def sym_link(d, docs, mtx, model):
        os.symlink("m.ftm", os.path.join(d, "alias.ftm"))
        return ["transform", model, docs, "--doc-topics", os.path.join(d, "alias.ftm")]
    refused("a symbolic link to MODEL", sym_link, ["alias.ftm"])

    def stop_words(d, docs, mtx, model):
        write(os.path.join(d, "stop.txt"), "the\n")
        return ["vectorize", docs, "--stop-words", os.path.join(d, "stop.txt"), "--vocab", os.path.join(d, "stop.txt")]
    refused("vectorize --vocab on --stop-words", stop_words, ["--stop-words"])

    def inside_folder():
        d = env.fresh_dir("in-folder")
        corpus = os.path.join(d, "corpus")
        os.makedirs(os.path.join(corpus, "a"))
        shutil.copy(fx.docs, os.path.join(corpus, "a", "d1.txt"))
        p = env.run("vectorize", corpus, "-o", os.path.join(corpus, "a", "X.mtx"))
        err = expect(p, 2, contains=["inside", "folder"])
        if sorted(os.listdir(os.path.join(corpus, "a"))) != ["d1.txt"]:
            raise AssertionError(f"corpus folder changed: {os.listdir(os.path.join(corpus, 'a'))}")
        return f"exit 2: {err[:120]!r}"
    checks.run("output inside the corpus folder: exit 2, folder unchanged", inside_folder)


# ---------------------------------------------------------------------------------------------
# 7. sets of outputs, signals, temporaries

SHIM = r"""
#define _GNU_SOURCE
#include <dlfcn.h>
#include <signal.h>
#include <stdio.h>
#include <unistd.h>
/* The first rename of a run is followed by SIGTERM to the whole process: the moment a kill
   between two renames would leave a new matrix beside an old vocabulary. */
int rename(const char* from, const char* to) {
    static int calls = 0;
    int (*real)(const char*, const char*) = (int (*)(const char*, const char*))dlsym(RTLD_NEXT, "rename");
    int rc = real(from, to);
    if (++calls == 1) {
        kill(getpid(), SIGTERM);
        usleep(200000);
    }
    return rc;
}
"""


def check_sets(env, fx, checks):
    def signal_between_renames():
        cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
        if not cc:
            Checks.skip("SIGTERM between two renames", "no C compiler for the rename shim")
            return None
        d = env.fresh_dir("set")
        src = os.path.join(d, "shim.c")
        lib = os.path.join(d, "shim.so")
        write(src, SHIM)
        subprocess.run([cc, "-shared", "-fPIC", "-o", lib, src, "-ldl"], check=True, timeout=TIMEOUT)
        out = os.path.join(d, "out")
        os.makedirs(out)
        names = ["X.mtx", "vocab.txt", "ids.txt"]
        for n in names:
            write(os.path.join(out, n), "old\n")
        child_env = dict(os.environ, LD_PRELOAD=lib, ASAN_OPTIONS="verify_asan_link_order=0")
        p = env.run("vectorize", fx.docs, "-o", os.path.join(out, "X.mtx"), "--vocab", os.path.join(out, "vocab.txt"),
                    "--ids", os.path.join(out, "ids.txt"), env=child_env)
        if p.returncode != -signal.SIGTERM:
            raise AssertionError(f"expected death by SIGTERM, got {describe(p)}")
        old = [n for n in names if slurp(os.path.join(out, n)) == b"old\n"]
        if old and len(old) != len(names):
            raise AssertionError(f"a mixed set: still old {old}, new {sorted(set(names) - set(old))}")
        if hidden(out):
            raise AssertionError(f"temporaries left: {hidden(out)}")
        return f"died of SIGTERM; the set is all {'old' if old else 'new'}"
    checks.run("SIGTERM between two renames: the outputs stay one set", signal_between_renames)

    def file_size_limit():
        d = env.fresh_dir("fsize")
        limit = 2048  # bytes: the vocabulary fits, the matrix does not

        def limit_size():
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
        p = env.run("vectorize", fx.docs, "-o", os.path.join(d, "X.mtx"), "--vocab", os.path.join(d, "v.txt"),
                    preexec=limit_size)
        if p.returncode < 0:
            raise AssertionError(f"killed by signal {-p.returncode} ({signal.Signals(-p.returncode).name})")
        err = expect(p, 1, contains=["file too large", "X.mtx"])
        if os.listdir(d):
            raise AssertionError(f"left behind: {sorted(os.listdir(d))}")
        return f"{err[:120]!r}"
    checks.run("file-size limit (SIGXFSZ): exit 1, 'file too large', no temporaries", file_size_limit)

    def stalled_run(out, fifo):
        """A vectorize run that has opened its outputs and waits on a FIFO corpus."""
        p = env.popen("vectorize", fifo, "--format", "lines", "-o", os.path.join(out, "X.mtx"),
                      "--vocab", os.path.join(out, "v.txt"), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + TIMEOUT
        while len(hidden(out)) < 2:
            if p.poll() is not None or time.time() > deadline:
                p.kill()
                raise AssertionError(f"no temporaries appeared (exit {p.poll()})")
            time.sleep(0.01)
        return p

    def killed_run_cleaned():
        d = env.fresh_dir("sigkill")
        out = os.path.join(d, "out")
        os.makedirs(out)
        fifo = os.path.join(d, "corpus.txt")
        os.mkfifo(fifo)
        p = stalled_run(out, fifo)
        p.kill()
        p.wait(timeout=TIMEOUT)
        stale = hidden(out)
        q = env.run("vectorize", fx.docs, "-o", os.path.join(out, "X.mtx"), "--vocab", os.path.join(out, "v.txt"))
        expect(q, 0)
        if hidden(out):
            raise AssertionError(f"stale temporaries kept: {hidden(out)}")
        return f"removed {stale}"
    checks.run("SIGKILL's temporaries: the next run into the same place removes them", killed_run_cleaned)

    def live_run_kept():
        d = env.fresh_dir("live")
        out = os.path.join(d, "out")
        os.makedirs(out)
        fifo = os.path.join(d, "corpus.txt")
        os.mkfifo(fifo)
        p = stalled_run(out, fifo)
        try:
            live = hidden(out)
            q = env.run("vectorize", fx.docs, "-o", os.path.join(out, "X.mtx"), "--vocab", os.path.join(out, "v.txt"))
            expect(q, 0)
            still = hidden(out)
            if still != live:
                raise AssertionError(f"a live run's temporaries were touched: {live} -> {still}")
            with open(fifo, "w") as f:
                f.write(f"{SPACE}\n{RELIGION}\n")
            p.wait(timeout=TIMEOUT)
            if p.returncode != 0:
                raise AssertionError(f"the live run failed: exit {p.returncode}, {p.stderr.read()[:200]!r}")
        finally:
            if p.poll() is None:
                p.kill()
                p.wait()
            p.stderr.close()
        if hidden(out):
            raise AssertionError(f"temporaries left: {hidden(out)}")
        return "kept while it ran; it finished with exit 0"
    checks.run("a live run's temporaries are never removed by another run", live_run_kept)


# ---------------------------------------------------------------------------------------------
# 7. targets that are not regular files

def check_targets(env, fx, checks):
    def symlink_target():
        d = env.fresh_dir("symlink")
        write(os.path.join(d, "real.mtx"), "old\n")
        link = os.path.join(d, "link.mtx")
        os.symlink("real.mtx", link)
        expect(env.run("vectorize", fx.docs, "-o", link), 0)
        if not os.path.islink(link) or os.readlink(link) != "real.mtx":
            raise AssertionError("the link itself was replaced")
        if not slurp(os.path.join(d, "real.mtx")).startswith(b"%%MatrixMarket"):
            raise AssertionError("the link's target was not written")
        if hidden(d):
            raise AssertionError(f"temporaries left: {hidden(d)}")
        return "link kept, its target rewritten"
    checks.run("-o a symbolic link: its target is replaced, the link stays", symlink_target)

    def fifo_target():
        d = env.fresh_dir("fifo")
        fifo = os.path.join(d, "X.mtx")
        os.mkfifo(fifo)
        # Opened without waiting for a writer: a binary that renames a file over the FIFO never
        # opens it, and a blocking open would wait for ever.
        fd = os.open(fifo, os.O_RDONLY | os.O_NONBLOCK)
        p = env.popen("vectorize", fx.docs, "-o", fifo, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        data = b""
        deadline = time.time() + TIMEOUT
        try:
            while True:
                exited = p.poll() is not None
                try:
                    while chunk := os.read(fd, 1 << 16):
                        data += chunk
                except BlockingIOError:
                    pass
                if exited:
                    break
                if time.time() > deadline:
                    p.kill()
                    p.wait()
                    raise AssertionError("no end within the time limit")
                time.sleep(0.01)
        finally:
            os.close(fd)
        err = p.stderr.read().decode()
        p.stderr.close()
        if p.returncode != 0:
            raise AssertionError(f"exit {p.returncode}: {err[:200]!r}")
        if not stat.S_ISFIFO(os.lstat(fifo).st_mode):
            raise AssertionError("the FIFO was replaced by a file")
        if not data.startswith(b"%%MatrixMarket"):
            raise AssertionError(f"the reader got {data[:40]!r}")
        return f"the reader got {len(data)} bytes through the FIFO"
    checks.run("-o a FIFO: written through, still a FIFO", fifo_target)

    def device_target():
        d = env.fresh_dir("device")
        if os.geteuid() == 0:
            # As root a broken binary would replace /dev/null itself: use a scratch node of the
            # same device instead.
            node = os.path.join(d, "null")
            try:
                os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
            except OSError as e:
                Checks.skip("-o a character device", f"cannot make a scratch device node: {e}")
                return None
        else:
            node = "/dev/null"
        expect(env.run("vectorize", fx.docs, "-o", node, "--vocab", os.path.join(d, "v.txt")), 0)
        if not stat.S_ISCHR(os.lstat(node).st_mode):
            raise AssertionError(f"{node} is no longer a character device")
        left = sorted(n for n in os.listdir(d) if n not in ("null", "v.txt"))
        if left:
            raise AssertionError(f"left behind: {left}")
        return f"{node} is still a character device"
    checks.run("-o a character device (/dev/null): written through, still a device", device_target)


# ---------------------------------------------------------------------------------------------
# 7. the report's inline JSON

def check_report(env, checks):
    def hostile_label():
        d = env.fresh_dir("report")
        label = "<!-- a <script> & </script> \u2028"
        corpus = os.path.join(d, "docs.jsonl")
        with open(corpus, "w") as f:
            for i in range(30):
                f.write(json.dumps({"text": f"{SPACE} {i}", "label": label}) + "\n")
                f.write(json.dumps({"text": f"{RELIGION} {i}", "label": "plain"}) + "\n")
        html_path = os.path.join(d, "r.html")
        expect(env.run("report", corpus, "--label-field", "label", "-k", "2", "-o", html_path, "-q"), 0)
        html = slurp(html_path).decode()
        m = re.search(r"<script>\nvar specs = (.*);\nvar ids = ", html, re.S)
        if not m:
            raise AssertionError("no inline specs script found")
        inline = m.group(1)
        for bad in ("<", ">", "&", "\u2028"):
            if bad in inline:
                raise AssertionError(f"{bad!r} inside the inline JSON (at {inline.index(bad)})")
        specs = json.loads(inline)
        labels = {v.get("label") for s in specs.values() for v in s.get("data", {}).get("values", [])}
        if label not in labels:
            raise AssertionError("the label does not read back from the inline JSON")
        body = html[html.index("<body>"):m.start()]
        if "<!--" in body or "<script>" in body.replace("<script>\nvar specs", ""):
            raise AssertionError("the label reached the page body unescaped")
        return "inline JSON has no < > &, and reads back the label"
    checks.run("report: a label with <!-- and <script is escaped in the inline JSON", hostile_label)


def main():
    args, workdir, t0 = start_script(__doc__, "run-")
    env = Env(os.path.abspath(args.factopic), workdir)
    checks = Checks(extra=[(subprocess.TimeoutExpired, describe_timeout)], crash_location=True)
    fx = Fixture(env)
    check_descriptors(env, fx, checks)
    check_output_is_input(env, fx, checks)
    check_sets(env, fx, checks)
    check_targets(env, fx, checks)
    check_report(env, checks)
    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
