#!/usr/bin/python3
"""Oracle test: `factopic vectorize` against scikit-learn 1.2.1 on 20 Newsgroups.

    /usr/bin/python3 tests/oracle/test_vectorize_oracle.py \
        --factopic build/factopic --data data/20news-bydate.tar.gz [--quick]

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1
if anything failed. --quick skips the all-20-categories run (the slow one).

The expected values are computed here by sklearn on the same documents; the
only hard-coded numbers are the published shape/nnz figures of the contract.
"""

import argparse
import os
import sys
import time

import numpy as np
from sklearn.feature_extraction.text import CountVectorizer, TfidfTransformer, TfidfVectorizer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]  # sk_corpus; tests/harness.py
from harness import Checks, Lazy  # noqa: E402
from sk_corpus import NewsArchive, FactopicError, canonical, run_factopic  # noqa: E402

# Given unsorted on purpose: the output must come back in sorted category order.
FOUR = ["alt.atheism", "talk.religion.misc", "comp.graphics", "sci.space"]
REMOVE = ("headers", "footers", "quotes")
FOUR_SHAPE, FOUR_NNZ = (2034, 26576), 133634
ALL_SHAPE, ALL_NNZ = (18846, 134101), 1229435

# Normalised tf-idf values are <= 1, so this is an absolute bound there; with
# --norm none values reach count*idf, and a 1-ulp difference in log() (numpy's
# SIMD log vs libm) scaled by a large count may exceed 1e-12 absolute, so the
# bound is relative above 1.
TFIDF_TOL = 1e-12
# float32 carries ~7 significant digits; values are <= 1 under l2.
FLOAT32_TOL = 1e-6


def describe_factopic_error(e):
    return "factopic failed: " + str(e).replace("\n", " | ")


# ---------------------------------------------------------------- comparisons

def snippet(term, docs, ids):
    """Where a term occurs in the sklearn-side text: the first place to look
    when a vocabulary differs (tokeniser or Unicode handling)."""
    first = term.split(" ")[0]
    for text, doc_id in zip(docs, ids):
        low = text.lower()
        at = low.find(first)
        if at >= 0:
            return f"{doc_id}: {text[max(0, at - 25):at + len(first) + 25]!r}"
    return "not found verbatim in any document"


def assert_vocab(fac, sk, docs=None, ids=None):
    if fac == sk:
        return f"{len(sk)} terms"
    msg = [f"factopic {len(fac)} terms, sklearn {len(sk)}"]
    for i, (a, b) in enumerate(zip(fac, sk)):
        if a != b:
            msg.append(f"first difference at column {i}: factopic {a!r} vs sklearn {b!r}")
            break
    only_f = sorted(set(fac) - set(sk))
    only_s = sorted(set(sk) - set(fac))
    if only_f:
        msg.append(f"{len(only_f)} only in factopic, e.g. {only_f[:8]!r}")
    if only_s:
        msg.append(f"{len(only_s)} only in sklearn, e.g. {only_s[:8]!r}")
    if docs is not None:
        for term in (only_s[:1] + only_f[:1]):
            msg.append(f"{term!r} near {snippet(term, docs, ids)}")
    if not only_f and not only_s:
        msg.append("same terms, different column order (sklearn sorts by code point)")
    raise AssertionError("; ".join(msg))


def first_row_diff(A, B):
    """Index of the first row whose sparse content differs, or None."""
    for r in range(A.shape[0]):
        a0, a1, b0, b1 = A.indptr[r], A.indptr[r + 1], B.indptr[r], B.indptr[r + 1]
        if (a1 - a0 != b1 - b0 or not np.array_equal(A.indices[a0:a1], B.indices[b0:b1])
                or not np.array_equal(A.data[a0:a1], B.data[b0:b1])):
            return r
    return None


