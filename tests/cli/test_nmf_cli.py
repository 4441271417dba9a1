#!/usr/bin/python3
"""Command-line behaviour of `factopic nmf` (and `topics`/`sweep --method nmf`): bad input, output files.

    /usr/bin/python3 tests/cli/test_nmf_cli.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-nmf-cli

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1
if anything failed. The crafted matrices, starts and output directories go into
a new nmf-* folder under --workdir, removed when everything passed and kept for
inspection otherwise. Tiny inputs, plus a few runs on two categories of the
20 Newsgroups test set: the whole script takes seconds.

Contract (as for vectorize and svd, see test_cli.py): exit 0 ok; 1 runtime or
input-data error with ONE line on stderr starting "factopic: error: "; 2 usage
error (bad option values or combinations). Bad data -- a negative, NaN or
infinite entry of the matrix, an all-zero matrix, a --w-init/--h-init file whose
entries or shape do not fit -- is a data error (1), like a --vocabulary file
with the wrong number of terms. A failing run leaves no output file and no
temporary file anywhere, and does not clobber an existing output file.
Not converging (--max-iter reached with --tol > 0) is not an error: exit 0, one
warning line on stderr starting "warning: nmf", the JSON on stdout intact.
"""

import csv
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # test_cli.py, test_svd_cli.py; tests/harness.py
from harness import read_lines, finish  # noqa: E402
from test_cli import start_cli_script, expect_error, expect_ok  # noqa: E402
from test_svd_cli import write_mtx, dense, tree, run_json  # noqa: E402
from test_svd_cli import failure as svd_failure, unwritable  # noqa: E402

# 4 x 3, rank 3 (non-negative): row 3 has a single entry, no empty row or column.
SMALL = [(1, 1, 1.0), (1, 2, 0.25), (2, 2, 2.0), (3, 3, 1.0), (4, 1, 0.5), (4, 3, 3.0)]
SMALL_SHAPE = (4, 3)
# A small real corpus: 783 documents of 2 categories of the test set.
CORPUS_ARGS = ["--subset", "test", "--categories", "sci.space,comp.graphics",
               "--remove", "headers,footers,quotes"]
JSON_KEYS = ["source", "rows", "cols", "nnz", "dtype", "threads", "k", "solver", "init", "beta_loss",
             "iterations", "converged", "reconstruction_error", "relative_error", "negative_entries",
             "clipped", "losses", "topics", "timings", "phases", "peak_memory_mb", "outputs"]
TIMING_KEYS = ["read", "vectorize", "decompose", "write", "total"]
EXACT_TOL = 1e-12
FLOAT32_SQ_TOL = 1e-6
# A --w-init/--h-init whose shape does not fit the matrix and -k is treated as bad data (1),
# like a --vocabulary with the wrong number of terms (test_svd_cli.py).
CUSTOM_SHAPE_EXIT = 1


def out_flags(out):
    return ["--w", os.path.join(out, "W.npy"), "--h", os.path.join(out, "H.npy"),
            "--doc-topics", os.path.join(out, "W.csv")]


def failure(env, checks, name, args, code, **kwargs):
    """test_svd_cli's failure check, with nmf's outputs (W.npy, H.npy, W.csv)."""
    svd_failure(env, checks, name, args, code, out_flags=out_flags, **kwargs)


def save_npy(path, array):
    np.save(path, array)
    return path


# ---------------------------------------------------------------- usage errors (exit 2)

