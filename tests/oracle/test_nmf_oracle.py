#!/usr/bin/python3
"""Oracle test: `factopic nmf` and `topics --method nmf` against scikit-learn's NMF on 20 Newsgroups.

    /usr/bin/python3 tests/oracle/test_nmf_oracle.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-nmf

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1
if anything failed.

The workload is the lecture's: 4 categories of the train set, headers, footers
and quotes removed, stop words english. Both sides factorise the very same
matrix: `factopic vectorize ... -o X.mtx` writes it, scipy.io.mmread reads it
back for sklearn, and check 0) proves it is TfidfVectorizer's / CountVectorizer's
(sk_corpus.load_20news, the loader of the other oracle tests). sklearn runs with
tol=1e-4, max_iter=200, random_state=0, as factopic's defaults.

  0) the matrices are scikit-learn's;
  1) Frobenius cd and mu, tf-idf and counts, k = 6 and 12, float64 and float32:
     - factopic's own init (nndsvda, nndsvd): error <= sklearn's x (1 + 1e-4) and the
       same topics (each factopic topic's top 8 shares >= 7 words with its own sklearn
       topic, matched one-to-one). factopic's NNDSVD takes an exact Krylov SVD, sklearn
       a randomized one, so the starts differ slightly and so may the iteration counts;
     - --init custom with sklearn's own nndsvda start: the same run, error within 1e-8
       relative, the same iteration count, the same topics in the same order;
     - init random: different generators, so different local minima: error only within
       1% (one-sided), topics not compared;
  2) mu with the Kullback-Leibler loss (custom init): error within 1e-6 relative;
  3) pgd and adam (the lecture's solvers, defaults): error <= 43.70, no negatives,
     a space topic and a religion topic;
  4) transform: checked against NMF.transform in test_model_oracle.py (fit, then transform);
  5) numpy recomputes |X - WH|_F from the --w/--h files (== reported error within 1e-9
     relative, relative_error == that / |X|_F); W, H >= 0, shapes, dtypes;
  6) --threads 1 and --threads 2 write byte-identical W.npy and H.npy (cd, mu);
  7) `topics --method nmf` shows the topics of `nmf` (text and JSON), from the corpus
     and from the .mtx alike.
Every factopic run is also checked for: JSON losses (one per iteration, the last one
the reported error, never rising for cd and mu), relative_error = error / |X|_F,
no negative entries. Most runs use --threads 1: 6) shows the thread count does not
matter, and on a busy 2-core machine 2 threads are slower.
The scratch files go into a new nmf-* folder under --workdir, removed when
everything passed and kept for inspection otherwise.
"""

import io
import os
import re
import subprocess
import sys
import warnings

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.decomposition import NMF
from sklearn.decomposition._nmf import _initialize_nmf
from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # sk_corpus, test_svd_oracle; tests/harness.py
from harness import (Checks, Lazy, finish, describe_timeout, start_script, print_slow,  # noqa: E402
                     take_bytes)
from sk_corpus import FactopicError, load_20news  # noqa: E402
from test_svd_oracle import Env, vectorize, describe_factopic_error  # noqa: E402

FOUR = ["alt.atheism", "talk.religion.misc", "comp.graphics", "sci.space"]
REMOVE = ("headers", "footers", "quotes")
FOUR_ARGS = ["--subset", "train", "--categories", ",".join(FOUR), "--remove", ",".join(REMOVE)]
FOUR_SHAPE = (2034, 26576)

