#!/usr/bin/python3
"""Two factopic builds on the same decompositions, alternated: the before/after table of a change
to the numerics (a refactor must not be slower).

    /usr/bin/python3 bench/compare_builds.py OLD_FACTOPIC NEW_FACTOPIC \
        [--data data/20news-bydate.tar.gz] [--workdir DIR] [--repeat 5] [--only REGEX] [--quick]

The matrices (the 4 categories' train set and all 20 groups, counts and tf-idf, headers, footers
and quotes removed) are written once by OLD into --workdir as .mtx files; every row then runs
OLD, NEW, OLD, NEW, ... --repeat times each (alternated, so that the machine's drift hits both
alike), and reads the decomposition's own time from the JSON (`timings.decompose`: reading the
file and writing outputs are not timed). The table gives each build's median, NEW/OLD (below 1:
NEW is faster) and the spread (max/min of each build's runs). The outputs' numbers are compared
too: a row whose error or singular values differ by more than 1e-10 relative is marked.
"""

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile

CATS4 = "alt.atheism,talk.religion.misc,comp.graphics,sci.space"
REMOVE = "headers,footers,quotes"
MATRICES = {
    "4cat-count": ["--subset", "train", "--categories", CATS4, "--weighting", "count"],
    "4cat-tfidf": ["--subset", "train", "--categories", CATS4, "--weighting", "tfidf"],
    "20all-count": ["--subset", "all", "--weighting", "count"],
    "20all-tfidf": ["--subset", "all", "--weighting", "tfidf"],
}
# name, matrix, arguments. NMF runs a fixed number of iterations (tol 0) so that both builds do
# the same work.
ROWS = [
    ("svd-full-gram", "4cat-count", ["svd", "--full"]),
    ("svd-k10-krylov", "20all-tfidf", ["svd", "-k", "10"]),
    ("svd-k50-krylov", "20all-count", ["svd", "-k", "50"]),
    ("svd-k10-rsvd", "20all-tfidf", ["svd", "-k", "10", "--method", "rsvd"]),
    ("nmf-cd-k10", "20all-tfidf", ["nmf", "-k", "10", "--solver", "cd", "--max-iter", "50", "--tol", "0"]),
    ("nmf-cd-k20", "4cat-tfidf", ["nmf", "-k", "20", "--solver", "cd", "--max-iter", "100", "--tol", "0"]),
    ("nmf-mu-k10", "20all-tfidf", ["nmf", "-k", "10", "--solver", "mu", "--max-iter", "100", "--tol", "0"]),
    ("nmf-mu-kl-k10", "4cat-count", ["nmf", "-k", "10", "--solver", "mu", "--beta-loss", "kullback-leibler",
                                     "--max-iter", "50", "--tol", "0"]),
    ("nmf-pgd-k6", "4cat-tfidf", ["nmf", "-k", "6", "--solver", "pgd", "--max-iter", "200", "--tol", "0"]),
    ("nmf-adam-k6", "4cat-tfidf", ["nmf", "-k", "6", "--solver", "adam", "--max-iter", "200", "--tol", "0"]),
]
QUICK = {"svd-k10-krylov", "svd-k10-rsvd", "nmf-cd-k10", "nmf-mu-k10"}


def run(binary, args):
    p = subprocess.run([binary, *args, "--top", "0", "--json"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{binary} {' '.join(args)}: exit {p.returncode}\n{p.stderr.strip()}")
    return json.loads(p.stdout)


def figure(j):
    """The numbers both builds must agree on: the error, or the singular values."""
    if "reconstruction_error" in j:
        return [j["reconstruction_error"]]
    return j["singular_values"]


def agree(a, b):
    return len(a) == len(b) and all(abs(x - y) <= 1e-10 * max(abs(x), 1e-300) for x, y in zip(a, b))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("old")
    ap.add_argument("new")
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--data", default=os.path.join(here, "data", "20news-bydate.tar.gz"))
    ap.add_argument("--workdir")
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--only", help="rows whose name matches this regular expression")
    ap.add_argument("--quick", action="store_true", help=f"only {', '.join(sorted(QUICK))}")
    a = ap.parse_args()
    work = a.workdir or tempfile.mkdtemp(prefix="factopic-compare-")
    os.makedirs(work, exist_ok=True)
    rows = [r for r in ROWS if (not a.only or re.search(a.only, r[0])) and (not a.quick or r[0] in QUICK)]
    for name in sorted({r[1] for r in rows}):
        path = os.path.join(work, name + ".mtx")
        if not os.path.exists(path):
            subprocess.run([a.old, "vectorize", a.data, *MATRICES[name], "--remove", REMOVE, "-o", path, "-q"],
                           check=True, stdout=subprocess.DEVNULL)
    print(f"{'row':16} {'matrix':12} {'old s':>8} {'new s':>8} {'new/old':>8} {'spread old':>10} "
          f"{'spread new':>10}  same numbers")
    ratios = []
    for name, matrix, args in rows:
        full = [args[0], os.path.join(work, matrix + ".mtx"), *args[1:]]
        times = {"old": [], "new": []}
        figures = {}
        for _ in range(a.repeat):
            for which in ("old", "new"):
                j = run(getattr(a, which), full)
                times[which].append(j["timings"]["decompose"])
                figures[which] = figure(j)
        mo, mn = statistics.median(times["old"]), statistics.median(times["new"])
        ratios.append(mn / mo)
        spread = {w: max(t) / min(t) for w, t in times.items()}
        same = "yes" if agree(figures["old"], figures["new"]) else "NO"
        print(f"{name:16} {matrix:12} {mo:8.3f} {mn:8.3f} {mn / mo:8.3f} {spread['old']:10.2f} "
              f"{spread['new']:10.2f}  {same}", flush=True)
    if ratios:
        print(f"geometric mean new/old: {statistics.geometric_mean(ratios):.3f} over {len(ratios)} rows, "
              f"{a.repeat} runs each, alternated")


if __name__ == "__main__":
    main()