def check_usage(env, checks, small, starts):
    failure(env, checks, "nmf -k 0: exit 2, names k = 0 and the bound 1",
            ["nmf", small, "-k", "0"], 2, contains=["k"], tokens=["0", "1"])
    failure(env, checks, "nmf -k -2: exit 2, names k = -2",
            ["nmf", small, "-k", "-2"], 2, contains=["k"], tokens=["-2"])
    for init in ("nndsvda", "nndsvd", "nndsvdar"):
        failure(env, checks, f"nmf -k 4 --init {init} on a 4 x 3 matrix: exit 2, names k = 4, the bound 3, {init}",
                ["nmf", small, "-k", "4", "--init", init], 2, contains=["k", init], tokens=["4", "3"])
    failure(env, checks, "nmf --init custom without --w-init/--h-init: exit 2, names both",
            ["nmf", small, "-k", "2", "--init", "custom"], 2, contains=["--w-init", "--h-init"])
    failure(env, checks, "nmf --init custom --w-init only: exit 2, names --h-init",
            ["nmf", small, "-k", "2", "--init", "custom", "--w-init", starts["W"]], 2, contains=["--h-init"])
    failure(env, checks, "nmf --w-init/--h-init without --init custom: exit 2, names --init custom",
            ["nmf", small, "-k", "2", "--w-init", starts["W"], "--h-init", starts["H"]], 2,
            contains=["custom"])
    failure(env, checks, "nmf --h-init alone: exit 2", ["nmf", small, "-k", "2", "--h-init", starts["H"]], 2,
            contains=["custom"])
    for solver in ("cd", "pgd", "adam"):
        failure(env, checks, f"nmf --solver {solver} --beta-loss kullback-leibler: exit 2, names the loss and mu",
                ["nmf", small, "-k", "2", "--solver", solver, "--beta-loss", "kullback-leibler"], 2,
                contains=["kullback-leibler", "mu"])
    failure(env, checks, "nmf --solver bogus: exit 2", ["nmf", small, "-k", "2", "--solver", "bogus"], 2,
            contains=["bogus"])
    failure(env, checks, "nmf --init bogus: exit 2", ["nmf", small, "-k", "2", "--init", "bogus"], 2,
            contains=["bogus"])
    failure(env, checks, "nmf --tol -1: exit 2", ["nmf", small, "-k", "2", "--tol", "-1"], 2, contains=["--tol"])
    failure(env, checks, "nmf without a matrix: exit 2", ["nmf", "-k", "2"], 2, outputs=False)
    failure(env, checks, "topics --method nmf -k 0: exit 2", ["topics", env.data, *CORPUS_ARGS, "-k", "0"], 2,
            contains=["k"], tokens=["0"], outputs=False)

    def named_twice(flag_a, flag_b, name):
        def fn():
            out = env.fresh_dir("twice")
            p = env.run("nmf", small, "-k", "2", flag_a, os.path.join(out, name), flag_b, os.path.join(out, name))
            err = expect_error(p, 2, contains=["twice"])
            if os.listdir(out):
                raise AssertionError(f"left behind: {os.listdir(out)}")
            return f"{err[:140]!r}"
        return fn
    checks.run("nmf --w X --h X: exit 2 'named twice', nothing written", named_twice("--w", "--h", "X.npy"))
    checks.run("nmf --h X --doc-topics X: exit 2 'named twice', nothing written",
               named_twice("--h", "--doc-topics", "X"))


# ---------------------------------------------------------------- bad data (exit 1)

