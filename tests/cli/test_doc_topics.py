#!/usr/bin/python3
"""Documents with no topic, topics carried by few documents, and the --doc-topics CSV (issue 14,
points 3 and 4).

    /usr/bin/python3 tests/cli/test_doc_topics.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-doc-topics

Runs on the embedded corpus (data/20news-4cat.tar.gz, the 4-category training split: 2034
documents, 60 of them with no term left) and on crafted folders, lines and .mtx files.

- A document whose topic weights are all zero (an empty document), or whose largest weight is
  below --min-topic-weight, has topic -1: it is in no topic's size, in no label share, and NMI
  and ARI compare the assigned documents only (scikit-learn's scores on them, to 1e-12). The
  report says how many are unassigned ("outliers" line; unassigned_documents in the JSON).
- A topic whose weight is held by very few documents (half its column of W in fewer than
  max(5, 1% of the documents)) is flagged: "[few documents: N]" in the table, few_documents,
  half_weight_documents and effective_documents in the JSON. The 4-category example's
  signature topic (ico bobbe tek ...) is flagged at k = 6 and k = 10, the large topics are not.
- --doc-topics: document,label,dominant_topic,topic_0..; weights equal nmf --w; --normalize
  rows sum to 1 (all-zero rows stay zero, topic -1); RFC 4180 quoting read back by Python's csv.
- report: the unassigned documents are on the document map as topic "none" (it crashed on -1).
"""

import csv
import json
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path[:0] = [HERE, os.path.dirname(HERE), os.path.join(os.path.dirname(HERE), "oracle")]
from harness import finish  # noqa: E402
from test_cli import start_cli_script, expect_error, expect_ok  # noqa: E402
from test_svd_cli import write_mtx, run_json  # noqa: E402

EMBEDDED = os.path.join(ROOT, "data", "20news-4cat.tar.gz")
CATEGORIES = ["alt.atheism", "talk.religion.misc", "comp.graphics", "sci.space"]
FOUR = ["--subset", "train", "--categories", ",".join(CATEGORIES), "--remove", "headers,footers,quotes",
        "--weighting", "tfidf"]
EXACT = 1e-12


