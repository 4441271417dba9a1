#!/usr/bin/python3
"""Oracle test: `factopic svd`, `sweep` and SVD topics against scipy on 20 Newsgroups.

    /usr/bin/python3 tests/oracle/test_svd_oracle.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-svd [--quick]

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1
if anything failed. --quick skips the slow full runs (gesdd, float32).

Both sides decompose the very same matrix: `factopic vectorize ... -o X.mtx`
writes it and scipy.io.mmread reads it back (test_vectorize_oracle.py checks
that this matrix is scikit-learn's). The expected values are computed here:
  1) the full thin SVD of the 4-category train set (counts: gram, float64;
     tf-idf at --min-df 5: gram, float64; counts at --min-df 5: gesdd, and
     gram in float32) against scipy
     (LAPACK's QR of A^T, then gesdd of R^T), and the factors checked again in
     numpy from the .npy files factopic wrote;
  2) the SVD topics (rows of Vt) against scipy's Vh after sklearn's svd_flip;
  3) the truncated SVD (krylov, rsvd) of all 20 categories against
     scipy.sparse.linalg.svds(tol=0), and --threads 1 == --threads 2 bitwise;
  4) `sweep`: the error curve against the Eckart-Young error from exact s.
The scratch files go into a new svd-* folder under --workdir, removed when
everything passed and kept for inspection otherwise.
"""

import io
import json
import os
import subprocess
import sys
import time

import numpy as np
import scipy.io
import scipy.linalg
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from sklearn.utils.extmath import svd_flip

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # sk_corpus; tests/harness.py
from harness import (weighting_count, Checks, read_lines, Lazy, finish, describe_timeout, start_script,  # noqa: E402
                     print_slow, take_bytes)
from sk_corpus import FactopicError  # noqa: E402

FOUR = ["alt.atheism", "talk.religion.misc", "comp.graphics", "sci.space"]
REMOVE = "headers,footers,quotes"
FOUR_ARGS = ["--subset", "train", "--categories", ",".join(FOUR), "--remove", REMOVE]
ALL_ARGS = ["--subset", "train", "--remove", REMOVE]
FOUR_SHAPE = (2034, 26576)

# Full SVD in float64: backward-stable algorithms reach a few hundred ulps.
SV_TOL = 1e-10          # |s - s_scipy| <= SV_TOL * s_max
FACTOR_TOL = 1e-12      # reconstruction and orthogonality errors
# float32: the unit roundoff is 6e-8, so even the exact float64 factors rounded
# to float32 show errors of ~1e-7 (sqrt(r) * 6e-8 in the reconstruction); 1e-5
# leaves a backward-stable float32 algorithm a small multiple of that, and
# still catches a wrong or unrefined factorisation by orders of magnitude.
FLOAT32_TOL = 1e-5
# Truncated SVD: krylov stops when every residual |AtA v - s^2 v| <= tol s^2
# (default --tol 1e-6), which bounds the relative error of s^2 by 1e-6 and so
# that of s by 5e-7 (in practice the error is quadratic in the residual, far
# smaller); the vectors come orthonormalised.
TRUNC_SV_RTOL = 1e-6
TRUNC_ORTH_TOL = 1e-10
SWEEP_TOL = 1e-8        # krylov error against sqrt(1 - sum s_i^2 / |A|_F^2)
RSVD_SLACK = 1e-3       # rsvd errors may rise by this much from one k to the next
# Topics: a factopic term may differ from scipy's pick only if their scipy
# weights agree within this (ties); vectors of the 10 leading, well separated
# singular values agree with scipy's to ~1e-13.
TIE_TOL = 1e-10
VECTOR_TOL = 1e-9
NOISE = 1e-10           # |weight| below this is rounding noise, not a signal
TIMEOUT = 900


def describe_factopic_error(e):
    return "factopic failed: " + str(e).replace("\n", " | ")


