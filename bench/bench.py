#!/usr/bin/python3
"""factopic benchmark driver: factopic vs its Python peers, same input, same run.

    /usr/bin/python3 bench/bench.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz [--repeat 3] \
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

# SVD rows (issue 3): truncated ranks, and the "exact" leading singular values
# they are checked against: scipy.sparse.linalg.svds(X, k=EXACT_K, tol=0) run
# once per (dataset, weighting) with a start vector seeded EXACT_SEED, not the
# svds peer's 0, so that the svds peer is not compared with its own run.
SVD_KS = (5, 10, 50)
EXACT_K = 50
EXACT_SEED = 1
SVD_FULL_TOL = 1e-10   # svd-full: max|s_factopic - s_scipy| / s_max
SVD_K_TOL = 1e-6       # svd-k: max_i |s_i - exact_i| / exact_i of factopic's default (krylov)

# NMF rows (issue 4): ranks; scikit-learn's NMF defaults that factopic's own-stopping
# runs copy; the time-to-target runs; the quality bound on factopic cd's final loss;
# the lecture's gradient descent (dense, 4cat tf-idf only) and the speed-up asked of
# factopic's pgd/adam per iteration.
NMF_KS = (6, 10, 20)
NMF_TOL = 1e-4
NMF_MAX_ITER = 200
NMF_TARGET_MAX_ITER = 2000
NMF_LOSS_RTOL = 1e-4   # factopic cd's final loss <= sklearn cd's * (1 + NMF_LOSS_RTOL)
NMF_GD_K = 6
NMF_GD_ITERS = 10
NMF_GD_TARGET = 100.0  # numpy s/iteration / factopic s/iteration
RCPPML_SEED = 1        # RcppML 0.3.7 seeds its random start only when seed > 0
RSCRIPT = shutil.which("Rscript") or "/usr/bin/Rscript"
RCPPML_R = os.path.join(HERE, "rcppml_nmf.R")


def nthreads():
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:
        return os.cpu_count() or 1


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
    short: str = ""  # name in the quality text (svd rows)
    runs: list = field(default_factory=list)
    prepare: Optional[Callable] = None  # () -> None, untimed, in the driver, before each run (nmf: write X.mtx once)
    argv_of: Optional[Callable] = None  # () -> argv, built just before each run from earlier tools' results
                                        # (nmf: --target-error = scikit-learn's final loss); replaces argv

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
    info: dict = field(default_factory=dict)  # extra data for --json-out (svd rows: the exact reference)


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


def run_peer_setup(argv):
    """Runs an untimed peer step (a reference computation, a matrix file) in the peers'
    environment; its finished run (stdout, wall), or RuntimeError naming the command and its
    last stderr line."""
    env = dict(os.environ)
    for k in PEER_UNSET:
        env.pop(k, None)
    r = run_process(argv, env)
    if r.rc != 0:
        raise RuntimeError("exit %d: %s (command: %s)" % (
            r.rc, (r.stderr.strip().splitlines() or ["(no stderr)"])[-1], " ".join(argv)))
    return r


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
    try:
        if tool.prepare:
            tool.prepare()
        if tool.argv_of:
            tool.argv = tool.argv_of()
    except Exception as e:  # noqa: BLE001 - a tool that cannot start is a failed run, reported
        return Run(rc=-1, wall=0.0, maxrss_mib=0.0, stdout="", stderr="",
                   error="cannot start: %s: %s" % (type(e).__name__, e))
    try:
        r = run_process(tool.argv, tool.env())
    except OSError as e:  # e.g. the binary is being rebuilt: a failed run, not a crashed driver
        return Run(rc=-1, wall=0.0, maxrss_mib=0.0, stdout="", stderr="",
                   error="cannot start %s: %s" % (tool.argv[0], e))
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


def factopic_svd(method):
    """quality_of for `factopic svd --json`: shape/nnz, k, and the method it
    says it used (checked against the one the row is about)."""
    def q(run, tool):
        d = run.data
        if d.get("method") != method:
            raise ValueError("factopic reports method %r, this row is about %r" % (d.get("method"), method))
        return {"shape": [int(d["rows"]), int(d["cols"])], "nnz": int(d["nnz"]),
                "k": len(d["singular_values"]), "method": d["method"]}
    return q


def peer_svd(run, tool):
    q = peer_shape(run, tool)
    q["k"] = len(run.data["singular_values"])
    return q


def fmt_err(e):
    return "%.0e" % e if e > 0 else "0"


def svd_full_check(expected):
    """svd-full: every tool's runs give the same shape/nnz (= spec), all
    min(m, n) singular values, and factopic's agree with scipy's full SVD:
    max_i |s_i - s_scipy_i| / s_scipy_max <= SVD_FULL_TOL."""
    shape_check = same_shape_nnz(expected)

    def check(bench):
        ok, text = shape_check(bench)
        ref_tool = bench.tools[1]
        ref = next((r.data["singular_values"] for r in ref_tool.runs if not r.error and r.data), None)
        if ref is None:
            return False, "no scipy run to compare with | " + text
        smax = ref[0]
        problems, errs = [], []
        for t in bench.tools:
            for i, r in enumerate(t.runs):
                if r.error or not r.data:
                    continue
                sv = r.data["singular_values"]
                if len(sv) != len(ref):
                    problems.append("%s#%d: %d singular values, scipy %d" % (t.label, i + 1, len(sv), len(ref)))
                    continue
                if any(sv[j] < sv[j + 1] for j in range(len(sv) - 1)):
                    problems.append("%s#%d: singular values not descending" % (t.label, i + 1))
                if t.role == "factopic":
                    errs.append(max(abs(a - b) for a, b in zip(sv, ref)) / smax)
        if not errs:
            problems.append("no factopic run to compare")
        elif max(errs) > SVD_FULL_TOL:
            problems.append("max|s_fx - s_scipy|/s_max = %.1e > %.0e" % (max(errs), SVD_FULL_TOL))
        bench.info["max_abs_sv_diff_over_smax"] = max(errs) if errs else None
        etext = "max|s_fx - s_scipy|/s_max = %s (%d values)" % (fmt_err(max(errs)) if errs else "?", len(ref))
        if problems or not ok:
            return False, " | ".join(problems + [etext, text])
        return True, etext + ", " + text
    return check


class ExactReference:
    """The "exact" leading EXACT_K singular values of one (dataset, weighting)
    matrix: `peers.py svds --k EXACT_K --seed EXACT_SEED` (ARPACK, tol=0), run
    once per driver run and cached in its tmpdir (the JSON the peer printed)."""

    def __init__(self, archive, tmpdir):
        self.archive, self.tmpdir = archive, tmpdir

    def argv(self, ds, weighting):
        return ([PYTHON, PEERS, "svds", "--archive", self.archive, "--vectorizer", weighting,
                 "--k", str(EXACT_K), "--seed", str(EXACT_SEED)] + ds.peer_args())

    def get(self, ds, weighting):
        path = os.path.join(self.tmpdir, "exact-%s-%s.json" % (ds.key, weighting))
        if not os.path.exists(path):
            argv = self.argv(ds, weighting)
            r = run_peer_setup(argv)
            d = parse_json(r.stdout)
            if len(d["singular_values"]) != EXACT_K:
                raise RuntimeError("reference has %d singular values, not %d" % (len(d["singular_values"]), EXACT_K))
            d["command"] = argv
            d["wall"] = r.wall
            with open(path, "w") as f:
                json.dump(d, f)
        with open(path) as f:
            return json.load(f)


def svd_k_check(expected, exact, ds, weighting, k):
    """svd-k rows: shape/nnz as everywhere; every run returns k singular values;
    per tool, the worst over its runs of max_i |s_i - exact_i| / exact_i against
    the exact reference; ok when factopic's default (tools[0]) is <= SVD_K_TOL."""
    shape_check = same_shape_nnz(expected)

    def check(bench):
        ok, text = shape_check(bench)
        try:
            ref = exact.get(ds, weighting)
        except Exception as e:  # noqa: BLE001 - a failed reference fails the row, loudly
            return False, "exact reference failed: %s: %s | %s" % (type(e).__name__, e, text)
        bench.info["exact"] = {"command": ref["command"], "singular_values": ref["singular_values"],
                               "decompose_seconds": ref["seconds"], "wall_seconds": ref["wall"]}
        problems = []
        ref_key = (ref["documents"], ref["terms"], ref["nnz"])
        seen = next(((r.quality["shape"][0], r.quality["shape"][1], r.quality["nnz"])
                     for t in bench.tools for r in t.runs if r.quality), None)
        if seen is not None and ref_key != seen:
            problems.append("exact reference is of a %dx%d nnz=%d matrix, the tools' is %dx%d nnz=%d"
                            % (ref_key + seen))
        ex = ref["singular_values"][:k]
        worst = {}
        for t in bench.tools:
            for i, r in enumerate(t.runs):
                if r.error or not r.data:
                    continue
                sv = r.data["singular_values"]
                if len(sv) != k:
                    problems.append("%s#%d: %d singular values, asked %d" % (t.label, i + 1, len(sv), k))
                    continue
                e = max(abs(a - b) / b for a, b in zip(sv, ex))
                worst[t.short or t.label] = max(e, worst.get(t.short or t.label, 0.0))
        bench.info["max_rel_sv_error"] = worst
        fx = bench.tools[0].short or bench.tools[0].label
        if fx not in worst:
            problems.append("no factopic run to compare")
        elif worst[fx] > SVD_K_TOL:
            problems.append("%s: max rel. error %.1e > %.0e" % (fx, worst[fx], SVD_K_TOL))
        etext = "rel.err " + ", ".join("%s %s" % (n, fmt_err(e)) for n, e in worst.items())
        if problems or not ok:
            return False, " | ".join(problems + [etext, text])
        return True, etext + "; " + text
    return check


