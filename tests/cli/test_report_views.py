#!/usr/bin/python3
"""`factopic report`'s topic views: the numbers the page embeds, recomputed here from factopic's
own outputs, and the interactions, driven in headless Chromium.

    /usr/bin/python3 tests/cli/test_report_views.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-report-views

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1 if anything failed.

The 4-category corpus (NMF, k = 6) is reported (with --doc-topics W.csv), fitted (`fit -o
m.ftm`, the same H: the model file's layout is documented in model.hpp) and vectorized (`vectorize
--weighting tfidf`, the same matrix). Against those:
  1) the intertopic map: prevalence = W's column sums over their total; distances =
     scipy.spatial.distance.jensenshannon of H's rows; positions = the classical scaling of those
     distances (numpy's eigh), equal up to each axis's sign;
  2) relevance: every embedded term's log p(w|t) and log lift; at λ = 0, 0.6 and 1 the 30 most
     relevant terms of every topic (recomputed over the whole vocabulary) are among those embedded;
  3) interaction in Chromium (a script appended to a copy of the page, then --dump-dom): a click on
     a topic's circle selects it, the slider at 0 and then 1 reorders its bars exactly as the
     formula ranks the terms, and a click on a row of the topic table selects that topic; the page
     fetched nothing (the Resource Timing list is empty);
  4) representative documents: per topic the 3 documents of largest weight in W.csv;
  5) topic similarity: the cosine of H's rows;
  6) the palette: neighbouring colours at least 25 apart (CIE76 ΔE in Lab), for 6, 14 and 30 topics;
A crafted folder corpus (150 labels as sub-folders, texts with odd spacing, accents, > 200
characters):
  7) the topic × label heat map: 49 largest labels + one "others" row, in a scrolling box; every
     row's shares = the mean of its documents' normalised W rows; rows grouped by main topic;
  8) snippets: each representative document's first 200 characters, whitespace collapsed, cut
     with "…"; the page renders in Chromium without errors and loads nothing from outside;
  9) topics over time (a JSON Lines corpus with --date-field: years, a numeric year, missing and
     unreadable dates): per year the mean normalised W row; --date-field on a folder, or given to
     topics (which has no use for it), is refused;
 10) SVD and .mtx inputs: the views that do not apply are left out with a note saying why.
"""

import csv
import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys

import numpy as np
import scipy.io
from scipy.spatial.distance import jensenshannon

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]
from harness import finish  # noqa: E402
from test_cli import start_cli_script, expect_ok  # noqa: E402
from test_report import CHROME_TIMEOUT, assert_offline, assert_rendered, chrome_args, render, specs_of  # noqa: E402
from test_svd_cli import run_json  # noqa: E402

FOUR = ["--subset", "train", "--categories", "alt.atheism,talk.religion.misc,comp.graphics,sci.space",
        "--remove", "headers,footers,quotes"]
TWO = ["--subset", "test", "--categories", "sci.space,comp.graphics", "--remove", "headers,footers,quotes"]
BARS = 30
SNIPPET = 200


def read_model(path):
    """(vocabulary, H) of a .ftm file (layout in include/factopic/model/model.hpp)."""
    with open(path, "rb") as f:
        b = f.read()
    if b[:8] != b"\x89FTM\r\n\x1a\n":
        raise AssertionError(f"{path}: not a factopic model")
    pos = 24

    def u64():
        nonlocal pos
        v = struct.unpack_from("<Q", b, pos)[0]
        pos += 8
        return v

    def string():
        nonlocal pos
        n = u64()
        s = b[pos:pos + n].decode("utf-8")
        pos += n
        return s
    string()  # header JSON
    vocabulary = [string() for _ in range(u64())]
    for _ in range(u64()):
        string()  # stop words
    n_idf = u64()  # (pos += 8 * u64() would add to pos as it was before the call)
    pos += 8 * n_idf
    k, n = u64(), u64()
    h = np.frombuffer(b, dtype="<f8", count=k * n, offset=pos).reshape(k, n)
    return vocabulary, h