def read_doc_topics(path, k):
    """(ids, labels, dominant, W) from a --doc-topics CSV, checking its header and widths."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    header = ["document", "label", "dominant_topic"] + [f"topic_{t}" for t in range(k)]
    if not rows or rows[0] != header:
        raise AssertionError(f"CSV header {rows[0] if rows else None!r}, expected {header}")
    ids, labels, dominant, values = [], [], [], []
    for r, row in enumerate(rows[1:], start=2):
        if len(row) != k + 3:
            raise AssertionError(f"CSV line {r}: {len(row)} fields, expected {k + 3}: {row!r}")
        ids.append(row[0])
        labels.append(row[1])
        dominant.append(int(row[2]))
        values.append([float(x) for x in row[3:]])
    return ids, labels, np.array(dominant), np.array(values, dtype=np.float64).reshape(len(ids), k)


def sk_documents():
    from sk_corpus import load_20news
    return load_20news(EMBEDDED, "train", CATEGORIES, ("headers", "footers", "quotes"))


def sk_scores(labels, topics):
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score
    return normalized_mutual_info_score(labels, topics), adjusted_rand_score(labels, topics)


def expected_assignment(W, min_weight=0.0):
    """The rule as DESIGN.md states it, in numpy."""
    top = W.argmax(axis=1)
    none = ~(W != 0).any(axis=1)
    if min_weight > 0:
        none |= W.max(axis=1) < min_weight
    return np.where(none, -1, top)


def main():
    args, env, checks, workdir, t0 = start_cli_script(__doc__, "doc-topics-")
    state = {}

    def unassigned_4cat():
        from sklearn.feature_extraction.text import CountVectorizer
        docs = sk_documents()
        X = CountVectorizer(stop_words="english").fit_transform(docs.data)
        empty = np.flatnonzero(X.getnnz(axis=1) == 0)
        out = env.fresh_dir("four")
        w_csv = os.path.join(out, "W.csv")
        j = run_json(env, "topics", EMBEDDED, *FOUR, "-k", "6", "--doc-topics", w_csv)
        ids, labels, dominant, W = read_doc_topics(w_csv, 6)
        state["four"] = (j, ids, labels, dominant, W, docs)
        if ids != docs.ids or labels != docs.labels:
            raise AssertionError("the CSV's ids/labels are not scikit-learn's documents in its order")
        if j["unassigned_documents"] != len(empty) or len(empty) == 0:
            raise AssertionError(f"unassigned {j['unassigned_documents']}, scikit-learn has {len(empty)} empty rows")
        if not np.array_equal(np.flatnonzero(dominant == -1), empty):
            raise AssertionError("the documents with topic -1 are not the empty documents")
        if not np.array_equal(dominant, expected_assignment(W)):
            raise AssertionError("dominant_topic is not the argmax of the weights (-1 on all-zero rows)")
        sizes = j["topic_sizes"]
        if sum(sizes) + j["unassigned_documents"] != 2034:
            raise AssertionError(f"sizes {sizes} + {j['unassigned_documents']} unassigned != 2034")
        if sizes != [int((dominant == t).sum()) for t in range(6)]:
            raise AssertionError(f"sizes {sizes} are not the counts of the CSV's dominant topics")
        keep = dominant >= 0
        y = np.array(labels)
        nmi, ari = sk_scores(y[keep], dominant[keep])
        lab = j["labels"]
        if abs(lab["nmi"] - nmi) > EXACT or abs(lab["ari"] - ari) > EXACT:
            raise AssertionError(f"NMI {lab['nmi']}, ARI {lab['ari']} vs scikit-learn on the assigned documents "
                                 f"{nmi}, {ari}")
        old_nmi, _ = sk_scores(y, W.argmax(axis=1))
        if abs(old_nmi - nmi) < 1e-6:
            raise AssertionError("counting the empty documents in topic 0 gives the same NMI: the test proves nothing")
        if lab["unassigned"] != len(empty) or sum(t["size"] for t in lab["topics"]) != 2034 - len(empty):
            raise AssertionError(f"labels: unassigned {lab['unassigned']}, sizes {[t['size'] for t in lab['topics']]}")
        for t, entry in enumerate(lab["topics"]):
            members = y[dominant == t]
            names, counts = np.unique(members, return_counts=True)
            share = counts.max() / members.size
            if entry["label"] != names[counts.argmax()] or abs(entry["share"] - share) > EXACT:
                raise AssertionError(f"topic {t}: {entry} vs {names[counts.argmax()]} {share}")
        return (f"{len(empty)} unassigned == empty rows of CountVectorizer; sizes {sizes}; NMI {nmi:.4f} ARI {ari:.4f} "
                f"(all documents, empty ones in topic 0: NMI {old_nmi:.4f})")
    checks.run("4 categories, k = 6: empty documents get topic -1; sizes + unassigned = 2034; NMI/ARI of the "
               "assigned documents == scikit-learn", unassigned_4cat)

    def text_report():
        p = env.run("topics", EMBEDDED, *FOUR, "-k", "6")
        expect_ok(p)
        lines = {line.split(None, 1)[0]: line for line in p.stdout.splitlines() if line.strip()}
        if "outliers   60 documents with no topic" not in lines.get("outliers", ""):
            raise AssertionError(f"no 'outliers   60 documents with no topic' line:\n{p.stdout[:900]}")
        if "(the 1974 documents with a topic)" not in lines.get("labels", ""):
            raise AssertionError(f"the labels line does not say it counts 1974 documents: {lines.get('labels')!r}")
        return lines["outliers"].strip()
    checks.run("topics (text): an 'outliers' line and the labels line over the assigned documents", text_report)

    def min_weight():
        out = env.fresh_dir("min-weight")
        w_csv = os.path.join(out, "W.csv")
        j = run_json(env, "topics", EMBEDDED, *FOUR, "-k", "6", "--min-topic-weight", "0.05", "--doc-topics", w_csv)
        _, labels, dominant, W = read_doc_topics(w_csv, 6)
        want = expected_assignment(W, 0.05)
        if not np.array_equal(dominant, want):
            raise AssertionError("dominant_topic is not -1 exactly where all weights are below 0.05")
        n = int((want == -1).sum())
        if j["unassigned_documents"] != n or not 60 < n < 2034:
            raise AssertionError(f"unassigned {j['unassigned_documents']}, expected {n} (more than the 60 empty)")
        keep = dominant >= 0
        nmi, ari = sk_scores(np.array(labels)[keep], dominant[keep])
        if abs(j["labels"]["nmi"] - nmi) > EXACT or abs(j["labels"]["ari"] - ari) > EXACT:
            raise AssertionError(f"NMI/ARI {j['labels']['nmi']}/{j['labels']['ari']} vs {nmi}/{ari}")
        if sum(j["topic_sizes"]) + n != 2034 or j["min_topic_weight"] != 0.05:
            raise AssertionError(f"sizes {j['topic_sizes']} + {n} != 2034, or min_topic_weight {j['min_topic_weight']}")
        return f"{n} unassigned with --min-topic-weight 0.05; NMI {nmi:.4f}"
    checks.run("--min-topic-weight 0.05: topic -1 where the largest weight is below it; NMI/ARI == scikit-learn",
               min_weight)

    def bad_min_weight():
        for value in ("-0.1", "nan", "inf"):
            p = env.run("topics", EMBEDDED, *FOUR, "-k", "2", "--min-topic-weight", value)
            expect_error(p, 2, ["min-topic-weight"])
        return "-0.1, nan, inf: exit 2 naming the option"
    checks.run("--min-topic-weight -0.1 / nan / inf: exit 2", bad_min_weight)

    def few_documents():
        found = []
        for k in (6, 10):
            if k == 6:
                j = state["four"][0]
            else:
                j = run_json(env, "topics", EMBEDDED, *FOUR, "-k", str(k))
            signature = [t for t, topic in enumerate(j["topics"]) if "bobbe" in [w for w, _ in topic["top"][:5]]]
            if len(signature) != 1:
                raise AssertionError(f"k = {k}: no single topic with 'bobbe' in its top 5 words")
            s = signature[0]
            threshold = j["few_documents_threshold"]
            if threshold != max(5, int(np.ceil(0.01 * 2034))):
                raise AssertionError(f"threshold {threshold}")
            flagged = [t for t, topic in enumerate(j["topics"]) if topic["few_documents"]]
            if s not in flagged:
                raise AssertionError(f"k = {k}: the signature topic {s} is not flagged: {j['topics'][s]}")
            big = [t for t, size in enumerate(j["topic_sizes"]) if size >= 100]
            if set(big) & set(flagged) or len(big) < 3:
                raise AssertionError(f"k = {k}: large topics {big} flagged ({flagged})")
            for topic in j["topics"]:
                if topic["few_documents"] != (topic["half_weight_documents"] < threshold):
                    raise AssertionError(f"k = {k}: few_documents disagrees with the measure: {topic}")
            found.append(f"k={k}: topic {s} ({j['topics'][s]['half_weight_documents']} documents hold half its "
                         f"weight, flagged {flagged})")
        # The measure itself, recomputed from W.
        j, _, _, _, W, _ = state["four"]
        for t in range(6):
            col = np.abs(W[:, t])
            p = col / col.sum()
            eff = np.exp(-(p[p > 0] * np.log(p[p > 0])).sum())
            half = int(np.searchsorted(np.cumsum(np.sort(col)[::-1]), 0.5 * col.sum() * (1 - 1e-12))) + 1
            topic = j["topics"][t]
            if topic["half_weight_documents"] != half or abs(topic["effective_documents"] - eff) > 1e-6 * eff:
                raise AssertionError(f"topic {t}: {topic['half_weight_documents']}, {topic['effective_documents']} "
                                     f"vs numpy {half}, {eff}")
        p = env.run("topics", EMBEDDED, *FOUR, "-k", "6")
        expect_ok(p)
        marked = [line for line in p.stdout.splitlines() if "[few documents:" in line]
        if len(marked) != 1 or "bobbe" not in marked[0]:
            raise AssertionError(f"the table marks {marked}, expected only the 'bobbe' topic")
        return "; ".join(found)
    checks.run("few documents: the signature topic (bobbe) is flagged at k = 6 and 10, the large topics are not; "
               "the measure == numpy on W", few_documents)

    def csv_vs_w():
        out = env.fresh_dir("nmf-w")
        w_npy, w_csv, n_csv = (os.path.join(out, n) for n in ("W.npy", "W.csv", "N.csv"))
        run_json(env, "nmf", EMBEDDED, *FOUR, "-k", "6", "--w", w_npy, "--doc-topics", w_csv)
        run_json(env, "nmf", EMBEDDED, *FOUR, "-k", "6", "--doc-topics", n_csv, "--normalize")
        W = np.load(w_npy)
        ids, labels, dominant, V = read_doc_topics(w_csv, 6)
        if V.shape != W.shape or not np.array_equal(V, W):
            raise AssertionError(f"CSV weights differ from --w by {np.abs(V - W).max()}")
        if not np.array_equal(dominant, expected_assignment(W)):
            raise AssertionError("dominant_topic is not argmax of W (-1 on all-zero rows)")
        docs = state["four"][5]
        if ids != docs.ids or labels != docs.labels:
            raise AssertionError("ids/labels are not the documents'")
        ids2, _, dominant2, P = read_doc_topics(n_csv, 6)
        sums = P.sum(axis=1)
        zero = ~(W != 0).any(axis=1)
        if np.abs(sums[~zero] - 1).max() > 1e-12 or (P[zero] != 0).any() or (dominant2[zero] != -1).any():
            raise AssertionError(f"--normalize rows sum to {sums.min()}..{sums.max()}, or zero rows changed")
        want = W[~zero] / W[~zero].sum(axis=1, keepdims=True)
        if np.abs(P[~zero] - want).max() > 1e-15 or not np.array_equal(dominant2, dominant) or ids2 != ids:
            raise AssertionError("--normalize is not W divided by its row sums, or the topics changed")
        return f"{W.shape}: weights == W.npy; --normalize rows sum to 1 within {np.abs(sums[~zero] - 1).max():.1e}"
    checks.run("nmf --doc-topics: id, label, dominant, weights == --w; --normalize: proportions", csv_vs_w)

    def quoting():
        folder = env.fresh_dir("quoted")
        odd = os.path.join(folder, 'sci,space "x"')
        os.makedirs(odd)
        os.makedirs(os.path.join(folder, "plain"))
        texts = {os.path.join(odd, 'doc,1 "q".txt'): "rocket launch orbit nasa shuttle rocket\n",
                 os.path.join(odd, "b.txt"): "orbit moon rocket nasa\n",
                 os.path.join(folder, "plain", "a.txt"): "graphics image file format\n",
                 os.path.join(folder, "plain", "c.txt"): "image jpeg gif file graphics\n",
                 os.path.join(folder, "plain", "empty.txt"): "the and of\n"}
        for path, text in texts.items():
            with open(path, "w") as f:
                f.write(text)
        w_csv = os.path.join(env.fresh_dir("quoted-out"), "W.csv")
        j = run_json(env, "topics", folder, "-k", "2", "--doc-topics", w_csv, "--normalize")
        ids, labels, dominant, P = read_doc_topics(w_csv, 2)
        if 'sci,space "x"/doc,1 "q".txt' not in ids or labels.count('sci,space "x"') != 2:
            raise AssertionError(f"ids {ids}, labels {labels}")
        empty = ids.index("plain/empty.txt")
        if dominant[empty] != -1 or (P[empty] != 0).any() or j["unassigned_documents"] != 1:
            raise AssertionError(f"the empty document: topic {dominant[empty]}, {P[empty]}, {j['unassigned_documents']}")
        with open(w_csv, encoding="utf-8") as f:
            raw = f.read()
        if '"sci,space ""x""/doc,1 ""q"".txt","sci,space ""x"""' not in raw:
            raise AssertionError(f"not RFC 4180 quoting:\n{raw}")
        return f"{len(ids)} rows read back by csv: {ids}"
    checks.run("--doc-topics quotes ids and labels holding commas and quotes (RFC 4180); an empty file is -1",
               quoting)

    def mtx_and_transform():
        out = env.fresh_dir("mtx")
        # 4 x 3, row 3 empty.
        small = write_mtx(os.path.join(out, "small.mtx"), (4, 3),
                          [(1, 1, 1.0), (1, 2, 0.25), (2, 2, 2.0), (2, 3, 1.0), (4, 1, 0.5), (4, 3, 3.0)])
        vocab = os.path.join(out, "vocab.txt")
        with open(vocab, "w") as f:
            f.write("alpha\nbeta\ngamma\n")
        w_csv = os.path.join(out, "W.csv")
        j = run_json(env, "topics", small, "--vocabulary", vocab, "-k", "2", "--doc-topics", w_csv)
        ids, labels, on_mtx, _ = read_doc_topics(w_csv, 2)
        if j["unassigned_documents"] != 1 or on_mtx[2] != -1 or (on_mtx[[0, 1, 3]] < 0).any():
            raise AssertionError(f".mtx: unassigned {j['unassigned_documents']}, dominant {on_mtx}")
        if ids != [f"row {i}" for i in range(1, 5)] or labels != [""] * 4 or j["labels"] is not None:
            raise AssertionError(f".mtx: ids {ids}, labels {labels}")
        p = env.run("topics", small, "--vocabulary", vocab, "-k", "2", "--method", "svd", "--normalize",
                    "--doc-topics", w_csv)
        expect_error(p, 2, ["--normalize"])
        p = env.run("topics", small, "--vocabulary", vocab, "-k", "2", "--normalize")
        expect_error(p, 2, ["--normalize", "--doc-topics"])

        model = os.path.join(out, "m.ftm")
        expect_ok(env.run("fit", EMBEDDED, *FOUR, "-k", "6", "-o", model))
        lines = os.path.join(out, "docs.txt")
        with open(lines, "w") as f:
            f.write("the space shuttle launch to orbit\nzzqx wwvq qqqz\n\nthe god of the bible\n")
        t_csv = os.path.join(out, "T.csv")
        j = run_json(env, "transform", model, lines, "--format", "lines", "--doc-topics", t_csv, "--normalize")
        _, _, dominant, P = read_doc_topics(t_csv, 6)
        if j["unassigned_documents"] != 2 or sum(j["topic_sizes"]) != 2 or list(dominant[[1, 2]]) != [-1, -1]:
            raise AssertionError(f"transform: unassigned {j['unassigned_documents']}, sizes {j['topic_sizes']}, "
                                 f"dominant {dominant}")
        if np.abs(P[[0, 3]].sum(axis=1) - 1).max() > 1e-12 or (P[[1, 2]] != 0).any():
            raise AssertionError(f"transform --normalize: {P}")
        p = env.run("transform", model, lines, "--format", "lines")
        expect_ok(p)
        if "outliers   2 documents with no topic" not in p.stdout:
            raise AssertionError(f"transform's text has no outliers line:\n{p.stdout[:600]}")
        return f".mtx: dominant {list(on_mtx)}; transform: dominant {list(dominant)}"
    checks.run(".mtx with an empty row, and transform of unknown-word and empty lines: topic -1; svd --normalize "
               "is exit 2", mtx_and_transform)

    def report_page():
        out = env.fresh_dir("report")
        page = os.path.join(out, "r.html")
        # A regression: the document map indexed the topics by -1 and crashed (SIGSEGV).
        p = env.run("report", EMBEDDED, *FOUR, "-k", "6", "-o", page)
        expect_ok(p)
        with open(page, encoding="utf-8") as f:
            html = f.read()
        none, line = html.count('"topic":"none"'), html.count("60 documents with no topic")
        if none != 60 or line != 1:
            raise AssertionError(f"{none} map points of topic 'none' (expected 60), outliers line {line} times")
        return "the map draws the 60 empty documents as topic 'none'; the summary has the outliers line"
    checks.run("report of the 4 categories: unassigned documents on the map as 'none', the outliers line", report_page)

    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
