#!/usr/bin/python3
"""factopic benchmark driver: factopic vs its Python peers, same input, same run.

    /usr/bin/python3 bench/bench.py --factopic build/factopic \
        --data ../shared/data/20news-bydate.tar.gz [--repeat 3] \
        [--json-out bench/results.json] [--quick] [--only PATTERN] [--list]

Every measurement is a separate process, started by this driver and reaped with
os.wait4, so each has its own wall time and peak RSS (ru_maxrss).  By default
(--order blocked) each tool first runs --warmup times untimed, then its
repetitions back to back: every tool is measured in its own steady state, as
hyperfine and Google Benchmark do.  --order interleaved runs factopic, peer 1,
peer 2, factopic, ... instead, so slow drift of the machine hits every tool
alike, but every run then starts right after another tool's process: on a
virtual machine that hands freed memory back to its host, that makes each run
fault in cold memory.

Adding rows: append a Benchmark to BENCHMARKS (see make_benchmarks).  A
Benchmark is a name, a description, a list of Tools (the first one is factopic,
the baseline of the ratio column) and a quality function that sees every
tool's results and returns (ok, text) for the quality column.  A Tool is a
command line, a metric ("reported": a number the process prints in its JSON;
"wall": whole-process wall time measured here) and a function that extracts
the shape/nnz (or any quality data) from the process's output.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Optional

HERE = os.path.dirname(os.path.abspath(__file__))
PEERS = os.path.join(HERE, "peers.py")
PYTHON = "/usr/bin/python3"  # Debian python with sklearn/numpy/scipy/threadpoolctl

CATS4 = ["alt.atheism", "talk.religion.misc", "comp.graphics", "sci.space"]
REMOVE = "headers,footers,quotes"

# Environment variables the peers run without (unset together; see README).
PEER_UNSET = ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE")


@dataclass
class Dataset:
    key: str
    title: str
    subset: str
    categories: Optional[list]  # None = all 20
    expected: Optional[tuple] = None  # (documents, terms, nnz) of the count matrix, from the spec

    def factopic_args(self):
        a = ["--subset", self.subset]
        if self.categories:
            a += ["--categories", ",".join(self.categories)]
        return a + ["--remove", REMOVE]

    def peer_args(self):
        a = ["--subset", self.subset, "--remove", REMOVE]
        if self.categories:
            a += ["--categories", ",".join(self.categories)]
        return a


DATASETS = [
    Dataset("4cat", "4 categories, train", "train", CATS4, (2034, 26576, 133634)),
    Dataset("20all", "all 20 categories, subset all", "all", None, (18846, 134101, 1229435)),
]


@dataclass
class Run:
    """One process: what it printed, how long it took, how much memory it used."""
    rc: int
    wall: float
    maxrss_mib: float
    stdout: str
    stderr: str
    data: Optional[dict] = None  # parsed JSON from stdout, if any
    value: Optional[float] = None  # the timed number for this run
    quality: Optional[dict] = None  # e.g. {"shape": [r, c], "nnz": n}
    error: Optional[str] = None


@dataclass
class Tool:
    label: str
    role: str  # "factopic" or "peer"
    argv: list
    metric: str  # "reported" (value from the process's JSON) or "wall"
    metric_desc: str
    value_of: Optional[Callable] = None  # (json) -> seconds, for metric == "reported"
    quality_of: Optional[Callable] = None  # (Run, Tool) -> dict
    env_unset: tuple = ()
    outfile: Optional[str] = None  # a matrix file the process writes (checked, removed)
    runs: list = field(default_factory=list)

    def env(self):
        e = dict(os.environ)
        for k in self.env_unset:
            e.pop(k, None)
        return e


@dataclass
class Benchmark:
    name: str
    group: str
    description: str
    tools: list  # tools[0] = factopic, baseline of the ratio
    quality: Callable  # (Benchmark) -> (ok, text)
    quality_desc: str
    result: Optional[tuple] = None


# ----------------------------------------------------------------------------
# running one process

def run_process(argv, env, timeout=1800):
    """Start argv, reap it with os.wait4, return a Run with wall time and peak RSS."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(argv, stdout=out, stderr=err, stdin=subprocess.DEVNULL, env=env)
        killer = threading.Timer(timeout, p.kill)  # a hung process is killed, then reported
        killer.start()
        try:
            _, status, ru = os.wait4(p.pid, 0)
        finally:
            killer.cancel()
        wall = time.perf_counter() - t0
        p.returncode = os.waitstatus_to_exitcode(status)  # keep Popen from reaping again
        out.seek(0)
        err.seek(0)
        return Run(rc=p.returncode, wall=wall, maxrss_mib=ru.ru_maxrss / 1024.0,
                   stdout=out.read().decode("utf-8", "replace"),
                   stderr=err.read().decode("utf-8", "replace"))


