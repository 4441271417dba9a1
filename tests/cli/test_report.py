#!/usr/bin/python3
"""`factopic report`: the HTML page renders in headless Chromium, offline, without console errors.

    /usr/bin/python3 tests/cli/test_report.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-report \
        --shots build/tests/report-screenshots

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1
if anything failed. The screenshots (PNG) are written to --shots and kept.

Each page is opened in Debian's chromium (headless, --no-sandbox as CI runs as
root) with every network request sent to a dead proxy, so a page that needed the
network would fail. The page records every error, console.error and
console.warn from its first line on (data-errors on <body>) and, once vega-embed
has drawn every chart, sets data-rendered; the test reads both from the DOM
Chromium dumps, and also rejects any console message Chromium logs. Then:
  1) a corpus report (NMF, 4 categories, --sweep): 9 charts (topic bars, intertopic
     map, relevance, similarity, scree, sweep, sizes, label heat map, document map),
     each drawn as an <svg>;
     the page loads nothing from outside (no src/href to http, no <link>);
     the topic table equals `topics --json`; the sweep data equals `sweep`;
  2) an SVD report (krylov, counts): signed bars (negative weights in the data);
  3) a .mtx report (no labels): no heat map, a note saying why;
  4) a model report (report model.ftm): topics, similarity, scree and notes, no document charts;
  5) errors: -o in a missing directory, a bad --sweep, a damaged model: the exit
     code and no file left behind.
"""

import json
import os
import re
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]
from harness import finish  # noqa: E402
from test_cli import start_cli_script, expect_error, expect_ok  # noqa: E402
from test_svd_cli import run_json, unwritable  # noqa: E402

FOUR = ["--subset", "train", "--categories", "alt.atheism,talk.religion.misc,comp.graphics,sci.space",
        "--remove", "headers,footers,quotes"]
TWO = ["--subset", "test", "--categories", "sci.space,comp.graphics", "--remove", "headers,footers,quotes"]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
CHROME_TIMEOUT = 180


def chromium():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    raise AssertionError("no chromium on PATH (make test installs Debian's chromium)")


def chrome_args(profile):
    return [chromium(), "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
            f"--user-data-dir={profile}", "--proxy-server=127.0.0.1:9", "--proxy-bypass-list=<-loopback>",
            "--enable-logging=stderr", "--v=0", "--virtual-time-budget=30000"]


def render(env, html, shot=None):
    """(body attributes, dom, console lines) of the page after its scripts ran; a screenshot to `shot`."""
    profile = env.fresh_dir("chrome-profile")
    url = "file://" + os.path.abspath(html)
    p = subprocess.run(chrome_args(profile) + ["--dump-dom", url], capture_output=True, text=True,
                       timeout=CHROME_TIMEOUT, stdin=subprocess.DEVNULL)
    if p.returncode != 0 or "<body" not in p.stdout:
        raise AssertionError(f"chromium exit {p.returncode}: {p.stderr.strip()[-500:]}")
    # The last <body ...>: the inlined libraries (in <head>) mention "<body>" in their strings.
    body = re.findall(r"<body([^>]*)>", p.stdout)[-1]
    attrs = dict(re.findall(r'(data-[a-z]+)="([^"]*)"', body))
    console = [line for line in p.stderr.splitlines() if "CONSOLE" in line]
    if shot:
        q = subprocess.run(chrome_args(profile) + ["--window-size=1200,4800", f"--screenshot={shot}", url],
                           capture_output=True, text=True, timeout=CHROME_TIMEOUT, stdin=subprocess.DEVNULL)
        if q.returncode != 0 or not os.path.exists(shot):
            raise AssertionError(f"no screenshot (exit {q.returncode}): {q.stderr.strip()[-300:]}")
        with open(shot, "rb") as f:
            if f.read(8) != PNG_SIGNATURE:
                raise AssertionError(f"{shot} is not a PNG")
    shutil.rmtree(profile, ignore_errors=True)
    return attrs, p.stdout, console


