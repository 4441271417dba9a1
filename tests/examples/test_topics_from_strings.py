#!/usr/bin/env python3
"""examples/topics_from_strings: the public library call on a list of strings finds the three
subjects the documents are about, and its callback stops the fit when the budget is spent."""
import argparse
import re
import subprocess
import sys

SUBJECTS = {
    "space": {"shuttle", "launch", "satellite", "orbit", "earth", "nasa", "plans", "mission", "moon", "new",
              "rocket", "crew", "planet", "measured", "space", "telescope", "astronauts", "station", "watched"},
    "graphics": {"render", "image", "graphics", "card", "save", "jpeg", "file", "polygon", "mesh", "shaded",
                 "pipeline", "drawn", "convert", "gif", "png", "tool", "faster", "renders", "scene"},
    "cooking": {"bake", "bread", "hot", "oven", "let", "dough", "rise", "soup", "needs", "salt", "pepper",
                "onion", "cooked", "slowly", "whisk", "eggs", "sugar", "flour", "cake", "slice", "fry",
                "butter", "add", "stock"},
}


def run(example, *args):
    proc = subprocess.run([example, *args], capture_output=True, text=True, timeout=120)
    if proc.returncode != 0:
        sys.exit(f"FAIL {' '.join([example, *args])}: exit {proc.returncode}\n{proc.stderr}")
    return proc.stdout


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--example", required=True)
    example = parser.parse_args().example
    failures = []

    out = run(example, "60000")
    if not re.search(r"^nmf: converged after \d+ iterations", out, re.M):
        failures.append(f"a fit with a minute's budget did not converge:\n{out}")
    topics = re.findall(r"^topic \d+ \((\d+) documents\): (.+)$", out, re.M)
    found = set()
    for size, words in topics:
        words = set(words.split())
        subject = [name for name, vocab in SUBJECTS.items() if words <= vocab]
        if len(subject) != 1:
            failures.append(f"topic words {sorted(words)} are not all of one subject")
            continue
        found.add(subject[0])
        if int(size) != 20:
            failures.append(f"the {subject[0]} topic has {size} documents, not its 20")
    if found != set(SUBJECTS):
        failures.append(f"subjects found: {sorted(found)}, expected all three:\n{out}")

    out = run(example, "0")
    if not re.search(r"^nmf: cancelled after 1 iterations", out, re.M):
        failures.append(f"a budget of 0 did not stop the fit after its first iteration:\n{out}")
    if len(re.findall(r"^topic \d+ ", out, re.M)) != 3:
        failures.append(f"a cancelled fit did not still report its 3 topics:\n{out}")

    for f in failures:
        print("FAIL", f)
    print(f"{'FAILED' if failures else 'passed'}: examples/topics_from_strings ({len(failures)} failures)")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