def svd_benchmarks(fx, archive, ds, exact):
    benches = []
    if ds.key == "4cat":
        # full thin SVD, counts: factopic --full (gram) vs scipy.linalg.svd on the dense matrix
        benches.append(Benchmark(
            name="svd-full-count/%s" % ds.key,
            group="svd-full",
            description="%s, count matrix: full thin SVD, all %d singular values"
                        % (ds.title, min(ds.expected[:2]) if ds.expected else 0),
            tools=[
                Tool(label="factopic --full (gram)", role="factopic", short="factopic",
                     argv=[fx, "svd", archive] + ds.factopic_args() + ["--weighting", "count", "--full", "--top", "0", "--json"],
                     metric="reported", metric_desc="timings.decompose from --json",
                     value_of=lambda d: d["timings"]["decompose"], quality_of=factopic_svd("gram")),
                Tool(label="scipy.linalg.svd dense", role="peer", short="scipy",
                     argv=[PYTHON, PEERS, "svd-full", "--archive", archive, "--vectorizer", "count"]
                     + ds.peer_args(),
                     metric="reported",
                     metric_desc="perf_counter around scipy.linalg.svd(X.toarray(), full_matrices=False) [gesdd]",
                     value_of=lambda d: d["seconds"], quality_of=peer_svd, env_unset=PEER_UNSET),
            ],
            quality=svd_full_check(ds.expected),
            quality_desc="max|s_factopic - s_scipy| / s_max <= %.0e (+ shape/nnz)" % SVD_FULL_TOL))

    for weighting in ("count", "tfidf"):
        # the spec's shape/nnz are those of the count matrix; tf-idf has the same
        wflag = ["--weighting", weighting]
        for k in SVD_KS:
            fx_argv = [fx, "svd", archive] + ds.factopic_args() + wflag + ["-k", str(k), "--top", "0", "--json"]
            peer = [PYTHON, PEERS, "--archive", archive, "--vectorizer", weighting, "--k", str(k)] + ds.peer_args()
            def peer_tool(task, label, short, desc):
                return Tool(label=label, role="peer", short=short, argv=peer[:2] + [task] + peer[2:],
                            metric="reported", metric_desc=desc, value_of=lambda d: d["seconds"],
                            quality_of=peer_svd, env_unset=PEER_UNSET)
            benches.append(Benchmark(
                name="svd-k%d-%s/%s" % (k, weighting, ds.key),
                group="svd-k",
                description="%s, %s matrix: the %d leading singular triplets" % (ds.title, weighting, k),
                tools=[
                    Tool(label="factopic -k %d (krylov)" % k, role="factopic", short="factopic",
                         argv=fx_argv, metric="reported", metric_desc="timings.decompose from --json",
                         value_of=lambda d: d["timings"]["decompose"], quality_of=factopic_svd("krylov")),
                    Tool(label="factopic -k %d --method rsvd" % k, role="factopic", short="fx-rsvd",
                         argv=fx_argv + ["--method", "rsvd"], metric="reported",
                         metric_desc="timings.decompose from --json",
                         value_of=lambda d: d["timings"]["decompose"], quality_of=factopic_svd("rsvd")),
                    peer_tool("svds", "scipy svds (ARPACK)", "svds",
                              "perf_counter around scipy.sparse.linalg.svds(X, k=%d, tol=0, random_state=0)" % k),
                    peer_tool("randomized_svd", "sklearn randomized_svd", "rsvd",
                              "perf_counter around sklearn.utils.extmath.randomized_svd(X, %d, random_state=0)" % k),
                    peer_tool("lsi", "gensim LsiModel", "lsi",
                              "perf_counter around gensim.models.LsiModel(Sparse2Corpus(X, documents_columns=False),"
                              " num_topics=%d, id2word=vocabulary, random_seed=0)" % k),
                ],
                quality=svd_k_check(ds.expected, exact, ds, weighting, k),
                quality_desc="max_i |s_i - exact_i| / exact_i per tool; factopic (krylov) <= %.0e; exact = "
                             "scipy svds(X, k=%d, tol=0, random_state=%d), once per matrix"
                             % (SVD_K_TOL, EXACT_K, EXACT_SEED)))
    return benches