def specs_of(html_path):
    """The Vega-Lite specifications the page embeds (var specs = {...};)."""
    with open(html_path, encoding="utf-8") as f:
        text = f.read()
    m = re.search(r"var specs = (\{.*?\});\n", text, re.S)
    if not m:
        raise AssertionError("no 'var specs = ...' in the page")
    return text, json.loads(m.group(1).replace("<\\/", "</"))


def assert_rendered(attrs, dom, console, charts):
    errors = json.loads(attrs.get("data-errors", "null").replace("&quot;", '"')) if "data-errors" in attrs else None
    if errors is None:
        raise AssertionError(f"the page never finished (body attributes {attrs})")
    if errors:
        raise AssertionError(f"errors on the page: {errors[:3]}")
    if console:
        raise AssertionError(f"console messages: {console[:3]}")
    if attrs.get("data-rendered") != str(len(charts)) or attrs.get("data-charts") != str(len(charts)):
        raise AssertionError(f"rendered {attrs.get('data-rendered')} of {attrs.get('data-charts')}, "
                             f"expected {len(charts)}")
    page = dom[dom.rfind("<body"):]
    for chart in charts:
        # From the chart's element to the next section heading (vega-embed adds its own classes).
        start = page.find(f'id="{chart}"')
        end = min([i for i in (page.find("<h2", start), page.find("<footer", start)) if i >= 0] or [len(page)])
        if start < 0 or "<svg" not in page[start:end]:
            raise AssertionError(f"#{chart} holds no <svg>")


def assert_offline(text):
    """No element of the page (outside the inlined scripts' code) loads anything."""
    markup = re.sub(r"(<script[^>]*>).*?(</script>)", r"\1\2", text, flags=re.S)
    loads = re.findall(r"<(?:script|img|iframe)[^>]*\bsrc=|<link\b|url\(\s*['\"]?https?:", markup)
    if loads:
        raise AssertionError(f"the page loads from outside: {loads[:3]}")


