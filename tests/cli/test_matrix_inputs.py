#!/usr/bin/python3
"""A Matrix Market input read right or refused: tf-idf of its counts, row ids and labels, models fitted on it.

    /usr/bin/python3 tests/cli/test_matrix_inputs.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-matrix-inputs

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1
if anything failed. Runs on the embedded corpus (data/20news-4cat.tar.gz, 2034
documents), two categories of the archive's test set (783 documents) and tiny
crafted .mtx files: well under a minute.

What is checked (issue 14, points 2 and 3):
- `--weighting tfidf` on a .mtx of counts is scikit-learn's TfidfTransformer (smooth_idf,
  sublinear_tf, norm, use_idf) and TfidfVectorizer's binary: the matrix itself (through an
  exact SVD of a crafted one), the singular values and the NMF error on the real corpus, and
  topics of the .mtx == topics of the corpus. Without --weighting a .mtx is used as it is; tf-idf
  of non-count values is exit 2 naming the file and the entry.
- A corpus-only option (--stop-words, --min-df, --ngram, --remove, --subset, --text-field, ...)
  with a .mtx is exit 2 naming the option, in every sub-command that takes one; so are the tf-idf
  options without --weighting tfidf.
- --ids and --labels give a .mtx's rows their ids (--doc-topics) and labels (NMI, ARI, label
  shares, the report's heat map) exactly as a corpus does; a count other than the rows' is exit 1
  naming the file and both counts; with a corpus input, exit 2.
- fit on a .mtx makes a model that transform applies to a .mtx over the same columns (== the
  corpus model on the corpus) and refuses for text; fit --w/--h write the factors as .npy, whose
  product reproduces the reported error, and inspect --json holds the whole topic-term matrix.
"""

import csv
import json
import os
import sys

import numpy as np
import scipy.io
import scipy.sparse as sp
import scipy.sparse.linalg

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]
from harness import finish, read_lines  # noqa: E402
from test_cli import start_cli_script, expect_ok  # noqa: E402
from test_svd_cli import write_mtx, run_json  # noqa: E402
from test_nmf_cli import failure  # noqa: E402

EMBEDDED = os.path.join(os.path.dirname(os.path.dirname(HERE)), "data", "20news-4cat.tar.gz")
TWO = ["--subset", "test", "--categories", "sci.space,comp.graphics", "--remove", "headers,footers,quotes"]
# 5 x 6 counts: a term in most documents, an empty row (4), counts above 1.
COUNTS = [(1, 1, 3), (1, 2, 1), (1, 4, 2), (2, 1, 1), (2, 3, 5), (2, 5, 4), (3, 2, 2), (3, 4, 1), (3, 6, 7),
          (5, 1, 1), (5, 6, 1)]
COUNTS_SHAPE = (5, 6)
# (factopic options, TfidfTransformer keyword arguments, binary)
TFIDF_VARIANTS = [
    ([], {}, False),
    (["--sublinear-tf"], {"sublinear_tf": True}, False),
    (["--norm", "l1", "--no-smooth-idf"], {"norm": "l1", "smooth_idf": False}, False),
    (["--no-idf", "--norm", "none"], {"use_idf": False, "norm": None}, False),
    (["--binary"], {}, True),
]
# Options of the corpus reader and the vectorizer that a matrix has no use for, with a value.
VECTORIZER_ONLY = [["--stop-words", "none"], ["--min-df", "2"], ["--max-df", "0.5"], ["--max-features", "10"],
                   ["--ngram", "1:2"]]
CORPUS_ONLY = [["--format", "lines"], ["--encoding", "utf-8"], ["--subset", "train"], ["--categories", "sci.space"],
               ["--remove", "headers"], ["--text-field", "body"], ["--label-field", "group"], ["--follow-links"],
               ["--max-document-bytes", "1MiB"], ["--max-corpus-bytes", "1GiB"]]
TFIDF_ONLY = [["--sublinear-tf"], ["--norm", "l1"], ["--no-idf"], ["--no-smooth-idf"]]