class Env:
    def __init__(self, binary, data, workdir):
        self.binary = binary
        self.data = data
        self.workdir = workdir
        self.log = []  # (what, seconds) of every factopic and scipy step

    def path(self, name):
        return os.path.join(self.workdir, name)

    def run(self, *args, parse_json=True):
        """`factopic ARGS`; FactopicError on a non-zero exit, else its JSON."""
        cmd = [self.binary, *weighting_count(args)]
        start = time.perf_counter()
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT,
                           stdin=subprocess.DEVNULL)
        seconds = time.perf_counter() - start
        shown = " ".join(os.path.basename(a) if os.path.isabs(a) else a for a in map(str, args))
        self.log.append((f"factopic {shown}", seconds))
        if p.returncode != 0:
            raise FactopicError(f"exit {p.returncode}: {' '.join(cmd)}\n{p.stderr.strip()}")
        if not parse_json:
            return p
        try:
            j = json.loads(p.stdout)
        except json.JSONDecodeError as e:
            raise AssertionError(f"stdout of {shown} is not JSON ({e}): {p.stdout[:200]!r}")
        j["_seconds"] = seconds
        return j

    def timed(self, what, fn):
        start = time.perf_counter()
        value = fn()
        self.log.append((what, time.perf_counter() - start))
        return value


# ---------------------------------------------------------------- helpers

def vectorize(env, name, args):
    """Writes NAME.mtx / NAME.vocab.txt; returns (CSR matrix, vocabulary)."""
    mtx, vocab = env.path(f"{name}.mtx"), env.path(f"{name}.vocab.txt")
    env.run("vectorize", env.data, *args, "-o", mtx, "--vocab", vocab, parse_json=False)
    X = sp.csr_matrix(scipy.io.mmread(mtx))
    X.sum_duplicates()
    X.sort_indices()
    return X, read_lines(vocab)


def values(j, count=None):
    s = np.asarray(j["singular_values"], dtype=np.float64)
    if count is not None and s.shape != (count,):
        raise AssertionError(f"{s.size} singular values, expected {count}")
    return s


def assert_values(got, ref, atol, what="singular values"):
    if got.shape != ref.shape:
        raise AssertionError(f"{got.size} {what}, expected {ref.size}")
    if not np.all(np.isfinite(got)):
        raise AssertionError(f"non-finite {what}: {got[~np.isfinite(got)][:3]}")
    diff = np.abs(got - ref)
    i = int(np.argmax(diff))
    if diff[i] > atol:
        raise AssertionError(f"max |s - s_scipy| = {diff[i]:.3e} > {atol:.3e} at index {i} "
                             f"(factopic {got[i]!r}, scipy {ref[i]!r}); "
                             f"{int(np.sum(diff > atol))} values off")
    return f"max |s - s_scipy| = {diff[i]:.2e} (bound {atol:.1e})"


def assert_json_errors(j, tol):
    got = {}
    for key in ("reconstruction_error", "u_orthogonality_error", "v_orthogonality_error"):
        if key not in j:
            raise AssertionError(f"JSON lacks {key!r} (has {sorted(j)})")
        got[key] = j[key]
    bad = {k: v for k, v in got.items() if not (isinstance(v, (int, float)) and 0 <= v <= tol)}
    if bad:
        raise AssertionError(f"above {tol:g}: {bad}")
    return ", ".join(f"{k.split('_')[0]} {v:.1e}" for k, v in got.items())


def assert_s_file(path, j):
    """--s: one value per line, the same numbers as the JSON."""
    lines = read_lines(path)
    s = values(j)
    if len(lines) != s.size:
        raise AssertionError(f"{path}: {len(lines)} lines, {s.size} singular values in the JSON")
    got = np.array([float(x) for x in lines])
    dtype = np.float32 if j.get("dtype") == "float32" else np.float64
    if not np.array_equal(got.astype(dtype), s.astype(dtype)):
        i = int(np.argmax(got.astype(dtype) != s.astype(dtype)))
        raise AssertionError(f"line {i + 1}: {lines[i]!r} vs JSON {s[i]!r}")
    return f"{len(lines)} lines"


