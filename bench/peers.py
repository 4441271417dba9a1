#!/usr/bin/python3
"""One peer (Python / scikit-learn) measurement in its own process.

Run by bench/bench.py, once per repetition, so that the process's peak RSS
(os.wait4 ru_maxrss, taken by the driver) belongs to exactly one measurement.
Prints ONE JSON object on stdout:

  {"task", "documents", "terms", "nnz", "shape",
   "timings": {"load", "fit_transform", "write", "total"},   # seconds, in-process
                                                   # (+ "prepare", "decompose": svd tasks)
   "seconds": <the number the driver uses for in-process rows>,
   "threadpool_info": [...], "env": {...}, "versions": {...}}

Tasks
  vectorize  --vectorizer count|tfidf : load the documents, then time
             Vectorizer(stop_words='english').fit_transform(docs) ONLY.
  e2e        archive -> matrix, the whole job a user script would do:
             tarfile + latin-1 + strip_newsgroup_header/footer/quoting +
             CountVectorizer(stop_words='english') [+ --mmwrite PATH].
             The driver times the whole process (interpreter start and imports
             included), exactly as it times the factopic process.

  svd-full   --vectorizer count|tfidf : X.toarray() (not timed), then time
             scipy.linalg.svd(dense, full_matrices=False) ONLY (lapack_driver
             'gesdd', the default).
  svds       --k K : time scipy.sparse.linalg.svds(X, k=K, tol=0,
             random_state=SEED) ONLY (ARPACK, which='LM', vectors computed).
  randomized_svd --k K : time sklearn.utils.extmath.randomized_svd(X, K,
             random_state=SEED) ONLY (n_oversamples=10, n_iter='auto').
  lsi        --k K : Sparse2Corpus(X, documents_columns=False) and the id2word
             map (the vectorizer's vocabulary) are built untimed; time
             gensim.models.LsiModel(corpus, num_topics=K, id2word=...,
             random_seed=SEED) ONLY (its defaults otherwise: one pass,
             chunksize 20000, power_iters 2, extra_samples 100). Singular
             values: model.projection.s.
  The svd tasks turn X into float64 CSR before any timing (svds refuses an
  integer matrix; CountVectorizer's is int64) and add to the JSON
  "singular_values" (descending), "k", "method" and timings.decompose
  (= "seconds").

Document loading is the oracle tests' own (tests/oracle/sk_corpus.py,
load_20news): sklearn.datasets.fetch_20newsgroups(subset=..., categories=...,
remove=..., shuffle=False) without its download/cache step, i.e.
load_files(container, encoding='latin1', shuffle=False) per subset (folders
sorted, files sorted by name as strings), 'all' = train then test, then the
cleaners in sklearn's order: headers, footers, quotes. Only the files asked for
are kept in memory.
"""

import argparse
import json
import os
import sys
import time

T_START = time.perf_counter()

sys.path.insert(0, os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))),
                                "tests", "oracle"))


def load_20news(archive, subset, categories, remove):
    """Return the cleaned documents, in load_files(shuffle=False) order."""
    # Imported here, not at the top: the sklearn.datasets import it brings is
    # part of loading, and is counted in timings.load.
    import sk_corpus

    try:
        docs = sk_corpus.load_20news(archive, subset, categories or None, remove).data
    except ValueError as e:
        sys.exit(f"peers.py: {e}")
    if not docs:
        sys.exit("peers.py: no documents")
    return docs


def blas_info():
    try:
        from threadpoolctl import threadpool_info
        return threadpool_info()
    except Exception as e:  # noqa: BLE001 - report, never fail the measurement
        return [{"error": repr(e)}]


SVD_TASKS = ("svd-full", "svds", "randomized_svd", "lsi")


