#!/usr/bin/python3
"""Help choosing k: `factopic sweep`, `topics -k auto` and `report --sweep` (issue 14, point 5).

    /usr/bin/python3 tests/cli/test_choose_k.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-choose-k

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1
if anything failed. Runs on the embedded corpus (data/20news-4cat.tar.gz, next
to --data: 2034 training documents), with --min-df 5 and --max-iter 30 so that
each NMF fit takes about a second; about a minute and a half in all.

What is checked:
  1) sweep fits the model topics fits: with the same options, its NPMI, UMass,
     diversity and relative error at k equal those of `topics -k k` (NMF with
     tf-idf by default, and krylov); the error decreases with k; diversity and
     stability lie in [0, 1]; the text table equals the JSON.
  2) stability: exactly 1 for runs with identical seeds (random init), about 1
     for a deterministic init (nndsvd: the runs differ only in the start block of
     its Krylov SVD), below 1 somewhere for random inits with different seeds
     (what makes it a measure); null with one run.
  3) topics -k auto prints the curve and the chosen k, and that k is the one the
     rule of the README gives on the curve, recomputed here from the JSON
     (also with --min-stability 1, which exercises the fall-back); fit and
     report take -k auto too, and the report's sweep chart carries the measures.
  4) usage errors (exit 2, nothing written): -k abc, an option of -k auto
     without it, a bad --seeds or --k-range, --stability-init with an SVD.
"""

import json
import math
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]
from harness import Lazy, finish  # noqa: E402
from test_cli import start_cli_script, expect_ok  # noqa: E402
from test_svd_cli import run_json, failure  # noqa: E402

FAST = ["--min-df", "5", "--max-iter", "30"]
KS = [2, 4, 6]
ROW = re.compile(r"^\s+(\d+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\S+)\s+(\d+\.\d+)$")


def rule(points, min_stability):
    """The README's rule ("Choosing k"), written again from its text: among the ks whose
    stability is at least min_stability (every k when stability was not measured), the highest
    mean NPMI, the smaller k on a tie; when no k is that stable, the most stable ks."""
    ok = [p for p in points if p["stability"] is None or p["stability"] >= min_stability]
    if not ok:
        best = max(p["stability"] for p in points)
        ok = [p for p in points if p["stability"] == best]
    return min(ok, key=lambda p: (-p["npmi"], p["k"]))["k"]


def close(a, b, tol=1e-9):
    return abs(a - b) <= tol * max(1.0, abs(a), abs(b))


def table_rows(stdout):
    """The sweep table's rows: (k, error, npmi, umass, diversity, stability) with None for '-'."""
    rows = []
    for line in stdout.splitlines():
        m = ROW.match(line)
        if m:
            rows.append(tuple([int(m.group(1))] + [None if v == "-" else float(v) for v in m.groups()[1:6]]))
    return rows


