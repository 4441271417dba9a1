#!/usr/bin/python3
"""Runs factopic's libFuzzer targets (tests/fuzz/fuzz_*.cpp) from their seeds, and sums up.

    tests/fuzz/fuzz.py --build build-asan --seconds 60            every target, one after another
    tests/fuzz/fuzz.py --build build-asan --seconds 600 mtx npy   some targets
    tests/fuzz/fuzz.py --build build-asan --smoke mtx             what make test runs

A campaign grows a working corpus in BUILD/fuzz-corpus/<target> (kept between runs, seeded from
tests/fuzz/seeds/<target>) and writes what it finds to BUILD/fuzz-findings/<target>/ (crash-*,
leak-*, timeout-*, oom-*). With --keep-going (the default for campaigns) libFuzzer's fork mode
keeps fuzzing after a finding. --smoke replays the seeds and the saved findings
(tests/fuzz/findings/<target>/, each a fixed bug that must stay fixed) and then mutates for a few
seconds; it fails on any finding.

At the end a table: per target the runs, executions per second, coverage (edges), the corpus size
and the findings. Exit status 1 when anything was found.
"""

import argparse
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))

# max_len: the largest input worth mutating (bigger ones cost time, not coverage); timeout: the
# seconds one input may take. Every target gets the same memory bounds (see run()).
TARGETS = {
    "archive": dict(max_len=65536, timeout=10, dict="archive.dict"),
    "folder": dict(max_len=8192, timeout=10, dict="folder.dict"),
    "lines": dict(max_len=16384, timeout=10, dict="text.dict"),
    "jsonl": dict(max_len=16384, timeout=10, dict="json.dict"),
    "csv": dict(max_len=16384, timeout=10, dict="csv.dict"),
    "text": dict(max_len=16384, timeout=10, dict="text.dict"),
    "mtx": dict(max_len=4096, timeout=10, dict="mtx.dict"),
    "npy": dict(max_len=4096, timeout=10, dict="npy.dict"),
    "model": dict(max_len=65536, timeout=10, dict="model.dict"),
}

RSS_LIMIT_MB = 2048
MALLOC_LIMIT_MB = 1024


def environment():
    env = dict(os.environ)
    # One thread: the targets are about parsing, and a team of threads per input only costs time.
    env.setdefault("OMP_NUM_THREADS", "1")
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    env.setdefault("ASAN_OPTIONS", "detect_leaks=1:check_initialization_order=1")
    env.setdefault("UBSAN_OPTIONS", "print_stacktrace=1:halt_on_error=1")
    env.setdefault("LSAN_OPTIONS", f"suppressions={os.path.join(HERE, '..', 'lsan.supp')}:print_suppressions=0")
    return env


def flags(target, artifacts):
    t = TARGETS[target]
    out = [
        f"-max_len={t['max_len']}",
        f"-timeout={t['timeout']}",
        f"-rss_limit_mb={RSS_LIMIT_MB}",
        f"-malloc_limit_mb={MALLOC_LIMIT_MB}",
        f"-artifact_prefix={artifacts}/",
        "-print_final_stats=1",
    ]
    if t.get("dict"):
        out.append(f"-dict={os.path.join(HERE, 'dict', t['dict'])}")
    return out


class Result:
    def __init__(self, target):
        self.target = target
        self.runs = 0
        self.execs_per_s = 0
        self.cov = 0
        self.corpus = 0
        self.findings = []
        self.failed = False
        self.seconds = 0.0


STAT = re.compile(r"stat::(\w+):\s*(\d+)")
COV = re.compile(r"cov: (\d+) .*?corp: (\d+)")
FORK = re.compile(r"#(\d+): cov: (\d+) ft: \d+ corp: (\d+) exec/s:? (\d+)")
WRITTEN = re.compile(r"Test unit written to (\S+)")


def parse(log, result):
    for line in log.splitlines():
        m = STAT.search(line)
        if m:
            key, value = m.group(1), int(m.group(2))
            if key == "number_of_executed_units":
                result.runs = max(result.runs, value)
            elif key == "average_exec_per_sec":
                result.execs_per_s = value
        m = FORK.search(line)
        if m:
            result.runs = max(result.runs, int(m.group(1)))
            result.cov, result.corpus, result.execs_per_s = int(m.group(2)), int(m.group(3)), int(m.group(4))
            continue
        m = COV.search(line)
        if m:
            result.cov, result.corpus = int(m.group(1)), int(m.group(2))
        m = WRITTEN.search(line)
        if m and m.group(1) not in result.findings:
            result.findings.append(m.group(1))