def sk_tfidf(X, kwargs, binary):
    from sklearn.feature_extraction.text import TfidfTransformer
    X = sp.csr_matrix(X, dtype=np.float64)
    if binary:
        X.data[:] = 1.0
    return sp.csr_matrix(TfidfTransformer(**kwargs).fit_transform(X))


def read_doc_topics(path):
    """(header, ids, W) of a --doc-topics CSV: W from its topic_N columns."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    cols = [i for i, c in enumerate(rows[0]) if c.startswith("topic_")]
    return rows[0], [r[0] for r in rows[1:]], np.asarray([[float(r[i]) for i in cols] for r in rows[1:]])


def dominant_topics(path):
    """The dominant_topic column of a --doc-topics CSV (-1: no topic)."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    c = rows[0].index("dominant_topic")
    return np.asarray([int(r[c]) for r in rows[1:]])


def check_tfidf(env, checks, crafted, real):
    """--weighting tfidf on a .mtx of counts against scikit-learn's TfidfTransformer."""
    X = sp.csr_matrix(scipy.io.mmread(crafted))
    for opts, kwargs, binary in TFIDF_VARIANTS:
        for dtype, tol in (("float64", 1e-12), ("float32", 2e-6)):
            def exact(opts=opts, kwargs=kwargs, binary=binary, dtype=dtype, tol=tol):
                # The exact SVD of the weighted matrix gives it back: U diag(s) Vt.
                out = env.fresh_dir("tfidf-exact")
                u, s, vt = (os.path.join(out, n) for n in ("U.npy", "S.txt", "VT.npy"))
                expect_ok(env.run("svd", crafted, "--weighting", "tfidf", *opts, "--dtype", dtype, "--full",
                                  "--u", u, "--s", s, "--vt", vt))
                ours = np.load(u) @ np.diag(np.loadtxt(s)) @ np.load(vt)
                want = sk_tfidf(X, kwargs, binary).toarray()
                diff = np.abs(ours - want).max()
                if diff > tol:
                    raise AssertionError(f"max |factopic - TfidfTransformer| = {diff:.2e}\n{ours}\nvs\n{want}")
                return f"max |diff| {diff:.1e}"
            checks.run(f"svd crafted.mtx --weighting tfidf {' '.join(opts)} --dtype {dtype}: "
                       f"U S Vt == TfidfTransformer({kwargs}){' of binary counts' if binary else ''}", exact)

    Xr = sp.csr_matrix(scipy.io.mmread(real["mtx"]))
    for opts, kwargs, binary in TFIDF_VARIANTS[:3]:
        def singular_values(opts=opts, kwargs=kwargs, binary=binary):
            j = run_json(env, "svd", real["mtx"], "--weighting", "tfidf", *opts, "-k", "6", "--method", "krylov",
                         "--tol", "1e-14")
            want = np.sort(scipy.sparse.linalg.svds(sk_tfidf(Xr, kwargs, binary), k=6,
                                                    return_singular_vectors=False))[::-1]
            diff = np.abs(np.asarray(j["singular_values"]) - want).max() / want[0]
            if diff > 1e-8:
                raise AssertionError(f"singular values {j['singular_values']} vs scipy {want.tolist()}")
            return f"sigma_1..6 {np.round(want, 5).tolist()}, max rel diff {diff:.1e}"
        checks.run(f"svd 4cat.mtx --weighting tfidf {' '.join(opts)} -k 6: singular values == scipy's of "
                   f"TfidfTransformer({kwargs})", singular_values)

    def nmf_error():
        out = env.fresh_dir("tfidf-nmf")
        w, h = os.path.join(out, "W.npy"), os.path.join(out, "H.npy")
        j = run_json(env, "nmf", real["mtx"], "--weighting", "tfidf", "-k", "5", "--w", w, "--h", h, "--top", "0")
        T = sk_tfidf(Xr, {}, False)
        W, H = np.load(w), np.load(h)
        err = np.sqrt(max(sp.linalg.norm(T) ** 2 - 2 * np.sum((T @ H.T) * W) + np.sum((W.T @ W) * (H @ H.T)), 0))
        if abs(err - j["reconstruction_error"]) > 1e-9 * err:
            raise AssertionError(f"|T - W H| with scikit-learn's T: {err!r}; factopic reports "
                                 f"{j['reconstruction_error']!r}")
        if "tfidf" not in j["source"]:
            raise AssertionError(f"source {j['source']!r} does not say tfidf")
        # The same matrix as the vectorizer's own tf-idf: the same NMF, bit for bit.
        v = run_json(env, "nmf", real["tfidf_mtx"], "-k", "5", "--top", "0")
        if v["reconstruction_error"] != j["reconstruction_error"]:
            raise AssertionError(f"nmf of vectorize --weighting tfidf: {v['reconstruction_error']!r}")
        return f"error {err:.6f} == reported; == nmf of vectorize --weighting tfidf's .mtx"
    checks.run("nmf 4cat.mtx --weighting tfidf -k 5: |TfidfTransformer(X) - W H| == the reported error, "
               "== nmf of vectorize --weighting tfidf", nmf_error)

    def as_it_is():
        a = run_json(env, "svd", real["tfidf_mtx"], "-k", "3", "--tol", "1e-14")
        b = run_json(env, "svd", real["tfidf_mtx"], "-k", "3", "--tol", "1e-14", "--weighting", "count")
        want = scipy.sparse.linalg.svds(sp.csr_matrix(scipy.io.mmread(real["tfidf_mtx"])), k=3,
                                        return_singular_vectors=False)
        want = np.sort(want)[::-1]
        for name, j in (("no --weighting", a), ("--weighting count", b)):
            if np.abs(np.asarray(j["singular_values"]) - want).max() > 1e-8 * want[0]:
                raise AssertionError(f"{name}: {j['singular_values']} vs the values as they are {want}")
        return f"sigma {np.round(want, 5).tolist()}"
    checks.run("svd T.mtx (already tf-idf) without --weighting or with count: its values as they are", as_it_is)

    def topics_equal():
        c = run_json(env, "topics", env.data, *TWO, "-k", "4", "--weighting", "tfidf")
        m = run_json(env, "topics", real["two_mtx"], "--vocabulary", real["two_vocab"], "--weighting", "tfidf",
                     "-k", "4")
        if [[w for w, _ in t["top"]] for t in c["topics"]] != [[w for w, _ in t["top"]] for t in m["topics"]]:
            raise AssertionError(f"corpus topics {c['topics']}\nvs .mtx {m['topics']}")
        if abs(c["reconstruction_error"] - m["reconstruction_error"]) > 1e-12 * c["reconstruction_error"]:
            raise AssertionError(f"errors {c['reconstruction_error']} vs {m['reconstruction_error']}")
        return f"4 topics; topic 0: {' '.join(w for w, _ in m['topics'][0]['top'][:5])}"
    checks.run("topics X.mtx --vocabulary --weighting tfidf == topics CORPUS --weighting tfidf", topics_equal)

    d = env.fresh_dir("not-counts")
    fraction = write_mtx(os.path.join(d, "fraction.mtx"), (3, 3), [(1, 1, 2), (2, 2, 0.5), (3, 3, 1)])
    negative = write_mtx(os.path.join(d, "negative.mtx"), (3, 3), [(1, 1, 2), (2, 3, -4), (3, 3, 1)])
    failure(env, checks, "svd fraction.mtx --weighting tfidf: exit 2, names the file, the entry (2, 2) and 0.5",
            ["svd", fraction, "--weighting", "tfidf", "-k", "1"], 2, contains=["fraction.mtx", "(2, 2)", "0.5", "count"],
            outputs=False)
    failure(env, checks, "svd negative.mtx --weighting tfidf: exit 2, names the entry (2, 3) and -4",
            ["svd", negative, "--weighting", "tfidf", "-k", "1"], 2, contains=["negative.mtx", "(2, 3)", "-4"],
            outputs=False)
    gap = write_mtx(os.path.join(d, "gap.mtx"), (3, 3), [(1, 1, 2), (2, 1, 1), (3, 3, 1)])
    failure(env, checks, "svd gap.mtx --weighting tfidf --no-smooth-idf (column 2 empty: idf infinite): exit 2, "
            "names column 2 and --no-smooth-idf", ["svd", gap, "--weighting", "tfidf", "--no-smooth-idf", "-k", "1"],
            2, contains=["gap.mtx", "column 2", "--no-smooth-idf"], outputs=False)

    def gap_smoothed():
        j = run_json(env, "svd", gap, "--weighting", "tfidf", "--full")
        want = np.linalg.svd(sk_tfidf(scipy.io.mmread(gap), {}, False).toarray(), compute_uv=False)
        if np.abs(np.asarray(j["singular_values"]) - want).max() > 1e-12:
            raise AssertionError(f"{j['singular_values']} vs {want}")
        return "an empty column is fine with smoothing"
    checks.run("svd gap.mtx --weighting tfidf (smooth idf): singular values == TfidfTransformer's", gap_smoothed)

    def fraction_as_is():
        expect_ok(env.run("svd", fraction, "-k", "1"))
        return "exit 0"
    checks.run("svd fraction.mtx without --weighting: used as it is", fraction_as_is)