def main():
    def extra(ap):
        ap.add_argument("--shots", required=True, help="folder for the screenshots (kept)")
    args, env, checks, workdir, t0 = start_cli_script(__doc__, "report-", extra)
    os.makedirs(args.shots, exist_ok=True)
    out = env.fresh_dir("pages")

    def corpus_report():
        html = os.path.join(out, "nmf.html")
        shot = os.path.join(args.shots, "report-nmf.png")
        j = run_json(env, "report", env.data, *FOUR, "-k", "6", "--sweep", "2:8:2", "-o", html)
        if j["outputs"]["report"]["path"] != html or os.path.getsize(html) != j["outputs"]["report"]["bytes"]:
            raise AssertionError(f"outputs {j['outputs']}")
        text, specs = specs_of(html)
        assert_offline(text)
        charts = ["chart-topics", "chart-intertopic", "chart-relevance", "chart-similarity", "chart-scree",
                  "chart-sweep", "chart-sizes", "chart-labels", "chart-map"]
        if sorted(specs) != sorted(charts):
            raise AssertionError(f"charts {sorted(specs)}, expected {sorted(charts)}")
        attrs, dom, console = render(env, html, shot)
        assert_rendered(attrs, dom, console, charts)
        topics = run_json(env, "topics", env.data, *FOUR, "-k", "6")
        for t, topic in enumerate(topics["topics"]):
            words = " ".join(w for w, _ in topic["top"])
            if words not in text:
                raise AssertionError(f"topic {t} ({words}) is not in the page's table")
        sweep = run_json(env, "sweep", env.data, *FOUR, "--weighting", "tfidf", "-k", "2:8:2", "--method", "nmf")
        got = [(v["k"], v["relative error"]) for v in specs["chart-sweep"]["data"]["values"]]
        want = [(p["k"], p["relative_error"]) for p in sweep["points"]]
        if len(got) != len(want) or any(a != c or abs(b - d) > 1e-12 for (a, b), (c, d) in zip(got, want)):
            raise AssertionError(f"sweep chart {got} vs sweep {want}")
        if any(v["weight"] < 0 for v in specs["chart-topics"]["data"]["values"]):
            raise AssertionError("negative weights in an NMF topic chart")
        return f"{len(charts)} charts drawn, no errors; {os.path.getsize(html)} bytes; screenshot {shot}"
    checks.run("report CORPUS -k 6 --sweep: 9 charts render in headless Chromium, offline, no errors", corpus_report)

    def svd_report():
        html = os.path.join(out, "svd.html")
        shot = os.path.join(args.shots, "report-svd.png")
        expect_ok(env.run("report", env.data, *TWO, "--weighting", "count", "--method", "krylov", "-k", "5",
                          "-o", html))
        text, specs = specs_of(html)
        negative = [v for v in specs["chart-topics"]["data"]["values"] if v["weight"] < 0]
        if not negative:
            raise AssertionError("no negative weights in an SVD topic chart")
        attrs, dom, console = render(env, html, shot)
        assert_rendered(attrs, dom, console, sorted(specs))
        return f"{len(negative)} negative bars; screenshot {shot}"
    checks.run("report --method krylov: signed topic bars, renders without errors", svd_report)

    def mtx_report():
        d = env.fresh_dir("mtx")
        mtx, vocab, html = os.path.join(d, "X.mtx"), os.path.join(d, "vocab.txt"), os.path.join(d, "X.html")
        expect_ok(env.run("vectorize", env.data, *TWO, "--weighting", "tfidf", "-o", mtx, "--vocab", vocab))
        expect_ok(env.run("report", mtx, "--vocabulary", vocab, "-k", "4", "-o", html))
        text, specs = specs_of(html)
        if "chart-labels" in specs or "no labels" not in text:
            raise AssertionError(f"charts {sorted(specs)}; a note on the missing labels: {'no labels' in text}")
        attrs, dom, console = render(env, html)
        assert_rendered(attrs, dom, console, sorted(specs))
        return f"charts {sorted(specs)}"
    checks.run("report X.mtx --vocabulary: no label heat map, a note says why; renders", mtx_report)

    def model_report():
        d = env.fresh_dir("model")
        model, html = os.path.join(d, "m.ftm"), os.path.join(d, "m.html")
        expect_ok(env.run("fit", env.data, *TWO, "--method", "krylov", "-k", "4", "-o", model))
        j = run_json(env, "report", model, "-o", html)
        text, specs = specs_of(html)
        if sorted(specs) != ["chart-scree", "chart-similarity", "chart-topics"] or "need the documents" not in text:
            raise AssertionError(f"charts {sorted(specs)}")
        if j["k"] != 4 or j["method"] != "krylov":
            raise AssertionError(f"JSON {j}")
        attrs, dom, console = render(env, html, os.path.join(args.shots, "report-model.png"))
        assert_rendered(attrs, dom, console, sorted(specs))
        return "topics and scree from the model; the document charts noted as needing the corpus"
    checks.run("report model.ftm: the model's topics, similarity and singular values; renders", model_report)

    checks.run("report -o in a missing directory: exit 1, nothing written",
               unwritable(env, ["report", env.data, *TWO, "-k", "2"], "-o",
                          os.path.join(workdir, "no-such-dir", "r.html"), []))

    def bad_sweep():
        d = env.fresh_dir("bad-sweep")
        p = env.run("report", env.data, *TWO, "-k", "2", "--sweep", "2:x", "-o", os.path.join(d, "r.html"))
        err = expect_error(p, 2, contains=["2:x"])
        if os.listdir(d):
            raise AssertionError(f"left behind: {os.listdir(d)}")
        return f"{err[:100]!r}"
    checks.run("report --sweep 2:x: exit 2 naming it, nothing written", bad_sweep)

    def damaged_model():
        d = env.fresh_dir("damaged")
        bad = os.path.join(d, "bad.ftm")
        with open(bad, "wb") as f:
            f.write(b"\x89FTM\r\n\x1a\n" + b"\x01\x00\x00\x00" * 3)
        p = env.run("report", bad, "-o", os.path.join(d, "r.html"))
        err = expect_error(p, 1, contains=[bad])
        if sorted(os.listdir(d)) != ["bad.ftm"]:
            raise AssertionError(f"left behind: {os.listdir(d)}")
        return f"{err[:100]!r}"
    checks.run("report of a damaged model: exit 1 naming it, nothing written", damaged_model)

    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
