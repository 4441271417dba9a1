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

Document loading reproduces sklearn.datasets.fetch_20newsgroups(subset=...,
categories=..., remove=..., shuffle=False) without its download/cache step:
load_files(container, encoding='latin1', shuffle=False) per subset (folders
sorted, files sorted by name as strings), 'all' = train then test, then the
cleaners in sklearn's order: headers, footers, quotes.
"""

import argparse
import json
import os
import sys
import tarfile
import time

T_START = time.perf_counter()


def load_20news(archive, subset, categories, remove):
    """Return the cleaned documents, in load_files(shuffle=False) order."""
    from sklearn.datasets._twenty_newsgroups import (
        strip_newsgroup_footer,
        strip_newsgroup_header,
        strip_newsgroup_quoting,
    )

    subsets = ["train", "test"] if subset == "all" else [subset]
    want = set(categories) if categories else None
    raw = {s: {} for s in subsets}  # subset -> category -> [(file name, bytes)]
    seen_categories = set()
    with tarfile.open(archive, "r:*") as tf:
        for member in tf:
            parts = member.name.strip("/").split("/")
            if len(parts) < 2 or not parts[0].startswith("20news-bydate-"):
                continue
            sub = parts[0][len("20news-bydate-"):]
            if member.isdir() and len(parts) == 2:
                seen_categories.add(parts[1])
                continue
            if not member.isfile() or len(parts) != 3:
                continue
            seen_categories.add(parts[1])
            if sub not in raw or (want is not None and parts[1] not in want):
                continue
            raw[sub].setdefault(parts[1], []).append(
                (parts[2], tf.extractfile(member).read()))
    if want is not None and not want <= seen_categories:
        sys.exit("peers.py: unknown categories %s (valid: %s)"
                 % (sorted(want - seen_categories), ",".join(sorted(seen_categories))))

    docs = []
    for sub in subsets:
        for cat in sorted(raw[sub]):
            for _name, data in sorted(raw[sub][cat], key=lambda x: x[0]):
                docs.append(data.decode("latin-1"))
    if "headers" in remove:
        docs = [strip_newsgroup_header(t) for t in docs]
    if "footers" in remove:
        docs = [strip_newsgroup_footer(t) for t in docs]
    if "quotes" in remove:
        docs = [strip_newsgroup_quoting(t) for t in docs]
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