def check_options(env, checks, crafted, vocab):
    """Options that do not apply to a matrix: errors naming the option, never ignored."""
    out = env.fresh_dir("options")
    model = os.path.join(out, "m.ftm")
    expect_ok(env.run("fit", crafted, "--vocabulary", vocab, "-k", "2", "-o", model))
    commands = {
        "svd": ["svd", crafted, "-k", "2"],
        "nmf": ["nmf", crafted, "-k", "2"],
        "sweep": ["sweep", crafted, "-k", "1,2"],
        "topics": ["topics", crafted, "--vocabulary", vocab, "-k", "2"],
        "fit": ["fit", crafted, "--vocabulary", vocab, "-k", "2", "-o", os.path.join(out, "x.ftm")],
        "report": ["report", crafted, "--vocabulary", vocab, "-k", "2", "-o", os.path.join(out, "x.html")],
        "transform": ["transform", model, crafted],
    }
    for name, base in commands.items():
        def accepted(base=base):
            expect_ok(env.run(*base))
            return "exit 0"
        checks.run(f"{name} crafted.mtx: accepted as it is (the baseline of the refusals below)", accepted)
        # transform has no vectorizer options at all (the model brings its own).
        for opt in CORPUS_ONLY + (VECTORIZER_ONLY if name != "transform" else []):
            failure(env, checks, f"{name} crafted.mtx {' '.join(opt)}: exit 2, names {opt[0]}", [*base, *opt], 2,
                    contains=[opt[0], "crafted.mtx"], outputs=False)
        if name == "transform":
            continue
        for opt in TFIDF_ONLY:
            failure(env, checks, f"{name} crafted.mtx {' '.join(opt)} without --weighting tfidf: exit 2, names "
                    f"{opt[0]} and --weighting tfidf", [*base, *opt], 2, contains=[opt[0], "--weighting tfidf"],
                    outputs=False)
        failure(env, checks, f"{name} crafted.mtx --weighting count --norm l1: exit 2, names --norm",
                [*base, "--weighting", "count", "--norm", "l1"], 2, contains=["--norm"], outputs=False)