TOL, MAX_ITER = 1e-4, 200      # sklearn's defaults, and factopic's for cd and mu
# Own init: factopic must be as good as sklearn. The starts differ (exact vs randomized
# SVD) by ~1e-7 relative; both runs stop at tol 1e-4 of the projected gradient, whose
# error differs from the limit's by far less than 1e-4 (observed: |diff| <= 3e-7 relative).
ERR_SLACK = 1e-4
# Custom init: the same arithmetic on the same numbers, in another summation order:
# observed 5e-15; a wrong update shows up at 1e-4 and more.
CUSTOM_RTOL = 1e-8
# float32: sklearn computes in float32 (unit roundoff 6e-8) over 1e5 non-zeros and up to
# 200 sweeps, and its reconstruction_err_ is sqrt(|X|^2 + |WH|^2 - 2<X, WH>), where the
# cancellation amplifies that by 1/relative_error^2 (2 for counts): observed 1e-7 (tf-idf)
# to 5e-6 (counts, k = 12). 1e-4 leaves 20x; iteration counts may move by one check
# period (mu checks every 10 iterations) when the stopping ratio is near tol.
FLOAT32_RTOL = 1e-4
FLOAT32_ITER_SLACK = 10
# KL (mu): the multiplicative update divides by WH on every non-zero; rounding from the
# summation order grows over 70-80 iterations: observed 2e-15 (tf-idf), 4e-8 (counts).
KL_RTOL = 1e-6
# Random init: other generator, other start, other local minimum (observed -0.9%..+0.4%).
RANDOM_SLACK = 1e-2
TOP, AGREE = 8, 7              # top words compared per topic, of which must agree
NPY_RTOL = 1e-9                # numpy's |X - WH|_F against the reported error
PGD_ADAM_MAX = 43.70           # the lecture's bar for pgd and adam on tf-idf, k = 6
SPACE = {"space", "nasa", "launch", "shuttle", "orbit", "lunar", "moon"}
RELIGION = {"god", "jesus", "bible", "believe", "christian", "atheism"}
TFIDF_TOL = 1e-12              # factopic's tf-idf against TfidfVectorizer (as oracle.vectorize)


# ---------------------------------------------------------------- helpers

def sk_top_words(H, vocab, count=TOP):
    return [[vocab[i] for i in np.argsort(-h, kind="stable")[:count]] for h in H]


def words_of(topics):
    """The words of each topic of a JSON "topics" list (objects {"top": [[term, weight], ...], ...})."""
    return [[w for w, _ in t["top"]] for t in topics]


def match_topics(fac_topics, sk_H, vocab, identity=False):
    """Each factopic topic's top TOP words must share >= AGREE with a distinct sklearn topic's."""
    fac_topics = words_of(fac_topics) if isinstance(fac_topics, list) else fac_topics
    k = sk_H.shape[0]
    if not isinstance(fac_topics, list) or len(fac_topics) != k:
        raise AssertionError(f"JSON topics: {len(fac_topics) if isinstance(fac_topics, list) else fac_topics!r}, "
                             f"expected {k}")
    short = [i for i, t in enumerate(fac_topics) if len(t) != TOP]
    if short:
        raise AssertionError(f"topics {short} do not have {TOP} words")
    sk = sk_top_words(sk_H, vocab)
    overlap = np.array([[len(set(f) & set(s)) for s in sk] for f in fac_topics])
    rows, cols = linear_sum_assignment(-overlap)
    worst = int(np.argmin(overlap[rows, cols]))
    if overlap[rows[worst], cols[worst]] < AGREE:
        i, j = rows[worst], cols[worst]
        raise AssertionError(f"factopic topic {i} {fac_topics[i]} best matches sklearn topic {j} {sk[j]} "
                             f"in only {overlap[i, j]} of {TOP} words")
    if identity and not np.array_equal(cols, np.arange(k)):
        raise AssertionError(f"topics matched out of order: factopic i <-> sklearn {cols.tolist()}")
    same = int(np.sum(overlap[rows, cols] == TOP))
    return f"{k} topics matched ({same} with all {TOP} words, fewest {overlap[rows, cols].min()})"


