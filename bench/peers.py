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

  NMF tasks (issue 4), --k K [--seed 0]; X float64 CSR (documents x terms),
  untimed, as for svd; only the fit is timed. Each adds to the JSON "nmf":
  {"loss": ||X - W H||_F recomputed afterwards from the tool's W and H by
  frob_loss() (untimed), "iterations", "method", "k", ...}.
  nmf-sklearn  --solver cd|mu : time NMF(n_components=K, solver=S,
             init='nndsvda', tol=1e-4, max_iter=200, random_state=SEED)
             .fit_transform(X) (beta_loss 'frobenius', no regularization);
             also reports reconstruction_err_ and n_iter_.
  nmf-minibatch : time MiniBatchNMF(n_components=K, init='nndsvda',
             random_state=SEED).fit_transform(X) (its defaults otherwise:
             batch_size 1024, tol 1e-4, max_no_improvement 10, max_iter 200);
             loss with W = that fit_transform output (also with W =
             transform(X), untimed, as "loss_transform").
  nmf-gensim : Sparse2Corpus(X, documents_columns=False) and id2word built
             untimed; time gensim.models.nmf.Nmf(corpus, num_topics=K,
             id2word=..., random_state=SEED) (defaults: passes 1, chunksize
             2000, kappa 1, w_max_iter 200, h_max_iter 50, eval_every 10,
             normalize True). Loss with H = model.get_topics(normalize=False)
             (= model._W.T, topics x terms) and W = the documents' unnormalized
             topic weights from model._solveproj(X.T[:, chunk], model._W,
             v_max=inf), 2000 documents at a time: what get_document_topics(
             doc, normalize=False) computes per document.
  nmf-gd     --iters N : the fast.ai "Computational Linear Algebra" lecture's
             NMF by gradient descent (notebook "Topic Modeling with NMF and
             SVD") on the DENSE M = X.toarray() (untimed): W, H = |normal(0,
             0.01)| of (m, K), (K, n); per step R = W@H - M, dW = R@H.T +
             lam*penalty(W, mu), dH = W.T@R + lam*penalty(H, mu), W -= lr*dW,
             H -= lr*dH, penalty(A, mu) = where(A >= mu, 0, minimum(A - mu, 0)),
             lam 1e3, lr 1e-2, mu 1e-6. Each of N steps is timed on its own;
             "seconds" = the median seconds per step.
  mtx        --out PATH : write X (float64, documents x terms) with
             scipy.io.mmwrite, for the RcppML peer (bench/rcppml_nmf.R).

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
import statistics
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


NMF_TASKS = ("nmf-sklearn", "nmf-minibatch", "nmf-gensim", "nmf-gd")


def frob_loss(X, W, H):
    """||X - W H||_F for sparse X (m x n), W (m x k), H (k x n), without
    forming W H: ||X||^2 - 2 <X, W H> + <W'W, H H'>."""
    import numpy as np
    xx = float(np.dot(X.data, X.data))
    cross = float(np.sum(np.asarray(X @ H.T) * W))
    gram = float(np.sum((W.T @ W) * (H @ H.T)))
    return float(np.sqrt(max(xx - 2.0 * cross + gram, 0.0)))


