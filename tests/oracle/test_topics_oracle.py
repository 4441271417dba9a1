#!/usr/bin/python3
"""Oracle test: `factopic topics` quality figures against gensim and scikit-learn on 20 Newsgroups.

    /usr/bin/python3 tests/oracle/test_topics_oracle.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-topics

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1
if anything failed.

  1) coherence: for the topics factopic prints (NMF on tf-idf and on counts, and the
     signed topics of a randomized SVD), gensim 4.2's CoherenceModel on the same
     documents and the same top 10 words gives the same UMass ("u_mass", corpus of
     bag-of-words) and NPMI ("c_npmi", with a window longer than any document, i.e.
     document co-occurrence) per topic and on average, within 1e-6. The documents are
     scikit-learn's analyzer's tokens of the 4-category train set (CountVectorizer,
     stop words english); gensim cannot take an empty text, so each empty document gets
     one token that is in no topic (it still counts as a document);
  2) diversity: the share of distinct words among the topics' top 25, recomputed from H;
  3) labels, all 20 categories (train subset), tf-idf, k = 20: the NMI of the argmax
     topic against the category is within 0.02 of scikit-learn's NMF with the same
     settings (cd, nndsvda, tol 1e-4, on the very matrix factopic vectorized); and
     factopic's NMI, ARI, topic sizes, dominant labels and shares equal scikit-learn's
     / numpy's on factopic's own --doc-topics to 1e-12.
The scratch files go into a new topics-* folder under --workdir, removed when
everything passed and kept for inspection otherwise.
"""

import csv
import json
import os
import subprocess
import sys
import warnings

import numpy as np
import scipy.io
import scipy.sparse as sp

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]
from harness import Checks, Lazy, finish, read_lines, start_script  # noqa: E402
from sk_corpus import load_20news  # noqa: E402

FOUR = ["alt.atheism", "talk.religion.misc", "comp.graphics", "sci.space"]
REMOVE = "headers,footers,quotes"
FOUR_ARGS = ["--subset", "train", "--categories", ",".join(FOUR), "--remove", REMOVE]
ALL_ARGS = ["--subset", "train", "--remove", REMOVE]
COHERENCE_TOL = 1e-6   # the acceptance; observed ~1e-15
NMI_SLACK = 0.02       # the acceptance: factopic's NMF vs scikit-learn's NMF
EXACT = 1e-12          # the same formula on the same numbers
PLACEHOLDER = "\x00empty"  # a token for an empty document, in no topic
TIMEOUT = 600


def run(args, *extra):
    p = subprocess.run([args.factopic, *extra], capture_output=True, text=True, timeout=TIMEOUT,
                       stdin=subprocess.DEVNULL)
    if p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: factopic {' '.join(extra)}\n{p.stderr.strip()[-800:]}")
    return p


def run_json(args, *extra):
    return json.loads(run(args, *extra, "--json").stdout)


def four_texts(args):
    """scikit-learn's tokens of each 4-category train document (stop words removed)."""
    from sklearn.feature_extraction.text import CountVectorizer
    docs = load_20news(args.data, "train", FOUR, tuple(REMOVE.split(",")))
    analyze = CountVectorizer(stop_words="english").build_analyzer()
    return [analyze(t) for t in docs.data]


def gensim_coherence(texts, topics):
    """(u_mass per topic, c_npmi per topic, their means) from gensim's CoherenceModel."""
    from gensim.corpora import Dictionary
    from gensim.models.coherencemodel import CoherenceModel
    texts = [t if t else [PLACEHOLDER] for t in texts]
    dictionary = Dictionary(texts)
    corpus = [dictionary.doc2bow(t) for t in texts]
    window = max(len(t) for t in texts) + 1
    out = {}
    for measure, source in (("u_mass", {"corpus": corpus}), ("c_npmi", {"texts": texts})):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            cm = CoherenceModel(topics=topics, dictionary=dictionary, coherence=measure, topn=len(topics[0]),
                                window_size=window, processes=1, **source)
            per = np.asarray(cm.get_coherence_per_topic(), dtype=np.float64)
        out[measure] = (per, float(np.mean(per)))
    return out


def top_words(h_or_vt, vocab, n):
    """The n largest entries of each row (ties: lower column first), as words."""
    out = []
    for row in h_or_vt:
        order = np.lexsort((np.arange(row.size), -row))[:n]
        out.append([vocab[j] for j in order])
    return out


