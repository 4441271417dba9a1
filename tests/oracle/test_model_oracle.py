#!/usr/bin/python3
"""Oracle test: `factopic fit` / `transform` against scikit-learn on the 4-category train/test split.

    /usr/bin/python3 tests/oracle/test_model_oracle.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-model

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1
if anything failed.

The model file is read here by a second, independent reader written from the
format description in include/factopic/model/model.hpp (signature, version,
length, CRC-64/XZ, header JSON, vocabulary, stop words, idf, factor, singular
values), so the format is what it says it is.

  1) fit on the train split (tf-idf, NMF k = 6): the model's vocabulary and idf
     weights are TfidfVectorizer's (fitted on the same documents), to 1e-12;
  2) transform of the test split: the W factopic writes equals scikit-learn's
     NMF.transform of TfidfVectorizer.transform(test documents) with the model's H
     (the fit's solver, tol and max_iter), within 1e-6 -- the acceptance;
  3) the same for a float32 run and for counts (--weighting count, k = 8);
  4) an SVD model (krylov, k = 5): transform == TfidfVectorizer.transform(test) @ V;
     and transform of the training documents == topics --doc-topics of the fit (A V, which is
     U * s to the SVD's accuracy: checked to 1e-6 of s_1 against U * s recomputed here);
  5) fitting twice writes the same bytes (the model is a function of its input).
"""

import csv
import json
import os
import struct
import subprocess
import sys
import warnings

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]
from harness import Checks, Lazy, finish, start_script  # noqa: E402
from sk_corpus import load_20news  # noqa: E402

FOUR = ["alt.atheism", "talk.religion.misc", "comp.graphics", "sci.space"]
REMOVE = "headers,footers,quotes"
SELECT = ["--categories", ",".join(FOUR), "--remove", REMOVE]
MAGIC = b"\x89FTM\r\n\x1a\n"
W_TOL = 1e-6     # the acceptance
EXACT = 1e-12
TIMEOUT = 600


def crc64_xz(data):
    poly = 0xC96C5795D7870F42
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ poly if c & 1 else c >> 1
        table.append(c)
    crc = 0xFFFFFFFFFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFFFFFFFFFF


def read_model(path):
    """The .ftm file as a dict, by the documented layout."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:8] != MAGIC:
        raise AssertionError("no model signature")
    version, reserved, length = struct.unpack_from("<IIQ", data, 8)
    if version != 1 or reserved != 0 or 24 + length + 8 != len(data):
        raise AssertionError(f"version {version}, reserved {reserved}, length {length} for {len(data)} bytes")
    (stored,) = struct.unpack_from("<Q", data, len(data) - 8)
    if stored != crc64_xz(data[:-8]):
        raise AssertionError("checksum mismatch")
    pos = 24

    def u64():
        nonlocal pos
        (v,) = struct.unpack_from("<Q", data, pos)
        pos += 8
        return v

    def string():
        nonlocal pos
        n = u64()
        s = data[pos:pos + n].decode("utf-8")
        pos += n
        return s

    def doubles(n=None):
        nonlocal pos
        n = u64() if n is None else n
        a = np.frombuffer(data, dtype="<f8", count=n, offset=pos).copy()
        pos += 8 * n
        return a

    m = {"header": json.loads(string())}
    m["vocabulary"] = [string() for _ in range(u64())]
    m["stop_words"] = [string() for _ in range(u64())]
    m["idf"] = doubles()
    rows, cols = u64(), u64()
    m["factor"] = doubles(rows * cols).reshape(rows, cols)
    m["singular_values"] = doubles()
    if pos != len(data) - 8:
        raise AssertionError(f"{len(data) - 8 - pos} bytes left unread")
    return m


def read_csv_matrix(path):
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    # document,label,dominant_topic,topic_0,...
    return [r[0] for r in rows[1:]], np.asarray([[float(v) for v in r[3:]] for r in rows[1:]])


def main():
    args, workdir, t0 = start_script(__doc__, "model-")
    checks = Checks(crash_location=True)

    def run(*extra):
        p = subprocess.run([args.factopic, *map(str, extra)], capture_output=True, text=True, timeout=TIMEOUT,
                           stdin=subprocess.DEVNULL)
        if p.returncode != 0:
            raise AssertionError(f"exit {p.returncode}: factopic {' '.join(map(str, extra))}\n{p.stderr.strip()[-600:]}")
        return p

    docs = Lazy(lambda: (load_20news(args.data, "train", FOUR, tuple(REMOVE.split(","))),
                         load_20news(args.data, "test", FOUR, tuple(REMOVE.split(",")))))

    def sk_vectorizer(weighting):
        from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
        train, test = docs()
        v = (TfidfVectorizer if weighting == "tfidf" else CountVectorizer)(stop_words="english")
        v.fit(train.data)
        return v, v.transform(test.data)

    def fit_transform(name, fit_args, dtype="float64"):
        model = os.path.join(workdir, f"{name}.ftm")
        w_csv = os.path.join(workdir, f"{name}-test.csv")
        run("fit", args.data, "--subset", "train", *SELECT, *fit_args, "--dtype", dtype, "-o", model)
        run("transform", model, args.data, "--subset", "test", *SELECT, "--doc-topics", w_csv)
        return read_model(model), read_csv_matrix(w_csv)

    nmf_cases = [("tf-idf, k = 6", "tfidf", ["-k", "6"], "float64"),
                 ("tf-idf, k = 6, float32", "tfidf", ["-k", "6"], "float32"),
                 ("counts, k = 8", "count", ["-k", "8", "--weighting", "count"], "float64")]
    for title, weighting, fit_args, dtype in nmf_cases:
        def nmf_case(weighting=weighting, fit_args=fit_args, dtype=dtype, title=title):
            from sklearn.decomposition import NMF
            m, (ids, W) = fit_transform(f"nmf-{weighting}-{dtype}", fit_args, dtype)
            v, X_test = sk_vectorizer(weighting)
            if m["vocabulary"] != list(v.get_feature_names_out()):
                raise AssertionError("the model's vocabulary is not the vectorizer's")
            if weighting == "tfidf":
                d = np.max(np.abs(m["idf"] - v.idf_))
                if d > EXACT:
                    raise AssertionError(f"idf differs from TfidfVectorizer's by {d:.2e}")
            elif m["idf"].size:
                raise AssertionError("idf weights in a count model")
            H = m["factor"]
            opts = m["header"]["nmf"]
            k = H.shape[0]
            sk = NMF(n_components=k, solver=opts["solver"], tol=opts["tol"] if opts["tol"] >= 0 else 1e-4,
                     max_iter=opts["max_iter"] or 200, init="nndsvda")
            # scikit-learn's transform runs with the fitted estimator's attributes: fit it once
            # on any data of the right width, then give it the model's H.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                sk.fit(X_test[:50])
                sk.components_ = H
                W_sk = sk.transform(X_test.astype(np.float64))
            if W.shape != W_sk.shape:
                raise AssertionError(f"W {W.shape} vs scikit-learn {W_sk.shape}")
            diff = np.max(np.abs(W - W_sk))
            if diff > W_TOL:
                i = np.unravel_index(np.argmax(np.abs(W - W_sk)), W.shape)
                raise AssertionError(f"max |W - W_sklearn| = {diff:.2e} > {W_TOL} at {i} ({ids[i[0]]})")
            return f"{W.shape[0]} test documents x {k}: max |W - W_sklearn| {diff:.1e}"
        checks.run(f"fit train -> transform test == scikit-learn NMF.transform with the model's H, {title}", nmf_case)

    def svd_case():
        m, (ids, W) = fit_transform("krylov", ["-k", "5", "--method", "krylov"])
        v, X_test = sk_vectorizer("tfidf")
        Vt = m["factor"]
        want = X_test @ Vt.T
        diff = np.max(np.abs(W - want))
        if diff > 1e-10:
            raise AssertionError(f"max |W - X V| = {diff:.2e}")
        if m["singular_values"].size != 5:
            raise AssertionError(f"{m['singular_values'].size} singular values")
        # The training documents: transform gives A V, as topics --doc-topics does.
        model = os.path.join(workdir, "krylov.ftm")
        train_csv, topics_csv = os.path.join(workdir, "train.csv"), os.path.join(workdir, "topics.csv")
        run("transform", model, args.data, "--subset", "train", *SELECT, "--doc-topics", train_csv)
        run("topics", args.data, "--subset", "train", *SELECT, "-k", "5", "--method", "krylov", "--doc-topics",
            topics_csv)
        _, a = read_csv_matrix(train_csv)
        _, b = read_csv_matrix(topics_csv)
        dtrain = np.max(np.abs(a - b))
        if dtrain > 1e-10:
            raise AssertionError(f"training documents: transform vs topics --doc-topics differ by {dtrain:.2e}")
        # A V = U S to the truncated SVD's accuracy (1e-6 relative on the singular values).
        s = m["singular_values"]
        U = a / s
        du = np.max(np.abs(U.T @ U - np.eye(5)))
        if du > 1e-5:
            raise AssertionError(f"A V / s is not orthonormal: max |U'U - I| = {du:.2e}")
        return f"test: max |W - X V| {diff:.1e}; train: transform == topics --doc-topics to {dtrain:.1e}, |U'U - I| {du:.1e}"
    checks.run("SVD model (krylov, k = 5): transform == X_test V; on the training documents == topics --doc-topics", svd_case)

    def deterministic():
        a, b = os.path.join(workdir, "a.ftm"), os.path.join(workdir, "b.ftm")
        for path, threads in ((a, 1), (b, 2)):
            run("fit", args.data, "--subset", "train", *SELECT, "-k", "6", "--threads", threads, "-o", path)
        with open(a, "rb") as f, open(b, "rb") as g:
            x, y = f.read(), g.read()
        if x != y:
            raise AssertionError("two fits (1 and 2 threads) wrote different bytes")
        return f"{len(x)} identical bytes"
    checks.run("fit with 1 and 2 threads writes the same bytes", deterministic)

    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
