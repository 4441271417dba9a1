#!/usr/bin/python3
"""How close the outputs of two factopic builds are where tools/same_outputs.sh found them to
differ (a change that may move the last bits, such as a new random generator): for each case in
WORKDIR/out, the largest relative difference of the errors, losses and singular values of the
two JSON summaries, and whether the topics (the top terms of each, as sets) are the same.

Usage: tools/close_outputs.py WORKDIR [--rtol 1e-10]

Exits 0 when every case is within rtol with the same topics, 1 otherwise (listing them).
"""

import argparse
import json
import os
import sys

SCALARS = ("reconstruction_error", "relative_error")
VECTORS = ("losses", "singular_values")


def rel_diff(a, b):
    scale = max(abs(a), abs(b))
    return 0.0 if scale == 0 else abs(a - b) / scale


def topic_sets(d):
    return [frozenset(term for term, _ in t.get("top", [])) for t in d.get("topics", [])]


def compare(old, new):
    """(largest relative difference, topics the same, topics differing)"""
    worst = 0.0
    for key in SCALARS:
        if key in old and key in new:
            worst = max(worst, rel_diff(old[key], new[key]))
    for key in VECTORS:
        if key in old and key in new:
            a, b = old[key], new[key]
            if len(a) != len(b):
                return float("inf"), False, -1
            # Singular values relative to the largest: a small trailing one is as exact as the largest.
            scale = max([abs(x) for x in a] + [0.0]) if key == "singular_values" else None
            for x, y in zip(a, b):
                worst = max(worst, abs(x - y) / scale if scale else rel_diff(x, y))
    ta, tb = topic_sets(old), topic_sets(new)
    differing = sum(1 for x, y in zip(ta, tb) if x != y) + abs(len(ta) - len(tb))
    return worst, differing == 0, differing


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("workdir")
    ap.add_argument("--rtol", type=float, default=1e-10)
    args = ap.parse_args()
    out = os.path.join(args.workdir, "out")
    bad = []
    print(f"{'case':42} {'max rel diff':>13}  topics")
    for case in sorted(os.listdir(out)):
        paths = [os.path.join(out, case, side, "stdout.cmp") for side in ("old", "new")]
        try:
            old, new = (json.load(open(p)) for p in paths)
        except (OSError, ValueError) as e:
            print(f"{case:42} {'?':>13}  ({e})")
            bad.append(case)
            continue
        worst, same_topics, differing = compare(old, new)
        print(f"{case:42} {worst:13.3g}  {'same' if same_topics else f'{differing} differ'}")
        if not (worst <= args.rtol and same_topics):
            bad.append(case)
    if bad:
        print(f"beyond rtol {args.rtol:g} or other topics: {' '.join(bad)}")
        return 1
    print(f"every case within rtol {args.rtol:g}, same topics")
    return 0


if __name__ == "__main__":
    sys.exit(main())