def check_rows(env, checks, real):
    """--ids and --labels: a .mtx's rows as a corpus's documents."""
    mtx, vocab, labels, ids = real["two_mtx"], real["two_vocab"], real["two_labels"], real["two_ids"]

    def same_as_corpus():
        out = env.fresh_dir("rows")
        wc, wm = os.path.join(out, "corpus.csv"), os.path.join(out, "mtx.csv")
        c = run_json(env, "topics", env.data, *TWO, "-k", "4", "--weighting", "tfidf", "--doc-topics", wc)
        m = run_json(env, "topics", mtx, "--vocabulary", vocab, "--labels", labels, "--ids", ids,
                     "--weighting", "tfidf", "-k", "4", "--doc-topics", wm)
        if m["labels"] is None or c["labels"] != m["labels"]:
            raise AssertionError(f"labels of the corpus {c['labels']}\nvs of the .mtx {m['labels']}")
        if c["topic_sizes"] != m["topic_sizes"]:
            raise AssertionError(f"topic sizes {c['topic_sizes']} vs {m['topic_sizes']}")
        hc, idc, Wc = read_doc_topics(wc)
        hm, idm, Wm = read_doc_topics(wm)
        if idm != read_lines(ids) or idm != idc or hc != hm:
            raise AssertionError(f"ids of --doc-topics: {idm[:3]} vs the corpus's {idc[:3]}")
        if np.abs(Wc - Wm).max() > 1e-12:
            raise AssertionError(f"W differs by {np.abs(Wc - Wm).max():.2e}")
        from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
        # Over the documents with a topic (an empty row has topic -1 and is left out), whose
        # dominant topic is W's argmax.
        dominant = dominant_topics(wm)
        kept = dominant >= 0
        if not np.array_equal(dominant[kept], Wm[kept].argmax(axis=1)) or np.abs(Wm[~kept]).max(initial=0) > 0:
            raise AssertionError("dominant_topic is not W's argmax, or -1 on a document with weights")
        y = np.asarray(read_lines(labels))[kept]
        nmi, ari = normalized_mutual_info_score(y, dominant[kept]), adjusted_rand_score(y, dominant[kept])
        if abs(m["labels"]["nmi"] - nmi) > 1e-12 or abs(m["labels"]["ari"] - ari) > 1e-12:
            raise AssertionError(f"NMI {m['labels']['nmi']}, ARI {m['labels']['ari']} vs scikit-learn {nmi}, {ari}")
        return f"NMI {nmi:.4f}, ARI {ari:.4f}; label shares, sizes and doc-topics == the corpus's"
    checks.run("topics X.mtx --labels --ids == topics CORPUS: NMI/ARI (== scikit-learn's), label shares, "
               "--doc-topics ids and weights", same_as_corpus)

    def text_labels():
        p = env.run("topics", mtx, "--vocabulary", vocab, "--labels", labels, "-k", "4", "--weighting", "tfidf")
        expect_ok(p)
        if "labels     dominant topic" not in p.stdout or "sci.space" not in p.stdout:
            raise AssertionError(f"no labels line or label column:\n{p.stdout[:800]}")
        return "labels line and label column"
    checks.run("topics X.mtx --labels (text): the labels line and the label column", text_labels)

    def nmf_ids():
        out = env.fresh_dir("nmf-ids")
        w = os.path.join(out, "W.csv")
        expect_ok(env.run("nmf", mtx, "--ids", ids, "-k", "3", "--doc-topics", w, "--top", "0"))
        _, got, _ = read_doc_topics(w)
        if got != read_lines(ids):
            raise AssertionError(f"ids {got[:3]}")
        expect_ok(env.run("nmf", mtx, "-k", "3", "--doc-topics", w, "--top", "0"))
        _, got, _ = read_doc_topics(w)
        if got[:2] != ["row 1", "row 2"]:
            raise AssertionError(f"default ids {got[:2]}")
        return f"{len(got)} rows: the --ids file's ids; without it 'row N'"
    checks.run("nmf X.mtx --ids --doc-topics: the ids file's ids (default 'row N')", nmf_ids)

    def report_labels():
        out = env.fresh_dir("report-labels")
        html = os.path.join(out, "r.html")
        expect_ok(env.run("report", mtx, "--vocabulary", vocab, "--labels", labels, "-k", "4", "-o", html))
        with open(html, encoding="utf-8") as f:
            text = f.read()
        if "chart-labels" not in text:
            raise AssertionError("no topic-label heat map in the report")
        return "the report has the topic-label heat map"
    checks.run("report X.mtx --labels: the topic-label heat map", report_labels)

    d = env.fresh_dir("row-files")
    short = os.path.join(d, "short.txt")
    with open(short, "w") as f:
        f.write("a\nb\n")
    n = len(read_lines(ids))
    for opt in ("--labels", "--ids"):
        failure(env, checks, f"topics X.mtx {opt} with 2 lines for {n} rows: exit 1, names the file and both counts",
                ["topics", mtx, "--vocabulary", vocab, opt, short, "-k", "2"], 1,
                contains=["short.txt", "2 ", f"{n} rows"], outputs=False)
        failure(env, checks, f"topics CORPUS {opt} FILE: exit 2 (a corpus brings its own)",
                ["topics", env.data, *TWO, opt, short, "-k", "2"], 2, contains=[opt, "corpus"], outputs=False)
    failure(env, checks, "svd X.mtx --labels: exit 2 (svd shows no labels: refused, not ignored)",
            ["svd", mtx, "--labels", labels, "-k", "2"], 2, contains=["--labels"], outputs=False)
    failure(env, checks, "sweep X.mtx --ids: exit 2 (refused, not ignored)",
            ["sweep", mtx, "--ids", ids, "-k", "2"], 2, contains=["--ids"], outputs=False)
    failure(env, checks, "sweep X.mtx --vocabulary: exit 2 (sweep shows no terms: refused, not ignored)",
            ["sweep", mtx, "--vocabulary", vocab, "-k", "2"], 2, contains=["--vocabulary"], outputs=False)