def sanity(j, norm, solver, beta_loss="frobenius"):
    """What every factopic run's JSON must satisfy; raises with the first problem."""
    err, it, losses = j["reconstruction_error"], j["iterations"], j["losses"]
    if not (np.isfinite(err) and err > 0):
        raise AssertionError(f"reconstruction_error {err!r}")
    if len(losses) != it:
        raise AssertionError(f"{len(losses)} losses for {it} iterations")
    if solver in ("cd", "mu"):
        # (pgd and adam set their last small negatives to 0 after the last iteration.)
        if it and abs(losses[-1] - err) > 1e-12 * err:
            raise AssertionError(f"last loss {losses[-1]!r} != reconstruction_error {err!r}")
        rises = np.diff(np.asarray(losses))
        if np.any(rises > 1e-12 * err):
            i = int(np.argmax(rises))
            raise AssertionError(f"{solver} loss rose by {rises[i]:.3e} at iteration {i + 2}")
    if beta_loss == "frobenius" and abs(j["relative_error"] - err / norm) > 1e-12:
        raise AssertionError(f"relative_error {j['relative_error']!r} != error / |X|_F {err / norm!r}")
    if j.get("negative_entries") != 0:
        raise AssertionError(f"negative_entries {j.get('negative_entries')!r}")
    if j.get("converged") != (it < j.get("max_iter", MAX_ITER if solver in ("cd", "mu") else 1000)):
        # converged == stopped by tol before max_iter (every run here has tol > 0)
        raise AssertionError(f"converged {j.get('converged')!r} after {it} iterations")


class Matrices:
    """factopic's 4-category matrices (.mtx written once) and their norms."""

    def __init__(self, env):
        self.env = env
        self.data = {w: Lazy(lambda w=w: self._load(w)) for w in ("tfidf", "count")}

    def _load(self, weighting):
        X, vocab = vectorize(self.env, weighting, FOUR_ARGS + ["--weighting", weighting])
        return X, vocab, float(np.sqrt(np.sum(X.data.astype(np.float64) ** 2)))

    def mtx(self, weighting):
        self.data[weighting]()
        return self.env.path(f"{weighting}.mtx")

    def vocab_path(self, weighting):
        self.data[weighting]()
        return self.env.path(f"{weighting}.vocab.txt")

    def X(self, weighting, dtype="float64"):
        X = self.data[weighting]()[0]
        return X if dtype == "float64" else X.astype(np.float32)

    def vocab(self, weighting):
        return self.data[weighting]()[1]

    def norm(self, weighting):
        return self.data[weighting]()[2]