def load_factors(u_path, vt_path, shape_u, shape_vt, dtype):
    U, VT = np.load(u_path), np.load(vt_path)
    for name, M, shape in (("U", U, shape_u), ("Vt", VT, shape_vt)):
        if M.shape != shape or M.dtype != dtype:
            raise AssertionError(f"{name}.npy is {M.dtype} {M.shape}, expected {np.dtype(dtype)} {shape}")
        if not np.all(np.isfinite(M)):
            raise AssertionError(f"{name}.npy has non-finite entries")
    return U, VT


def orthogonality(U, VT):
    """max|UtU - I|, max|Vt Vtt - I|, in float64."""
    U, VT = U.astype(np.float64, copy=False), VT.astype(np.float64, copy=False)
    r = U.shape[1]
    G = U.T @ U
    G[np.diag_indices(r)] -= 1.0
    H = VT @ VT.T
    H[np.diag_indices(r)] -= 1.0
    return float(np.abs(G).max()), float(np.abs(H).max())


def reconstruction(A, U, s, VT):
    """|A - U diag(s) Vt|_F / |A|_F, in float64."""
    U, VT = U.astype(np.float64, copy=False), VT.astype(np.float64, copy=False)
    R = (U * s) @ VT
    R -= A
    return float(np.linalg.norm(R) / np.linalg.norm(A))


def ranked_terms(v, count, vocab, largest=True, noise=0.0):
    """scipy's side: the `count` terms of largest (or most negative) weight in v;
    for negatives only weights below -noise."""
    w = v if largest else -v
    order = np.argsort(-w, kind="stable")[:count]
    if not largest:
        order = [i for i in order if v[i] < -noise]
    return [vocab[i] for i in order], [float(v[i]) for i in order]


def assert_ranking(fac_terms, exp_terms, exp_weights, v, col, what):
    """fac_terms must be exp_terms, except that terms whose scipy weights tie
    (within TIE_TOL) may come in another order or be another pick of the tie."""
    if fac_terms == exp_terms:
        return "same"
    if len(fac_terms) != len(exp_terms):
        raise AssertionError(f"{what}: factopic {fac_terms} vs scipy {exp_terms}")
    unknown = [t for t in fac_terms if t not in col]
    if unknown or len(set(fac_terms)) != len(fac_terms):
        raise AssertionError(f"{what}: unknown or repeated terms in {fac_terms}")
    for p, (t, w) in enumerate(zip(fac_terms, exp_weights)):
        if abs(v[col[t]] - w) > TIE_TOL:
            raise AssertionError(f"{what}: position {p + 1} factopic {t!r} (scipy weight {v[col[t]]:.6g}) "
                                 f"vs scipy {exp_terms[p]!r} ({w:.6g}); factopic {fac_terms}, scipy {exp_terms}")
    return "same up to ties"


# ---------------------------------------------------------------- 1) and 2) full SVD