def mtx_header(path):
    """(rows, cols, nnz) from a Matrix Market coordinate file's size line."""
    with open(path, "rb") as f:
        first = f.readline()
        if not first.startswith(b"%%MatrixMarket"):
            raise ValueError("%s: not a Matrix Market file (first line %r)" % (path, first[:80]))
        for line in f:
            if line.startswith(b"%") or not line.strip():
                continue
            r, c, n = (int(x) for x in line.split()[:3])
            return r, c, n
    raise ValueError("%s: no size line" % path)


def parse_json(text):
    """The process's JSON object: the whole stdout, or else its last line."""
    text = text.strip()
    if not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return json.loads(text.splitlines()[-1])


def measure(tool):
    r = run_process(tool.argv, tool.env())
    if r.rc != 0:
        r.error = "exit %d: %s" % (r.rc, (r.stderr.strip().splitlines() or ["(no stderr)"])[-1])
        return r
    try:
        r.data = parse_json(r.stdout)
    except ValueError as e:
        r.error = "stdout is not JSON (%s): %r" % (e, r.stdout[:200])
        return r
    try:
        r.value = r.wall if tool.metric == "wall" else float(tool.value_of(r.data))
        r.quality = tool.quality_of(r, tool) if tool.quality_of else None
    except Exception as e:  # noqa: BLE001 - any malformed output is an error of that run
        r.error = "cannot read result: %s: %s" % (type(e).__name__, e)
    if tool.outfile and os.path.exists(tool.outfile):
        os.remove(tool.outfile)
    return r


# ----------------------------------------------------------------------------
# quality extractors and checks

def factopic_shape(run, tool):
    d = run.data
    q = {"shape": [int(d["documents"]), int(d["terms"])], "nnz": int(d["nnz"])}
    if tool.outfile:
        r, c, n = mtx_header(tool.outfile)
        q["mtx"] = [r, c, n]
    return q


def peer_shape(run, tool):
    d = run.data
    q = {"shape": [int(d["shape"][0]), int(d["shape"][1])], "nnz": int(d["nnz"])}
    if tool.outfile:
        r, c, n = mtx_header(tool.outfile)
        q["mtx"] = [r, c, n]
    return q


def fmt_shape(q):
    if not q:
        return "-"
    return "%dx%d nnz=%d" % (q["shape"][0], q["shape"][1], q["nnz"])