def check_bad_data(env, checks, small, starts):
    d = env.fresh_dir("bad-inputs")
    # Banner, three comment lines and the size line put the entries on lines 6, 7, 8;
    # the bad one is the second, entry (2, 2), on line 7.
    comments = ["crafted by test_nmf_cli.py", "bad entry on line 7", "-"]
    good = [(1, 1, 1.0), (2, 2, 2.0), (3, 3, 1.0)]

    def bad(name, value, contains, tokens):
        path = write_mtx(os.path.join(d, f"{name}.mtx"), (3, 3), [good[0], (2, 2, value), good[2]], comments)
        return path, contains, tokens

    path, _, _ = bad("negative", "-7.25", (), ())
    failure(env, checks, "negative entry -7.25 at (2, 2): exit 1 (bad data), names the entry and the value",
            ["nmf", path, "-k", "2"], 1, contains=["(2, 2)", "non-negative"], tokens=["-7.25"])
    failure(env, checks, "the same via topics --method nmf --vocabulary: exit 1",
            ["topics", path, "--vocabulary", write_vocab(d, 3), "-k", "2"], 1, contains=["(2, 2)"],
            tokens=["-7.25"], outputs=False)
    for name, value, shown in (("nan", "nan", "nan"), ("inf", "inf", "inf"), ("minus-inf", "-Inf", "inf")):
        path, _, _ = bad(name, value, (), ())
        failure(env, checks, f"{name} entry on line 7: exit 1, names the file and line 7",
                ["nmf", path, "-k", "2"], 1, contains=[f"{name}.mtx", shown], tokens=["7"])
    zero = write_mtx(os.path.join(d, "zero.mtx"), (3, 3), [])
    failure(env, checks, "all-zero 3 x 3 matrix: exit 1 (bad data), says there is nothing to factorise",
            ["nmf", zero, "-k", "1"], 1, contains=["zero"])
    empty = write_mtx(os.path.join(d, "empty.mtx"), (0, 0), [])
    failure(env, checks, "empty 0 x 0 matrix: exit 1, says 'empty'", ["nmf", empty, "-k", "1"], 1,
            contains=["empty.mtx", "empty"])
    missing = os.path.join(d, "no", "such.mtx")
    failure(env, checks, "missing .mtx: exit 1, names the path", ["nmf", missing, "-k", "2"], 1, contains=[missing])

    def custom(w, h, k="2"):
        return ["nmf", small, "-k", k, "--init", "custom", "--w-init", w, "--h-init", h]

    m, n = SMALL_SHAPE
    w_neg = np.ones((m, 2))
    w_neg[2, 1] = -0.625
    h_nan = np.ones((2, n))
    h_nan[1, 0] = np.nan
    h_inf = np.ones((2, n))
    h_inf[0, 2] = np.inf
    failure(env, checks, "--w-init with entry (3, 2) = -0.625: exit 1 (bad data), names W, the entry, the value",
            custom(save_npy(os.path.join(d, "Wneg.npy"), w_neg), starts["H"]), 1, contains=["W", "(3, 2)"],
            tokens=["-0.625"])
    failure(env, checks, "--h-init with a NaN at (2, 1): exit 1 (bad data), names H, the entry, nan",
            custom(starts["W"], save_npy(os.path.join(d, "Hnan.npy"), h_nan)), 1, contains=["H", "(2, 1)", "nan"])
    failure(env, checks, "--h-init with an Inf at (1, 3): exit 1 (bad data), names H and the entry",
            custom(starts["W"], save_npy(os.path.join(d, "Hinf.npy"), h_inf)), 1, contains=["H", "(1, 3)", "inf"])
    failure(env, checks, f"--w-init 3 x 2 for a 4 x 3 matrix: exit {CUSTOM_SHAPE_EXIT}, names both shapes",
            custom(save_npy(os.path.join(d, "W32.npy"), np.ones((3, 2))), starts["H"]), CUSTOM_SHAPE_EXIT,
            contains=["W", "3 x 2", "4 x 2"])
    failure(env, checks, f"--h-init 2 x 2 for a 4 x 3 matrix: exit {CUSTOM_SHAPE_EXIT}, names both shapes",
            custom(starts["W"], save_npy(os.path.join(d, "H22.npy"), np.ones((2, 2)))), CUSTOM_SHAPE_EXIT,
            contains=["H", "2 x 2", "2 x 3"])
    failure(env, checks, f"-k 3 with a 4 x 2 --w-init: exit {CUSTOM_SHAPE_EXIT}, names both shapes",
            custom(starts["W"], starts["H"], k="3"), CUSTOM_SHAPE_EXIT, contains=["W", "4 x 2", "4 x 3"])
    failure(env, checks, "--w-init of int64: exit 1, names the file and the dtype",
            custom(save_npy(os.path.join(d, "Wint.npy"), np.ones((m, 2), dtype=np.int64)), starts["H"]), 1,
            contains=["Wint.npy", "dtype"])
    failure(env, checks, "--w-init that is not a .npy file: exit 1, names it",
            custom(small, starts["H"]), 1, contains=["small.mtx"])
    nofile = os.path.join(d, "no-such-W.npy")
    failure(env, checks, "--w-init that does not exist: exit 1, names it", custom(nofile, starts["H"]), 1,
            contains=[nofile])