def check_full(env, checks, quick):
    X4 = Lazy(lambda: vectorize(env, "four", FOUR_ARGS))
    X4t = Lazy(lambda: vectorize(env, "four-tfidf", FOUR_ARGS + ["--weighting", "tfidf"]))

    def shape():
        (X, vocab), (T, vocab_t) = X4(), X4t()
        if X.shape != FOUR_SHAPE or T.shape != FOUR_SHAPE or len(vocab) != FOUR_SHAPE[1]:
            raise AssertionError(f"counts {X.shape}, tf-idf {T.shape}, {len(vocab)} terms; expected {FOUR_SHAPE}")
        if vocab_t != vocab:
            raise AssertionError("the tf-idf vocabulary differs from the counts'")
        return f"{X.shape[0]} x {X.shape[1]}, nnz {X.nnz}"

    checks.run("1) 4-category matrices (counts, tf-idf) from factopic vectorize", shape)

    # scipy, once per matrix: with vectors for the counts (topics), values only for the others.
    # The matrices are wide (2034 x 26576), so the reference goes through the QR of A^T:
    # A^T = QR, A = R^T Q^T, and the SVD of the square R^T (LAPACK gesdd, as scipy.linalg.svd)
    # gives A's values, its U, and V = Q W. Backward stable like gesdd of A itself (QR is), and
    # about five times faster.
    def sk_counts():
        A = X4()[0].toarray()

        def svd_by_qr():
            Q, R = scipy.linalg.qr(A.T, mode="economic")
            U, s, Wh = scipy.linalg.svd(R.T, full_matrices=False)
            return U, s, Wh[:10] @ Q.T

        U, s, Vh10 = env.timed("scipy QR + svd counts (with vectors)", svd_by_qr)
        U10, Vh10 = svd_flip(U[:, :10].copy(), Vh10.copy(), u_based_decision=True)
        return s, U10, Vh10

    def sk_values(X, what):
        A = X.toarray()
        return env.timed(f"scipy QR + svd {what} (values)",
                         lambda: scipy.linalg.svd(scipy.linalg.qr(A.T, mode="r")[0], compute_uv=False))

    # gesdd, float32 and the tf-idf case run on the 4-category matrices at --min-df 5, real
    # matrices a fifth as wide: the dense gesdd of the whole matrix alone took over a minute of
    # the suite, and the full-width tf-idf case (the same code as the counts' after the
    # weighting) 23 s of it (CI time).
    Xs = Lazy(lambda: vectorize(env, "four-df5", FOUR_ARGS + ["--min-df", 5]))
    Xts = Lazy(lambda: vectorize(env, "four-tfidf-df5", FOUR_ARGS + ["--weighting", "tfidf", "--min-df", 5]))
    sk = {"count": Lazy(sk_counts),
          "tfidf-df5": Lazy(lambda: (sk_values(Xts()[0], "tf-idf --min-df 5"), None, None)),
          "count-df5": Lazy(lambda: (sk_values(Xs()[0], "counts --min-df 5"), None, None))}
    mats = {"count": X4, "tfidf-df5": Xts, "count-df5": Xs}
    mtx_names = {"count": "four.mtx", "tfidf-df5": "four-tfidf-df5.mtx", "count-df5": "four-df5.mtx"}
    def full_case(weighting, dtype="float64", topics=False):
        m, n = mats[weighting]()[0].shape
        r = min(m, n)
        tag = f"{weighting} {dtype}"
        files = {k: env.path(f"full-{weighting}-{dtype}.{k}") for k in ("s", "u", "vt")}
        files["u"] += ".npy"
        files["vt"] += ".npy"
        mtx = env.path(mtx_names[weighting])
        extra = ["--vocabulary", env.path("four.vocab.txt"), "--top", 8, "--topics", 10] if topics \
            else ["--top", 0]

        def go():
            mats[weighting]()  # writes the .mtx
            return env.run("svd", mtx, "--full", "--check", "--dtype", dtype, "--s", files["s"],
                           "--u", files["u"], "--vt", files["vt"], *extra, "--json")
        run = Lazy(go)
        tol = FACTOR_TOL if dtype == "float64" else FLOAT32_TOL
        np_dtype = np.float64 if dtype == "float64" else np.float32

        def svals():
            j = run()
            if j.get("full") is not True or j.get("k") != r:
                raise AssertionError(f"full {j.get('full')!r}, k {j.get('k')!r}; expected true, {r}")
            s_ref = sk[weighting]()[0]
            atol = (SV_TOL if dtype == "float64" else FLOAT32_TOL) * s_ref[0]
            got = values(j, r)
            if np.any(np.diff(got) > 0):
                raise AssertionError("singular values not in descending order")
            return (assert_values(got, s_ref, atol)
                    + f"; method {j.get('method')}, factopic {j['_seconds']:.1f} s")

        checks.run(f"1) full {tag}: singular values == scipy within "
                   f"{SV_TOL if dtype == 'float64' else FLOAT32_TOL:g} s_max", svals)
        checks.run(f"1) full {tag}: JSON errors <= {tol:g}", lambda: assert_json_errors(run(), tol))
        checks.run(f"1) full {tag}: --s file", lambda: (run(), assert_s_file(files["s"], run()))[1])

        factors = Lazy(lambda: (run(), load_factors(files["u"], files["vt"], (m, r), (r, n), np_dtype))[1])

        def npy_errors():
            U, VT = factors()
            s = values(run(), r)
            A = mats[weighting]()[0].toarray()
            rec = reconstruction(A, U, s, VT)
            del A
            ou, ov = orthogonality(U, VT)
            bad = {k: v for k, v in (("reconstruction", rec), ("UtU-I", ou), ("VtVtt-I", ov)) if not v <= tol}
            if bad:
                raise AssertionError(f"above {tol:g}: {bad}")
            return f"reconstruction {rec:.1e}, max|UtU-I| {ou:.1e}, max|VtVtt-I| {ov:.1e} (U {U.shape}, Vt {VT.shape})"

        checks.run(f"1) full {tag}: numpy from the .npy files: |A-USVt|/|A|, UtU-I, VtVtt-I <= {tol:g}",
                   npy_errors)
        if topics:
            check_topics(env, checks, run, factors, sk["count"], X4)
        factors.drop()
        for path in files.values():
            if os.path.exists(path):
                os.remove(path)

    full_case("count", topics=True)
    full_case("tfidf-df5")

    if quick:
        checks.skip("1) full count --min-df 5 float64 --method gesdd", "--quick")
        checks.skip("1) full count --min-df 5 float32", "--quick")
        return sk["count"], X4

    def gesdd():
        Xs()
        r = min(Xs()[0].shape)
        j = env.run("svd", env.path("four-df5.mtx"), "--full", "--method", "gesdd", "--top", 0, "--json")
        if j.get("method") != "gesdd":
            raise AssertionError(f"JSON method {j.get('method')!r}")
        s_ref = sk["count-df5"]()[0]
        return (assert_values(values(j, r), s_ref, SV_TOL * s_ref[0])
                + f"; {Xs()[0].shape[0]} x {Xs()[0].shape[1]}, factopic {j['_seconds']:.1f} s")

    checks.run(f"1) full count --min-df 5 float64 --method gesdd: singular values == scipy within {SV_TOL:g} s_max",
               gesdd)
    full_case("count-df5", dtype="float32")
    return sk["count"], X4