def sk_fit(env, X, k, solver, init, beta_loss="frobenius", W0=None, H0=None):
    model = NMF(n_components=k, init=init, solver=solver, beta_loss=beta_loss, tol=TOL,
                max_iter=MAX_ITER, random_state=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        if init == "custom":
            env.timed(f"sklearn NMF k={k} {solver} {beta_loss} custom {X.dtype}",
                      lambda: model.fit(X, W=W0.copy(), H=H0.copy()))
        else:
            env.timed(f"sklearn NMF k={k} {solver} {beta_loss} {init} {X.dtype}", lambda: model.fit(X))
    return {"err": float(model.reconstruction_err_), "iter": int(model.n_iter_), "H": model.components_}


def fac_nmf(env, mats, weighting, k, solver, init, dtype="float64", beta_loss="frobenius",
            threads=1, extra=()):
    return env.run("nmf", mats.mtx(weighting), "--vocabulary", mats.vocab_path(weighting), "-k", k,
                   "--solver", solver, "--init", init, "--dtype", dtype, "--beta-loss", beta_loss,
                   "--threads", threads, "--top", TOP, *extra, "--json")


# ---------------------------------------------------------------- 0) the matrices

def check_matrices(env, checks, mats):
    def fn():
        docs = env.timed("sk_corpus.load_20news", lambda: load_20news(env.data, "train", FOUR, REMOVE))
        tv = TfidfVectorizer(stop_words="english")
        T = tv.fit_transform(docs.data)
        C = CountVectorizer(stop_words="english").fit_transform(docs.data)
        vocab = list(tv.get_feature_names_out())
        notes = []
        for weighting, S in (("tfidf", T), ("count", C)):
            X = mats.X(weighting)
            if X.shape != FOUR_SHAPE or S.shape != FOUR_SHAPE:
                raise AssertionError(f"{weighting}: factopic {X.shape}, sklearn {S.shape}, expected {FOUR_SHAPE}")
            if mats.vocab(weighting) != vocab:
                raise AssertionError(f"{weighting}: vocabulary differs from sklearn's")
            D = abs(X - S)
            worst = D.max() if D.nnz else 0.0
            bound = TFIDF_TOL if weighting == "tfidf" else 0.0
            if worst > bound or X.nnz != S.nnz:
                raise AssertionError(f"{weighting}: max |factopic - sklearn| {worst:.3e} > {bound:g} "
                                     f"(nnz {X.nnz} vs {S.nnz})")
            notes.append(f"{weighting} max diff {worst:.1e}")
        return f"{FOUR_SHAPE[0]} x {FOUR_SHAPE[1]}, nnz {T.nnz}; " + ", ".join(notes)

    checks.run("0) factopic's 4-category tf-idf and count matrices == sklearn's vectorizers", fn)


# ---------------------------------------------------------------- 1), 2) against sklearn

class Case:
    """One factopic run against one sklearn fit."""

    def __init__(self, env, mats, weighting, k, solver, init, dtype="float64", beta_loss="frobenius"):
        self.env, self.mats = env, mats
        self.weighting, self.k, self.solver, self.init = weighting, k, solver, init
        self.dtype, self.beta_loss = dtype, beta_loss
        self.tag = (f"{weighting} {dtype} k={k} {solver}"
                    + (" kullback-leibler" if beta_loss != "frobenius" else "") + f" init {init}")
        self.sk = Lazy(self._sk)
        self.fac = Lazy(self._fac)

    def _start(self):
        """sklearn's own nndsvda start, as .npy files for --init custom."""
        name = f"start-{self.weighting}-{self.dtype}-k{self.k}"
        w0, h0 = self.env.path(f"{name}.W0.npy"), self.env.path(f"{name}.H0.npy")
        X = self.mats.X(self.weighting, self.dtype)
        if not os.path.exists(w0):
            W0, H0 = _initialize_nmf(X, self.k, init="nndsvda", random_state=0)
            np.save(w0, W0)
            np.save(h0, H0)
        return w0, h0

    def _sk(self):
        X = self.mats.X(self.weighting, self.dtype)
        if self.init == "custom":
            w0, h0 = self._start()
            return sk_fit(self.env, X, self.k, self.solver, "custom", self.beta_loss, np.load(w0), np.load(h0))
        return sk_fit(self.env, X, self.k, self.solver, self.init, self.beta_loss)

    def _fac(self):
        extra = []
        if self.init == "custom":
            w0, h0 = self._start()
            extra = ["--w-init", w0, "--h-init", h0]
        j = fac_nmf(self.env, self.mats, self.weighting, self.k, self.solver, self.init, self.dtype,
                    self.beta_loss, extra=extra)
        for key, want in (("k", self.k), ("solver", self.solver), ("init", self.init), ("dtype", self.dtype),
                          ("beta_loss", self.beta_loss)):
            if j.get(key) != want:
                raise AssertionError(f"JSON {key} {j.get(key)!r}, expected {want!r}")
        sanity(j, self.mats.norm(self.weighting), self.solver, self.beta_loss)
        return j

    def numbers(self):
        j, s = self.fac(), self.sk()
        rel = j["reconstruction_error"] / s["err"] - 1
        return (j, s, rel, f"factopic {j['reconstruction_error']:.10f} ({j['iterations']} it), "
                f"sklearn {s['err']:.10f} ({s['iter']} it), factopic/sklearn - 1 = {rel:.1e}")

    def register(self, checks):
        custom, f32 = self.init == "custom", self.dtype == "float32"
        if self.init == "random":
            def fn():
                _, _, rel, text = self.numbers()
                if rel > RANDOM_SLACK:
                    raise AssertionError(f"{text} > {RANDOM_SLACK:g}")
                return text
            checks.run(f"1) {self.tag}: error <= sklearn's x (1 + {RANDOM_SLACK:g}) (other RNG: "
                       f"loose bound, topics not compared)", fn)
            return
        if custom:
            rtol = FLOAT32_RTOL if f32 else KL_RTOL if self.beta_loss != "frobenius" else CUSTOM_RTOL
            slack = FLOAT32_ITER_SLACK if f32 else 0

            def fn():
                j, s, rel, text = self.numbers()
                if abs(rel) > rtol:
                    raise AssertionError(f"{text}: |relative difference| > {rtol:g}")
                if abs(j["iterations"] - s["iter"]) > slack:
                    raise AssertionError(f"{text}: iterations differ" + (f" by more than {slack}" if slack else ""))
                return text
            part = "2)" if self.beta_loss != "frobenius" else "1)"
            checks.run(f"{part} {self.tag} (sklearn's nndsvda start): error within {rtol:g} relative, "
                       + ("iterations within " + str(slack) if slack else "same iterations"), fn)
        else:
            def fn():
                _, _, rel, text = self.numbers()
                if rel > ERR_SLACK:
                    raise AssertionError(f"{text} > {ERR_SLACK:g}")
                return text
            checks.run(f"1) {self.tag}: error <= sklearn's x (1 + {ERR_SLACK:g})", fn)

        def topics():
            return match_topics(self.fac()["topics"], self.sk()["H"], self.mats.vocab(self.weighting),
                                identity=custom)
        part = "2)" if self.beta_loss != "frobenius" else "1)"
        checks.run(f"{part} {self.tag}: same topics as sklearn (top {TOP}, >= {AGREE} words each"
                   + (", same order" if custom else "") + ")", topics)

    def drop(self):
        self.sk.drop()
        self.fac.drop()


def check_against_sklearn(env, checks, mats):
    specs = []
    for weighting in ("tfidf", "count"):
        for k in (6, 12):
            for solver in ("cd", "mu"):
                specs.append((weighting, k, solver, "nndsvda", "float64", "frobenius"))
                specs.append((weighting, k, solver, "custom", "float64", "frobenius"))
        for solver in ("cd", "mu"):
            specs.append((weighting, 6, solver, "nndsvd", "float64", "frobenius"))
            specs.append((weighting, 6 if weighting == "tfidf" else 12, solver, "random", "float64", "frobenius"))
    for weighting, k in (("tfidf", 6), ("count", 12)):
        for solver in ("cd", "mu"):
            specs.append((weighting, k, solver, "nndsvda", "float32", "frobenius"))
            specs.append((weighting, k, solver, "custom", "float32", "frobenius"))
    for weighting in ("tfidf", "count"):
        specs.append((weighting, 6, "mu", "custom", "float64", "kullback-leibler"))
    for weighting, k, solver, init, dtype, beta in specs:
        case = Case(env, mats, weighting, k, solver, init, dtype, beta)
        case.register(checks)
        case.drop()

    # Reported only: KL from factopic's own nndsvda start (no bound beyond the Frobenius one).
    case = Case(env, mats, "tfidf", 6, "mu", "nndsvda", "float64", "kullback-leibler")

    def kl_own():
        _, _, rel, text = case.numbers()
        if rel > ERR_SLACK:
            raise AssertionError(f"{text} > {ERR_SLACK:g}")
        return text
    checks.run(f"2) tfidf float64 k=6 mu kullback-leibler init nndsvda: error <= sklearn's x (1 + {ERR_SLACK:g})",
               kl_own)
    case.drop()


# ---------------------------------------------------------------- 3) pgd, adam

def check_pgd_adam(env, checks, mats):
    for solver in ("pgd", "adam"):
        def fn(solver=solver):
            j = env.run("nmf", mats.mtx("tfidf"), "--vocabulary", mats.vocab_path("tfidf"), "-k", 6,
                        "--solver", solver, "--threads", 1, "--top", TOP, "--json")
            err = j["reconstruction_error"]
            sanity(j, mats.norm("tfidf"), solver)
            if not err <= PGD_ADAM_MAX:
                raise AssertionError(f"reconstruction_error {err!r} > {PGD_ADAM_MAX}")
            topics = words_of(j["topics"])
            space = [t for t in topics if len(SPACE & set(t[:TOP])) >= 4]
            religion = [t for t in topics if len(RELIGION & set(t[:TOP])) >= 3]
            if not space or not religion or (len(space) == 1 and len(religion) == 1 and space[0] is religion[0]):
                raise AssertionError(f"no space topic (>= 4 of {sorted(SPACE)}) and distinct religion topic "
                                     f"(>= 3 of {sorted(RELIGION)}): {topics}")
            return (f"error {err:.6f} (last loss before clipping {j['losses'][-1]:.6f}), {j['iterations']} "
                    f"iterations (converged {j['converged']}), clipped {j['clipped']}; '{' '.join(space[0])}' / '{' '.join(religion[0])}'; "
                    f"{j['_seconds']:.1f} s")
        checks.run(f"3) tfidf k=6 --solver {solver} (defaults): error <= {PGD_ADAM_MAX}, no negatives, "
                   f"a space and a religion topic", fn)


# ---------------------------------------------------------------- 5) numpy from the .npy files, 6) threads

def frobenius_residual(X, W, H):
    """|X - WH|_F in float64, by blocks of rows (never the whole dense m x n)."""
    W, H = W.astype(np.float64), H.astype(np.float64)
    total = 0.0
    for i in range(0, X.shape[0], 512):
        R = X[i:i + 512].toarray().astype(np.float64)
        R -= W[i:i + 512] @ H
        total += float(np.sum(R * R))
    return float(np.sqrt(total))


def run_with_factors(env, mats, name, weighting, k, solver, init, dtype, threads, extra=()):
    w, h = env.path(f"{name}.W.npy"), env.path(f"{name}.H.npy")
    j = fac_nmf(env, mats, weighting, k, solver, init, dtype, threads=threads,
                extra=["--w", w, "--h", h, *extra])
    j["_w"], j["_h"] = take_bytes(w, h)
    return j


def load_npy(data):
    return np.load(io.BytesIO(data))


def check_factors(env, checks, mats):
    cases = [("tfidf", 6, "cd", "nndsvda", "float64"), ("count", 12, "mu", "nndsvd", "float64"),
             ("tfidf", 6, "pgd", "nndsvda", "float64"),  # the error after pgd's final clipping
             ("tfidf", 6, "mu", "nndsvda", "float32"), ("count", 6, "cd", "random", "float32")]
    for weighting, k, solver, init, dtype in cases:
        def fn(weighting=weighting, k=k, solver=solver, init=init, dtype=dtype):
            j = run_with_factors(env, mats, f"npy-{weighting}-{solver}-{dtype}", weighting, k, solver, init,
                                 dtype, 1)
            W, H = load_npy(j["_w"]), load_npy(j["_h"])
            m, n = FOUR_SHAPE
            for what, M, shape in (("W", W, (m, k)), ("H", H, (k, n))):
                if M.shape != shape or M.dtype != np.dtype(dtype):
                    raise AssertionError(f"{what}.npy {M.dtype} {M.shape}, expected {dtype} {shape}")
                if not np.all(np.isfinite(M)) or M.min() < 0:
                    raise AssertionError(f"{what}.npy has negative or non-finite entries (min {M.min()!r})")
            X = mats.X(weighting, dtype)
            e = env.timed("numpy |X - WH|_F", lambda: frobenius_residual(X, W, H))
            norm = float(np.sqrt(np.sum(X.data.astype(np.float64) ** 2)))
            rel = abs(e / j["reconstruction_error"] - 1)
            rrel = abs(e / norm / j["relative_error"] - 1)
            if rel > NPY_RTOL or rrel > NPY_RTOL:
                raise AssertionError(f"numpy {e!r} vs reported {j['reconstruction_error']!r} (rel {rel:.1e}); "
                                     f"numpy/|X| {e / norm!r} vs relative_error {j['relative_error']!r}")
            return f"numpy {e:.10f}, reported {j['reconstruction_error']:.10f} (rel diff {rel:.0e})"
        checks.run(f"5) {weighting} {dtype} k={k} {solver} init {init}: numpy |X - WH|_F from --w/--h == "
                   f"reported within {NPY_RTOL:g}; shapes, dtype, W, H >= 0", fn)

    for solver in ("cd", "mu"):
        def same(solver=solver):
            runs = {t: run_with_factors(env, mats, f"threads{t}-{solver}", "tfidf", 12, solver, "nndsvda",
                                        "float64", t) for t in (1, 2)}
            a, b = runs[1], runs[2]
            diff = [what for what in ("_w", "_h", "reconstruction_error", "iterations", "losses", "topics")
                    if a[what] != b[what]]
            if diff:
                raise AssertionError(f"--threads 1 and 2 differ in {diff}")
            return (f"identical ({a['iterations']} iterations; {a['_seconds']:.1f} s with 1 thread, "
                    f"{b['_seconds']:.1f} s with 2)")
        checks.run(f"6) tfidf k=12 {solver}: --threads 1 == --threads 2 (W.npy, H.npy bytes, losses)", same)


# ---------------------------------------------------------------- 7) topics --method nmf

def parse_topic_lines(stdout):
    """{topic number: [words]} from the table of `topics`: topic, NPMI, UMass, documents, then
    (with labels) "label NN%" or "-", then the words."""
    out = {}
    row = re.compile(r"^\s*(\d+)\s+-?\d+\.\d+\s+-?\d+\.\d+\s+\d+\s+(?:\S+ \d+%|-)?\s*(?:\+\s+)?(\S.*)$")
    for line in stdout.splitlines():
        mt = row.match(line)
        if mt:
            # The few-documents flag (tests/cli/test_doc_topics.py) is not a word.
            out[int(mt.group(1))] = re.sub(r"\s+\[few documents: \d+\]$", "", mt.group(2)).split()
    return out


def check_topics_command(env, checks, mats):
    variants = [("tfidf", 6, []), ("count", 5, ["--solver", "mu", "--init", "nndsvd"])]
    for weighting, k, opts in variants:
        def fn(weighting=weighting, k=k, opts=opts):
            corpus = [env.data, *FOUR_ARGS, "--weighting", weighting]
            nmf = env.run("nmf", *corpus, "-k", k, *opts, "--top", TOP, "--json")
            mtx = env.run("nmf", mats.mtx(weighting), "--vocabulary", mats.vocab_path(weighting), "-k", k, *opts,
                          "--top", TOP, "--json")
            tj = env.run("topics", *corpus, "-k", k, *opts, "--top", TOP, "--json")
            tt = env.run("topics", *corpus, "-k", k, *opts, "--top", TOP, parse_json=False)
            if tj.get("method") != "nmf":
                raise AssertionError(f"topics JSON method {tj.get('method')!r}: nmf is not the default")
            words = words_of(nmf["topics"])
            if mtx["topics"] != nmf["topics"] or mtx["reconstruction_error"] != nmf["reconstruction_error"]:
                raise AssertionError(f"nmf from the corpus ({nmf['reconstruction_error']!r}) and from the .mtx "
                                     f"({mtx['reconstruction_error']!r}) differ")
            jt = tj.get("topics")
            if not isinstance(jt, list) or len(jt) != k:
                raise AssertionError(f"topics JSON: {jt!r:.200}")
            for i, (t, w, ws) in enumerate(zip(jt, words, [[y for _, y in t["top"]] for t in nmf["topics"]])):
                got = [x for x, _ in t["top"]]
                if got != w:
                    raise AssertionError(f"topic {i}: topics {got} vs nmf {w}")
                if [y for _, y in t["top"]] != ws:
                    raise AssertionError(f"topic {i}: weights differ: {[y for _, y in t['top']]} vs {ws}")
                if t.get("negative"):
                    raise AssertionError(f"topic {i}: NMF topics have no negative words: {t['negative']}")
            if tj.get("reconstruction_error") != nmf["reconstruction_error"]:
                raise AssertionError(f"error {tj.get('reconstruction_error')!r} vs nmf {nmf['reconstruction_error']!r}")
            text = parse_topic_lines(tt.stdout)
            if [text.get(i) for i in range(k)] != words:
                raise AssertionError(f"text listing {text} vs nmf {words}")
            return f"{k} topics; topic 0: {' '.join(words[0])}"
        checks.run(f"7) topics --method nmf (default) {weighting} -k {k} {' '.join(opts)}: == nmf (corpus, "
                   f".mtx), text == JSON", fn)


def main():
    args, workdir, t0 = start_script(__doc__, "nmf-")
    env = Env(os.path.abspath(args.factopic), os.path.abspath(args.data), workdir)
    checks = Checks(extra=[(FactopicError, describe_factopic_error),
                           (subprocess.TimeoutExpired, describe_timeout)], crash_location=True)
    mats = Matrices(env)

    check_matrices(env, checks, mats)
    check_against_sklearn(env, checks, mats)
    check_pgd_adam(env, checks, mats)
    check_factors(env, checks, mats)
    check_topics_command(env, checks, mats)

    print_slow(env.log)
    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