def run(binary, args, env, log_path, timeout):
    with open(log_path, "w") as log:
        try:
            p = subprocess.run([binary, *args], env=env, stdout=log, stderr=subprocess.STDOUT, timeout=timeout)
            rc = p.returncode
        except subprocess.TimeoutExpired:
            rc = -1
    with open(log_path, errors="replace") as f:
        return rc, f.read()


def fuzz(args, target, env):
    binary = os.path.join(args.build, "fuzz", f"fuzz_{target}")
    result = Result(target)
    if not os.path.exists(binary):
        print(f"{target}: {binary} is not built (cmake --build {args.build} --target fuzz)", file=sys.stderr)
        result.failed = True
        return result
    seeds = os.path.join(HERE, "seeds", target)
    logs = os.path.join(args.build, "fuzz-logs")
    os.makedirs(logs, exist_ok=True)
    t0 = time.monotonic()
    if args.smoke:
        artifacts = tempfile.mkdtemp(prefix=f"fuzz-{target}-artifacts-")
        corpus = tempfile.mkdtemp(prefix=f"fuzz-{target}-corpus-")
        try:
            saved = sorted(glob.glob(os.path.join(HERE, "findings", target, "*")))
            if saved:
                rc, log = run(binary, [*flags(target, artifacts), "-runs=1", *saved], env,
                              os.path.join(logs, f"{target}-findings.log"), args.seconds + 120)
                if rc != 0:
                    print(log[-6000:])
                    print(f"FAIL {target}: a saved finding fails again (log above)")
                    result.failed = True
                    result.findings.append(f"tests/fuzz/findings/{target}/*")
            rc, log = run(binary, [*flags(target, artifacts), f"-max_total_time={args.seconds}", corpus, seeds], env,
                          os.path.join(logs, f"{target}-smoke.log"), args.seconds + 240)
            parse(log, result)
            if rc != 0:
                print(log[-6000:])
                print(f"FAIL {target}: exit {rc} (log above)")
                result.failed = True
                result.findings = [f for f in result.findings if not f.startswith(artifacts)]
                for f in os.listdir(artifacts):
                    kept = os.path.join(args.build, "fuzz-findings", target)
                    os.makedirs(kept, exist_ok=True)
                    shutil.copy(os.path.join(artifacts, f), kept)
                    result.findings.append(os.path.join(kept, f))
        finally:
            shutil.rmtree(artifacts, ignore_errors=True)
            shutil.rmtree(corpus, ignore_errors=True)
    else:
        artifacts = os.path.join(args.build, "fuzz-findings", target)
        corpus = os.path.join(args.build, "fuzz-corpus", target)
        os.makedirs(artifacts, exist_ok=True)
        os.makedirs(corpus, exist_ok=True)
        before = set(os.listdir(artifacts))
        extra = ["-fork=1", "-ignore_crashes=1", "-ignore_timeouts=1", "-ignore_ooms=1"] if args.keep_going else []
        rc, log = run(binary, [*flags(target, artifacts), *extra, f"-max_total_time={args.seconds}", *args.libfuzzer,
                               corpus, seeds], env, os.path.join(logs, f"{target}.log"), args.seconds * 2 + 300)
        parse(log, result)
        result.findings = sorted(os.path.join(artifacts, f) for f in set(os.listdir(artifacts)) - before)
        result.failed = bool(result.findings) or (rc != 0 and not args.keep_going)
        if rc != 0 and not result.findings:
            print(log[-3000:])
    result.seconds = time.monotonic() - t0
    if not args.smoke and args.keep_going and result.seconds > 0:
        result.execs_per_s = int(result.runs / result.seconds)  # fork mode prints only each job's rate
    status = "FAIL" if result.failed else "PASS"
    print(f"{status} fuzz.{target}: {result.runs} runs, {result.execs_per_s} exec/s, cov {result.cov}, "
          f"corpus {result.corpus}, {len(result.findings)} findings, {result.seconds:.0f} s", flush=True)
    return result