# ----------------------------------------------------------------------------
# NMF rows (issue 4)

class MatrixFile:
    """The (dataset, weighting) matrix as Matrix Market, for RcppML: `peers.py mtx`
    (scikit-learn's vectorizer output, float64, documents x terms) run once per
    driver run, untimed, kept in its tmpdir."""

    def __init__(self, archive, tmpdir):
        self.archive, self.tmpdir = archive, tmpdir

    def path(self, ds, weighting):
        return os.path.join(self.tmpdir, "X-%s-%s.mtx" % (ds.key, weighting))

    def ensure(self, ds, weighting):
        path = self.path(ds, weighting)
        if os.path.exists(path):
            return path
        part = path[:-len(".mtx")] + ".part.mtx"  # mmwrite appends .mtx to any other name
        argv = ([PYTHON, PEERS, "mtx", "--archive", self.archive, "--vectorizer", weighting,
                 "--out", part] + ds.peer_args())
        run_peer_setup(argv)
        os.rename(part, path)
        return path


def _first(d, *keys):
    for k in keys:
        if k in d:
            return d[k]
    return None


def factopic_nmf(solver):
    """quality_of for `factopic nmf --json`: its final loss, iterations,
    convergence/target flags, peak memory; shape/nnz when it prints them; the
    solver it says it used is checked against the one the tool is about."""
    def q(run, tool):
        d = run.data
        if d.get("solver") != solver:
            raise ValueError("factopic reports solver %r, this tool is about %r" % (d.get("solver"), solver))
        out = {"loss": float(d["reconstruction_error"]), "iterations": int(d["iterations"]),
               "converged": d.get("converged"), "solver": d["solver"],
               "peak_memory_mb": d.get("peak_memory_mb"), "memory_mb": d.get("memory_mb")}
        if "reached_target" in d:
            out["reached_target"] = bool(d["reached_target"])
        rows, cols, nnz = _first(d, "documents", "rows"), _first(d, "terms", "cols"), d.get("nnz")
        if rows is not None and cols is not None and nnz is not None:
            out.update(shape=[int(rows), int(cols)], nnz=int(nnz))
        return out
    return q