def same_shape_nnz(expected):
    """Quality check: every run of every tool produced the same shape and nnz
    (and, for tools that write a .mtx, the file's size line says the same); and
    it equals the reference numbers of the spec when given."""
    def check(bench):
        seen = {}
        problems = []
        for t in bench.tools:
            for i, r in enumerate(t.runs):
                if r.error or not r.quality:
                    continue
                key = (tuple(r.quality["shape"]), r.quality["nnz"])
                seen.setdefault(key, []).append("%s#%d" % (t.label, i + 1))
                if "mtx" in r.quality and tuple(r.quality["mtx"]) != key[0] + (key[1],):
                    problems.append("%s#%d: .mtx size line %s != reported %s"
                                    % (t.label, i + 1, r.quality["mtx"], key))
        if not seen:
            return False, "no successful run"
        if len(seen) > 1:
            problems.append("shape/nnz differ: " + "; ".join(
                "%dx%d nnz=%d by %s" % (k[0][0], k[0][1], k[1], ",".join(v)) for k, v in seen.items()))
        if expected and len(seen) == 1:
            (shape, nnz), = seen.keys()
            if (shape[0], shape[1], nnz) != expected:
                problems.append("shape/nnz %dx%d nnz=%d != spec reference %dx%d nnz=%d"
                                % ((shape[0], shape[1], nnz) + tuple(expected)))
        if any(r.error for t in bench.tools for r in t.runs):
            problems.append("some runs failed")
        if problems:
            return False, " | ".join(problems)
        return True, "same shape/nnz" + (" = spec" if expected else "")
    return check


# ----------------------------------------------------------------------------
# the benchmark definitions

def make_benchmarks(fx, archive, tmpdir):
    benches = []
    for ds in DATASETS:
        # 1. vectorize stage, documents already in memory
        for weighting, cls in (("count", "CountVectorizer"), ("tfidf", "TfidfVectorizer")):
            fx_argv = [fx, "vectorize", archive] + ds.factopic_args() + ["--json"]
            if weighting == "tfidf":
                fx_argv += ["--weighting", "tfidf"]
            benches.append(Benchmark(
                name="vectorize-%s/%s" % (weighting, ds.key),
                group="vectorize",
                description="%s, %s: documents in memory -> %s matrix" % (ds.title, REMOVE, weighting),
                tools=[
                    Tool(label="factopic --weighting %s" % weighting, role="factopic",
                         argv=fx_argv, metric="reported",
                         metric_desc="timings.vectorize from --json",
                         value_of=lambda d: d["timings"]["vectorize"],
                         quality_of=factopic_shape),
                    Tool(label="sklearn %s" % cls, role="peer",
                         argv=[PYTHON, PEERS, "vectorize", "--archive", archive,
                               "--vectorizer", weighting] + ds.peer_args(),
                         metric="reported",
                         metric_desc="perf_counter around %s(stop_words='english').fit_transform(docs)" % cls,
                         value_of=lambda d: d["seconds"], quality_of=peer_shape,
                         env_unset=PEER_UNSET),
                ],
                quality=same_shape_nnz(ds.expected), quality_desc="shape/nnz equal"))

        # 2. end to end, archive -> matrix, whole process
        fx_out = os.path.join(tmpdir, "factopic-%s.mtx" % ds.key)
        pk_out = os.path.join(tmpdir, "sklearn-%s.mtx" % ds.key)
        peer_e2e = [PYTHON, PEERS, "e2e", "--archive", archive] + ds.peer_args()
        benches.append(Benchmark(
            name="e2e-count/%s" % ds.key,
            group="e2e",
            description="%s: archive -> count matrix (.mtx), whole process" % ds.title,
            tools=[
                Tool(label="factopic -o X.mtx", role="factopic",
                     argv=[fx, "vectorize", archive] + ds.factopic_args() + ["-o", fx_out, "--json"],
                     metric="wall", metric_desc="process wall time (writes .mtx)",
                     quality_of=factopic_shape, outfile=fx_out),
                Tool(label="python+sklearn, no write", role="peer", argv=peer_e2e,
                     metric="wall",
                     metric_desc="process wall time: tarfile+latin-1+3 cleaners+CountVectorizer, writes nothing",
                     quality_of=peer_shape, env_unset=PEER_UNSET),
                Tool(label="python+sklearn+mmwrite", role="peer", argv=peer_e2e + ["--mmwrite", pk_out],
                     metric="wall",
                     metric_desc="process wall time: same + scipy.io.mmwrite(X.mtx)",
                     quality_of=peer_shape, env_unset=PEER_UNSET, outfile=pk_out),
            ],
            quality=same_shape_nnz(ds.expected), quality_desc="shape/nnz equal (+ .mtx size line)"))
    return benches