def check_sweep(env, checks, corpus):
    sweep = Lazy(lambda: run_json(env, "sweep", corpus, "-k", ",".join(map(str, KS)), *FAST))

    def shape():
        j = sweep()
        pts = j["points"]
        if [p["k"] for p in pts] != KS:
            raise AssertionError(f"ks {[p['k'] for p in pts]}")
        if j["method"] != "nmf" or j["init"] != "nndsvda" or not j["source"].endswith("tfidf"):
            raise AssertionError(f"not topics' model: method {j['method']}, init {j.get('init')}, {j['source']}")
        errors = [p["relative_error"] for p in pts]
        if not all(b < a for a, b in zip(errors, errors[1:])):
            raise AssertionError(f"error not decreasing in k: {errors}")
        for p in pts:
            for name in ("npmi", "umass", "diversity", "stability"):
                if not isinstance(p[name], float) or not math.isfinite(p[name]):
                    raise AssertionError(f"k = {p['k']}: {name} = {p[name]!r}")
            if not (0 <= p["diversity"] <= 1 and 0 <= p["stability"] <= 1 and -1 <= p["npmi"] <= 1):
                raise AssertionError(f"k = {p['k']}: out of range {p}")
        if j["stability"]["runs"] != 3 or j["stability"]["seeds"] != [0, 1, 2] or j["stability"]["init"] != "random":
            raise AssertionError(f"stability {j['stability']}")
        if j["choice"]["k"] != rule(pts, 0.8):
            raise AssertionError(f"choice {j['choice']} vs the rule's k = {rule(pts, 0.8)}")
        return ", ".join(f"k={p['k']}: err {p['relative_error']:.4f} npmi {p['npmi']:.3f} div {p['diversity']:.2f} "
                         f"stab {p['stability']:.3f}" for p in pts)
    checks.run("sweep 4cat -k 2,4,6: nmf on tf-idf, error decreasing, diversity and stability in [0, 1]", shape)

    def same_as_topics(method, k, extra, sweep_extra):
        def fn():
            s = run_json(env, "sweep", corpus, "-k", f"2,{k}", *FAST, *extra, *sweep_extra) if extra else sweep()
            p = next(p for p in s["points"] if p["k"] == k)
            t = run_json(env, "topics", corpus, "-k", str(k), *FAST, *extra)
            pairs = [("npmi", p["npmi"], t["coherence"]["npmi_mean"]),
                     ("umass", p["umass"], t["coherence"]["umass_mean"]),
                     ("diversity", p["diversity"], t["diversity"]["value"])]
            if method == "nmf":
                pairs.append(("relative error", p["relative_error"], t["relative_error"]))
            bad = [(n, a, b) for n, a, b in pairs if not close(a, b)]
            if bad:
                raise AssertionError(f"sweep vs topics differ: {bad}")
            return f"k = {k}: npmi {p['npmi']:.6f}, umass {p['umass']:.6f}, diversity {p['diversity']:.4f}"
        return fn
    checks.run("sweep == topics -k 4 (default nmf, tf-idf): NPMI, UMass, diversity, error",
               same_as_topics("nmf", 4, [], []))
    checks.run("sweep --method krylov == topics --method krylov -k 4: NPMI, UMass, diversity",
               same_as_topics("krylov", 4, ["--method", "krylov"], ["--seeds", "2"]))

    def text_equals_json():
        p = env.run("sweep", corpus, "-k", ",".join(map(str, KS)), *FAST)
        expect_ok(p)
        rows = table_rows(p.stdout)
        want = [(q["k"], q["relative_error"], q["npmi"], q["umass"], q["diversity"], q["stability"])
                for q in sweep()["points"]]
        if len(rows) != len(want):
            raise AssertionError(f"{len(rows)} table rows:\n{p.stdout}")
        for got, ref in zip(rows, want):
            if got[0] != ref[0] or any(abs(a - b) > 1e-3 for a, b in zip(got[1:], ref[1:])):
                raise AssertionError(f"row {got} vs JSON {ref}")
        m = re.search(r"^-k auto\s+k = (\d+):", p.stdout, re.M)
        if not m or int(m.group(1)) != sweep()["choice"]["k"]:
            raise AssertionError(f"no '-k auto  k = {sweep()['choice']['k']}' line:\n{p.stdout}")
        return f"{len(rows)} rows; {m.group(0)}"
    checks.run("sweep's table equals its JSON, and names the k -k auto would choose", text_equals_json)