def describe_row(r, A, B, vocab, ids):
    a = dict(zip(A.indices[A.indptr[r]:A.indptr[r + 1]], A.data[A.indptr[r]:A.indptr[r + 1]]))
    b = dict(zip(B.indices[B.indptr[r]:B.indptr[r + 1]], B.data[B.indptr[r]:B.indptr[r + 1]]))
    diffs = [(vocab[c] if c < len(vocab) else c, a.get(c), b.get(c))
             for c in sorted(set(a) | set(b)) if a.get(c) != b.get(c)]
    where = ids[r] if ids is not None else f"row {r}"
    return (f"row {r} ({where}): {len(diffs)} cells differ, (term, factopic, sklearn) e.g. "
            + ", ".join(f"({t!r}, {x}, {y})" for t, x, y in diffs[:6]))


def assert_counts(F, S, vocab, ids=None):
    F, S = canonical(F), canonical(S)
    if F.shape != S.shape:
        raise AssertionError(f"shape factopic {F.shape} vs sklearn {S.shape}")
    if not np.all(F.data == np.round(F.data)):
        bad = F.data[F.data != np.round(F.data)][:3]
        raise AssertionError(f"non-integer counts in factopic output, e.g. {bad}")
    if F.nnz == S.nnz and np.array_equal(F.indptr, S.indptr) \
            and np.array_equal(F.indices, S.indices) \
            and np.array_equal(F.data.astype(np.int64), S.data.astype(np.int64)):
        return f"{F.shape[0]}x{F.shape[1]}, nnz {F.nnz}, all counts equal"
    r = first_row_diff(F, S)
    raise AssertionError(f"nnz factopic {F.nnz} vs sklearn {S.nnz}; "
                         + (describe_row(r, F, S, vocab, ids) if r is not None else "?"))


def assert_close(F, S, tol, vocab, ids=None, relative_above_one=True):
    F, S = canonical(F), canonical(S)
    if F.shape != S.shape:
        raise AssertionError(f"shape factopic {F.shape} vs sklearn {S.shape}")
    # tf-idf of a positive count is positive (idf >= 1, or == 1 without idf),
    # so the sparsity pattern must be identical, not just close.
    if not (np.array_equal(F.indptr, S.indptr) and np.array_equal(F.indices, S.indices)):
        r = next(r for r in range(F.shape[0])
                 if not np.array_equal(F.indices[F.indptr[r]:F.indptr[r + 1]],
                                       S.indices[S.indptr[r]:S.indptr[r + 1]]))
        raise AssertionError(f"sparsity pattern differs (nnz {F.nnz} vs {S.nnz}); "
                             + describe_row(r, F, S, vocab, ids))
    if F.nnz == 0:
        return "empty"
    diff = np.abs(F.data - S.data)
    scale = np.maximum(1.0, np.abs(S.data)) if relative_above_one else 1.0
    worst = int(np.argmax(diff / scale))
    max_abs = float(diff.max())
    rows = np.repeat(np.arange(F.shape[0]), np.diff(F.indptr))
    r, c = int(rows[worst]), int(F.indices[worst])
    info = (f"max |diff| {max_abs:.3g}, max |diff|/max(1,|sklearn|) {float((diff / scale).max()):.3g}"
            f" at row {r}"
            f"{' (' + ids[r] + ')' if ids is not None else ''} term {vocab[c]!r}: "
            f"factopic {F.data[worst]!r} sklearn {S.data[worst]!r}")
    if not np.all(diff <= tol * scale):
        raise AssertionError(f"{int(np.sum(diff > tol * scale))} values off by more than {tol:g}; " + info)
    return info


def assert_labels(fac, docs):
    if fac == docs.labels:
        return f"{len(fac)} labels, {len(set(fac))} distinct"
    if len(fac) != len(docs.labels):
        raise AssertionError(f"{len(fac)} labels vs {len(docs.labels)} documents")
    r = next(i for i, (a, b) in enumerate(zip(fac, docs.labels)) if a != b)
    raise AssertionError(f"row {r} ({docs.ids[r]}): factopic {fac[r]!r} vs {docs.labels[r]!r}")