def nmf_fit(task, X, a, vocab):
    """Run one NMF on the float64 CSR matrix X (documents x terms); only the fit
    is timed. Returns (seconds, dict for the JSON's "nmf")."""
    import numpy as np

    k, seed = a.k, a.seed
    out = {"k": k, "seed": seed}
    if task == "nmf-sklearn":
        from sklearn.decomposition import NMF
        model = NMF(n_components=k, solver=a.solver, init="nndsvda", tol=a.tol, max_iter=a.max_iter,
                    random_state=seed)
        t1 = time.perf_counter()
        W = model.fit_transform(X)
        t2 = time.perf_counter()
        H = model.components_
        out.update(method="sklearn.decomposition.NMF(n_components=%d, solver=%r, init='nndsvda', tol=%g, "
                          "max_iter=%d, random_state=%d).fit_transform(X)"
                          % (k, a.solver, a.tol, a.max_iter, seed),
                   solver=a.solver, tol=a.tol, max_iter=a.max_iter,
                   reconstruction_err=float(model.reconstruction_err_), iterations=int(model.n_iter_),
                   converged=bool(model.n_iter_ < a.max_iter))
    elif task == "nmf-minibatch":
        from sklearn.decomposition import MiniBatchNMF
        model = MiniBatchNMF(n_components=k, init="nndsvda", random_state=seed)
        t1 = time.perf_counter()
        W = model.fit_transform(X)
        t2 = time.perf_counter()
        H = model.components_
        out.update(method="sklearn.decomposition.MiniBatchNMF(n_components=%d, init='nndsvda', "
                          "random_state=%d).fit_transform(X); loss with W = its output" % (k, seed),
                   reconstruction_err=float(model.reconstruction_err_), iterations=int(model.n_iter_),
                   steps=int(model.n_steps_), batch_size=int(model._batch_size),
                   loss_transform=frob_loss(X, model.transform(X), H))
    elif task == "nmf-gensim":
        from gensim.matutils import Sparse2Corpus
        from gensim.models.nmf import Nmf
        corpus = Sparse2Corpus(X, documents_columns=False)
        id2word = dict(enumerate(vocab))
        t1 = time.perf_counter()
        model = Nmf(corpus, num_topics=k, id2word=id2word, random_state=seed)
        t2 = time.perf_counter()
        H = model.get_topics(normalize=False)            # k x terms (= model._W.T)
        Xt = X.T.tocsc()                                 # terms x documents, gensim's orientation
        step = model.chunksize
        W = np.vstack([model._solveproj(Xt[:, j:j + step], model._W, v_max=np.inf).T
                       for j in range(0, Xt.shape[1], step)])
        out.update(method="gensim.models.nmf.Nmf(Sparse2Corpus(X, documents_columns=False), num_topics=%d, "
                          "id2word=vocabulary, random_state=%d); loss with H = get_topics(normalize=False), "
                          "W = _solveproj(X.T chunk, _W, v_max=inf) per %d documents" % (k, seed, step),
                   passes=int(model.passes), chunksize=int(model.chunksize), iterations=int(model.passes))
    elif task == "nmf-gd":
        lam, lr, mu = 1e3, 1e-2, 1e-6
        M = X.toarray()
        m, n = M.shape
        np.random.seed(seed)
        W = np.abs(np.random.normal(scale=0.01, size=(m, k)))
        H = np.abs(np.random.normal(scale=0.01, size=(k, n)))

        def penalty(A, mu):
            return np.where(A >= mu, 0, np.minimum(A - mu, 0))

        def grads(M, W, H):
            R = W @ H - M
            return R @ H.T + lam * penalty(W, mu), W.T @ R + lam * penalty(H, mu)

        def upd(M, W, H, lr):
            dW, dH = grads(M, W, H)
            W -= lr * dW
            H -= lr * dH

        steps = []
        for _ in range(a.iters):
            t1 = time.perf_counter()
            upd(M, W, H, lr)
            t2 = time.perf_counter()
            steps.append(t2 - t1)
        loss = float(np.linalg.norm(M - W @ H))
        del M
        out.update(method="fast.ai lecture NMF gradient descent on dense X.toarray(): lam=%g, lr=%g, mu=%g, "
                          "%d steps, each timed" % (lam, lr, mu, a.iters),
                   iterations=a.iters, seconds_per_iteration=steps, loss=loss,
                   negative_entries=int((W < 0).sum() + (H < 0).sum()))
        return statistics.median(steps), out
    else:
        raise ValueError(task)
    out["loss"] = frob_loss(X, W, H)
    return t2 - t1, out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("task", choices=["vectorize", "e2e", "mtx"] + list(SVD_TASKS) + list(NMF_TASKS))
    ap.add_argument("--archive", required=True)
    ap.add_argument("--subset", default="train", choices=["train", "test", "all"])
    ap.add_argument("--categories", default="", help="comma separated; empty = all 20")
    ap.add_argument("--remove", default="headers,footers,quotes")
    ap.add_argument("--vectorizer", default="count", choices=["count", "tfidf"])
    ap.add_argument("--mmwrite", default=None, help="e2e: also write the matrix here")
    ap.add_argument("--k", type=int, default=10, help="svds, randomized_svd, lsi: singular values wanted")
    ap.add_argument("--seed", type=int, default=0, help="svd/nmf tasks: random_state / random_seed")
    ap.add_argument("--solver", default="cd", choices=["cd", "mu"], help="nmf-sklearn: NMF solver")
    ap.add_argument("--tol", type=float, default=1e-4, help="nmf-sklearn: tol")
    ap.add_argument("--max-iter", type=int, default=200, help="nmf-sklearn: max_iter")
    ap.add_argument("--iters", type=int, default=10, help="nmf-gd: gradient steps, each timed")
    ap.add_argument("--out", default=None, help="mtx: Matrix Market file to write")
    a = ap.parse_args()

    categories = [c for c in a.categories.split(",") if c]
    remove = [r for r in a.remove.split(",") if r]

    import numpy as np
    from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
    if a.task in SVD_TASKS:
        # imported before any timing: import time is not the decomposition's
        import scipy.linalg  # noqa: F401
        import scipy.sparse.linalg  # noqa: F401
        import sklearn.utils.extmath  # noqa: F401
        if a.task == "lsi":
            import gensim.models  # noqa: F401
    if a.task in NMF_TASKS:
        import sklearn.decomposition  # noqa: F401
        if a.task == "nmf-gensim":
            import gensim.matutils  # noqa: F401
            import gensim.models.nmf  # noqa: F401
    if a.task == "mtx" and not a.out:
        sys.exit("peers.py mtx: --out PATH required")

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
    nmf = None
    if a.task in NMF_TASKS:
        del docs
        X = X.astype(np.float64)
        vocab = vec.get_feature_names_out().tolist() if a.task == "nmf-gensim" else None
        t_fit, nmf = nmf_fit(a.task, X, a, vocab)
    if a.task == "mtx":
        import scipy.io
        scipy.io.mmwrite(a.out, X.astype(np.float64))
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
    if svd is not None:
        out["timings"]["prepare"] = svd.pop("prepare")
        out["timings"]["decompose"] = svd["decompose"]
        out["seconds"] = svd.pop("decompose")
        out.update(svd)
        if a.task == "lsi":
            import gensim
            out["versions"]["gensim"] = gensim.__version__
    if nmf is not None:
        out["timings"]["decompose"] = t_fit
        out["seconds"] = t_fit
        out["nmf"] = nmf
        if a.task == "nmf-gensim":
            import gensim
            out["versions"]["gensim"] = gensim.__version__
    json.dump(out, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