def check_stability(env, checks, corpus):
    def stability(*args):
        return [p["stability"] for p in run_json(env, "sweep", corpus, *FAST, *args)["points"]]

    def identical_seeds():
        s = stability("-k", "3,5", "--seeds", "7,7")
        if s != [1.0, 1.0]:
            raise AssertionError(f"two runs with seed 7 (random init): stability {s}, not exactly 1")
        return f"{s}"
    checks.run("sweep --seeds 7,7 (random init, the same seed twice): stability exactly 1", identical_seeds)

    def deterministic_init():
        s = stability("-k", "3,5", "--seeds", "3", "--stability-init", "nndsvd")
        if any(v < 0.999 for v in s):
            raise AssertionError(f"nndsvd over seeds 0, 1, 2: stability {s}, not about 1")
        return f"{s}"
    checks.run("sweep --stability-init nndsvd --seeds 3: stability about 1 (only the SVD's start differs)",
               deterministic_init)

    def random_init():
        # Six topics of four newsgroups: random starts find different splits of them.
        s = stability("-k", "6,8", "--seeds", "3")
        if not any(v < 0.99 for v in s):
            raise AssertionError(f"random inits with seeds 0, 1, 2: stability {s}, all about 1")
        return f"{s}"
    checks.run("sweep -k 6,8 --seeds 3 (random inits): stability below 1, so it measures something", random_init)

    def one_run():
        p = env.run("sweep", corpus, "-k", "2", *FAST, "--seeds", "1")
        expect_ok(p)
        j = run_json(env, "sweep", corpus, "-k", "2", *FAST, "--seeds", "1")
        if j["points"][0]["stability"] is not None or table_rows(p.stdout)[0][5] is not None:
            raise AssertionError(f"stability {j['points'][0]['stability']!r} with one run; row {table_rows(p.stdout)}")
        return "null in JSON, '-' in the table"
    checks.run("sweep --seeds 1: no stability (null, '-')", one_run)


def check_auto(env, checks, corpus):
    auto_args = ["-k", "auto", "--k-range", ",".join(map(str, KS)), "--seeds", "2", *FAST]

    def auto(min_stability):
        def fn():
            extra = ["--min-stability", str(min_stability)] if min_stability != 0.8 else []
            j = run_json(env, "topics", corpus, *auto_args, *extra)
            c = j["choose_k"]
            pts = c["points"]
            if [p["k"] for p in pts] != KS:
                raise AssertionError(f"curve ks {[p['k'] for p in pts]}")
            want = rule(pts, min_stability)
            if c["k"] != want or j["k"] != want or len(j["topics"]) != want:
                raise AssertionError(f"chose {c['k']} (topics: k {j['k']}, {len(j['topics'])} topics); the rule "
                                     f"gives {want} on {pts}")
            return f"k = {want}: {c['reason']}"
        return fn
    checks.run("topics -k auto --json: the chosen k is the rule's on the curve it reports", auto(0.8))
    checks.run("topics -k auto --min-stability 1 --json: the rule's k (fall-back: the most stable)", auto(1.0))

    def text():
        p = env.run("topics", corpus, *auto_args)
        expect_ok(p)
        rows = table_rows(p.stdout)
        m = re.search(r"^chosen\s+k = (\d+):", p.stdout, re.M)
        if [r[0] for r in rows] != KS or not m:
            raise AssertionError(f"no curve of k = {KS} or no 'chosen' line:\n{p.stdout[:1500]}")
        pts = [{"k": r[0], "npmi": r[2], "stability": r[5]} for r in rows]
        k = int(m.group(1))
        if k != rule(pts, 0.8):
            raise AssertionError(f"chose {k}, the rule on the printed table gives {rule(pts, 0.8)}")
        method = re.search(r"^method\s+nmf .*, k = (\d+),", p.stdout, re.M)
        topics = re.findall(r"^\s+\d+\s+-?\d+\.\d+\s+-?\d+\.\d+\s+\d+\s", p.stdout.split("\ntopic ")[-1], re.M)
        if not method or int(method.group(1)) != k or len(topics) != k:
            raise AssertionError(f"the topics that follow are not k = {k}:\n{p.stdout[-1500:]}")
        return f"curve of {len(rows)} ks, chosen k = {k}, then {k} topics"
    checks.run("topics -k auto: prints the curve, the chosen k, then that many topics", text)

    def fit_and_report():
        short = ["-k", "auto", "--k-range", "2,4", "--seeds", "2", *FAST]
        out = env.fresh_dir("auto")
        model, html = os.path.join(out, "m.ftm"), os.path.join(out, "r.html")
        j = run_json(env, "fit", corpus, *short, "-o", model)
        inspected = run_json(env, "inspect", model)
        if inspected["k"] != j["choose_k"]["k"]:
            raise AssertionError(f"model k {inspected['k']} vs chosen {j['choose_k']['k']}")
        expect_ok(env.run("report", corpus, *short, "-o", html))
        with open(html, encoding="utf-8") as f:
            page = f.read()
        if '"stability"' not in page or '"npmi"' not in page:
            raise AssertionError("the report's sweep chart does not carry npmi and stability")
        return f"model of k = {inspected['k']}; report {os.path.getsize(html)} bytes"
    checks.run("fit -k auto saves the chosen k; report -k auto draws the curve with its measures", fit_and_report)