def write_vocab(d, count):
    path = os.path.join(d, f"vocab-{count}.txt")
    with open(path, "w") as f:
        f.write("".join(f"term{i}\n" for i in range(count)))
    return path


# ---------------------------------------------------------------- unwritable outputs (exit 1)

def check_unwritable(env, checks, small):
    def elsewhere(flag, target):
        names = {"--w": "W.npy", "--h": "H.npy", "--doc-topics": "W.csv"}
        return unwritable(env, ["nmf", small, "-k", "2"], flag, target,
                          [(f, name) for f, name in names.items() if f != flag])

    checks.run("nmf --w /nonexistent-dir/W.npy (with --h, --doc-topics): exit 1, names it, nothing written",
               elsewhere("--w", "/nonexistent-dir/W.npy"))
    checks.run("nmf --doc-topics /nonexistent-dir/W.csv (with --w, --h): exit 1, names it, nothing written",
               elsewhere("--doc-topics", "/nonexistent-dir/W.csv"))

    def directory():
        out = env.fresh_dir("unwritable-dir")
        target = env.fresh_dir("a-directory")
        before = tree(env.workdir)
        p = env.run("nmf", small, "-k", "2", "--w", os.path.join(out, "W.npy"), "--h", target,
                    "--doc-topics", os.path.join(out, "W.csv"))
        err = expect_error(p, 1, contains=[os.path.basename(target), "directory"])
        changed = tree(env.workdir) ^ before
        if changed:
            raise AssertionError(f"files appeared or vanished: {sorted(changed)[:6]}")
        return f"{err[:140]!r}"
    checks.run("nmf --h DIR (an existing directory): exit 1, says so, nothing written", directory)

    def no_clobber(why, args, code, bad_output):
        def fn():
            out = env.fresh_dir("no-clobber")
            sentinel = "precious result of an earlier run\n"
            kept = {name: os.path.join(out, name) for name in ("W.npy", "H.npy", "W.csv")}
            for path in kept.values():
                with open(path, "w") as f:
                    f.write(sentinel)
            extra = ["--w", kept["W.npy"], "--h", kept["H.npy"], "--doc-topics", kept["W.csv"]]
            if bad_output:
                extra[3] = os.path.join(out, "missing", "H.npy")
                del kept["H.npy"]
                os.remove(os.path.join(out, "H.npy"))
            p = env.run(*args, *extra)
            if p.returncode == 0:
                raise AssertionError("the run succeeded")
            for name, path in kept.items():
                with open(path) as f:
                    if f.read() != sentinel:
                        raise AssertionError(f"{name} was overwritten")
            extra_files = sorted(set(os.listdir(out)) - set(kept))
            if extra_files:
                raise AssertionError(f"left behind: {extra_files}")
            expect_error(p, code)  # after the files: they matter whatever the exit code
            return ", ".join(kept) + " intact"
        checks.run(f"a failing nmf ({why}) does not clobber existing --w/--h/--doc-topics files", fn)

    no_clobber("unwritable --h", ["nmf", small, "-k", "2"], 1, True)
    d = env.fresh_dir("clobber-inputs")
    neg = write_mtx(os.path.join(d, "neg.mtx"), (3, 3), [(1, 1, 1.0), (2, 2, -1.0), (3, 3, 2.0)])
    nan = write_mtx(os.path.join(d, "nan.mtx"), (3, 3), [(1, 1, 1.0), (2, 2, "nan"), (3, 3, 2.0)])
    no_clobber("negative entry", ["nmf", neg, "-k", "2"], 1, False)
    no_clobber("NaN entry", ["nmf", nan, "-k", "2"], 1, False)
    no_clobber("-k 0", ["nmf", small, "-k", "0"], 2, False)