def assert_ids(fac, docs):
    # The id is the path inside the archive; matching it row by row proves the
    # row order (sorted categories, file names sorted as strings, train first).
    if len(fac) != len(docs.ids):
        raise AssertionError(f"{len(fac)} ids vs {len(docs.ids)} documents")
    for r, (a, b) in enumerate(zip(fac, docs.ids)):
        if a != b:
            raise AssertionError(f"row {r}: factopic id {a!r}, expected {b!r}")
    return f"row order matches load_files(shuffle=False), e.g. {fac[0]!r}"


def shape_nnz(X, shape, nnz):
    got = (X.shape, X.nnz)
    if got != (shape, nnz):
        raise AssertionError(f"factopic {got[0]} nnz {got[1]}, published {shape} nnz {nnz}")
    return f"{shape[0]}x{shape[1]}, nnz {nnz}"


# ---------------------------------------------------------------- main

def count_checks(checks, part, what, fac_result, sk_counts, sk_vocab, docs, shape, nnz):
    """The published figures, then factopic's count matrix against scikit-learn's, value by value."""
    checks.run(f"{part}) sklearn reproduces the published {what} figures", lambda: shape_nnz(sk_counts, shape, nnz))
    checks.run(f"{part}) count: shape and nnz as published", lambda: shape_nnz(fac_result().X, shape, nnz))
    checks.run(f"{part}) count: vocabulary",
               lambda: assert_vocab(fac_result().vocab, sk_vocab, docs.data, docs.ids))
    checks.run(f"{part}) count: matrix", lambda: assert_counts(fac_result().X, sk_counts, sk_vocab, docs.ids))
    checks.run(f"{part}) count: labels", lambda: assert_labels(fac_result().labels, docs))
    checks.run(f"{part}) count: ids / row order", lambda: assert_ids(fac_result().ids, docs))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--factopic", required=True)
    ap.add_argument("--data", required=True, help="20news-bydate.tar.gz")
    ap.add_argument("--quick", action="store_true", help="skip the all-20-categories run")
    args = ap.parse_args()
    fac_bin = os.path.abspath(args.factopic)
    data = os.path.abspath(args.data)
    t0 = time.perf_counter()
    checks = Checks(extra=[(FactopicError, describe_factopic_error)], crash_location=True)

    archive = NewsArchive(data)
    four = archive.load("train", FOUR, REMOVE)
    base_args = ["--subset", "train", "--categories", ",".join(FOUR), "--remove", ",".join(REMOVE)]

    def fac(*extra):
        return Lazy(lambda: run_factopic(fac_bin, data, base_args + list(extra)))

    # ---- a) the reference workload
    sk_cv = CountVectorizer(stop_words="english")
    sk_counts = sk_cv.fit_transform(four.data)
    sk_vocab = list(sk_cv.get_feature_names_out())
    f_counts = fac()
    count_checks(checks, "a", "4-category", f_counts, sk_counts, sk_vocab, four, FOUR_SHAPE, FOUR_NNZ)

    sk_tfidf = TfidfVectorizer(stop_words="english").fit_transform(four.data)
    f_tfidf = fac("--weighting", "tfidf")
    checks.run("a) tfidf float64: vocabulary", lambda: assert_vocab(f_tfidf().vocab, sk_vocab))
    checks.run("a) tfidf float64: values within 1e-12",
               lambda: assert_close(f_tfidf().X, sk_tfidf, TFIDF_TOL, sk_vocab, four.ids))
    f_tfidf32 = fac("--weighting", "tfidf", "--dtype", "float32")
    checks.run("a) tfidf float32: values within 1e-6",
               lambda: assert_close(f_tfidf32().X, sk_tfidf, FLOAT32_TOL, sk_vocab, four.ids))

    # Not in sklearn's API, but a multithreaded vectoriser must not let the
    # thread count leak into the result, down to the last bit.
    def same_as(run_a, run_b):
        a, b = canonical(run_a().X), canonical(run_b().X)
        if run_a().vocab != run_b().vocab:
            raise AssertionError("vocabulary differs")
        if not (a.shape == b.shape and np.array_equal(a.indptr, b.indptr)
                and np.array_equal(a.indices, b.indices) and np.array_equal(a.data, b.data)):
            raise AssertionError("matrix differs bitwise")
        return "bitwise identical"

    checks.run("a) tfidf --threads 1 == default threads",
               lambda: same_as(fac("--weighting", "tfidf", "--threads", "1"), f_tfidf))
    # Every non-UTF-8 file in 20news is latin-1, so the default auto encoding
    # must agree with what fetch_20newsgroups uses.
    checks.run("a) count --encoding latin-1 == default (auto)",
               lambda: same_as(fac("--encoding", "latin-1"), f_counts))

    # ---- c) option by option, 4 categories, train
    def count_case(name, fac_args, **sk_kwargs):
        cv = CountVectorizer(**{"stop_words": "english", **sk_kwargs})
        S = cv.fit_transform(four.data)
        vocab = list(cv.get_feature_names_out())
        F = fac(*fac_args)
        checks.run(f"c) {name}: vocabulary", lambda: assert_vocab(F().vocab, vocab, four.data, four.ids))
        checks.run(f"c) {name}: matrix", lambda: assert_counts(F().X, S, vocab, four.ids))

    count_case("min_df=2", ["--min-df", "2"], min_df=2)
    count_case("min_df=0.01 (proportion)", ["--min-df", "0.01"], min_df=0.01)
    count_case("max_df=0.5 (proportion)", ["--max-df", "0.5"], max_df=0.5)
    count_case("max_df=100 (count)", ["--max-df", "100"], max_df=100)
    # "1.0" is a proportion (all documents) while "1" would be a count.
    count_case("max_df=1.0 (proportion, keeps all)", ["--max-df", "1.0"], max_df=1.0)
    count_case("ngram 1:2", ["--ngram", "1:2"], ngram_range=(1, 2))
    count_case("binary", ["--binary"], binary=True)
    count_case("stop_words none", ["--stop-words", "none"], stop_words=None)

    # max_features: sklearn keeps the top terms by `(-tfs).argsort()[:limit]`,
    # and numpy's default argsort (introsort) is not stable, so among terms
    # whose total count equals the count at the cut-off its pick is
    # arbitrary. factopic documents that it breaks such ties by column order
    # (a stable sort). So: factopic must equal the stable pick; sklearn's pick
    # may differ from it only among terms tied at the cut-off count; the
    # matrix must be sklearn's unlimited matrix restricted to factopic's
    # columns, since max_features only selects columns.
    limit = 1000
    tfs = np.asarray(sk_counts.sum(axis=0)).ravel()
    order = np.argsort(-tfs, kind="stable")[:limit]
    cutoff = tfs[order[-1]]
    stable_vocab = [sk_vocab[i] for i in sorted(order)]
    cv_mf = CountVectorizer(stop_words="english", max_features=limit).fit(four.data)
    sk_mf_vocab = list(cv_mf.get_feature_names_out())
    f_mf = fac("--max-features", str(limit))
    col = {t: i for i, t in enumerate(sk_vocab)}

    def mf_vocab():
        fv = f_mf().vocab
        if len(fv) != limit:
            raise AssertionError(f"factopic kept {len(fv)} terms, expected {limit}")
        unknown = [t for t in fv if t not in col]
        if unknown:
            raise AssertionError(f"terms not in the unlimited vocabulary: {unknown[:5]!r}")
        if fv != sorted(fv, key=col.__getitem__):
            raise AssertionError("columns not in the unlimited vocabulary's (sorted) order")
        above = {t for t in sk_vocab if tfs[col[t]] > cutoff}
        if not above <= set(fv):
            raise AssertionError(f"missing terms above the cut-off: {sorted(above - set(fv))[:5]!r}")
        differ = set(fv) ^ set(sk_mf_vocab)
        off = sorted(t for t in differ if tfs[col[t]] != cutoff)
        if off:
            raise AssertionError(f"differs from sklearn beyond cut-off ties: "
                                 f"{[(t, int(tfs[col[t]])) for t in off[:6]]} (cut-off {cutoff})")
        return (f"cut-off total count {cutoff}, {int(np.sum(tfs == cutoff))} terms tied there, "
                f"{len(differ) // 2} picked differently from sklearn's unstable argsort")

    def mf_tiebreak():
        fv = f_mf().vocab
        if fv != stable_vocab:
            only_f = sorted(set(fv) - set(stable_vocab))[:4]
            only_s = sorted(set(stable_vocab) - set(fv))[:4]
            raise AssertionError(f"ties not broken by column order: factopic has {only_f!r}, "
                                 f"the stable pick has {only_s!r}")
        return "ties at the cut-off broken by column order"

    def mf_matrix():
        fv = f_mf().vocab
        S = sk_counts[:, [col[t] for t in fv]]
        return assert_counts(f_mf().X, S, fv, four.ids)

    checks.run("c) max_features=1000: vocabulary (up to cut-off ties)", mf_vocab)
    checks.run("c) max_features=1000: tie-break by column order", mf_tiebreak)
    checks.run("c) max_features=1000: matrix", mf_matrix)

    # TfidfVectorizer is CountVectorizer(dtype=float64) followed by
    # TfidfTransformer, so one float count fit serves every tf-idf variant.
    # It must be the float fit: the int64 counts cast afterwards reach the
    # same values through a differently ordered sparse product, and the
    # result is then only within ~2e-15 of TfidfVectorizer, not identical.
    sk_counts_f = CountVectorizer(stop_words="english", dtype=np.float64).fit_transform(four.data)

    def tfidf_case(name, fac_args, **tf_kwargs):
        S = TfidfTransformer(**tf_kwargs).fit_transform(sk_counts_f)
        F = fac("--weighting", "tfidf", *fac_args)
        checks.run(f"c) tfidf {name}: vocabulary", lambda: assert_vocab(F().vocab, sk_vocab))
        checks.run(f"c) tfidf {name}: values within 1e-12",
                   lambda: assert_close(F().X, S, TFIDF_TOL, sk_vocab, four.ids))

    tfidf_case("sublinear_tf", ["--sublinear-tf"], sublinear_tf=True)
    tfidf_case("norm l1", ["--norm", "l1"], norm="l1")
    tfidf_case("norm none", ["--norm", "none"], norm=None)
    tfidf_case("use_idf False", ["--no-idf"], use_idf=False)
    tfidf_case("smooth_idf False", ["--no-smooth-idf"], smooth_idf=False)

    # ---- b) all 20 categories, train + test
    if args.quick:
        checks.skip("b) all 20 categories, --subset all", "--quick")
    else:
        alld = archive.load("all", None, REMOVE)
        cv = CountVectorizer(stop_words="english")
        S = cv.fit_transform(alld.data)
        vocab = list(cv.get_feature_names_out())
        all_args = ["--subset", "all", "--remove", ",".join(REMOVE)]
        F = Lazy(lambda: run_factopic(fac_bin, data, all_args))
        count_checks(checks, "b", "20-category", F, S, vocab, alld, ALL_SHAPE, ALL_NNZ)
        T = TfidfTransformer().fit_transform(
            CountVectorizer(stop_words="english", dtype=np.float64).fit_transform(alld.data))
        FT = Lazy(lambda: run_factopic(fac_bin, data, all_args + ["--weighting", "tfidf"]))
        checks.run("b) tfidf: values within 1e-12",
                   lambda: assert_close(FT().X, T, TFIDF_TOL, vocab, alld.ids))

    print(f"# {time.perf_counter() - t0:.1f} s", flush=True)
    print(checks.summary())
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main())
