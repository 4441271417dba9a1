#!/usr/bin/python3
"""Command-line behaviour of `factopic svd`, `sweep` and `topics`: bad input, output files.

    /usr/bin/python3 tests/cli/test_svd_cli.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-svd-cli

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1
if anything failed. The crafted matrices and output directories go into a new
svd-* folder under --workdir, removed when everything passed and kept for
inspection otherwise. Small inputs only: the whole script takes seconds.

Contract (as for vectorize, see test_cli.py): exit 0 ok; 1 runtime/input error
with ONE line on stderr starting "factopic: error: "; 2 usage error (a k out of
range, --full with -k, a truncated method with --full, ...). A failing run
leaves no output file and no temporary file anywhere, and does not clobber an
existing output file.
"""

import io
import json
import os
import re
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # test_cli.py; tests/harness.py
from harness import read_lines, finish  # noqa: E402
from test_cli import start_cli_script, expect_error, expect_ok  # noqa: E402

BANNER = "%%MatrixMarket matrix coordinate real general\n"
# 5 x 4, row 4 and column 3 empty, one negative value, rank 3.
SMALL = [(1, 1, 1.0), (1, 2, 2.0), (2, 1, 3.0), (3, 4, 1.5), (5, 2, -1.0), (5, 4, 2.0)]
SMALL_SHAPE = (5, 4)
# A small real corpus for topics: 783 documents, 2 categories of the test set.
TOPIC_ARGS = ["--subset", "test", "--categories", "sci.space,comp.graphics",
              "--remove", "headers,footers,quotes", "--weighting", "count"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
EXACT_TOL = 1e-12


def write_mtx(path, shape, entries, comments=()):
    with open(path, "w") as f:
        f.write(BANNER)
        for c in comments:
            f.write(f"% {c}\n")
        f.write(f"{shape[0]} {shape[1]} {len(entries)}\n")
        for e in entries:
            f.write(" ".join(map(str, e)) + "\n")
    return path


def dense(shape, entries):
    A = np.zeros(shape)
    for i, j, v in entries:
        A[i - 1, j - 1] += v
    return A


def tree(root):
    """Every path below root (files and folders), relative to it."""
    out = set()
    for dirpath, dirnames, filenames in os.walk(root):
        for name in dirnames + filenames:
            out.add(os.path.relpath(os.path.join(dirpath, name), root))
    return out


def has_token(text, token):
    """token occurs in text, not as part of a longer number."""
    return re.search(rf"(?<![\w.-]){re.escape(token)}(?![\w.])", text) is not None


def run_json(env, *args):
    p = env.run(*args, "--json")
    expect_ok(p)
    try:
        return json.loads(p.stdout)
    except json.JSONDecodeError as e:
        raise AssertionError(f"stdout is not JSON ({e}): {p.stdout[:200]!r}")


def svd_out_flags(out):
    return ["--s", os.path.join(out, "S.txt"), "--u", os.path.join(out, "U.npy"), "--vt", os.path.join(out, "VT.npy")]


def failure(env, checks, name, args, code, contains=(), tokens=(), outputs=True, out_flags=svd_out_flags):
    """A run that must fail with `code`, say what `contains`/`tokens` name,
    and add or remove nothing anywhere under the workdir (outputs, as out_flags(dir) names
    them, are asked for in a fresh, initially empty directory)."""
    def fn():
        out = env.fresh_dir("fail")
        before = tree(env.workdir)
        p = env.run(*args, *(out_flags(out) if outputs else []))
        err = expect_error(p, code, contains)
        missing = [t for t in tokens if not has_token(err, t)]
        if missing:
            raise AssertionError(f"message does not name {missing}: {err[:300]!r}")
        changed = tree(env.workdir) ^ before
        if changed:
            raise AssertionError(f"files appeared or vanished: {sorted(changed)[:6]}")
        return f"exit {code}: {err[:140]!r}"
    checks.run(name, fn)


# ---------------------------------------------------------------- usage errors (exit 2)

def check_usage(env, checks, small):
    failure(env, checks, "svd -k 0: exit 2, message names k = 0 and the bound 1",
            ["svd", small, "-k", "0"], 2, contains=["k"], tokens=["0", "1"])
    failure(env, checks, "svd -k -3: exit 2, message names k = -3 and the bound 1",
            ["svd", small, "-k", "-3"], 2, contains=["k"], tokens=["-3", "1"])
    failure(env, checks, "svd -k 5 on a 5 x 4 matrix: exit 2, names k = 5 and the bound 4",
            ["svd", small, "-k", "5"], 2, contains=["k"], tokens=["5", "4"])
    failure(env, checks, "svd --full -k 2: exit 2, names both options",
            ["svd", small, "--full", "-k", "2"], 2, contains=["--full", "-k"])
    failure(env, checks, "svd without --full or -k: exit 2, names both options",
            ["svd", small], 2, contains=["--full", "-k"])
    failure(env, checks, "svd --full --method rsvd: exit 2, names rsvd",
            ["svd", small, "--full", "--method", "rsvd"], 2, contains=["rsvd"])
    failure(env, checks, "svd --full --method krylov: exit 2, names krylov",
            ["svd", small, "--full", "--method", "krylov"], 2, contains=["krylov"])
    failure(env, checks, "svd -k 2 --method gesdd: exit 2, names gesdd",
            ["svd", small, "-k", "2", "--method", "gesdd"], 2, contains=["gesdd"])
    failure(env, checks, "svd --method bogus: exit 2", ["svd", small, "--full", "--method", "bogus"], 2)
    failure(env, checks, "sweep -k 1:9 on a 5 x 4 matrix: exit 2, names k = 5 and the bound 4",
            ["sweep", small, "-k", "1:9"], 2, contains=["k"], tokens=["5", "4"], outputs=False)
    failure(env, checks, "sweep -k 0:3: exit 2, names k = 0",
            ["sweep", small, "-k", "0:3"], 2, contains=["k"], tokens=["0"], outputs=False)
    failure(env, checks, "sweep -k abc: exit 2", ["sweep", small, "-k", "abc"], 2, outputs=False)
    failure(env, checks, "sweep -k 3:1 (empty range): exit 2", ["sweep", small, "-k", "3:1"], 2,
            outputs=False)
    failure(env, checks, "topics -k 0: exit 2", ["topics", env.data, *TOPIC_ARGS, "-k", "0"], 2,
            contains=["k"], tokens=["0", "1"], outputs=False)
    failure(env, checks, "topics on a .mtx without --vocabulary: exit 2, asks for --vocabulary",
            ["topics", small, "-k", "2"], 2, contains=["--vocabulary"], outputs=False)

    def plot_extension():
        out = env.fresh_dir("plot-ext")
        p = env.run("svd", small, "--full", "--plot", os.path.join(out, "x.txt"))
        err = expect_error(p, 2, contains=[".svg", ".png"])
        if os.listdir(out):
            raise AssertionError(f"left behind: {os.listdir(out)}")
        return f"{err[:140]!r}"
    checks.run("svd --plot x.txt: exit 2, asks for .svg or .png, nothing written", plot_extension)

    def named_twice(flag_a, name_a, flag_b, name_b):
        def fn():
            out = env.fresh_dir("twice")
            p = env.run("svd", small, "--full", flag_a, os.path.join(out, name_a),
                        flag_b, os.path.join(out, name_b))
            err = expect_error(p, 2, contains=["twice"])
            if os.listdir(out):
                raise AssertionError(f"left behind: {os.listdir(out)}")
            return f"{err[:140]!r}"
        return fn
    checks.run("svd --u a.npy --vt a.npy: exit 2 'named twice', nothing written",
               named_twice("--u", "a.npy", "--vt", "a.npy"))
    checks.run("svd --s x.svg --plot x.svg: exit 2 'named twice', nothing written",
               named_twice("--s", "x.svg", "--plot", "x.svg"))
    checks.run("svd --u x.png --plot x.png: exit 2 'named twice', nothing written",
               named_twice("--u", "x.png", "--plot", "x.png"))


# ---------------------------------------------------------------- bad Matrix Market (exit 1)

def check_matrix_market(env, checks, small):
    d = env.fresh_dir("mtx-inputs")
    # Banner, three comment lines and the size line put the entries on lines
    # 6, 7, 8; the bad one is the second, on line 7: a number that appears
    # nowhere else in these files.
    comments = ["crafted by test_svd_cli.py", "bad entry on line 7", "-"]
    good = [(1, 1, 1.0), (2, 2, 2.0), (3, 3, 1.0)]

    def bad(name, value, fragment):
        entries = [good[0], (2, 2, value), good[2]]
        path = write_mtx(os.path.join(d, f"{name}.mtx"), (3, 3), entries, comments)
        failure(env, checks, f"{name} entry on line 7: exit 1, names the file and line 7",
                ["svd", path, "--full"], 1, contains=[f"{name}.mtx", *fragment], tokens=["7"])
    bad("malformed", "1.0abc", ["1.0abc"])
    bad("nan", "nan", ["nan"])
    bad("inf", "inf", ["inf"])
    bad("minus-inf", "-Inf", ["inf"])
    bad("overflow", "1e400", ["1e400"])

    idx = write_mtx(os.path.join(d, "index.mtx"), (3, 3), [good[0], (2, "x", 1.0), good[2]], comments)
    failure(env, checks, "malformed column index on line 7: exit 1, names line 7",
            ["svd", idx, "--full"], 1, contains=["index.mtx"], tokens=["7"])
    oob = write_mtx(os.path.join(d, "oob.mtx"), (3, 3), [good[0], (4, 2, 1.0), good[2]], comments)
    failure(env, checks, "row index 4 in a 3 x 3 matrix on line 7: exit 1, names line 7",
            ["svd", oob, "--full"], 1, contains=["oob.mtx"], tokens=["7", "4"])
    short = os.path.join(d, "short.mtx")
    with open(short, "w") as f:
        f.write(BANNER + "3 3 3\n1 1 1.0\n2 2 2.0\n")
    failure(env, checks, "fewer entries than declared: exit 1", ["svd", short, "--full"], 1,
            contains=["short.mtx"])
    for shape in ((0, 0), (0, 5), (3, 0)):
        path = write_mtx(os.path.join(d, f"empty-{shape[0]}x{shape[1]}.mtx"), shape, [])
        failure(env, checks, f"empty matrix {shape[0]} x {shape[1]}: exit 1, says 'empty'",
                ["svd", path, "--full"], 1, contains=[os.path.basename(path), "empty"])
    failure(env, checks, "sweep on an empty matrix (0 rows): exit 1",
            ["sweep", os.path.join(d, "empty-0x5.mtx")], 1, contains=["empty"], outputs=False)
    nobanner = os.path.join(d, "nobanner.mtx")
    with open(nobanner, "w") as f:
        f.write("3 3 1\n1 1 1.0\n")
    failure(env, checks, "no %%MatrixMarket banner: exit 1", ["svd", nobanner, "--full"], 1,
            contains=["nobanner.mtx"])
    empty_file = os.path.join(d, "zero-bytes.mtx")
    open(empty_file, "w").close()
    failure(env, checks, "0-byte .mtx: exit 1", ["svd", empty_file, "--full"], 1,
            contains=["zero-bytes.mtx"])
    missing = os.path.join(d, "no", "such.mtx")
    failure(env, checks, "missing .mtx: exit 1, names the path", ["svd", missing, "--full"], 1,
            contains=[missing])

    for n_terms in (3, 5):
        vocab = os.path.join(d, f"vocab-{n_terms}.txt")
        with open(vocab, "w") as f:
            f.write("".join(f"term{i}\n" for i in range(n_terms)))
        failure(env, checks, f"--vocabulary with {n_terms} terms for 4 columns: exit 1, names both counts",
                ["svd", small, "--full", "--vocabulary", vocab], 1,
                contains=[os.path.basename(vocab)], tokens=[str(n_terms), "4"])


# ---------------------------------------------------------------- unwritable outputs (exit 1)

def unwritable(env, cmd_args, flag, target, others):
    """A check: `cmd_args flag target` (target in a directory that does not exist) fails with
    exit 1 naming it, with the `others` outputs ((flag, file name) pairs) asked for in a fresh
    directory, and nothing appears anywhere (the missing directory included)."""
    def run():
        if os.path.exists(os.path.dirname(target)):
            raise AssertionError(f"{os.path.dirname(target)} exists on this machine: cannot test")
        out = env.fresh_dir("unwritable")
        extra = []
        for f, name in others:
            extra += [f, os.path.join(out, name)]
        before = tree(env.workdir)
        p = env.run(*cmd_args, flag, target, *extra)
        err = expect_error(p, 1, contains=[target])
        changed = tree(env.workdir) ^ before
        if changed:
            raise AssertionError(f"files appeared under the workdir: {sorted(changed)[:6]}")
        if os.path.exists(os.path.dirname(target)):
            raise AssertionError(f"{os.path.dirname(target)} was created")
        return f"{err[:140]!r}"
    return run


def check_unwritable(env, checks, small):
    checks.run("svd --u /nonexistent-dir/U.npy (with --s, --vt, --plot): exit 1, names it, nothing written",
               unwritable(env, ["svd", small, "--full"], "--u", "/nonexistent-dir/U.npy",
                  [("--s", "S.txt"), ("--vt", "VT.npy"), ("--plot", "sv.svg")]))
    checks.run("svd --plot /nonexistent/x.svg (with --s, --u, --vt): exit 1, names it, nothing written",
               unwritable(env, ["svd", small, "-k", "2"], "--plot", "/nonexistent/x.svg",
                  [("--s", "S.txt"), ("--u", "U.npy"), ("--vt", "VT.npy")]))
    checks.run("svd --vt /nonexistent-dir/VT.npy: exit 1, names it, nothing written",
               unwritable(env, ["svd", small, "--full"], "--vt", "/nonexistent-dir/VT.npy", [("--u", "U.npy")]))
    checks.run("sweep --plot /nonexistent/x.png: exit 1, names it, nothing written",
               unwritable(env, ["sweep", small, "-k", "1:4"], "--plot", "/nonexistent/x.png", []))

    def inside_workdir():
        out = env.fresh_dir("unwritable-sub")
        target = os.path.join(out, "no-such-dir", "U.npy")
        p = env.run("svd", small, "--full", "--u", target, "--s", os.path.join(out, "S.txt"),
                    "--vt", os.path.join(out, "VT.npy"), "--plot", os.path.join(out, "sv.png"))
        err = expect_error(p, 1, contains=[target])
        if os.listdir(out):
            raise AssertionError(f"left behind: {sorted(os.listdir(out))}")
        return f"{err[:140]!r}"
    checks.run("svd --u DIR/no-such-dir/U.npy: exit 1, the other outputs' directory stays empty",
               inside_workdir)

    def no_clobber():
        out = env.fresh_dir("no-clobber")
        sentinel = "precious result of an earlier run\n"
        kept = {name: os.path.join(out, name) for name in ("S.txt", "VT.npy", "sv.svg")}
        for path in kept.values():
            with open(path, "w") as f:
                f.write(sentinel)
        p = env.run("svd", small, "--full", "--s", kept["S.txt"], "--vt", kept["VT.npy"],
                    "--plot", kept["sv.svg"], "--u", os.path.join(out, "missing", "U.npy"))
        expect_error(p, 1)
        for name, path in kept.items():
            with open(path) as f:
                if f.read() != sentinel:
                    raise AssertionError(f"{name} was overwritten")
        extra = sorted(set(os.listdir(out)) - set(kept))
        if extra:
            raise AssertionError(f"left behind: {extra}")
        return "S.txt, VT.npy, sv.svg intact"
    checks.run("a failing svd does not clobber existing --s/--vt/--plot files", no_clobber)


# ---------------------------------------------------------------- outputs

def check_outputs(env, checks, small):
    A = dense(SMALL_SHAPE, SMALL)
    s_ref = np.linalg.svd(A, compute_uv=False)
    m, n = SMALL_SHAPE
    r = min(m, n)

    def npy(path, shape, dtype):
        M = np.load(path)
        if M.shape != shape or M.dtype != dtype:
            raise AssertionError(f"{os.path.basename(path)}: {M.dtype} {M.shape}, expected {np.dtype(dtype)} {shape}")
        return M

    def s_file(path, j):
        lines = read_lines(path)
        s = j["singular_values"]
        if len(lines) != len(s):
            raise AssertionError(f"--s has {len(lines)} lines, {len(s)} singular values")
        try:
            got = [float(x) for x in lines]
        except ValueError:
            raise AssertionError(f"--s lines are not one number each: {lines[:3]!r}")
        dtype = np.float32 if j.get("dtype") == "float32" else np.float64
        if not np.array_equal(np.array(got, dtype=dtype), np.array(s, dtype=dtype)):
            raise AssertionError(f"--s {lines} vs JSON {s}")

    def case(name, args, k, dtype, plot):
        def fn():
            out = env.fresh_dir("outputs")
            paths = {f: os.path.join(out, n) for f, n in
                     (("--s", "S.txt"), ("--u", "U.npy"), ("--vt", "VT.npy"), ("--plot", f"sv.{plot}"))}
            j = run_json(env, "svd", small, *args, "--dtype", dtype,
                         *[x for kv in paths.items() for x in kv])
            s_file(paths["--s"], j)
            # Every method reports a status; krylov also its pairs short of --tol (none here).
            if j["status"] != "converged" or j.get("unconverged", 0) != 0:
                raise AssertionError(f"status {j['status']}, {j.get('unconverged')} pairs unconverged")
            np_dtype = np.float32 if dtype == "float32" else np.float64
            U = npy(paths["--u"], (m, k), np_dtype).astype(np.float64)
            VT = npy(paths["--vt"], (k, n), np_dtype).astype(np.float64)
            s = np.array(j["singular_values"])
            tol = 1e-5 if dtype == "float32" else EXACT_TOL
            if np.abs(s - s_ref[:k]).max() > tol * s_ref[0]:
                raise AssertionError(f"singular values {s} vs numpy {s_ref[:k]}")
            # A v_i = s_i u_i for every triplet written.
            res = np.abs(A @ VT.T - U * s).max() / s_ref[0]
            if res > tol * 10:
                raise AssertionError(f"max|AV - US|/s_max = {res:.2e}")
            assert_plot(paths["--plot"], plot)
            return f"U {U.shape}, Vt {VT.shape} {dtype}, {len(s)} lines in --s, {plot} ok"
        checks.run(f"svd {name}: --s, --u, --vt ({dtype}) and --plot .{plot}", fn)

    case("--full", ["--full"], r, "float64", "svg")
    case("--full", ["--full"], r, "float32", "png")
    case("-k 2 (krylov)", ["-k", "2"], 2, "float64", "png")
    case("-k 2 (krylov)", ["-k", "2"], 2, "float32", "svg")
    case("-k 3 --method rsvd", ["-k", "3", "--method", "rsvd"], 3, "float64", "svg")
    case("--full --method gesdd", ["--full", "--method", "gesdd"], r, "float64", "png")

    def sweep(method, plot):
        def fn():
            out = env.fresh_dir("sweep")
            path = os.path.join(out, f"sweep.{plot}")
            j = run_json(env, "sweep", small, "-k", "1:4", "--method", method, "--plot", path)
            pts = j.get("points")
            if not isinstance(pts, list) or [p.get("k") for p in pts] != [1, 2, 3, 4]:
                raise AssertionError(f"points {pts!r}")
            ref = [np.sqrt(max(0.0, 1 - np.sum(s_ref[:k] ** 2) / np.sum(A ** 2))) for k in (1, 2, 3, 4)]
            got = [p["relative_error"] for p in pts]
            if np.abs(np.array(got) - ref).max() > 1e-6:
                raise AssertionError(f"errors {got} vs exact {ref}")
            assert_plot(path, plot)
            return f"errors {[round(e, 6) for e in got]}, {plot} ok"
        checks.run(f"sweep --method {method} --plot .{plot}: exact errors, valid {plot}", fn)

    sweep("krylov", "svg")
    sweep("rsvd", "png")
    sweep("gram", "svg")

    def plot_upper_case():
        out = env.fresh_dir("plot-case")
        path = os.path.join(out, "SV.SVG")
        expect_ok(env.run("svd", small, "--full", "--plot", path))
        assert_plot(path, "svg")
        return "SV.SVG is an SVG"
    checks.run("svd --plot SV.SVG (upper-case extension): an SVG", plot_upper_case)


def assert_plot(path, kind):
    with open(path, "rb") as f:
        data = f.read()
    if kind == "png":
        if not data.startswith(PNG_SIGNATURE):
            raise AssertionError(f"{os.path.basename(path)} lacks the PNG signature: {data[:16]!r}")
        if b"IEND" not in data[-16:]:
            raise AssertionError(f"{os.path.basename(path)} does not end with an IEND chunk")
    else:
        text = data.decode("utf-8", errors="replace")
        if "<svg" not in text or "</svg>" not in text:
            raise AssertionError(f"{os.path.basename(path)} is not an SVG: {text[:120]!r}")
        import xml.etree.ElementTree as ET
        try:
            ET.parse(io.BytesIO(data))
        except ET.ParseError as e:
            raise AssertionError(f"{os.path.basename(path)} is not well-formed XML: {e}")


# ---------------------------------------------------------------- empty rows / columns, zero matrix

def check_degenerate(env, checks, small, workdir_inputs):
    A = dense(SMALL_SHAPE, SMALL)
    s_ref = np.linalg.svd(A, compute_uv=False)
    m, n = SMALL_SHAPE

    def decompose(path, args, shape, k, ref):
        out = env.fresh_dir("degenerate")
        u, vt = os.path.join(out, "U.npy"), os.path.join(out, "VT.npy")
        j = run_json(env, "svd", path, *args, "--check", "--u", u, "--vt", vt)
        errs = {key: j.get(key) for key in ("reconstruction_error", "u_orthogonality_error",
                                            "v_orthogonality_error")}
        bad = {k_: v for k_, v in errs.items() if not (isinstance(v, (int, float)) and 0 <= v <= EXACT_TOL)}
        if bad:
            raise AssertionError(f"JSON errors above {EXACT_TOL:g} (or missing/NaN): {bad}")
        s = np.array(j["singular_values"])
        scale = max(ref[0], 1.0)
        if s.shape != (k,) or np.abs(s - ref[:k]).max() > EXACT_TOL * scale:
            raise AssertionError(f"singular values {s} vs numpy {ref[:k]}")
        U, VT = np.load(u), np.load(vt)
        if U.shape != (shape[0], k) or VT.shape != (k, shape[1]):
            raise AssertionError(f"U {U.shape}, Vt {VT.shape}")
        ou = np.abs(U.T @ U - np.eye(k)).max()
        ov = np.abs(VT @ VT.T - np.eye(k)).max()
        if not (ou <= EXACT_TOL and ov <= EXACT_TOL):
            raise AssertionError(f"numpy: max|UtU-I| {ou:.2e}, max|VtVtt-I| {ov:.2e}")
        return (f"s {np.round(s, 6).tolist()}; errors " + ", ".join(f"{v:.1e}" for v in errs.values())
                + f"; numpy orthogonality {ou:.1e}, {ov:.1e}")

    checks.run("5 x 4 with an empty row and column, --full --check: errors <= 1e-12, s == numpy",
               lambda: decompose(small, ["--full"], SMALL_SHAPE, min(m, n), s_ref))
    checks.run("the same, --full --method gesdd --check",
               lambda: decompose(small, ["--full", "--method", "gesdd"], SMALL_SHAPE, min(m, n), s_ref))
    checks.run("the same, -k 4 (krylov, k = min(m, n), rank 3) --check",
               lambda: decompose(small, ["-k", "4"], SMALL_SHAPE, 4, s_ref))
    # Wide: more columns than rows, with a duplicated column (factopic merges those).
    wide_entries = [(1, 1, 1.0), (1, 3, 1.0), (2, 2, 2.0), (2, 5, 1.0), (3, 1, 2.0), (3, 3, 2.0),
                    (3, 6, -1.0)]
    wide = write_mtx(os.path.join(workdir_inputs, "wide.mtx"), (3, 7), wide_entries)
    Aw = dense((3, 7), wide_entries)
    checks.run("3 x 7 with an empty column and two equal columns, --full --check",
               lambda: decompose(wide, ["--full"], (3, 7), 3, np.linalg.svd(Aw, compute_uv=False)))
    zero = write_mtx(os.path.join(workdir_inputs, "zero.mtx"), (3, 3), [])
    checks.run("3 x 3 all-zero matrix, --full --check: s = 0, finite errors, orthonormal U, V",
               lambda: decompose(zero, ["--full"], (3, 3), 3, np.zeros(3)))


# ---------------------------------------------------------------- topics

def parse_topics(stdout):
    """{topic number: {'+': [words], '-': [words]}} from the text listing."""
    topics, current = {}, None
    for line in stdout.splitlines():
        # "topic npmi umass docs [label share] + words": the first field is the topic number
        mt = re.match(r"^\s*(\d+)\s[^+]*?\+\s+(.*)$", line)
        mn = re.match(r"^\s+-\s+(.*)$", line)
        if mt:
            current = int(mt.group(1))
            # The few-documents flag (tests/cli/test_doc_topics.py) is not a word.
            words = re.sub(r"\s+\[few documents: \d+\]$", "", mt.group(2))
            topics[current] = {"+": words.split(), "-": []}
        elif mn and current is not None:
            topics[current]["-"] = mn.group(1).split()
    return topics


def check_topics(env, checks):
    for method in ("svd", "rsvd", "krylov"):
        def fn(method=method):
            p = env.run("topics", env.data, *TOPIC_ARGS, "--method", method)
            expect_ok(p)
            text = parse_topics(p.stdout)
            j = run_json(env, "topics", env.data, *TOPIC_ARGS, "--method", method)
            jt = j.get("topics")
            if not isinstance(jt, list) or len(jt) != 10:
                raise AssertionError(f"JSON topics: {len(jt) if isinstance(jt, list) else jt!r}, expected 10")
            if sorted(text) != list(range(10)):
                raise AssertionError(f"text lists topics {sorted(text)}, expected 0..9:\n{p.stdout[:600]}")
            with_minus = 0
            for i, topic in enumerate(jt):
                top = [t for t, _ in topic["top"]]
                neg = [t for t, _ in topic.get("negative", [])]
                if len(top) != 10:
                    raise AssertionError(f"topic {i}: {len(top)} top words, expected 10 (the default)")
                if text[i]["+"] != top or text[i]["-"] != neg:
                    raise AssertionError(f"topic {i}: text +{text[i]['+']} -{text[i]['-']} vs JSON +{top} -{neg}")
                if any(not w < 0 for _, w in topic.get("negative", [])):
                    raise AssertionError(f"topic {i}: non-negative weight among the negatives")
                with_minus += bool(neg)
            # Topic 0 of a count matrix is non-negative; the others are signed.
            if with_minus < 9:
                raise AssertionError(f"only {with_minus} topics have a '-' line, expected 9 or 10")
            return f"10 topics, {with_minus} with '-' lines; topic 1: + {' '.join(text[1]['+'][:4])} ..."
        checks.run(f"topics --method {method}: 10 topics with '+'/'-' lines, text == JSON", fn)

    def svd_topics_mtx():
        out = env.fresh_dir("topics-mtx")
        mtx, vocab = os.path.join(out, "X.mtx"), os.path.join(out, "vocab.txt")
        expect_ok(env.run("vectorize", env.data, *TOPIC_ARGS, "-o", mtx, "--vocab", vocab))
        a = run_json(env, "topics", env.data, *TOPIC_ARGS, "--method", "svd")
        b = run_json(env, "topics", mtx, "--vocabulary", vocab, "--method", "svd")
        c = run_json(env, "svd", mtx, "--vocabulary", vocab, "--full", "--top", "10", "--topics", "10")
        for name, other in (("topics X.mtx --vocabulary", b), ("svd --full --top 10 --topics 10", c)):
            for i, (x, y) in enumerate(zip(a["topics"], other["topics"])):
                if [t for t, _ in x["top"]] != [t for t, _ in y["top"]] or \
                        [t for t, _ in x["negative"]] != [t for t, _ in y.get("negative", [])]:
                    raise AssertionError(f"topic {i}: corpus {x} vs {name} {y}")
        return "same words from the corpus, from the .mtx, and from svd --full"
    checks.run("topics CORPUS == topics X.mtx --vocabulary == svd --full topics", svd_topics_mtx)


def main():
    args, env, checks, workdir, t0 = start_cli_script(__doc__, "svd-")

    inputs = env.fresh_dir("inputs")
    small = write_mtx(os.path.join(inputs, "small.mtx"), SMALL_SHAPE, SMALL)

    check_usage(env, checks, small)
    check_matrix_market(env, checks, small)
    check_unwritable(env, checks, small)
    check_outputs(env, checks, small)
    check_degenerate(env, checks, small, inputs)
    check_topics(env, checks)

    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