# ---------------------------------------------------------------- outputs

def parse_doc_topics(path, k):
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = ["document", "label", "dominant_topic"] + [f"topic_{t}" for t in range(k)]
    if not rows or rows[0] != header:
        raise AssertionError(f"CSV header {rows[0] if rows else None!r}, expected {header}")
    ids, values = [], []
    for r, row in enumerate(rows[1:], start=2):
        if len(row) != k + 3:
            raise AssertionError(f"CSV line {r}: {len(row)} fields, expected {k + 3}: {row!r}")
        ids.append(row[0])
        values.append([float(x) for x in row[3:]])
    return ids, np.array(values, dtype=np.float64).reshape(len(ids), k)


def check_outputs(env, checks, small, starts):
    A = dense(SMALL_SHAPE, SMALL)
    m, n = SMALL_SHAPE

    def case(solver, dtype, extra=(), k=2):
        def fn():
            out = env.fresh_dir("outputs")
            paths = {f: p for f, p in zip(out_flags(out)[::2], out_flags(out)[1::2])}
            j = run_json(env, "nmf", small, "-k", k, "--solver", solver, "--dtype", dtype, *extra,
                         *out_flags(out))
            missing = [key for key in JSON_KEYS if key not in j]
            if missing:
                raise AssertionError(f"JSON lacks {missing}")
            if sorted(j["timings"]) != sorted(TIMING_KEYS):
                raise AssertionError(f"timings {sorted(j['timings'])}, expected {TIMING_KEYS}")
            if "reached_target" in j:
                raise AssertionError("reached_target without --target-error")
            if (j["rows"], j["cols"], j["nnz"], j["k"], j["solver"], j["dtype"]) != (m, n, len(SMALL), k, solver,
                                                                                        dtype):
                raise AssertionError(f"JSON rows/cols/nnz/k/solver/dtype {j['rows']}, {j['cols']}, {j['nnz']}, "
                                     f"{j['k']}, {j['solver']}, {j['dtype']}")
            if j["outputs"] != {"w": paths["--w"], "h": paths["--h"], "doc_topics": paths["--doc-topics"]}:
                raise AssertionError(f"JSON outputs {j['outputs']}")
            np_dtype = np.dtype(dtype)
            W, H = np.load(paths["--w"]), np.load(paths["--h"])
            if W.shape != (m, k) or H.shape != (k, n) or W.dtype != np_dtype or H.dtype != np_dtype:
                raise AssertionError(f"W {W.dtype} {W.shape}, H {H.dtype} {H.shape}; expected {dtype} "
                                     f"({m}, {k}), ({k}, {n})")
            if W.min() < 0 or H.min() < 0 or not (np.all(np.isfinite(W)) and np.all(np.isfinite(H))):
                raise AssertionError(f"negative or non-finite factors: min W {W.min()}, min H {H.min()}")
            err = float(np.linalg.norm(A - W.astype(np.float64) @ H.astype(np.float64)))
            # factopic evaluates |A - WH|^2 as |A|^2 - 2<A, WH> + <WtW, HHt> (as sklearn does), so
            # compare squares, to a bound relative to |A|^2: an error near 0 cancels to ~1e-15 |A|^2.
            # float32: the factors written are rounded to float32 (6e-8 relative each).
            tol = EXACT_TOL if dtype == "float64" else FLOAT32_SQ_TOL
            norm2 = float(np.sum(A * A))
            if j["beta_loss"] == "frobenius" and abs(err ** 2 - j["reconstruction_error"] ** 2) > tol * norm2:
                raise AssertionError(f"numpy |A - WH|_F {err!r}, JSON {j['reconstruction_error']!r}")
            rel = err / np.sqrt(norm2)
            if abs(rel ** 2 - j["relative_error"] ** 2) > tol:
                raise AssertionError(f"numpy relative error {rel!r}, JSON {j['relative_error']!r}")
            ids, V = parse_doc_topics(paths["--doc-topics"], k)
            if ids != [f"row {i}" for i in range(1, m + 1)]:
                raise AssertionError(f"CSV ids {ids}, expected 'row 1' .. 'row {m}'")
            if not np.array_equal(V.astype(np_dtype), W):
                raise AssertionError(f"CSV weights differ from W.npy: {V} vs {W}")
            if len(j["topics"]) != k or any(len(t["top"]) != n for t in j["topics"]):
                raise AssertionError(f"topics {j['topics']} (without --vocabulary: '#i' terms, {n} each)")
            return (f"{j['iterations']} iterations, error {j['reconstruction_error']:.6f}; W {W.shape}, "
                    f"H {H.shape} {dtype}; CSV == W")
        checks.run(f"nmf --solver {solver} --dtype {dtype} {' '.join(extra)}: JSON fields, .npy shapes/dtype, "
                   f"numpy error, doc-topics CSV ('row N') == W", fn)

    case("cd", "float64")
    case("cd", "float32")
    case("mu", "float64")
    case("mu", "float32", ("--beta-loss", "kullback-leibler"))
    case("pgd", "float64")
    case("adam", "float32")
    case("cd", "float64", ("--init", "random", "--seed", "7"), k=4)  # random init allows k > min(m, n)
    case("cd", "float64", ("--init", "custom", "--w-init", starts["W"], "--h-init", starts["H"]))
    case("cd", "float64", ("--init", "custom", "--w-init", starts["W32"], "--h-init", starts["H"]))

    def target():
        j = run_json(env, "nmf", small, "-k", "2", "--target-error", "1e9")
        k = run_json(env, "nmf", small, "-k", "2", "--target-error", "1e-9", "--max-iter", "5", "--tol", "0")
        if j.get("reached_target") is not True or j["iterations"] != 1:
            raise AssertionError(f"--target-error 1e9: reached_target {j.get('reached_target')!r} after "
                                 f"{j['iterations']} iterations")
        if k.get("reached_target") is not False or k["iterations"] != 5:
            raise AssertionError(f"--target-error 1e-9: reached_target {k.get('reached_target')!r} after "
                                 f"{k['iterations']} iterations")
        return "1e9 reached after 1 iteration; 1e-9 not reached in 5"
    checks.run("nmf --target-error: reached_target in the JSON (true when reached, else false)", target)

    def top():
        j = run_json(env, "nmf", small, "-k", "2", "--top", "2")
        z = run_json(env, "nmf", small, "-k", "2", "--top", "0")
        if [len(t["top"]) for t in j["topics"]] != [2, 2] or z["topics"] != []:
            raise AssertionError(f"--top 2: {j['topics']}; --top 0: {z['topics']}")
        return f"--top 2: {j['topics']}; --top 0: none"
    checks.run("nmf --top 2 / --top 0: 2 words per topic / no topics", top)

    def corpus():
        out = env.fresh_dir("corpus")
        ids_path = os.path.join(out, "ids.txt")
        expect_ok(env.run("vectorize", env.data, *CORPUS_ARGS, "--ids", ids_path, "-o", os.path.join(out, "X.mtx")))
        expected = read_lines(ids_path)
        csv_path = os.path.join(out, "W.csv")
        w_path = os.path.join(out, "W.npy")
        j = run_json(env, "nmf", env.data, *CORPUS_ARGS, "--weighting", "tfidf", "-k", "3", "--doc-topics", csv_path,
                     "--w", w_path, "--dtype", "float32")
        ids, V = parse_doc_topics(csv_path, 3)
        if ids != expected:
            i = next((i for i, (a, b) in enumerate(zip(ids, expected)) if a != b), min(len(ids), len(expected)))
            raise AssertionError(f"{len(ids)} CSV ids vs {len(expected)} from vectorize --ids; first difference at "
                                 f"row {i + 1}: {ids[i] if i < len(ids) else None!r} vs "
                                 f"{expected[i] if i < len(expected) else None!r}")
        W = np.load(w_path)
        if W.dtype != np.float32 or W.shape != (len(expected), 3) or not np.array_equal(V.astype(np.float32), W):
            raise AssertionError(f"W.npy {W.dtype} {W.shape} vs CSV ({len(ids)}, 3)")
        words = [[w for w, _ in t["top"]] for t in j["topics"]]
        if not all(len(t) == 10 and all(isinstance(w, str) and w for w in t) for t in words):
            raise AssertionError(f"topics are not 3 lists of 10 words: {j['topics']}")
        return f"{len(ids)} documents, first {ids[0]!r}; topic 0: {' '.join(words[0][:5])} ..."
    checks.run("nmf CORPUS --doc-topics: ids == vectorize --ids, weights == W.npy (float32), topics are words",
               corpus)