def check_models(env, checks, real):
    """fit on a .mtx; transform and inspect of its model; the factors as .npy."""
    mtx, vocab, labels, ids = real["two_mtx"], real["two_vocab"], real["two_labels"], real["two_ids"]
    out = env.fresh_dir("models")
    mm, cm = os.path.join(out, "mtx.ftm"), os.path.join(out, "corpus.ftm")
    w, h = os.path.join(out, "W.npy"), os.path.join(out, "H.npy")
    X = sp.csr_matrix(scipy.io.mmread(mtx))
    T = sk_tfidf(X, {}, False)

    def fit_factors():
        j = run_json(env, "fit", mtx, "--vocabulary", vocab, "--labels", labels, "--weighting", "tfidf", "-k", "4",
                     "-o", mm, "--w", w, "--h", h)
        W, H = np.load(w), np.load(h)
        if W.shape != (X.shape[0], 4) or H.shape != (4, X.shape[1]):
            raise AssertionError(f"W {W.shape}, H {H.shape} for X {X.shape}")
        if W.min() < 0 or H.min() < 0:
            raise AssertionError(f"min W {W.min()}, min H {H.min()}")
        err = np.linalg.norm(T.toarray() - W @ H)
        if abs(err - j["reconstruction_error"]) > 1e-9 * err:
            raise AssertionError(f"|TfidfTransformer(X) - W H| = {err!r}, reported {j['reconstruction_error']!r}")
        rel = err / sp.linalg.norm(T)
        if abs(rel - j["relative_error"]) > 1e-9:
            raise AssertionError(f"relative {rel!r} vs {j['relative_error']!r}")
        if j["outputs"].get("w") != w or j["outputs"].get("h") != h or j["labels"] is None:
            raise AssertionError(f"outputs {j['outputs']}, labels {j['labels']}")
        return f"W {W.shape}, H {H.shape} >= 0; |T - W H| = {err:.6f} == reported (relative {rel:.6f})"
    checks.run("fit X.mtx --vocabulary --labels --weighting tfidf --w --h: shapes, W, H >= 0, |T - W H| == the "
               "reported error", fit_factors)

    def inspect_matrix_model():
        j = run_json(env, "inspect", mm)
        H = np.load(h)
        if j.get("input") != "matrix" or j["vocabulary"] != read_lines(vocab):
            raise AssertionError(f"input {j.get('input')}, vocabulary {j['vocabulary'][:5]}")
        M = np.asarray(j["topic_term"])
        if M.shape != H.shape or not np.array_equal(M, H):
            raise AssertionError(f"topic_term {M.shape} vs H.npy {H.shape}: max diff {np.abs(M - H).max()}")
        if j["vectorizer"]["weighting"] != "tfidf" or j["vectorizer"]["english_stop_words"]:
            raise AssertionError(f"vectorizer {j['vectorizer']}")
        p = env.run("inspect", mm)
        expect_ok(p)
        if "a matrix (.mtx)" not in p.stdout or "tf-idf of its counts" not in p.stdout:
            raise AssertionError(f"inspect text:\n{p.stdout[:600]}")
        return f"topic_term {M.shape} == H.npy; vocabulary == the file; input matrix"
    checks.run("inspect --json of the .mtx model: the whole topic-term matrix == fit --h, the vocabulary", inspect_matrix_model)

    def transform_matrix():
        ow, oc = os.path.join(out, "Wm.csv"), os.path.join(out, "Wc.csv")
        expect_ok(env.run("fit", env.data, *TWO, "--weighting", "tfidf", "-k", "4", "-o", cm, "--h",
                          os.path.join(out, "Hc.npy")))
        jm = run_json(env, "transform", mm, mtx, "--labels", labels, "--ids", ids, "--doc-topics", ow)
        jc = run_json(env, "transform", cm, env.data, *TWO, "--doc-topics", oc)
        _, idm, Wm = read_doc_topics(ow)
        _, idc, Wc = read_doc_topics(oc)
        if idm != idc or np.abs(Wm - Wc).max() > 1e-9:
            raise AssertionError(f"ids equal {idm == idc}; max |W .mtx model - W corpus model| "
                                 f"{np.abs(Wm - Wc).max():.2e}")
        if jm["labels"] != jc["labels"] or jm["topic_sizes"] != jc["topic_sizes"]:
            raise AssertionError(f"labels {jm['labels']} vs {jc['labels']}")
        if not np.array_equal(np.load(h), np.load(os.path.join(out, "Hc.npy"))):
            raise AssertionError("H of the .mtx fit != H of the corpus fit")
        return f"W equal to {np.abs(Wm - Wc).max():.1e}; NMI {jm['labels']['nmi']:.4f}"
    checks.run("transform mtx-model X.mtx --labels --ids == transform corpus-model CORPUS (W, ids, labels; "
               "the same H)", transform_matrix)

    def transform_corpus_model_on_mtx():
        oc, om = os.path.join(out, "c.csv"), os.path.join(out, "m.csv")
        expect_ok(env.run("transform", cm, env.data, *TWO, "--doc-topics", oc))
        expect_ok(env.run("transform", cm, mtx, "--doc-topics", om))
        Wc, Wm = read_doc_topics(oc)[2], read_doc_topics(om)[2]
        if np.abs(Wc - Wm).max() > 1e-9:
            raise AssertionError(f"max diff {np.abs(Wc - Wm).max():.2e}")
        return "the model's tf-idf applied to the .mtx's counts"
    checks.run("transform corpus-model X.mtx (counts over its terms) == transform corpus-model CORPUS",
               transform_corpus_model_on_mtx)

    def inspect_corpus_model():
        j = run_json(env, "inspect", cm)
        M, H = np.asarray(j["topic_term"]), np.load(os.path.join(out, "Hc.npy"))
        if j.get("input") != "corpus" or j["vocabulary"] != read_lines(vocab) or not np.array_equal(M, H):
            raise AssertionError(f"input {j.get('input')}; vocabulary == vectorize's: "
                                 f"{j['vocabulary'] == read_lines(vocab)}; topic_term {M.shape} vs H {H.shape}")
        return f"topic_term {M.shape} == fit --h; vocabulary == vectorize --vocab"
    checks.run("inspect --json of the corpus model: topic_term == fit --h, vocabulary == vectorize's",
               inspect_corpus_model)

    def svd_model():
        sm = os.path.join(out, "svd.ftm")
        hs = os.path.join(out, "Hs.npy")
        ws = os.path.join(out, "Ws.npy")
        expect_ok(env.run("fit", mtx, "--vocabulary", vocab, "--method", "krylov", "-k", "3", "-o", sm,
                          "--h", hs, "--w", ws))
        V, U = np.load(hs), np.load(ws)
        if np.abs(V @ V.T - np.eye(3)).max() > 1e-10:
            raise AssertionError("rows of --h are not orthonormal")
        o = os.path.join(out, "s.csv")
        expect_ok(env.run("transform", sm, mtx, "--doc-topics", o))
        W = read_doc_topics(o)[2]
        if np.abs(W - X @ V.T).max() > 1e-9 or np.abs(U - X @ V.T).max() > 1e-9:
            raise AssertionError("transform / --w of the .mtx is not X V")
        j = run_json(env, "inspect", sm)
        if not np.array_equal(np.asarray(j["topic_term"]), V) or len(j["singular_values"]) != 3:
            raise AssertionError("inspect --json topic_term of the SVD model != fit --h")
        return "--h: orthonormal rows; --w == transform == X V (values as they are)"
    checks.run("fit X.mtx --method krylov --w --h; transform X.mtx == X V", svd_model)

    failure(env, checks, "transform mtx-model CORPUS: exit 2, names the model and says it was fitted on a matrix",
            ["transform", mm, env.data, *TWO], 2, contains=["mtx.ftm", "matrix", ".mtx"], outputs=False)
    d = env.fresh_dir("model-errors")
    narrow = write_mtx(os.path.join(d, "narrow.mtx"), (2, 3), [(1, 1, 1), (2, 3, 2)])
    failure(env, checks, "transform mtx-model narrow.mtx (3 columns): exit 1, names the file and both widths",
            ["transform", mm, narrow], 1, contains=["narrow.mtx", "3 columns", f"{X.shape[1]} terms"], outputs=False)
    failure(env, checks, "transform mtx-model T.mtx (tf-idf values, not counts): exit 1, names the entry",
            ["transform", mm, real["two_tfidf_mtx"]], 1, contains=["not a count", "tf-idf"], outputs=False)
    failure(env, checks, "report m.ftm --labels: exit 2 (a model report has no rows to label)",
            ["report", mm, "--labels", labels, "-o", os.path.join(d, "r.html")], 2, contains=["--labels"],
            outputs=False)
    failure(env, checks, "transform CORPUS --labels: exit 2 (a corpus brings its own)",
            ["transform", cm, env.data, *TWO, "--labels", labels], 2, contains=["--labels"], outputs=False)


