#!/usr/bin/python3
"""Issue 13, case 4: no NaN, divergence or meaningless result is ever reported as success.

    /usr/bin/python3 tests/trust/test_numerics.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-trust

Crafted Matrix Market files (tiny, written here) through nmf, svd, topics and sweep: a run
that diverges or explains nothing exits 1 with one line naming the likely cause and writes
nothing; data whose scale double precision cannot carry is refused up front, naming the file
and its largest entry; options scikit-learn refuses are refused (exit 2); what scikit-learn
allows is allowed. Every child runs under a 4 GiB address-space limit, so a regression fails
instead of taking the machine. One line per check, then "N passed, M failed".
"""

import json
import os
import subprocess
import sys

import numpy as np
import scipy.io
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "cli"))
from harness import finish, memory_limit, weighting_count  # noqa: E402
from test_cli import start_cli_script, expect_error, expect_ok  # noqa: E402

TIMEOUT = 60
MEMORY_MB = 4096


def run(env, *args):
    # harness.memory_limit: an address-space rlimit, or ASan's own bounds (ASan cannot start under one).
    return subprocess.run([env.binary, *weighting_count(args)], capture_output=True, text=True, timeout=TIMEOUT,
                          stdin=subprocess.DEVNULL, **memory_limit(env.binary, MEMORY_MB))


def write_mtx(path, dense):
    scipy.io.mmwrite(path, sp.coo_matrix(np.asarray(dense, dtype=np.float64)), precision=17)
    return path


def write_lines(path, lines):
    with open(path, "w") as f:
        f.write("".join(f"{line}\n" for line in lines))
    return path


def base_matrix(m=20, n=15, seed=0):
    rng = np.random.default_rng(seed)
    a = rng.random((m, n))
    a[a < 0.5] = 0
    a[np.arange(m), rng.integers(0, n, m)] += 1  # no empty row
    return a


def expect_nothing_written(outdir):
    left = sorted(os.listdir(outdir))
    if left:
        raise AssertionError(f"written although the run failed: {left}")


def expect_no_success_words(proc):
    for word in ("converged", "relative 0.000000", "nan"):
        if word in proc.stdout.lower():
            raise AssertionError(f"stdout says {word!r}: {proc.stdout[:300]!r}")