FRAME = re.compile(r"#\d+ 0x[0-9a-f]+ in (.+) (\S+:\d+)(?::\d+)?$", re.M)


def signature(log):
    """What a finding is, for grouping: the error (an uncaught exception's what() with numbers
    blanked, or the sanitizer's summary) and the first frame in factopic's sources."""
    what = next((l.split("what():", 1)[1].strip() for l in log.splitlines() if "what():" in l), None)
    if what is None:
        what = next((l for l in log.splitlines() if l.startswith("SUMMARY:") or "invariant broken" in l), "?")
    what = re.sub(r"\d+", "N", re.sub(r"'[^']*'", "'…'", what))[:140]
    frame = next((f"{os.path.relpath(m.group(2), os.path.join(HERE, '..', '..'))} ({m.group(1)[:50]})"
                  for m in FRAME.finditer(log)
                  if re.search(r"(^|/)(src|include/factopic)/", m.group(2)) and "tests/fuzz" not in m.group(2)),
                 "no factopic frame")
    return f"{what} @ {frame}"


def triage(args, targets, env):
    """Replays every saved finding of a campaign and groups them by signature()."""
    for target in targets:
        folder = os.path.join(args.build, "fuzz-findings", target)
        files = sorted(glob.glob(os.path.join(folder, "*")), key=os.path.getsize)
        if not files:
            continue
        binary = os.path.join(args.build, "fuzz", f"fuzz_{target}")
        groups = {}
        for f in files:
            p = subprocess.run([binary, *flags(target, tempfile.gettempdir()), "-runs=1", f], env=env,
                               capture_output=True, text=True, errors="replace", timeout=300)
            key = signature(p.stdout + p.stderr) if p.returncode else "no longer fails"
            groups.setdefault(key, []).append(f)
        print(f"{target}: {len(files)} findings")
        for key, fs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            print(f"  {len(fs):4d} x {key}\n         smallest: {fs[0]}")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("targets", nargs="*", help=f"targets (default all: {' '.join(TARGETS)})")
    parser.add_argument("--build", default="build-asan", help="the FACTOPIC_FUZZ build folder")
    parser.add_argument("--seconds", type=int, default=None, help="per target (default 60; --smoke 5)")
    parser.add_argument("--smoke", action="store_true", help="seeds, saved findings, a few seconds: make test")
    parser.add_argument("--stop-on-finding", dest="keep_going", action="store_false",
                        help="a campaign stops a target at its first finding (default: fork mode, keep going)")
    parser.add_argument("--triage", action="store_true",
                        help="replay BUILD/fuzz-findings/<target>/* and group them by error and source line")
    parser.add_argument("--libfuzzer", action="append", default=[], metavar="FLAG",
                        help="an extra libFuzzer flag, e.g. --libfuzzer=-jobs=2 (repeatable)")
    args = parser.parse_args()
    if args.seconds is None:
        args.seconds = 5 if args.smoke else 60
    unknown = [t for t in args.targets if t not in TARGETS]
    if unknown:
        parser.error(f"unknown target(s) {' '.join(unknown)}; known: {' '.join(TARGETS)}")
    env = environment()
    if args.triage:
        triage(args, args.targets or TARGETS, env)
        return 0
    results = [fuzz(args, t, env) for t in (args.targets or TARGETS)]
    if len(results) > 1 or not args.smoke:
        print(f"\n{'target':<9} {'runs':>10} {'exec/s':>8} {'cov':>6} {'corpus':>7} {'findings':>9} {'seconds':>8}")
        for r in results:
            print(f"{r.target:<9} {r.runs:>10} {r.execs_per_s:>8} {r.cov:>6} {r.corpus:>7} {len(r.findings):>9} "
                  f"{r.seconds:>8.0f}")
        for r in results:
            for f in r.findings[:3]:
                print(f"finding {r.target}: {f}   (reproduce: {args.build}/fuzz/fuzz_{r.target} {f})")
            if len(r.findings) > 3:
                print(f"finding {r.target}: ... and {len(r.findings) - 3} more")
    found = [r.target for r in results if r.findings and not args.smoke]
    if found:
        print("\nfindings grouped by error and source line (fuzz.py --triage):")
        triage(args, found, env)
    return 1 if any(r.failed for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())