def main():
    args, env, checks, workdir, t0 = start_cli_script(__doc__, "matrix-inputs-")
    d = env.fresh_dir("inputs")
    crafted = write_mtx(os.path.join(d, "crafted.mtx"), COUNTS_SHAPE, COUNTS)
    crafted_vocab = os.path.join(d, "crafted-vocab.txt")
    with open(crafted_vocab, "w") as f:
        f.write("".join(f"t{j}\n" for j in range(COUNTS_SHAPE[1])))
    real = {"mtx": os.path.join(d, "4cat.mtx"), "tfidf_mtx": os.path.join(d, "4cat-tfidf.mtx"),
            "two_mtx": os.path.join(d, "two.mtx"), "two_vocab": os.path.join(d, "two.vocab"),
            "two_labels": os.path.join(d, "two.labels"), "two_ids": os.path.join(d, "two.ids"),
            "two_tfidf_mtx": os.path.join(d, "two-tfidf.mtx"), "crafted_vocab": crafted_vocab}
    expect_ok(env.run("vectorize", EMBEDDED, "-o", real["mtx"]))
    expect_ok(env.run("vectorize", EMBEDDED, "--weighting", "tfidf", "-o", real["tfidf_mtx"]))
    expect_ok(env.run("vectorize", env.data, *TWO, "-o", real["two_mtx"], "--vocab", real["two_vocab"],
                      "--labels", real["two_labels"], "--ids", real["two_ids"]))
    expect_ok(env.run("vectorize", env.data, *TWO, "--weighting", "tfidf", "-o", real["two_tfidf_mtx"]))

    check_tfidf(env, checks, crafted, real)
    check_options(env, checks, crafted, crafted_vocab)
    check_rows(env, checks, real)
    check_models(env, checks, real)
    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