def check_topics(env, checks, run, factors, sk_count, X4):
    def topics():
        j = run()
        t = j.get("topics")
        if not isinstance(t, list) or len(t) != 10:
            raise AssertionError(f"JSON topics: {type(t).__name__} of {len(t) if isinstance(t, list) else '?'}")
        return t

    def vocab_col():
        vocab = X4()[1]
        return vocab, {term: i for i, term in enumerate(vocab)}

    def top_words():
        vocab, col = vocab_col()
        _, _, Vh10 = sk_count()
        notes = []
        for i, topic in enumerate(topics()):
            fac = [t for t, _ in topic["top"]]
            exp, w = ranked_terms(Vh10[i], 8, vocab)
            notes.append(assert_ranking(fac, exp, w, Vh10[i], col, f"topic {i} top"))
            for term, weight in topic["top"]:
                if abs(weight - Vh10[i][col[term]]) > VECTOR_TOL:
                    raise AssertionError(f"topic {i}: {term!r} weight {weight!r}, scipy {Vh10[i][col[term]]!r}")
        first = ", ".join(t for t, _ in topics()[0]["top"])
        ties = sum(n != "same" for n in notes)
        return f"10 topics{f' ({ties} up to ties)' if ties else ''}; topic 0: {first}"

    def negative_words():
        vocab, col = vocab_col()
        _, _, Vh10 = sk_count()
        noise_only = []
        for i, topic in enumerate(topics()):
            neg = topic.get("negative")
            if not isinstance(neg, list):
                raise AssertionError(f"topic {i}: no 'negative' list")
            if any(not (w < 0) for _, w in neg):
                raise AssertionError(f"topic {i}: non-negative weights among the negatives: {neg}")
            # Below -NOISE only: the first singular vector of a non-negative
            # matrix is non-negative, its "negatives" are rounding noise
            # whose order means nothing.
            if any(b[1] < a[1] for a, b in zip(neg, neg[1:])):
                raise AssertionError(f"topic {i}: negatives not most negative first: {neg}")
            fac = [t for t, w in neg if w < -NOISE]
            exp, w = ranked_terms(Vh10[i], 8, vocab, largest=False, noise=NOISE)
            if len(neg) < len(exp):
                raise AssertionError(f"topic {i}: {len(neg)} negative words, scipy has {len(exp)}: {exp}")
            assert_ranking(fac, exp, w, Vh10[i], col, f"topic {i} negative")
            if len(neg) > len(fac):
                noise_only.append(i)
        last = ", ".join(t for t, _ in topics()[1]["negative"])
        return (f"topic 1 negative: {last}"
                + (f"; topics {noise_only} list rounding-noise negatives (|w| < {NOISE:g})" if noise_only else ""))

    def vectors():
        U, VT = factors()
        _, U10, Vh10 = sk_count()
        du = np.abs(U[:, :10] - U10).max(axis=0)
        dv = np.abs(VT[:10] - Vh10).max(axis=1)
        worst = max(du.max(), dv.max())
        if worst > VECTOR_TOL:
            i = int(np.argmax(np.maximum(du, dv)))
            flipped = np.abs(U[:, i] + U10[:, i]).max() < VECTOR_TOL
            raise AssertionError(f"vector {i}: max|U - U_scipy| {du[i]:.2e}, max|Vt - Vh| {dv[i]:.2e}"
                                 + (" (opposite sign: not svd_flip's convention)" if flipped else ""))
        return f"max difference {worst:.1e}"

    checks.run("2) topics: top-8 words of the first 10 rows == scipy Vh after svd_flip", top_words)
    checks.run("2) topics: most negative words == scipy's (ignoring |w| < 1e-10 noise)", negative_words)
    checks.run(f"2) the 10 leading U columns and Vt rows == scipy's after svd_flip within {VECTOR_TOL:g}",
               vectors)