def help_options(env, command):
    p = env.run(command, "--help")
    expect_ok(p)
    return set(re.findall(r"^\s+(?:-\w,)?(--[\w-]+)", p.stdout, re.M))


def check_options(env, checks):
    def same_model_options():
        topics, sweep = help_options(env, "topics"), help_options(env, "sweep")
        # topics' own: what it prints about topics and documents, and -k auto's ranks
        own = {"--top", "--doc-topics", "--k-range", "--ids", "--labels", "--min-topic-weight", "--normalize"}
        missing = sorted(topics - sweep - own)
        if missing or len(topics) < 40:
            raise AssertionError(f"sweep lacks topics' options {missing} ({len(topics)} options in topics)")
        defaults = {}
        for command in ("topics", "sweep"):
            text = env.run(command, "--help").stdout
            defaults[command] = {o: re.search(rf"{o} \S+=(\S+)", text).group(1)
                                 for o in ("--weighting", "--method", "--solver", "--init", "--seeds")}
        if defaults["topics"] != defaults["sweep"]:
            raise AssertionError(f"defaults differ: {defaults}")
        return f"{len(topics & sweep)} options shared; defaults {defaults['sweep']}"
    checks.run("sweep --help: every model option of topics --help, with the same defaults", same_model_options)


def check_usage(env, checks, corpus):
    def bad(name, args, tokens):
        failure(env, checks, name, args, 2, contains=["error"], tokens=tokens, outputs=False)
    bad("topics -k abc: exit 2 naming it", ["topics", corpus, "-k", "abc"], ["abc"])
    bad("topics -k 4 --k-range 2:6: exit 2 (--k-range needs -k auto)",
        ["topics", corpus, "-k", "4", "--k-range", "2:6"], ["--k-range"])
    bad("topics -k 4 --seeds 3: exit 2 (applies to -k auto and report --sweep)",
        ["topics", corpus, "-k", "4", "--seeds", "3"], ["--seeds"])
    bad("topics -k auto --k-range 6:2: exit 2 before any work", ["topics", corpus, "-k", "auto", "--k-range", "6:2"],
        ["6:2"])
    bad("sweep --seeds 0: exit 2", ["sweep", corpus, "--seeds", "0"], ["--seeds"])
    bad("sweep --seeds 1,x: exit 2 naming x", ["sweep", corpus, "--seeds", "1,x"], ["x"])
    bad("sweep --method krylov --stability-init random: exit 2",
        ["sweep", corpus, "--method", "krylov", "--stability-init", "random"], ["--stability-init"])


def main():
    args, env, checks, workdir, t0 = start_cli_script(__doc__, "factopic-choose-k-")
    corpus = os.path.join(os.path.dirname(os.path.abspath(args.data)), "20news-4cat.tar.gz")
    check_options(env, checks)
    check_usage(env, checks, corpus)
    check_sweep(env, checks, corpus)
    check_stability(env, checks, corpus)
    check_auto(env, checks, corpus)
    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