# ----------------------------------------------------------------------------
# reporting

def blas_summary(info):
    parts = []
    for lib in info or []:
        if "error" in lib:
            parts.append("threadpoolctl error " + lib["error"])
            continue
        s = "%s=%s %s" % (lib.get("user_api"), lib.get("internal_api"), lib.get("version") or "")
        extra = [os.path.basename(lib.get("filepath", ""))]
        if lib.get("threading_layer"):
            extra.append(lib["threading_layer"])
        if lib.get("architecture"):
            extra.append(lib["architecture"])
        parts.append("%s (%s) %d threads" % (s.strip(), ", ".join(x for x in extra if x),
                                             lib.get("num_threads", -1)))
    return "; ".join(parts) if parts else "no BLAS/OpenMP library loaded"


def tool_stats(tool):
    vals = [r.value for r in tool.runs if not r.error and r.value is not None]
    rss = [r.maxrss_mib for r in tool.runs if not r.error]
    return {
        "median": statistics.median(vals) if vals else None,
        "min": min(vals) if vals else None,
        "rss_max_mib": max(rss) if rss else None,
        "rss_median_mib": statistics.median(rss) if rss else None,
        "n_ok": len(vals),
    }


def print_table(benches, out=sys.stdout):
    head = ("benchmark", "tool", "timed", "median s", "min s", "peer/fx", "peak RSS MiB", "shape / nnz", "quality")
    rows = []
    for b in benches:
        base = tool_stats(b.tools[0])["median"]
        ok, qtext = b.result if b.result else (False, "not run")
        for i, t in enumerate(b.tools):
            st = tool_stats(t)
            q = next((r.quality for r in t.runs if r.quality), None)
            err = next((r.error for r in t.runs if r.error), None)
            if st["median"] is None:
                med = mn = ratio = "ERROR"
            else:
                med, mn = "%.3f" % st["median"], "%.3f" % st["min"]
                if i == 0:
                    ratio = "1.00"
                elif base:
                    ratio = "%.2f" % (st["median"] / base)
                else:
                    ratio = "-"
            rows.append((b.name if i == 0 else "", t.label,
                         "in-proc" if t.metric == "reported" else "wall",
                         med, mn, ratio,
                         "%.1f" % st["rss_max_mib"] if st["rss_max_mib"] is not None else "-",
                         fmt_shape(q) + (" (run failed, see below)" if err else ""),
                         (("OK " + qtext) if ok else "FAIL (see below)") if i == 0 else ""))
    widths = [max(len(str(r[c])) for r in rows + [head]) for c in range(len(head))]
    num = {3, 4, 5, 6}
    def line(r):
        return "  ".join((str(v).rjust(widths[c]) if c in num else str(v).ljust(widths[c]))
                         for c, v in enumerate(r)).rstrip()
    print(line(head), file=out)
    print("  ".join("-" * w for w in widths), file=out)
    prev = None
    for r in rows:
        if r[0] and prev is not None:
            print("", file=out)
        print(line(r), file=out)
        prev = r
    out.flush()