def peer_nmf(run, tool):
    q = peer_shape(run, tool)
    n = run.data["nmf"]
    q.update(loss=float(n["loss"]), iterations=int(n["iterations"]))
    if "reconstruction_err" in n:
        q["reconstruction_err"] = float(n["reconstruction_err"])
    if "converged" in n:
        q["converged"] = bool(n["converged"])
    return q


def rcppml_nmf(run, tool):
    d = run.data
    rows, cols = int(d["rows"]), int(d["cols"])
    if d.get("orient") == "terms-docs":
        rows, cols = cols, rows
    return {"shape": [rows, cols], "nnz": int(d["nnz"]), "loss": float(d["loss"]),
            "iterations": int(d["iterations"]), "threads": d.get("threads")}


def fx_per_iteration(d):
    """Seconds per iteration: phases.iterations / iterations (the loop only, as the
    numpy peer times its steps only), timings.decompose / iterations when factopic
    does not report phases."""
    it = int(d["iterations"])
    if it <= 0:
        raise ValueError("factopic reports %d iterations" % it)
    loop = (d.get("phases") or {}).get("iterations")
    return float(loop if loop is not None else d["timings"]["decompose"]) / it


def sklearn_final_loss(tool):
    """scikit-learn's final loss (reconstruction_err_) from its first successful
    timed run: the --target-error of the time-to-target runs."""
    for r in tool.runs:
        if not r.error and r.data:
            return float(r.data["nmf"]["reconstruction_err"])
    raise RuntimeError("no successful %s run: no target loss" % tool.label)