def main():
    args, env, checks, workdir, t0 = start_cli_script(__doc__, "numerics-")
    inputs = env.fresh_dir("inputs")
    a = base_matrix()
    small = write_mtx(os.path.join(inputs, "small.mtx"), a)
    vocab15 = write_lines(os.path.join(inputs, "vocab15.txt"), [f"term{j}" for j in range(15)])

    def failing(name, argv, code, contains, json_too=True):
        """argv fails with `code` and a message containing `contains`; with --w/--h asked for,
        nothing is written (and, with --json, nothing on stdout either)."""
        def fn():
            out = env.fresh_dir("out")
            extra = ["--w", os.path.join(out, "W.npy"), "--h", os.path.join(out, "H.npy")] if argv[0] == "nmf" else []
            proc = run(env, *argv, *extra)
            expect_error(proc, code, contains)
            expect_no_success_words(proc)
            expect_nothing_written(out)
            if json_too and argv[0] in ("nmf", "svd", "topics"):
                proc = run(env, *argv, "--json")
                expect_error(proc, code, contains)
                if proc.stdout.strip():
                    raise AssertionError(f"--json printed a result: {proc.stdout[:200]!r}")
        checks.run(name, fn)

    # --- divergence: a status, an error naming the cause, never "converged" -------------------
    failing("nmf --alpha-w 1e308 (W was all NaN, exit 0): exit 2, alpha_W overflows once scaled",
            ["nmf", small, "-k", "3", "--alpha-w", "1e308"], 2, ["alpha_W", "1e+308", "overflow"])
    failing("nmf --solver adam --lr 1e10 (error 2e25 called converged): exit 1, diverged, names --lr",
            ["nmf", small, "-k", "3", "--solver", "adam", "--lr", "1e10"], 1, ["diverged", "rose", "--lr 1e+10"])
    failing("nmf --solver pgd --lr 1e10: exit 1 at the first NaN, diverged, names --lr",
            ["nmf", small, "-k", "3", "--solver", "pgd", "--lr", "1e10"], 1, ["diverged", "NaN", "--lr"])
    failing("topics --solver adam --lr 1e10 (.mtx with vocabulary): exit 1, diverged",
            ["topics", small, "--vocabulary", vocab15, "-k", "3", "--solver", "adam", "--lr", "1e10"], 1,
            ["diverged", "--lr"])

    tiny = write_mtx(os.path.join(inputs, "tiny-1e-140.mtx"), a * 1e-140)
    failing("nmf --solver mu on entries of 1e-140 (W = H = 0 reported as converged): exit 1, found nothing",
            ["nmf", tiny, "-k", "3", "--solver", "mu"], 1, ["found nothing", "explains nothing", "scale of the data"])

    def sweep_degenerate():
        for solver in ("mu", "adam"):
            proc = run(env, "sweep", tiny, "--method", "nmf", "--solver", solver, "-k", "2,3")
            expect_error(proc, 1, ["found nothing"])
    checks.run("sweep --method nmf --solver mu|adam on entries of 1e-140: exit 1, no curve of meaningless errors",
               sweep_degenerate)

    def regularised_zero():
        proc = run(env, "nmf", small, "-k", "3", "--alpha-w", "1e300", "--json")
        expect_ok(proc)
        if "W·H explains nothing" not in proc.stderr or "regularisation" not in proc.stderr:
            raise AssertionError(f"no warning about the regularisation: {proc.stderr[:300]!r}")
    checks.run("nmf --alpha-w 1e300: W = H = 0 is the optimum: exit 0 with a warning naming the regularisation",
               regularised_zero)

    # --- scale: refused up front, naming the file and the largest entry ------------------------
    sub = write_mtx(os.path.join(inputs, "subnormal.mtx"), a * 1e-310)
    failing("nmf --solver pgd --init random on subnormal entries (NaN, 'relative 0.000000'): exit 1, rescale",
            ["nmf", sub, "-k", "2", "--solver", "pgd", "--init", "random"], 1, ["subnormal.mtx", "rescale"])
    big170 = write_mtx(os.path.join(inputs, "big-1e170.mtx"), a * 1e170)
    big300 = write_mtx(os.path.join(inputs, "big-1e300.mtx"), a * 1e300)
    row, col = np.unravel_index(np.argmax(a), a.shape)
    where = f"row {row + 1}, column {col + 1}"
    for path, label in ((big170, "1e170"), (big300, "1e300")):
        failing(f"nmf on entries of {label} (-nan / syevd did not converge): exit 1, file, largest entry, rescale",
                ["nmf", path, "-k", "3"], 1, [os.path.basename(path), "largest entry", where, "rescale"])
        for svd_args in (["--full"], ["--full", "--method", "gesdd"], ["-k", "2"], ["-k", "2", "--method", "rsvd"]):
            def svd_scale(path=path, svd_args=svd_args):
                proc = run(env, "svd", path, *svd_args)
                err = expect_error(proc, 1, [os.path.basename(path), "rescale"])
                if "syevd" in err or "did not converge" in err:
                    raise AssertionError(f"an internal LAPACK error: {err!r}")
            checks.run(f"svd {' '.join(svd_args)} on entries of {label}: exit 1, rescale, no LAPACK error", svd_scale)

    def edge_of_scale():
        for factor in (1e140, 1e-140):
            path = write_mtx(os.path.join(inputs, f"edge-{factor:g}.mtx"), a * factor)
            proc = run(env, "svd", path, "--full", "--check", "--json")
            expect_ok(proc)
            j = json.loads(proc.stdout)
            if not j["reconstruction_error"] < 1e-12:
                raise AssertionError(f"x{factor:g}: reconstruction error {j['reconstruction_error']}")
            proc = run(env, "nmf", path, "-k", "3", "--json")
            expect_ok(proc)
            if not 0 < json.loads(proc.stdout)["relative_error"] < 1:
                raise AssertionError(f"x{factor:g}: nmf relative error {proc.stdout[:200]!r}")
    checks.run("entries of 1e140 and 1e-140 (inside the bounds): svd exact, nmf (cd) a real fit", edge_of_scale)

    # --- empty documents: exactly zero weights with every solver -------------------------------
    holes = a.copy()
    holes[[3, 7], :] = 0
    empty = write_mtx(os.path.join(inputs, "empty-rows.mtx"), holes)
    for solver in ("cd", "mu", "pgd", "adam"):
        for extra in ([], ["--init", "random"]):
            def zero_rows(solver=solver, extra=extra):
                out = env.fresh_dir("empty")
                w = os.path.join(out, "W.npy")
                expect_ok(run(env, "nmf", empty, "-k", "3", "--solver", solver, *extra, "--w", w))
                weights = np.load(w)
                if np.any(weights[[3, 7]] != 0):
                    raise AssertionError(f"empty rows 4 and 8 have weights {weights[[3, 7]].tolist()}")
                if not np.all(np.isfinite(weights)) or not weights.any():
                    raise AssertionError("W is not a real fit")
            checks.run(f"nmf --solver {solver} {' '.join(extra)}: empty documents get exactly 0 weights", zero_rows)

    def kl_with_zeros():
        for init in ("nndsvd", "nndsvda", "random"):
            out = env.fresh_dir("kl")
            w = os.path.join(out, "W.npy")
            proc = run(env, "nmf", empty, "-k", "3", "--solver", "mu", "--beta-loss", "kullback-leibler",
                       "--init", init, "--w", w, "--json")
            expect_ok(proc)
            j = json.loads(proc.stdout)
            if not (np.isfinite(j["reconstruction_error"]) and 0 < j["relative_error"] < 1):
                raise AssertionError(f"init {init}: errors {j['reconstruction_error']}, {j['relative_error']}")
            weights = np.load(w)
            if not np.all(np.isfinite(weights)) or np.any(weights[[3, 7]] != 0):
                raise AssertionError(f"init {init}: W not finite or empty rows weighted")
    checks.run("nmf --solver mu --beta-loss kullback-leibler with empty rows, nndsvd zeros: finite, rows 0",
               kl_with_zeros)

    # --- options as scikit-learn 1.2 has them ----------------------------------------------------
    for label, argv in (("nmf", ["nmf", small, "-k", "3"]),
                        ("topics", ["topics", small, "--vocabulary", vocab15, "-k", "3"]),
                        ("sweep (rsvd)", ["sweep", small, "-k", "2,3"]),
                        ("sweep --method nmf", ["sweep", small, "-k", "2,3", "--method", "nmf"])):
        def max_iter_zero(argv=argv):
            for value in ("0", "-3"):
                expect_error(run(env, *argv, "--max-iter", value), 2, ["--max-iter", value, "at least 1"])
        checks.run(f"{label} --max-iter 0 / -3 (0 meant the default): exit 2, at least 1", max_iter_zero)

    square = write_mtx(os.path.join(inputs, "three.mtx"), np.random.default_rng(3).random((3, 3)) + 0.1)

    def random_k5():
        out = env.fresh_dir("k5")
        w, h = os.path.join(out, "W.npy"), os.path.join(out, "H.npy")
        proc = run(env, "nmf", square, "-k", "5", "--init", "random", "--w", w, "--h", h, "--json")
        expect_ok(proc)
        if np.load(w).shape != (3, 5) or np.load(h).shape != (5, 3):
            raise AssertionError(f"shapes {np.load(w).shape}, {np.load(h).shape}")
        expect_error(run(env, "nmf", square, "-k", "5"), 2, ["k = 5", "nndsvda"])
    checks.run("nmf --init random -k 5 on a 3 x 3 matrix: allowed as in scikit-learn (nndsvda: still exit 2)",
               random_k5)

    zeros_w = os.path.join(inputs, "W-zero.npy")
    np.save(zeros_w, np.zeros((20, 3)))
    h0 = os.path.join(inputs, "H0.npy")
    np.save(h0, np.full((3, 15), 0.5))
    w0 = os.path.join(inputs, "W0.npy")
    np.save(w0, np.full((20, 3), 0.5))
    zeros_h = os.path.join(inputs, "H-zero.npy")
    np.save(zeros_h, np.zeros((3, 15)))
    failing("nmf --init custom with W full of zeros: exit 1, as scikit-learn's _check_init",
            ["nmf", small, "-k", "3", "--init", "custom", "--w-init", zeros_w, "--h-init", h0], 1,
            ["custom W is full of zeros"])
    failing("nmf --init custom with H full of zeros: exit 1",
            ["nmf", small, "-k", "3", "--solver", "mu", "--init", "custom", "--w-init", w0, "--h-init", zeros_h], 1,
            ["custom H is full of zeros"])

    # --- SVD topics: never fewer (or null-space) topics than asked for --------------------------
    three_docs = write_mtx(os.path.join(inputs, "three-docs.mtx"), base_matrix(3, 15, 4))
    for method in ("svd", "krylov", "rsvd"):
        def k_above_docs(method=method):
            proc = run(env, "topics", three_docs, "--vocabulary", vocab15, "--method", method, "-k", "9")
            expect_error(proc, 2, ["k = 9", "k <= 3"])
        checks.run(f"topics --method {method} -k 9 on 3 documents (svd gave 3 topics, exit 0): exit 2, k <= 3",
                   k_above_docs)
    rng = np.random.default_rng(5)
    low = rng.random((20, 3)) @ rng.random((3, 15))
    rank3 = write_mtx(os.path.join(inputs, "rank3.mtx"), low)
    for method in ("svd", "krylov", "rsvd"):
        def k_above_rank(method=method):
            proc = run(env, "topics", rank3, "--vocabulary", vocab15, "--method", method, "-k", "9")
            expect_error(proc, 2, ["k = 9", "rank 3", "-k 3"])
            expect_ok(run(env, "topics", rank3, "--vocabulary", vocab15, "--method", method, "-k", "3"))
        checks.run(f"topics --method {method} -k 9 on a rank-3 matrix (6 null-space topics): exit 2, rank 3",
                   k_above_rank)

    exact = np.linalg.svd(low, compute_uv=False)
    for block in ("1", "2", "4"):
        def krylov_low_rank(block=block):
            proc = run(env, "svd", rank3, "-k", "3", "--block", block, "--json", "--check")
            expect_ok(proc)
            j = json.loads(proc.stdout)
            got = np.array(j["singular_values"])
            if not np.allclose(got, exact[:3], rtol=1e-10, atol=0) or not j["reconstruction_error"] < 1e-12:
                raise AssertionError(f"sigma {got.tolist()} for {exact[:3].tolist()}, "
                                     f"error {j['reconstruction_error']}")
        checks.run(f"svd -k 3 --block {block} (krylov) on a rank-3 matrix: the exact singular values "
                   "(sigma_3 was 0.29 for 1.53)", krylov_low_rank)

    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