def read_doc_topics(path):
    """(ids, W) of a --doc-topics CSV: the id column and the topic_N columns, whatever else it holds."""
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    head = rows[0]
    cols = [i for i, c in enumerate(head) if re.fullmatch(r"topic_\d+", c)]
    idc = head.index("document") if "document" in head else head.index("id")
    return [r[idc] for r in rows[1:]], np.array([[float(r[i]) for i in cols] for r in rows[1:]])


def classical_mds(d, dims=2):
    k = d.shape[0]
    j = np.eye(k) - np.ones((k, k)) / k
    b = -0.5 * j @ (d ** 2) @ j
    lam, v = np.linalg.eigh(b)
    order = np.argsort(lam)[::-1][:dims]
    return v[:, order] * np.sqrt(np.maximum(lam[order], 0))


def same_up_to_sign(a, b, tol):
    for c in range(a.shape[1]):
        if not (np.allclose(a[:, c], b[:, c], atol=tol) or np.allclose(a[:, c], -b[:, c], atol=tol)):
            return False
    return True


def lab(hexes):
    rgb = np.array([[int(h[i:i + 2], 16) / 255 for i in (1, 3, 5)] for h in hexes])
    lin = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    m = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                  [0.0193339, 0.1191920, 0.9503041]])
    xyz = lin @ m.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack([116 * f[:, 1] - 16, 500 * (f[:, 0] - f[:, 1]), 200 * (f[:, 1] - f[:, 2])], 1)


def palette_of(specs):
    return specs["chart-sizes"]["encoding"]["color"]["scale"]["range"]


def check_palette(colors, k):
    if len(colors) != k or len(set(colors)) != k:
        raise AssertionError(f"{len(colors)} colours ({len(set(colors))} distinct) for {k} topics")
    L = lab(colors)
    near = min(np.linalg.norm(L[i] - L[i + 1]) for i in range(k - 1))
    if near < 25:
        raise AssertionError(f"neighbouring colours only ΔE {near:.1f} apart: {colors}")
    return near


def python_snippet(text, n=SNIPPET):
    flat = " ".join(w for w in re.split(r"[ \t\n\r\f\v]+", text) if w)
    return flat if len(flat) <= n else flat[:n - 1].rstrip(" ") + "\u2026"


def relevance_table(h, x_colsum, lam):
    """k × n relevance (−inf where p(w|t) or p(w) is 0)."""
    p = h / h.sum(axis=1, keepdims=True)
    pw = x_colsum / x_colsum.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        r = lam * np.log(p) + (1 - lam) * np.log(p / pw)
    r[(p <= 0) | (pw[None, :] <= 0)] = -np.inf
    return r