def nmf_check(expected):
    """NMF rows: every tool's final loss side by side (worst run); factopic cd's
    own-stopping loss <= sklearn cd's * (1 + NMF_LOSS_RTOL); every time-to-target
    run reached its target; the times to sklearn's loss as ratios; shape/nnz
    equal among the tools that report them; no failed runs."""
    def check(bench):
        by = {t.short: t for t in bench.tools}
        problems = []
        seen = {}
        for t in bench.tools:
            for i, r in enumerate(t.runs):
                if r.error or not r.quality or "shape" not in r.quality:
                    continue
                seen.setdefault((tuple(r.quality["shape"]), r.quality["nnz"]), []).append(
                    "%s#%d" % (t.short, i + 1))
        if len(seen) > 1:
            problems.append("shape/nnz differ: " + "; ".join(
                "%dx%d nnz=%d by %s" % (k[0][0], k[0][1], k[1], ",".join(v)) for k, v in seen.items()))
        elif expected and len(seen) == 1:
            (shape, nnz), = seen.keys()
            if (shape[0], shape[1], nnz) != tuple(expected):
                problems.append("shape/nnz %dx%d nnz=%d != spec reference %dx%d nnz=%d"
                                % ((shape[0], shape[1], nnz) + tuple(expected)))

        losses, iters = {}, {}
        for t in bench.tools:
            ls = [r.quality["loss"] for r in t.runs if not r.error and r.quality]
            if ls:
                losses[t.short] = max(ls)  # the worst run
                iters[t.short] = sorted({r.quality["iterations"] for r in t.runs if not r.error and r.quality})
        bench.info["final_loss_worst_run"] = losses
        bench.info["iterations"] = iters
        bench.info["losses"] = {t.short: [r.quality["loss"] if r.quality else None for r in t.runs]
                                for t in bench.tools}
        bench.info["peak_memory_mb"] = {t.short: [r.quality.get("peak_memory_mb") if r.quality else None
                                                  for r in t.runs]
                                        for t in bench.tools if t.role == "factopic"}
        bench.info["memory_mb"] = {t.short: [r.quality.get("memory_mb") if r.quality else None for r in t.runs]
                                   for t in bench.tools if t.role == "factopic"}

        parts = []
        for t in bench.tools:
            if t.short in losses:
                it = iters[t.short]
                parts.append("%s %.7g (%s it)" % (t.short, losses[t.short],
                                                  str(it[0]) if len(it) == 1 else "%d-%d" % (it[0], it[-1])))
            else:
                parts.append("%s -" % t.short)
        text = ["loss " + ", ".join(parts)]

        if "fx-cd" in by and "sk-cd" in by:
            if "fx-cd" not in losses or "sk-cd" not in losses:
                problems.append("no fx-cd or sk-cd loss to compare")
            else:
                bound = losses["sk-cd"] * (1 + NMF_LOSS_RTOL)
                rel = losses["fx-cd"] / losses["sk-cd"] - 1
                bench.info["fx_cd_vs_sk_cd_rel"] = rel
                if losses["fx-cd"] > bound:
                    problems.append("fx-cd final loss %.9g > sk-cd %.9g * (1 + %.0e) (rel %+.1e)"
                                    % (losses["fx-cd"], losses["sk-cd"], NMF_LOSS_RTOL, rel))
                else:
                    text.append("fx-cd/sk-cd - 1 = %+.1e <= %.0e" % (rel, NMF_LOSS_RTOL))
        ratios = []
        for fx_s, sk_s in (("fx-cd>sk", "sk-cd"), ("fx-mu>sk", "sk-mu")):
            if fx_s not in by:
                continue
            bad = [i + 1 for i, r in enumerate(by[fx_s].runs)
                   if not r.error and r.quality and not r.quality.get("reached_target")]
            if bad:
                problems.append("%s did not reach sklearn's loss in run(s) %s" % (fx_s, ",".join(map(str, bad))))
            m_fx, m_sk = tool_stats(by[fx_s])["median"], tool_stats(by[sk_s])["median"]
            if m_fx and m_sk:
                ratios.append("%s/%s %.1fx" % (sk_s, fx_s, m_sk / m_fx))
                bench.info["time_to_sklearn_loss_ratio_" + sk_s] = m_sk / m_fx
        if ratios:
            text.append("time to sklearn's loss: " + ", ".join(ratios))

        if "numpy-gd" in by:
            m_np = tool_stats(by["numpy-gd"])["median"]
            for s_ in ("fx-pgd", "fx-adam"):
                m_fx = tool_stats(by[s_])["median"] if s_ in by else None
                if m_np and m_fx:
                    ratio = m_np / m_fx
                    bench.info["per_iteration_ratio_numpy_over_" + s_] = ratio
                    text.append("s/iter numpy-gd/%s %.0fx (target >= %.0fx: %s)"
                                % (s_, ratio, NMF_GD_TARGET, "met" if ratio >= NMF_GD_TARGET else "NOT MET"))

        if any(r.error for t in bench.tools for r in t.runs):
            problems.append("some runs failed")
        if problems:
            return False, " | ".join(problems + text)
        return True, "; ".join(text)
    return check