# ----------------------------------------------------------------------------

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--factopic", default="build/factopic")
    ap.add_argument("--data", default=os.path.join(HERE, "..", "..", "shared", "data", "20news-bydate.tar.gz"))
    ap.add_argument("--repeat", type=int, default=None,
                    help="processes per tool per benchmark (default 3; >= 3 for a real run)")
    ap.add_argument("--order", choices=["blocked", "interleaved"], default="blocked",
                    help="blocked: each tool's warm-up then its repetitions back to back (default); "
                         "interleaved: one run of each tool in turn")
    ap.add_argument("--warmup", type=int, default=1,
                    help="untimed runs of each tool before its repetitions (blocked order only; default 1)")
    ap.add_argument("--json-out", default=None)
    ap.add_argument("--quick", action="store_true", help="4 categories only, repeat 3")
    ap.add_argument("--only", default=None, metavar="PATTERN",
                    help="run benchmarks whose name matches this regular expression (re.search)")
    ap.add_argument("--list", action="store_true", help="list benchmark names and exit")
    a = ap.parse_args()

    fx = os.path.abspath(a.factopic)
    archive = os.path.abspath(a.data)
    tmpdir = tempfile.mkdtemp(prefix="factopic-bench-")
    try:
        benches = make_benchmarks(fx, archive, tmpdir)
        if a.quick:
            benches = [b for b in benches if b.name.endswith("/4cat")]
        if a.repeat is None:
            a.repeat = 3
        if a.only:
            benches = [b for b in benches if re.search(a.only, b.name)]
        if a.list:
            for b in benches:
                print("%-22s %s" % (b.name, b.description))
            return 0
        if not benches:
            sys.exit("bench.py: no benchmark matches --only %r (see --list)" % a.only)
        if a.repeat < 1:
            sys.exit("bench.py: --repeat must be >= 1")
        if a.warmup < 0:
            sys.exit("bench.py: --warmup must be >= 0")
        if not os.access(fx, os.X_OK):
            sys.exit("bench.py: factopic binary %s not found or not executable (make build)" % fx)
        if not os.path.isfile(archive):
            sys.exit("bench.py: data archive %s not found" % archive)
        return run_all(a, fx, archive, benches)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