# ---------------------------------------------------------------- 3) truncated SVD, 20 categories

def check_truncated(env, checks):
    for weighting in ("count", "tfidf"):
        name = f"all-{weighting}"
        X = Lazy(lambda name=name, weighting=weighting:
                 vectorize(env, name, ALL_ARGS + ["--weighting", weighting])[0])

        def exact(X=X, weighting=weighting):
            s = env.timed(f"scipy svds k=50 tol=0 {weighting}",
                          lambda: spla.svds(X(), k=50, tol=0, return_singular_vectors=False, random_state=0))
            return np.sort(s)[::-1]
        exact = Lazy(exact)
        checks.run(f"3) 20-category train {weighting}: matrix",
                   lambda X=X: f"{X().shape[0]} x {X().shape[1]}, nnz {X().nnz}")
        for k in (10, 50):
            runs = {}
            for threads in (2, 1):
                def go(threads=threads, k=k, name=name, X=X):
                    X()
                    u, vt = env.path(f"{name}-k{k}-t{threads}.U.npy"), env.path(f"{name}-k{k}-t{threads}.VT.npy")
                    j = env.run("svd", env.path(f"{name}.mtx"), "-k", k, "--threads", threads,
                                "--u", u, "--vt", vt, "--top", 0, "--json")
                    j["_u"], j["_vt"] = take_bytes(u, vt)
                    return j
                runs[threads] = Lazy(go)
            tag = f"3) {weighting} k={k} krylov"

            def svals(run=runs[2], k=k):
                j = run()
                if j.get("full") is not False or j.get("k") != k:
                    raise AssertionError(f"full {j.get('full')!r}, k {j.get('k')!r}")
                got, ref = values(j, k), exact()[:k]
                rel = np.abs(got - ref) / ref
                i = int(np.argmax(rel))
                if not rel[i] <= TRUNC_SV_RTOL:
                    raise AssertionError(f"s[{i}] factopic {got[i]!r}, svds {ref[i]!r}: relative {rel[i]:.2e}")
                return (f"max relative error {rel[i]:.1e}; method {j.get('method')}, "
                        f"{j.get('iterations')} iterations, {j['_seconds']:.1f} s")

            def orth(run=runs[2], k=k, X=X):
                j = run()
                m, n = X().shape
                U = np.load(io.BytesIO(j["_u"]))
                VT = np.load(io.BytesIO(j["_vt"]))
                if U.shape != (m, k) or VT.shape != (k, n) or U.dtype != np.float64 or VT.dtype != np.float64:
                    raise AssertionError(f"U {U.dtype} {U.shape}, Vt {VT.dtype} {VT.shape}; expected ({m}, {k}), ({k}, {n})")
                ou, ov = orthogonality(U, VT)
                if not (ou <= TRUNC_ORTH_TOL and ov <= TRUNC_ORTH_TOL):
                    raise AssertionError(f"max|UtU-I| {ou:.2e}, max|VtVtt-I| {ov:.2e} > {TRUNC_ORTH_TOL:g}")
                # And the triplets are triplets: A v_i = s_i u_i.
                s = values(j, k)
                res = np.abs(X() @ VT.T - U * s).max() / s[0]
                return f"max|UtU-I| {ou:.1e}, max|VtVtt-I| {ov:.1e}, max|AV - US|/s_max {res:.1e}"

            def threads_same(a=runs[2], b=runs[1]):
                ja, jb = a(), b()
                diff = [what for what, x, y in (("singular values", ja["singular_values"], jb["singular_values"]),
                                                ("U.npy", ja["_u"], jb["_u"]), ("VT.npy", ja["_vt"], jb["_vt"]))
                        if x != y]
                if diff:
                    raise AssertionError(f"--threads 1 and --threads 2 differ in {', '.join(diff)}")
                return f"bitwise identical ({jb['_seconds']:.1f} s with 1 thread, {ja['_seconds']:.1f} s with 2)"

            checks.run(f"{tag}: singular values within {TRUNC_SV_RTOL:g} relative of svds(tol=0)", svals)
            checks.run(f"{tag}: U, V orthonormal within {TRUNC_ORTH_TOL:g} (numpy, .npy)", orth)
            checks.run(f"{tag}: --threads 1 == --threads 2 (values, U.npy, VT.npy bytes)", threads_same)

        def rsvd(X=X, weighting=weighting):
            X()
            j = env.run("svd", env.path(f"all-{weighting}.mtx"), "-k", 10, "--method", "rsvd", "--top", 0, "--json")
            if j.get("method") != "rsvd":
                raise AssertionError(f"JSON method {j.get('method')!r}")
            got, ref = values(j, 10), exact()[:10]
            if not np.all(np.isfinite(got)):
                raise AssertionError(f"non-finite values {got}")
            rel = np.abs(got - ref) / ref
            # No bound: a randomized range finder with a fixed number of power
            # iterations is not exact; reported for the record.
            return (f"max relative error {rel.max():.1e} (s_1 {rel[0]:.1e}, s_10 {rel[-1]:.1e}), "
                    f"{j['_seconds']:.1f} s")

        checks.run(f"3) {weighting} k=10 --method rsvd: error against svds (reported, no bound)", rsvd)
        X.drop()