def decompose(task, X, k, seed, vocab):
    """Run one decomposition on the float64 CSR matrix X; only the library call
    itself is timed. Returns (singular values descending, seconds, method text)."""
    import numpy as np

    if task == "svd-full":
        import scipy.linalg
        A = X.toarray()
        t1 = time.perf_counter()
        s = scipy.linalg.svd(A, full_matrices=False, compute_uv=True)[1]
        t2 = time.perf_counter()
        method = "scipy.linalg.svd(X.toarray(), full_matrices=False) [gesdd]"
    elif task == "svds":
        from scipy.sparse.linalg import svds
        t1 = time.perf_counter()
        s = svds(X, k=k, tol=0, random_state=seed)[1]
        t2 = time.perf_counter()
        method = "scipy.sparse.linalg.svds(X, k=%d, tol=0, random_state=%d) [ARPACK]" % (k, seed)
    elif task == "randomized_svd":
        from sklearn.utils.extmath import randomized_svd
        t1 = time.perf_counter()
        s = randomized_svd(X, k, random_state=seed)[1]
        t2 = time.perf_counter()
        method = "sklearn.utils.extmath.randomized_svd(X, %d, random_state=%d)" % (k, seed)
    elif task == "lsi":
        from gensim.matutils import Sparse2Corpus
        from gensim.models import LsiModel
        corpus = Sparse2Corpus(X, documents_columns=False)
        id2word = dict(enumerate(vocab))
        t1 = time.perf_counter()
        model = LsiModel(corpus=corpus, num_topics=k, id2word=id2word, random_seed=seed)
        t2 = time.perf_counter()
        s = model.projection.s
        method = ("gensim.models.LsiModel(Sparse2Corpus(X, documents_columns=False), num_topics=%d, "
                  "id2word=vocabulary, random_seed=%d)" % (k, seed))
    else:
        raise ValueError(task)
    s = np.sort(np.asarray(s, dtype=np.float64))[::-1]
    return s, t2 - t1, method


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("task", choices=["vectorize", "e2e"] + list(SVD_TASKS))
    ap.add_argument("--archive", required=True)
    ap.add_argument("--subset", default="train", choices=["train", "test", "all"])
    ap.add_argument("--categories", default="", help="comma separated; empty = all 20")
    ap.add_argument("--remove", default="headers,footers,quotes")
    ap.add_argument("--vectorizer", default="count", choices=["count", "tfidf"])
    ap.add_argument("--mmwrite", default=None, help="e2e: also write the matrix here")
    ap.add_argument("--k", type=int, default=10, help="svds, randomized_svd, lsi: singular values wanted")
    ap.add_argument("--seed", type=int, default=0, help="svd tasks: random_state / random_seed")
    a = ap.parse_args()

    categories = [c for c in a.categories.split(",") if c]
    remove = [r for r in a.remove.split(",") if r]

    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    if a.task in SVD_TASKS:
        # imported before any timing: import time is not the decomposition's
        import numpy as np
        import scipy.linalg  # noqa: F401
        import scipy.sparse.linalg  # noqa: F401
        import sklearn.utils.extmath  # noqa: F401
        if a.task == "lsi":
            import gensim.models  # noqa: F401

    t0 = time.perf_counter()
    docs = load_20news(a.archive, a.subset, categories, remove)
    t1 = time.perf_counter()
    vec_cls = TfidfVectorizer if (a.task != "e2e" and a.vectorizer == "tfidf") else CountVectorizer
    vec = vec_cls(stop_words="english")
    X = vec.fit_transform(docs)
    t2 = time.perf_counter()
    t_write = 0.0
    if a.task == "e2e" and a.mmwrite:
        import scipy.io
        scipy.io.mmwrite(a.mmwrite, X)
        t_write = time.perf_counter() - t2
    svd = None
    if a.task in SVD_TASKS:
        del docs
        X = X.astype(np.float64)
        vocab = vec.get_feature_names_out().tolist() if a.task == "lsi" else None
        s, t_dec, method = decompose(a.task, X, a.k, a.seed, vocab)
        svd = {"singular_values": s.tolist(), "k": int(len(s)), "method": method,
               "decompose": t_dec, "prepare": time.perf_counter() - t2 - t_dec}
    t_end = time.perf_counter()

    import numpy
    import scipy
    import sklearn
    out = {
        "task": a.task,
        "vectorizer": vec_cls.__name__,
        "documents": int(X.shape[0]),
        "terms": int(X.shape[1]),
        "nnz": int(X.nnz),
        "shape": [int(X.shape[0]), int(X.shape[1])],
        "timings": {"load": t1 - t0, "fit_transform": t2 - t1, "write": t_write,
                    "total": t_end - T_START},
        "seconds": t2 - t1,
        "threadpool_info": blas_info(),
        "env": {k: os.environ.get(k) for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE",
                                                "OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS")},
        "versions": {"python": sys.version.split()[0], "sklearn": sklearn.__version__,
                     "numpy": numpy.__version__, "scipy": scipy.__version__},
    }
    if svd is not None:
        out["timings"]["prepare"] = svd.pop("prepare")
        out["timings"]["decompose"] = svd["decompose"]
        out["seconds"] = svd.pop("decompose")
        out.update(svd)
        if a.task == "lsi":
            import gensim
            out["versions"]["gensim"] = gensim.__version__
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