def run_all(a, fx, archive, benches):
    ver = run_process([fx, "version"], dict(os.environ))
    if ver.rc != 0:
        sys.exit("bench.py: `%s version` failed (exit %d): %s" % (fx, ver.rc, ver.stderr.strip()))
    with open(archive, "rb") as f:  # warm the page cache so the first process is not penalised
        while f.read(1 << 20):
            pass

    print("factopic benchmark  %s  host %s, %d CPUs, Python %s"
          % (datetime.datetime.now().isoformat(timespec="seconds"), platform.node(),
             os.cpu_count(), platform.python_version()))
    print("factopic: %s" % fx)
    for ln in ver.stdout.strip().splitlines():
        print("  | " + ln)
    print("data: %s" % archive)
    unset = ", ".join("%s=%s" % (k, os.environ[k]) if k in os.environ else "%s (not set)" % k
                      for k in PEER_UNSET)
    print("peer environment: unset %s (both together; factopic keeps the environment as is)" % unset)
    order = ("interleaved" if a.order == "interleaved"
             else "blocked, after %d untimed warm-up run(s) of each tool" % a.warmup)
    print("repetitions: %d separate processes per tool, %s%s"
          % (a.repeat, order, "" if a.repeat >= 3 else "  ** fewer than 3: not a valid benchmark **"))
    print()

    t_all = time.perf_counter()
    for b in benches:
        print("running %-22s" % b.name, end="", flush=True)
        t0 = time.perf_counter()
        if a.order == "interleaved":
            schedule = [(t, True) for _ in range(a.repeat) for t in b.tools]
        else:
            schedule = [(t, i >= a.warmup) for t in b.tools for i in range(a.warmup + a.repeat)]
        for t, timed in schedule:
            r = measure(t)
            if timed or r.error:
                t.runs.append(r)
            print(("." if timed else "w") if not r.error else "E", end="", flush=True)
        b.result = b.quality(b)
        print("  %.1fs" % (time.perf_counter() - t0))
    print()

    print_table(benches)
    print()
    print("timed: in-proc = seconds the process reports for the stage itself "
          "(factopic: --json timings.vectorize; sklearn: perf_counter around fit_transform after loading);")
    print("       wall = whole process, fork to exit, as seen by the driver (includes interpreter start/imports for Python).")
    print("peer/fx = peer median / factopic median (> 1: factopic faster).  peak RSS = max over repetitions of the "
          "process's ru_maxrss.")
    print("e2e rows: factopic writes the .mtx (-o); 'no write' peer builds the matrix and writes nothing; "
          "'mmwrite' peer also writes it with scipy.io.mmwrite.")

    # BLAS / thread report per peer, from threadpoolctl inside the peer process
    print()
    print("BLAS / threads seen inside each peer process (threadpoolctl.threadpool_info):")
    seen = {}
    for b in benches:
        for t in b.tools:
            if t.role != "peer":
                continue
            r = next((r for r in t.runs if r.data), None)
            if r is None:
                continue
            s = blas_summary(r.data.get("threadpool_info"))
            seen.setdefault((t.label, s), []).append(b.name)
    for (label, s), names in seen.items():
        print("  %-28s %s" % (label + ":", s))
    fx_threads = sorted({str(r.data.get("threads")) for b in benches for r in b.tools[0].runs
                         if r.data and "threads" in r.data})
    print("  %-28s see `factopic version` above; --threads left at its default, --json reports threads=%s"
          % ("factopic:", ",".join(fx_threads) or "?"))

    failures = []
    for b in benches:
        ok, text = b.result
        if not ok:
            failures.append("%s: %s" % (b.name, text))
        for t in b.tools:
            for i, r in enumerate(t.runs):
                if r.error:
                    failures.append("%s / %s run %d: %s\n      command: %s"
                                    % (b.name, t.label, i + 1, r.error, " ".join(t.argv)))
    print("total %.1fs" % (time.perf_counter() - t_all))

    if a.json_out:
        doc = {
            "date": datetime.datetime.now().isoformat(timespec="seconds"),
            "host": platform.node(), "cpus": os.cpu_count(),
            "driver_python": sys.version.split()[0],
            "factopic": fx, "factopic_version": ver.stdout.strip(),
            "data": archive, "repeat": a.repeat, "order": a.order, "warmup": a.warmup, "quick": a.quick,
            "only": a.only,
            "peer_env_unset": {k: os.environ.get(k) for k in PEER_UNSET},
            "ok": not failures, "failures": failures,
            "benchmarks": [],
        }
        for b in benches:
            base = tool_stats(b.tools[0])["median"]
            bd = {"name": b.name, "group": b.group, "description": b.description,
                  "quality": {"check": b.quality_desc, "ok": b.result[0], "detail": b.result[1]},
                  "tools": []}
            for t in b.tools:
                st = tool_stats(t)
                first = next((r for r in t.runs if r.data), None)
                bd["tools"].append({
                    "label": t.label, "role": t.role, "command": t.argv,
                    "env_unset": list(t.env_unset), "metric": t.metric, "metric_desc": t.metric_desc,
                    "seconds": [r.value for r in t.runs], "wall_seconds": [r.wall for r in t.runs],
                    "peak_rss_mib": [r.maxrss_mib for r in t.runs],
                    "median": st["median"], "min": st["min"],
                    "ratio_to_factopic": (st["median"] / base) if (base and st["median"] is not None) else None,
                    "quality": [r.quality for r in t.runs],
                    "errors": [r.error for r in t.runs if r.error],
                    "reported": [r.data for r in t.runs],
                    "blas": (first.data.get("threadpool_info") if first and t.role == "peer" else None),
                })
            doc["benchmarks"].append(bd)
        os.makedirs(os.path.dirname(os.path.abspath(a.json_out)), exist_ok=True)
        with open(a.json_out, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        print("wrote %s" % a.json_out)

    if failures:
        print()
        print("!" * 78)
        print("BENCHMARK FAILED (%d problem%s):" % (len(failures), "s" if len(failures) > 1 else ""))
        for f_ in failures:
            print("  - " + f_)
        print("!" * 78)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