def nmf_benchmarks(fx, archive, ds, mtx):
    benches = []
    th = nthreads()
    for weighting in ("count", "tfidf"):
        wflag = ["--weighting", weighting]
        for k in NMF_KS:
            fx_base = [fx, "nmf", archive] + ds.factopic_args() + wflag + ["-k", str(k), "--top", "0"]
            peer = [PYTHON, PEERS, "--archive", archive, "--vectorizer", weighting, "--k", str(k)] + ds.peer_args()

            def fx_tool(solver, label, short, extra, desc, sk_tool=None, fx_base=fx_base):
                base = fx_base + ["--solver", solver]
                t = Tool(label=label, role="factopic", short=short, argv=base + (extra or []) + ["--json"],
                         metric="reported", metric_desc=desc,
                         value_of=lambda d: d["timings"]["decompose"], quality_of=factopic_nmf(solver))
                if sk_tool is not None:
                    # the target is known only once sklearn has run (it runs first)
                    tail = ["--tol", "0", "--max-iter", str(NMF_TARGET_MAX_ITER), "--json"]
                    t.argv = base + ["--target-error", "<%s final loss>" % sk_tool.short] + tail
                    # "reaching" a loss = within NMF_LOSS_RTOL of it: runs from different starts end in
                    # different local minima (all 20 k=20: 5e-5 apart), so the exact value may be
                    # out of reach while a loss as good to 1e-4 is not
                    t.argv_of = lambda: base + ["--target-error",
                                                "%.17g" % (sklearn_final_loss(sk_tool) * (1 + NMF_LOSS_RTOL))] + tail
                return t

            def peer_tool(task, label, short, extra, desc):
                return Tool(label=label, role="peer", short=short, argv=peer[:2] + [task] + peer[2:] + extra,
                            metric="reported", metric_desc=desc, value_of=lambda d: d["seconds"],
                            quality_of=peer_nmf, env_unset=PEER_UNSET)

            own = ["--tol", "%g" % NMF_TOL, "--max-iter", str(NMF_MAX_ITER)]
            sk_call = ("perf_counter around NMF(n_components=%d, solver='%%s', init='nndsvda', tol=%g, max_iter=%d, "
                       "random_state=0).fit_transform(X)" % (k, NMF_TOL, NMF_MAX_ITER))
            sk_cd = peer_tool("nmf-sklearn", "sklearn NMF cd", "sk-cd", ["--solver", "cd"], sk_call % "cd")
            sk_mu = peer_tool("nmf-sklearn", "sklearn NMF mu", "sk-mu", ["--solver", "mu"], sk_call % "mu")
            mpath = mtx.path(ds, weighting)
            rcpp = Tool(label="RcppML nmf (R)", role="peer", short="rcppml",
                        argv=[RSCRIPT, RCPPML_R, mpath, str(k), "--tol", "%g" % NMF_TOL,
                              "--maxit", str(NMF_MAX_ITER), "--seed", str(RCPPML_SEED), "--threads", str(th),
                              "--orient", "terms-docs"],
                        metric="reported",
                        metric_desc="proc.time() around RcppML::nmf(t(X), %d, tol=%g, maxit=%d, seed=%d, "
                                    "L1=c(0,0), diag=TRUE), %d threads" % (k, NMF_TOL, NMF_MAX_ITER, RCPPML_SEED, th),
                        value_of=lambda d: d["seconds"], quality_of=rcppml_nmf,
                        prepare=(lambda ds=ds, w=weighting: mtx.ensure(ds, w)))
            tools = [
                fx_tool("cd", "factopic cd --tol %g" % NMF_TOL, "fx-cd", own,
                        "timings.decompose from --json (own stopping, tol %g, max-iter %d)" % (NMF_TOL, NMF_MAX_ITER)),
                sk_cd,
                fx_tool("cd", "factopic cd -> sklearn loss", "fx-cd>sk", None,
                        "timings.decompose from --json, --target-error = sklearn cd's final loss", sk_cd),
                fx_tool("mu", "factopic mu --tol %g" % NMF_TOL, "fx-mu", own,
                        "timings.decompose from --json (own stopping, tol %g, max-iter %d)" % (NMF_TOL, NMF_MAX_ITER)),
                sk_mu,
                fx_tool("mu", "factopic mu -> sklearn loss", "fx-mu>sk", None,
                        "timings.decompose from --json, --target-error = sklearn mu's final loss", sk_mu),
            ]
            if weighting == "tfidf" or ds.key == "4cat":
                # on counts MiniBatchNMF runs all 200 epochs (4cat k=20: ~30 s a fit); 20all counts would
                # take ~10x that per run, so it is left out of the 20all count rows
                tools.append(peer_tool("nmf-minibatch", "sklearn MiniBatchNMF", "mbnmf", [],
                                       "perf_counter around MiniBatchNMF(n_components=%d, init='nndsvda', "
                                       "random_state=0).fit_transform(X)" % k))
            tools += [
                peer_tool("nmf-gensim", "gensim Nmf", "gensim", [],
                          "perf_counter around gensim.models.nmf.Nmf(Sparse2Corpus(X, documents_columns=False), "
                          "num_topics=%d, id2word=vocabulary, random_state=0)" % k),
                rcpp,
            ]
            benches.append(Benchmark(
                name="nmf-k%d-%s/%s" % (k, weighting, ds.key),
                group="nmf",
                description="%s, %s matrix: NMF rank %d, Frobenius loss" % (ds.title, weighting, k),
                tools=tools,
                quality=nmf_check(ds.expected),
                quality_desc="final loss ||X - WH||_F per tool (worst run); factopic cd (tol %g) <= sklearn cd * "
                             "(1 + %.0e); time-to-target runs reached sklearn's loss" % (NMF_TOL, NMF_LOSS_RTOL)))

    if ds.key == "4cat":
        # the fast.ai lecture's numpy gradient descent on the dense tf-idf matrix vs
        # factopic's first-order solvers, time per iteration
        fx_base = ([fx, "nmf", archive] + ds.factopic_args()
                   + ["--weighting", "tfidf", "-k", str(NMF_GD_K), "--top", "0"])
        benches.append(Benchmark(
            name="nmf-gd-tfidf/%s" % ds.key,
            group="nmf-gd",
            description="%s, tf-idf: NMF rank %d by gradient descent, seconds per iteration" % (ds.title, NMF_GD_K),
            tools=[
                Tool(label="factopic pgd (defaults)", role="factopic", short="fx-pgd",
                     argv=fx_base + ["--solver", "pgd", "--json"], metric="reported",
                     metric_desc="phases.iterations / iterations from --json",
                     value_of=fx_per_iteration, quality_of=factopic_nmf("pgd")),
                Tool(label="factopic adam (defaults)", role="factopic", short="fx-adam",
                     argv=fx_base + ["--solver", "adam", "--json"], metric="reported",
                     metric_desc="phases.iterations / iterations from --json",
                     value_of=fx_per_iteration, quality_of=factopic_nmf("adam")),
                Tool(label="numpy lecture GD (dense)", role="peer", short="numpy-gd",
                     argv=[PYTHON, PEERS, "nmf-gd", "--archive", archive, "--vectorizer", "tfidf",
                           "--k", str(NMF_GD_K), "--iters", str(NMF_GD_ITERS)] + ds.peer_args(),
                     metric="reported",
                     metric_desc="median of %d per-step perf_counter times, fast.ai lecture upd() on X.toarray()"
                                 % NMF_GD_ITERS,
                     value_of=lambda d: d["seconds"], quality_of=peer_nmf, env_unset=PEER_UNSET),
            ],
            quality=nmf_check(ds.expected),
            quality_desc="seconds per iteration numpy-gd / factopic (target >= %.0fx); losses reported" % NMF_GD_TARGET))
    return benches