# ---------------------------------------------------------------- convergence warning

def check_warning(env, checks, small):
    for solver in ("cd", "mu", "pgd", "adam"):
        def fn(solver=solver):
            p = env.run("nmf", small, "-k", "2", "--solver", solver, "--max-iter", "1", "--tol", "1e-12", "--json")
            expect_ok(p)
            err = p.stderr.strip("\n")
            if not err.startswith("warning: nmf") or "\n" in err:
                raise AssertionError(f"stderr is not one 'warning: nmf' line: {err[:300]!r}")
            if "factopic: error" in err:
                raise AssertionError(f"an error on stderr: {err!r}")
            try:
                j = json.loads(p.stdout)
            except json.JSONDecodeError as e:
                raise AssertionError(f"stdout is not JSON ({e}): {p.stdout[:200]!r}")
            if j["converged"] is not False or j["iterations"] != 1:
                raise AssertionError(f"converged {j['converged']!r}, iterations {j['iterations']!r}")
            return f"{err[:120]!r}"
        checks.run(f"nmf --solver {solver} --max-iter 1 --tol 1e-12: exit 0, a warning on stderr, JSON intact", fn)

    def quiet():
        notes = []
        for args in (["--max-iter", "3", "--tol", "0"], []):
            p = env.run("nmf", small, "-k", "2", *args, "--json")
            expect_ok(p)
            if p.stderr.strip():
                raise AssertionError(f"{' '.join(args) or 'defaults'}: stderr {p.stderr.strip()[:200]!r}")
            j = json.loads(p.stdout)
            notes.append(f"{' '.join(args) or 'defaults'}: {j['iterations']} iterations, converged {j['converged']}")
        return "; ".join(notes)
    checks.run("nmf --tol 0 (run max-iter) and a converging run: nothing on stderr", quiet)