INJECT = r"""
(function () {
  function record(x) { document.body.setAttribute("data-test", JSON.stringify(x)); }
  function wait(cond, then) {
    var n = 0;
    (function poll() { if (cond()) then(); else if (n++ < 400) setTimeout(poll, 25); else record({error: "timeout"}); })();
  }
  function bars() {
    var axes = document.querySelectorAll("#chart-relevance .role-axis");
    for (var i = 0; i < axes.length; i++)
      if ((axes[i].getAttribute("aria-label") || "").indexOf("Y-axis") === 0)
        return Array.prototype.map.call(axes[i].querySelectorAll(".role-axis-label text"), function (t) { return t.textContent; });
    return null;
  }
  function title() { return document.querySelector("#chart-relevance .role-title-text").textContent; }
  function slide(v) {
    var input = document.querySelector("#chart-relevance input[type=range]");
    input.value = String(v);
    input.dispatchEvent(new Event("input", {bubbles: true}));
  }
  var out = {};
  wait(function () { return document.body.hasAttribute("data-rendered"); }, function () {
    // The circle Vega drew for the topic: its SVG element carries the scene item.
    var circles = Array.prototype.filter.call(document.querySelectorAll("#chart-intertopic path"), function (el) {
      return el.__data__ && el.__data__.mark && el.__data__.mark.marktype === "symbol" && el.__data__.datum.topic === CLICK;
    });
    out.circles = circles.length;
    out.start = bars();
    out.startTitle = title();
    if (!circles.length) return record(out);
    circles[0].dispatchEvent(new MouseEvent("click", {bubbles: true, cancelable: true, view: window}));
    wait(function () { return document.body.getAttribute("data-selected") === String(CLICK); }, function () {
      setTimeout(function () {
        out.clicked = bars();
        out.clickedTitle = title();
        slide(0);
        setTimeout(function () {
          out.lambda0 = bars();
          out.lambda0Title = title();
          slide(1);
          setTimeout(function () {
            out.lambda1 = bars();
            out.lambda1Title = title();
            document.querySelector('tr.pick[data-topic="ROW"]').dispatchEvent(new MouseEvent("click", {bubbles: true}));
            wait(function () { return document.body.getAttribute("data-selected") === "ROW"; }, function () {
              setTimeout(function () {
                out.row = bars();
                out.rowTitle = title();
                out.rowMarked = Array.prototype.map.call(document.querySelectorAll("tr.pick.selected"),
                                                         function (r) { return r.getAttribute("data-topic"); });
                // Everything the page fetched, clicks included (the dead proxy would fail them anyway).
                out.resources = performance.getEntriesByType("resource").map(function (e) { return e.name; });
                record(out);
              }, 100);
            });
          }, 200);
        }, 200);
      }, 100);
    });
  });
})();
"""