# ---------------------------------------------------------------- 4) sweep

def check_sweep(env, checks, sk_count, X4):
    ks = list(range(2, 41, 2))

    def sweep(method):
        def go():
            X4()
            j = env.run("sweep", env.path("four.mtx"), "-k", "2:40:2", "--method", method, "--json")
            pts = j.get("points")
            if not isinstance(pts, list) or [p.get("k") for p in pts] != ks:
                raise AssertionError(f"points k = {[p.get('k') for p in pts] if isinstance(pts, list) else pts!r}")
            return np.array([p["relative_error"] for p in pts], dtype=np.float64), j
        return Lazy(go)

    runs = {"krylov": sweep("krylov"), "rsvd": sweep("rsvd")}

    def exact_errors():
        s = sk_count()[0]
        X = X4()[0]
        norm2 = float(np.sum(X.data.astype(np.float64) ** 2))
        cum = np.cumsum(s ** 2)
        return np.sqrt(np.maximum(0.0, 1.0 - cum[np.array(ks) - 1] / norm2))

    def krylov_decreasing():
        e, j = runs["krylov"]()
        if not np.all(np.diff(e) < 0):
            i = int(np.argmax(np.diff(e) >= 0))
            raise AssertionError(f"error at k={ks[i + 1]} ({e[i + 1]!r}) >= at k={ks[i]} ({e[i]!r})")
        return f"{e[0]:.4f} at k=2 down to {e[-1]:.4f} at k=40; {j['timings']['total']:.1f} s"

    def rsvd_decreasing():
        e, j = runs["rsvd"]()
        rises = np.diff(e)
        if np.any(rises > RSVD_SLACK):
            i = int(np.argmax(rises))
            raise AssertionError(f"error rises by {rises[i]:.2e} from k={ks[i]} to k={ks[i + 1]}")
        return f"largest rise {max(0.0, rises.max()):.1e}; {j['timings']['total']:.1f} s"

    def krylov_exact():
        e, _ = runs["krylov"]()
        ref = exact_errors()
        d = np.abs(e - ref)
        i = int(np.argmax(d))
        if d[i] > SWEEP_TOL:
            raise AssertionError(f"k={ks[i]}: factopic {e[i]!r}, exact {ref[i]!r} (|diff| {d[i]:.2e})")
        return f"max |diff| {d[i]:.1e}"

    def rsvd_not_better():
        # Eckart-Young: no rank-k matrix beats the truncated SVD.
        e, _ = runs["rsvd"]()
        ref = exact_errors()
        d = e - ref
        if np.any(d < -SWEEP_TOL):
            i = int(np.argmin(d))
            raise AssertionError(f"k={ks[i]}: rsvd {e[i]!r} below the optimum {ref[i]!r}")
        return f"rsvd above the optimum by at most {d.max():.1e} (k={ks[int(np.argmax(d))]})"

    checks.run("4) sweep --method krylov: error strictly decreasing in k", krylov_decreasing)
    checks.run(f"4) sweep --method rsvd: error non-increasing within {RSVD_SLACK:g}", rsvd_decreasing)
    checks.run(f"4) sweep krylov error == sqrt(1 - sum s_i^2/|A|_F^2) from scipy's s within {SWEEP_TOL:g}",
               krylov_exact)
    checks.run("4) sweep rsvd error >= the exact (Eckart-Young) error", rsvd_not_better)


def main():
    args, workdir, t0 = start_script(
        __doc__, "svd-",
        extra=lambda ap: ap.add_argument("--quick", action="store_true",
                                         help="skip the slow full runs (gesdd, float32)"))
    env = Env(os.path.abspath(args.factopic), os.path.abspath(args.data), workdir)
    checks = Checks(extra=[(FactopicError, describe_factopic_error),
                           (subprocess.TimeoutExpired, describe_timeout)], crash_location=True)

    sk_count, X4 = check_full(env, checks, args.quick)
    check_sweep(env, checks, sk_count, X4)
    check_truncated(env, checks)

    print_slow(env.log)
    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
