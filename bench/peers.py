#!/usr/bin/python3
"""One peer (Python / scikit-learn) measurement in its own process.

Run by bench/bench.py, once per repetition, so that the process's peak RSS
(os.wait4 ru_maxrss, taken by the driver) belongs to exactly one measurement.
Prints ONE JSON object on stdout:

  {"task", "documents", "terms", "nnz", "shape",
   "timings": {"load", "fit_transform", "write", "total"},   # seconds, in-process
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("task", choices=["vectorize", "e2e"])
    ap.add_argument("--archive", required=True)
    ap.add_argument("--subset", default="train", choices=["train", "test", "all"])
    ap.add_argument("--categories", default="", help="comma separated; empty = all 20")
    ap.add_argument("--remove", default="headers,footers,quotes")
    ap.add_argument("--vectorizer", default="count", choices=["count", "tfidf"])
    ap.add_argument("--mmwrite", default=None, help="e2e: also write the matrix here")
    a = ap.parse_args()

    categories = [c for c in a.categories.split(",") if c]
    remove = [r for r in a.remove.split(",") if r]

    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer

    t0 = time.perf_counter()
    docs = load_20news(a.archive, a.subset, categories, remove)
    t1 = time.perf_counter()
    vec_cls = TfidfVectorizer if (a.task == "vectorize" and a.vectorizer == "tfidf") else CountVectorizer
    vec = vec_cls(stop_words="english")
    X = vec.fit_transform(docs)
    t2 = time.perf_counter()
    t_write = 0.0
    if a.task == "e2e" and a.mmwrite:
        import scipy.io
        scipy.io.mmwrite(a.mmwrite, X)
        t_write = time.perf_counter() - t2
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
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