def main():
    args, env, checks, workdir, t0 = start_cli_script(__doc__, "report-views-")
    out = env.fresh_dir("pages")
    k = 6
    page_html, w_csv, model = (os.path.join(out, n) for n in ("nmf.html", "W.csv", "m.ftm"))
    mtx, vocab_txt = os.path.join(out, "X.mtx"), os.path.join(out, "vocab.txt")
    expect_ok(env.run("report", env.data, *FOUR, "-k", str(k), "-o", page_html, "--doc-topics", w_csv))
    expect_ok(env.run("fit", env.data, *FOUR, "-k", str(k), "-o", model))
    expect_ok(env.run("vectorize", env.data, *FOUR, "--weighting", "tfidf", "-o", mtx, "--vocab", vocab_txt))
    text, specs = specs_of(page_html)
    vocabulary, h = read_model(model)
    ids, w = read_doc_topics(w_csv)
    x = scipy.io.mmread(mtx).tocsr()
    with open(vocab_txt, encoding="utf-8") as f:
        x_vocab = f.read().split("\n")[:x.shape[1]]
    if x_vocab != vocabulary:
        raise SystemExit("vectorize and fit disagree on the vocabulary: the test cannot recompute p(w)")
    colsum = np.asarray(x.sum(axis=0)).ravel()
    term_index = {t: j for j, t in enumerate(vocabulary)}

    def intertopic():
        values = sorted(specs["chart-intertopic"]["data"]["values"], key=lambda v: v["topic"])
        if [v["topic"] for v in values] != list(range(k)):
            raise AssertionError(f"topics {[v['topic'] for v in values]}")
        prevalence = np.array([v["prevalence"] for v in values])
        want = w.sum(axis=0) / w.sum()
        if not np.allclose(prevalence, want, rtol=1e-9, atol=1e-12):
            raise AssertionError(f"prevalence {prevalence} vs W's column shares {want}")
        p = h / h.sum(axis=1, keepdims=True)
        d = np.array([[jensenshannon(p[s], p[t]) if s != t else 0.0 for t in range(k)] for s in range(k)])
        embedded = np.array([v["distances"] for v in values])
        if not np.allclose(embedded, d, rtol=1e-12, atol=1e-14):
            raise AssertionError(f"embedded distances differ from scipy's by {np.abs(embedded - d).max()}")
        got = np.array([[v["x"], v["y"]] for v in values])
        want_xy = classical_mds(d)
        if not same_up_to_sign(got, want_xy, 1e-9):
            raise AssertionError(f"positions {got.tolist()} vs classical scaling {want_xy.tolist()}")
        # The positions' own distances approximate the JS distances (2 of k − 1 dimensions).
        return (f"prevalence {np.round(prevalence, 3).tolist()}; distances = scipy's (max {d.max():.3f}); "
                f"positions = their classical MDS up to sign")
    checks.run("intertopic map: prevalence = W shares, distances = scipy JS of H's rows, positions = their MDS",
               intertopic)

    def distances_embedded():
        # Independent of eigenvector signs and of ties between eigenvalues' vectors: the positions'
        # Gram matrix X Xᵀ is the rank-2 part of B = −½ J D² J.
        p = h / h.sum(axis=1, keepdims=True)
        d = np.array([[jensenshannon(p[s], p[t]) if s != t else 0.0 for t in range(k)] for s in range(k)])
        values = sorted(specs["chart-intertopic"]["data"]["values"], key=lambda v: v["topic"])
        xy = np.array([[v["x"], v["y"]] for v in values])
        j = np.eye(k) - np.ones((k, k)) / k
        lam, v = np.linalg.eigh(-0.5 * j @ (d ** 2) @ j)
        top = v[:, -2:] @ np.diag(lam[-2:]) @ v[:, -2:].T
        if not np.allclose(xy @ xy.T, top, atol=1e-10):
            raise AssertionError("X Xᵀ is not the rank-2 part of the double-centred squared JS distances")
        return f"eigenvalues used {np.round(lam[-2:][::-1], 5).tolist()}, dropped {np.round(lam[:-2][::-1], 5).tolist()}"
    checks.run("intertopic map: X Xᵀ = rank-2 part of −½ J D² J (D: scipy JS distances of H's rows)",
               distances_embedded)

    rel = specs["chart-relevance"]["data"]["values"]

    def relevance_data():
        p = h / h.sum(axis=1, keepdims=True)
        pw = colsum / colsum.sum()
        worst = 0.0
        for v in rel:
            t, j = v["topic"], term_index[v["term"]]
            worst = max(worst, abs(v["log_p"] - np.log(p[t, j])), abs(v["log_lift"] - np.log(p[t, j] / pw[j])))
            if not (v["in_topic"] <= v["corpus"] * (1 + 1e-12)) or abs(v["corpus"] - colsum[j]) > 1e-9 * colsum[j]:
                raise AssertionError(f"bars of {v['term']}: in topic {v['in_topic']}, corpus {v['corpus']} vs {colsum[j]}")
        if worst > 1e-9:
            raise AssertionError(f"log p / log lift differ by {worst}")
        for lam in (0.0, 0.6, 1.0):
            r = relevance_table(h, colsum, lam)
            for t in range(k):
                have = {v["term"] for v in rel if v["topic"] == t}
                top = np.argsort(-r[t], kind="stable")[:BARS]
                cutoff = r[t, top[-1]]
                # Terms tied (to rounding) with the 30th may stand either way.
                missing = [vocabulary[j] for j in top if vocabulary[j] not in have and r[t, j] > cutoff + 1e-9]
                if missing:
                    raise AssertionError(f"λ = {lam}, topic {t}: top terms not embedded: {missing[:5]}")
        return f"{len(rel)} candidate terms for {k} topics; log p, log lift within {worst:.1e}"
    checks.run("relevance: embedded log p(w|t), log lift equal H and X's; the top 30 at λ = 0, 0.6, 1 are embedded",
               relevance_data)

    def interaction():
        page = os.path.join(out, "interact.html")
        click, row = 2, 4
        script = INJECT.replace("CLICK", str(click)).replace("ROW", str(row))
        i = text.rindex("</body>")
        with open(page, "w", encoding="utf-8") as f:
            f.write(text[:i] + "<script>" + script + "</script>\n" + text[i:])
        profile = env.fresh_dir("chrome-interact")
        p = subprocess.run(chrome_args(profile) + ["--dump-dom", "file://" + os.path.abspath(page)],
                           capture_output=True, text=True, timeout=CHROME_TIMEOUT, stdin=subprocess.DEVNULL)
        shutil.rmtree(profile, ignore_errors=True)
        body = re.findall(r"<body([^>]*)>", p.stdout)[-1] if "<body" in p.stdout else ""
        m = re.search(r'data-test="([^"]*)"', body)
        if not m:
            raise AssertionError(f"the scripted session did not finish: {body[:300]} {p.stderr[-300:]}")
        got = json.loads(m.group(1).replace("&quot;", '"').replace("&amp;", "&"))
        errors = re.search(r'data-errors="([^"]*)"', body)
        if errors and json.loads(errors.group(1).replace("&quot;", '"')):
            raise AssertionError(f"errors on the page: {errors.group(1)[:300]}")
        if got.get("circles") != 1:
            raise AssertionError(f"found {got.get('circles')} circles for topic {click}")

        def check_order(terms, t, lam):
            r = relevance_table(h, colsum, lam)[t]
            vals = [r[term_index[s]] for s in terms]
            if len(terms) != BARS:
                raise AssertionError(f"λ = {lam}: {len(terms)} bars")
            if any(b > a + 1e-9 for a, b in zip(vals, vals[1:])):
                raise AssertionError(f"λ = {lam}, topic {t}: bars not in relevance order: {terms}")
            rest = np.delete(r, [term_index[s] for s in terms])
            if rest.max() > vals[-1] + 1e-9:
                raise AssertionError(f"λ = {lam}, topic {t}: {vocabulary[int(np.argmax(np.where(np.isin(np.arange(len(r)), [term_index[s] for s in terms]), -np.inf, r)))]} "
                                     f"outranks the last bar")
        check_order(got["start"], 0, 0.6)
        check_order(got["clicked"], click, 0.6)
        check_order(got["lambda0"], click, 0.0)
        check_order(got["lambda1"], click, 1.0)
        check_order(got["row"], row, 1.0)
        if got["lambda0"] == got["lambda1"] or got["clicked"] == got["start"]:
            raise AssertionError("the bars did not change")
        if not got["lambda0Title"].startswith(f"Topic {click}:") or "λ = 0.00" not in got["lambda0Title"] \
                or "λ = 1.00" not in got["lambda1Title"] or not got["rowTitle"].startswith(f"Topic {row}:"):
            raise AssertionError(f"titles {got['lambda0Title']!r}, {got['lambda1Title']!r}, {got['rowTitle']!r}")
        if got["rowMarked"] != [str(row)]:
            raise AssertionError(f"table rows marked {got['rowMarked']}")
        if got["resources"]:
            raise AssertionError(f"the page fetched {got['resources'][:3]}")
        return (f"click topic {click}: {got['clicked'][:3]}; λ=0: {got['lambda0'][:3]}; λ=1: {got['lambda1'][:3]}; "
                f"row {row}: {got['row'][:3]}")
    checks.run("Chromium: click a circle, slider to 0 then 1, click a table row: bars follow the relevance formula",
               interaction)

    def representative():
        found = re.findall(r'<div class="topic-docs" data-topic="(\d+)">(.*?)</div>', text, re.S)
        if len(found) != k:
            raise AssertionError(f"{len(found)} topic blocks")
        for t, block in found:
            t = int(t)
            got = re.findall(r'<li data-doc="([^"]*)" data-weight="([^"]*)">', block)
            order = sorted(range(len(ids)), key=lambda i: (-w[i, t], i))[:3]
            want = [ids[i] for i in order]
            if [g for g, _ in got] != want:
                raise AssertionError(f"topic {t}: {[g for g, _ in got]} vs W.csv's {want}")
            if any(abs(float(x) - w[i, t]) > 1e-12 * max(1, w[i, t]) for (_, x), i in zip(got, order)):
                raise AssertionError(f"topic {t}: weights {got}")
            for s in re.findall(r'<span class="snippet">(.*?)</span>', block, re.S):
                if not s or len(html.unescape(s)) > SNIPPET:
                    raise AssertionError(f"topic {t}: snippet of {len(s)} characters")
        return f"{k} × 3 documents as W.csv ranks them"
    checks.run("representative documents: the 3 of largest weight per topic (W.csv), snippets ≤ 200 characters",
               representative)

    def similarity():
        values = specs["chart-similarity"]["data"]["values"]
        hn = h / np.linalg.norm(h, axis=1, keepdims=True)
        want = hn @ hn.T
        got = np.zeros((k, k))
        for v in values:
            got[v["a"], v["b"]] = v["cosine"]
        if not np.allclose(got, want, atol=1e-12):
            raise AssertionError(f"cosines differ by {np.abs(got - want).max()}")
        off = want[~np.eye(k, dtype=bool)]
        model_page = os.path.join(out, "model.html")
        expect_ok(env.run("report", model, "-o", model_page))
        from_model = np.zeros((k, k))
        for v in specs_of(model_page)[1]["chart-similarity"]["data"]["values"]:
            from_model[v["a"], v["b"]] = v["cosine"]
        if not np.allclose(from_model, want, atol=1e-12):
            raise AssertionError(f"the model report's cosines differ by {np.abs(from_model - want).max()}")
        return f"cosine of H's rows, in the corpus and the model report; off-diagonal {off.min():.3f} … {off.max():.3f}"
    checks.run("topic similarity heat map: cosine of H's rows (report CORPUS and report m.ftm)", similarity)

    def palettes():
        found = [f"k={k}: ΔE ≥ {check_palette(palette_of(specs), k):.0f}"]
        if specs["chart-intertopic"]["layer"][0]["encoding"]["color"]["scale"]["range"] != palette_of(specs):
            raise AssertionError("the map and the sizes chart colour topics differently")
        for kk in (14, 30):
            page = os.path.join(out, f"k{kk}.html")
            expect_ok(env.run("report", env.data, *TWO, "-k", str(kk), "--max-iter", "20", "-o", page))
            found.append(f"k={kk}: ΔE ≥ {check_palette(palette_of(specs_of(page)[1]), kk):.0f}")
        return "; ".join(found)
    checks.run("palette: distinct colours, neighbours ≥ 25 ΔE (CIE76) apart, for 6, 14 and 30 topics", palettes)

    # A crafted corpus: 150 labels (sub-folders), 5 themes, texts that test the snippets.
    themes = [["orbit", "rocket", "launch", "satellite", "lunar", "payload"],
              ["pixel", "shader", "render", "texture", "polygon", "bitmap"],
              ["violin", "sonata", "tempo", "chord", "melody", "orchestra"],
              ["wheat", "harvest", "tractor", "barley", "irrigation", "soil"],
              ["glacier", "moraine", "crevasse", "icefield", "firn", "serac"]]
    corpus = env.fresh_dir("labels")
    texts = {}
    rng = np.random.default_rng(7)
    for lab_i in range(150):
        folder = os.path.join(corpus, f"label{lab_i:03d}")
        os.makedirs(folder)
        theme = themes[lab_i % 5]
        for d in range(1 + lab_i % 4):
            words = [theme[int(i)] for i in rng.integers(0, 6, 60)]
            body = "  \n\n  Café “" + words[0] + "”\t\t" + " ".join(words[1:20]) + "\n\n" + " ".join(words[20:]) + "\n"
            name = f"doc{d}.txt"
            with open(os.path.join(folder, name), "w", encoding="utf-8") as f:
                f.write(body)
            texts[f"label{lab_i:03d}/{name}"] = body
    labels_html, labels_w = os.path.join(out, "labels.html"), os.path.join(out, "labels.csv")
    expect_ok(env.run("report", corpus, "-k", "5", "-o", labels_html, "--doc-topics", labels_w))
    ltext, lspecs = specs_of(labels_html)
    lids, lw = read_doc_topics(labels_w)

    def label_of(doc_id):
        parts = doc_id.replace("\\", "/").split("/")
        return parts[-2]

    def many_labels():
        values = lspecs["chart-labels"]["data"]["values"]
        rows = lspecs["chart-labels"]["encoding"]["y"]["sort"]
        if len(rows) != 50 or not rows[-1].startswith("(others: 101 labels)"):
            raise AssertionError(f"{len(rows)} rows, last {rows[-1]!r}")
        labels = [label_of(i) for i in lids]
        sizes = {}
        for lab_ in labels:
            sizes[lab_] = sizes.get(lab_, 0) + 1
        kept = sorted(sizes, key=lambda s: (-sizes[s], s))[:49]
        if sorted(rows[:-1]) != sorted(kept):
            raise AssertionError(f"kept {sorted(rows[:-1])[:5]}… vs the 49 largest {sorted(kept)[:5]}…")
        props = lw / lw.sum(axis=1, keepdims=True)
        share = {}
        for v in values:
            share.setdefault(v["group"], np.zeros(5))[v["topic"]] = v["share"]
        for g in rows:
            members = [i for i, lab_ in enumerate(labels) if (lab_ == g if g in kept else lab_ not in kept)]
            want = props[members].mean(axis=0)
            if not np.allclose(share[g], want, atol=1e-12):
                raise AssertionError(f"row {g}: {share[g]} vs {want}")
        mains = [int(np.argmax(share[g])) for g in rows[:-1]]
        if mains != sorted(mains):
            raise AssertionError(f"rows not grouped by main topic: {mains}")
        if not re.search(r'<div class="scroll"><div class="chart" id="chart-labels">', ltext):
            raise AssertionError("the heat map is not in a scrolling box")
        return f"50 rows (49 largest labels + others of 101), shares = mean normalised W rows, grouped by topic"
    checks.run("150 labels: the heat map keeps 49 + others, per-label shares from W, grouped, scrollable", many_labels)

    def snippets():
        found = re.findall(r'<li data-doc="([^"]*)"[^>]*>.*?<span class="snippet">(.*?)</span></li>', ltext, re.S)
        if len(found) != 15:
            raise AssertionError(f"{len(found)} representative documents, expected 15")
        for doc_id, s in found:
            key = "/".join(doc_id.replace("\\", "/").split("/")[-2:])
            want = python_snippet(texts[key])
            got = html.unescape(s)
            if got != want:
                raise AssertionError(f"{doc_id}: {got!r} vs {want!r}")
        attrs, dom, console = render(env, labels_html)
        assert_rendered(attrs, dom, console, sorted(lspecs))
        assert_offline(ltext)
        return f"15 snippets equal; example {found[0][1][:40]!r}…; renders offline"
    checks.run("snippets: whitespace collapsed, cut to 200 characters with …; the page renders offline", snippets)

    def over_time():
        d = env.fresh_dir("dated")
        corpus_path, page, wpath = (os.path.join(d, n) for n in ("dated.jsonl", "dated.html", "W.csv"))
        themes3 = themes[:3]
        dates = []
        with open(corpus_path, "w", encoding="utf-8") as f:
            for i in range(300):
                year = 2018 + i % 5
                theme = themes3[(i + year) % 3] if i % 4 else themes3[0]
                rec = {"text": " ".join(theme[int(j)] for j in rng.integers(0, 6, 40))}
                if i % 17 == 0:
                    dates.append("")  # no member: kept, without a date
                elif i % 23 == 0:
                    rec["date"] = None  # null: kept, without a date
                    dates.append("")
                elif i % 2:
                    rec["date"] = f"{year}-{1 + i % 12:02d}-{1 + i % 28:02d}"
                    dates.append(str(year))
                else:
                    rec["date"] = year  # a bare year, as a number
                    dates.append(str(year))
                f.write(json.dumps(rec) + "\n")
        expect_ok(env.run("report", corpus_path, "--date-field", "date", "-k", "3", "-o", page, "--doc-topics", wpath))
        ttext, tspecs = specs_of(page)
        _, tw = read_doc_topics(wpath)
        props = tw / tw.sum(axis=1, keepdims=True)
        got = {}
        for v in tspecs["chart-time"]["data"]["values"]:
            got.setdefault(v["period"], np.zeros(3))[v["topic"]] = v["share"]
        years = sorted({y for y in dates if y})
        if sorted(got) != years:
            raise AssertionError(f"periods {sorted(got)} vs {years}")
        for y in years:
            want = props[[i for i, yy in enumerate(dates) if yy == y]].mean(axis=0)
            if not np.allclose(got[y], want, atol=1e-12) or abs(got[y].sum() - 1) > 1e-12:
                raise AssertionError(f"{y}: {got[y]} vs {want}")
        left = sum(1 for y in dates if not y)
        if f"{left} documents without a usable date are left out" not in html.unescape(ttext):
            raise AssertionError("no note of the documents without a date")
        attrs, dom, console = render(env, page)
        assert_rendered(attrs, dom, console, sorted(tspecs))
        bad_path = os.path.join(d, "bad.jsonl")
        with open(corpus_path, encoding="utf-8") as f, open(bad_path, "w", encoding="utf-8") as g:
            lines = f.readlines()
            lines[23] = json.dumps({"text": "a dated line", "date": "someday"}) + "\n"
            g.writelines(lines)
        p = env.run("report", bad_path, "--date-field", "date", "-k", "3", "-o", os.path.join(d, "bad.html"))
        if p.returncode != 1 or "bad.jsonl:24" not in p.stderr or "someday" not in p.stderr \
                or os.path.exists(os.path.join(d, "bad.html")):
            raise AssertionError(f"an unreadable date: exit {p.returncode}, {p.stderr.strip()!r}")
        p = env.run("report", corpus, "--date-field", "date", "-k", "2", "-o", os.path.join(d, "x.html"))
        if p.returncode != 2 or "--date-field does not apply" not in p.stderr or os.path.exists(os.path.join(d, "x.html")):
            raise AssertionError(f"--date-field on a folder: exit {p.returncode}, {p.stderr.strip()!r}")
        p = env.run("topics", corpus_path, "--date-field", "date", "-k", "2")
        if p.returncode != 2 or "--date-field" not in p.stderr:
            raise AssertionError(f"topics --date-field (which would ignore it): exit {p.returncode}, {p.stderr.strip()!r}")
        return f"{len(years)} years, shares = mean normalised W rows per year; {left} undated left out (noted); renders"
    checks.run("report JSON Lines --date-field: shares per year (from W.csv); renders; on a folder or topics: exit 2",
               over_time)

    def not_applicable():
        svd = os.path.join(out, "svd.html")
        expect_ok(env.run("report", env.data, *TWO, "--method", "krylov", "-k", "4", "-o", svd))
        stext, sspecs = specs_of(svd)
        stext = html.unescape(stext)
        if "chart-intertopic" in sspecs or "chart-relevance" in sspecs or "signed SVD topics are not" not in stext:
            raise AssertionError(f"SVD charts {sorted(sspecs)}")
        cos = [v["cosine"] for v in sspecs["chart-similarity"]["data"]["values"]]
        d = env.fresh_dir("mtx")
        m2, v2, page = os.path.join(d, "X.mtx"), os.path.join(d, "v.txt"), os.path.join(d, "X.html")
        expect_ok(env.run("vectorize", env.data, *TWO, "--weighting", "tfidf", "-o", m2, "--vocab", v2))
        expect_ok(env.run("report", m2, "--vocabulary", v2, "-k", "4", "-o", page))
        mtext, mspecs = specs_of(page)
        mtext = html.unescape(mtext)
        has_documents = 'id="documents"' in mtext
        if has_documents or "without the documents' texts" not in mtext or "chart-intertopic" not in mspecs:
            raise AssertionError(f".mtx page: documents section {has_documents}, charts {sorted(mspecs)}")
        return f"SVD: no map or relevance, a note; similarity in [{min(cos):.2f}, {max(cos):.2f}]; .mtx: no documents, a note"
    checks.run("SVD: no distance map or relevance (noted); .mtx: no representative documents (noted)", not_applicable)

    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