# ---------------------------------------------------------------- help, topics, sweep

def check_help_topics_sweep(env, checks, small):
    def help_text():
        p = env.run("nmf", "--help")
        expect_ok(p)
        if "Example:" not in p.stdout or "factopic nmf " not in p.stdout:
            raise AssertionError(f"no example in nmf --help: {p.stdout[-400:]!r}")
        for flag in ("--solver", "--init", "--w-init", "--h-init", "--beta-loss", "--w", "--h", "--doc-topics",
                     "--max-iter", "--tol"):
            if flag not in p.stdout:
                raise AssertionError(f"nmf --help does not mention {flag}")
        lines = p.stdout.splitlines()
        example = next((x for x in lines[lines.index("Example:"):] if "factopic nmf " in x), "").strip() \
            if "Example:" in lines else ""
        if not example:
            raise AssertionError("no 'factopic nmf ...' line after 'Example:'")
        return f"example: {example[:100]}"
    checks.run("nmf --help: an example and every option", help_text)

    def topics_default():
        p = env.run("topics", env.data, *CORPUS_ARGS, "-k", "3", "--json")
        expect_ok(p)
        j = json.loads(p.stdout)
        q = run_json(env, "nmf", env.data, *CORPUS_ARGS, "-k", "3", "--top", "10", "--weighting", "tfidf")
        if j.get("method") != "nmf":
            raise AssertionError(f"topics' default method is {j.get('method')!r}, not nmf")
        words = [[w for w, _ in t["top"]] for t in j["topics"]]
        # topics' objects add their documents' side (size, few documents) to nmf's {top, negative}.
        if [{"top": t["top"], "negative": t["negative"]} for t in j["topics"]] != q["topics"]:
            raise AssertionError(f"topics {words} vs nmf {[[w for w, _ in t['top']] for t in q['topics']]}")
        return f"3 topics; topic 0: {' '.join(words[0])}"
    checks.run("topics (default --method nmf, tf-idf, top 10) == nmf --weighting tfidf --top 10", topics_default)

    def topics_mtx():
        out = env.fresh_dir("topics-mtx")
        vocab = write_vocab(out, SMALL_SHAPE[1])
        j = run_json(env, "topics", small, "--vocabulary", vocab, "-k", "2", "--top", "3")
        if [len(t["top"]) for t in j["topics"]] != [3, 3] or \
                any(not w.startswith("term") for t in j["topics"] for w, _ in t["top"]):
            raise AssertionError(f"topics {j['topics']}")
        return " / ".join(" ".join(w for w, _ in t["top"]) for t in j["topics"])
    checks.run("topics X.mtx --vocabulary -k 2 --top 3 (nmf): words from the vocabulary", topics_mtx)

    for solver in ("cd", "mu"):
        def sweep(solver=solver):
            out = env.fresh_dir("sweep")
            mtx = os.path.join(out, "X.mtx")
            expect_ok(env.run("vectorize", env.data, *CORPUS_ARGS, "--weighting", "tfidf", "-o", mtx))
            j = run_json(env, "sweep", mtx, "--method", "nmf", "--solver", solver, "-k", "2,4")
            pts = j.get("points")
            if j.get("method") != "nmf" or not isinstance(pts, list) or [p.get("k") for p in pts] != [2, 4]:
                raise AssertionError(f"method {j.get('method')!r}, points {pts!r}")
            errs = [p["relative_error"] for p in pts]
            if not all(0 < e <= 1 for e in errs):
                raise AssertionError(f"relative errors {errs} not in (0, 1]")
            single = run_json(env, "nmf", mtx, "--solver", solver, "-k", "4", "--top", "0")
            if single["relative_error"] != errs[1]:
                raise AssertionError(f"sweep k=4 {errs[1]!r} vs nmf -k 4 {single['relative_error']!r}")
            text = env.run("sweep", mtx, "--method", "nmf", "--solver", solver, "-k", "2,4")
            expect_ok(text)
            return f"relative errors {[round(e, 6) for e in errs]}; k=4 == nmf -k 4"
        checks.run(f"sweep --method nmf --solver {solver} -k 2,4: errors in (0, 1], k=4 == nmf -k 4", sweep)

    failure(env, checks, "sweep --method nmf -k 4 --init nndsvd on a 4 x 3 matrix: exit 2, names k = 4",
            ["sweep", small, "--method", "nmf", "--init", "nndsvd", "-k", "4"], 2, contains=["k"], tokens=["4"],
            outputs=False)


def main():
    args, env, checks, workdir, t0 = start_cli_script(__doc__, "nmf-")

    inputs = env.fresh_dir("inputs")
    small = write_mtx(os.path.join(inputs, "small.mtx"), SMALL_SHAPE, SMALL)
    m, n = SMALL_SHAPE
    rng = np.random.default_rng(0)
    starts = {"W": save_npy(os.path.join(inputs, "W0.npy"), rng.uniform(0.1, 1.0, (m, 2))),
              "H": save_npy(os.path.join(inputs, "H0.npy"), rng.uniform(0.1, 1.0, (2, n)))}
    starts["W32"] = save_npy(os.path.join(inputs, "W0-float32.npy"), np.load(starts["W"]).astype(np.float32))

    check_usage(env, checks, small, starts)
    check_bad_data(env, checks, small, starts)
    check_unwritable(env, checks, small)
    check_outputs(env, checks, small, starts)
    check_warning(env, checks, small)
    check_help_topics_sweep(env, checks, small)

    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