# ----------------------------------------------------------------------------
# the benchmark definitions

def make_benchmarks(fx, archive, tmpdir):
    benches = []
    exact = ExactReference(archive, tmpdir)
    mtx = MatrixFile(archive, tmpdir)
    for ds in DATASETS:
        # 1. vectorize stage, documents already in memory
        for weighting, cls in (("count", "CountVectorizer"), ("tfidf", "TfidfVectorizer")):
            fx_argv = [fx, "vectorize", archive] + ds.factopic_args() + ["--weighting", "count", "--json"]
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
                     argv=[fx, "vectorize", archive] + ds.factopic_args() + ["--weighting", "count", "-o", fx_out, "--json"],
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

        # 3. SVD (issue 3): the decomposition only, matrix already in memory
        benches += svd_benchmarks(fx, archive, ds, exact)

        # 4. NMF (issue 4): the factorization only, matrix already in memory
        benches += nmf_benchmarks(fx, archive, ds, mtx)
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
    ap.add_argument("--data", default=os.path.join(HERE, "..", "data", "20news-bydate.tar.gz"))
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
    if any(b.group.startswith("svd") for b in benches):
        print("svd rows: in-proc = the decomposition only, matrix in memory (factopic: --json timings.decompose; "
              "peers: perf_counter around the library call on a float64 CSR X, or X.toarray() for svd-full);")
        print("       peer/fx is also given for the second factopic row (rsvd).  svd-full quality: "
              "max|s_factopic - s_scipy| / s_max over all %s values;" % "min(m, n)")
        print("       svd-k quality: per tool, max_i |s_i - exact_i| / exact_i (worst run), exact = svds(X, k=%d, tol=0, "
              "random_state=%d) computed once per matrix, untimed." % (EXACT_K, EXACT_SEED))
    if any(b.group.startswith("nmf") for b in benches):
        print("nmf rows: in-proc = the factorization only, matrix in memory (factopic: --json timings.decompose; "
              "sklearn/gensim: perf_counter around the fit; RcppML: proc.time() around nmf());")
        print("       peer/fx is relative to factopic cd --tol %g (own stopping, as sklearn's). 'factopic S -> sklearn "
              "loss' = --target-error <sklearn S's final loss x (1 + %.0e)> --tol 0 --max-iter %d:"
              % (NMF_TOL, NMF_LOSS_RTOL, NMF_TARGET_MAX_ITER))
        print("       time to reach scikit-learn's final loss (to 1e-4). Quality: each tool's final ||X - WH||_F (worst run); "
              "factopic cd's must be <= sklearn cd's * (1 + %.0e)." % NMF_LOSS_RTOL)
        print("       nmf-gd: seconds per iteration (factopic: phases.iterations / iterations; numpy: median of %d "
              "timed steps of the fast.ai lecture's gradient descent on the dense matrix)." % NMF_GD_ITERS)

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
            if "threadpool_info" in r.data:
                s = blas_summary(r.data.get("threadpool_info"))
            else:  # RcppML (R): Eigen + OpenMP, threads set by setRcppMLthreads
                s = "RcppML %s (Eigen, OpenMP), setRcppMLthreads(%s); R %s" % (
                    r.data.get("versions", {}).get("RcppML", "?"), r.data.get("threads", "?"),
                    r.data.get("versions", {}).get("R", "?"))
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
            if b.info:
                bd["info"] = b.info
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