def main():
    args, workdir, t0 = start_script(__doc__, "topics-")
    checks = Checks(crash_location=True)
    texts = Lazy(lambda: four_texts(args))

    cases = [
        ("nmf, tf-idf, k = 6", ["-k", "6"]),
        ("nmf, counts, k = 10", ["-k", "10", "--weighting", "count"]),
        ("rsvd, counts, k = 8 (signed topics: their largest words)", ["-k", "8", "--weighting", "count",
                                                                       "--method", "rsvd"]),
    ]
    for name, extra in cases:
        def coherence(extra=extra):
            j = run_json(args, "topics", args.data, *FOUR_ARGS, *extra, "--top", "10")
            words = [[w for w, _ in t["top"]] for t in j["topics"]]
            if any(len(w) != 10 for w in words):
                raise AssertionError(f"topics of {[len(w) for w in words]} words, expected 10 each")
            if j["coherence"]["top"] != 10:
                raise AssertionError(f"coherence over the top {j['coherence']['top']}, expected 10")
            g = gensim_coherence(texts(), words)
            worst = 0.0
            for ours, theirs in (("umass", "u_mass"), ("npmi", "c_npmi")):
                per, mean = g[theirs]
                got = np.asarray(j["coherence"][ours], dtype=np.float64)
                diff = np.max(np.abs(got - per))
                dmean = abs(j["coherence"][ours + "_mean"] - mean)
                if diff > COHERENCE_TOL or dmean > COHERENCE_TOL:
                    raise AssertionError(f"{ours}: factopic {got.round(6).tolist()} (mean {j['coherence'][ours + '_mean']:.6f}) vs "
                                         f"gensim {per.round(6).tolist()} (mean {mean:.6f}): max diff {max(diff, dmean):.2e}")
                worst = max(worst, diff, dmean)
            return (f"max |diff| {worst:.1e}; NPMI {j['coherence']['npmi_mean']:.4f}, "
                    f"UMass {j['coherence']['umass_mean']:.4f}")
        checks.run(f"coherence == gensim's (u_mass, c_npmi), {name}", coherence)

    def diversity():
        mtx, vocab_path = os.path.join(workdir, "4.mtx"), os.path.join(workdir, "4.vocab")
        h_path = os.path.join(workdir, "H.npy")
        run(args, "vectorize", args.data, *FOUR_ARGS, "--weighting", "tfidf", "-o", mtx, "--vocab", vocab_path)
        run(args, "nmf", mtx, "-k", "6", "--h", h_path, "--top", "0")
        j = run_json(args, "topics", mtx, "--vocabulary", vocab_path, "-k", "6")
        words = top_words(np.load(h_path), read_lines(vocab_path), 25)
        want = len({w for t in words for w in t}) / (25 * len(words))
        got = j["diversity"]["value"]
        if j["diversity"]["top"] != 25 or abs(got - want) > EXACT:
            raise AssertionError(f"diversity {got} over the top {j['diversity']['top']}, expected {want} over 25")
        return f"{got:.4f}"
    checks.run("diversity == distinct share of the top 25 words of H (topics X.mtx == nmf --h)", diversity)

    def labels():
        from sklearn.decomposition import NMF
        from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
        mtx, labels_path = os.path.join(workdir, "20.mtx"), os.path.join(workdir, "20.labels")
        vocab_path, w_csv = os.path.join(workdir, "20.vocab"), os.path.join(workdir, "W.csv")
        run(args, "vectorize", args.data, *ALL_ARGS, "--weighting", "tfidf", "-o", mtx, "--labels", labels_path,
            "--vocab", vocab_path)
        j = run_json(args, "topics", args.data, *ALL_ARGS, "-k", "20", "--doc-topics", w_csv)
        y = np.asarray(read_lines(labels_path))
        X = sp.csr_matrix(scipy.io.mmread(mtx))
        with open(w_csv, newline="") as f:
            rows = list(csv.reader(f))
        W = np.asarray([[float(v) for v in r[3:]] for r in rows[1:]])
        if W.shape != (X.shape[0], 20):
            raise AssertionError(f"--doc-topics is {W.shape}, expected {(X.shape[0], 20)}")
        # A document with all weights zero has no topic (-1) and is left out of the scores.
        ours = np.where((W != 0).any(axis=1), W.argmax(axis=1), -1)
        kept = ours >= 0
        nmi, ari = normalized_mutual_info_score(y[kept], ours[kept]), adjusted_rand_score(y[kept], ours[kept])
        lab = j["labels"]
        if abs(lab["nmi"] - nmi) > EXACT or abs(lab["ari"] - ari) > EXACT:
            raise AssertionError(f"factopic NMI {lab['nmi']}, ARI {lab['ari']} vs scikit-learn on its W: {nmi}, {ari}")
        for t, entry in enumerate(lab["topics"]):
            members = y[ours == t]
            if entry["size"] != members.size or j["topic_sizes"][t] != members.size:
                raise AssertionError(f"topic {t}: size {entry['size']}, expected {members.size}")
            if members.size:
                names, counts = np.unique(members, return_counts=True)
                best = int(np.argmax(counts))
                if entry["label"] != names[best] or abs(entry["share"] - counts[best] / members.size) > EXACT:
                    raise AssertionError(f"topic {t}: {entry['label']} {entry['share']}, expected "
                                         f"{names[best]} {counts[best] / members.size}")
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            sk = NMF(n_components=20, init="nndsvda", solver="cd", tol=1e-4, max_iter=200, random_state=0)
            W_sk = sk.fit_transform(X)
        sk_kept = (W_sk != 0).any(axis=1)
        sk_nmi = normalized_mutual_info_score(y[sk_kept], W_sk[sk_kept].argmax(axis=1))
        if abs(lab["nmi"] - sk_nmi) > NMI_SLACK:
            raise AssertionError(f"NMI {lab['nmi']:.4f} vs scikit-learn's NMF {sk_nmi:.4f}: more than {NMI_SLACK} apart")
        return (f"NMI {lab['nmi']:.4f} (scikit-learn's NMF {sk_nmi:.4f}), ARI {lab['ari']:.4f}; "
                f"{X.shape[0]} documents, {len(set(y))} labels")
    checks.run("labels, 20 categories, k = 20: NMI within 0.02 of scikit-learn's NMF; NMI/ARI/sizes/shares "
               "== scikit-learn/numpy on factopic's W", labels)

    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
