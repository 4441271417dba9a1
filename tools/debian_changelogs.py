#!/usr/bin/python3
"""A corpus of one's own, made from what every Debian machine has: the entries of the packages'
changelogs (/usr/share/doc/*/changelog.Debian.gz) as a CSV with the columns package, version,
date (YYYY-MM-DD) and text. The README's "Topics of your own files" runs factopic on it.

    /usr/bin/python3 tools/debian_changelogs.py changelogs.csv
"""
import csv
import email.utils
import glob
import gzip
import re
import sys

HEAD = re.compile(r"^(\S+) \(([^)]+)\) [^;]*;")
TRAILER = re.compile(r"^ -- .*?>  (.+)$")


def entries(path):
    package = version = None
    body = []
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as f:
        for line in f:
            line = line.rstrip("\n")
            m = HEAD.match(line)
            if m:
                package, version, body = m.group(1), m.group(2), []
                continue
            t = TRAILER.match(line)
            if t and package:
                try:
                    date = email.utils.parsedate_to_datetime(t.group(1)).date().isoformat()
                except (TypeError, ValueError):
                    date = ""
                text = "\n".join(b.strip() for b in body if b.strip())
                if text:
                    yield package, version, date, text
                package = None
            elif package:
                body.append(line)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    with open(sys.argv[1], "w", newline="", encoding="utf-8") as out:
        w = csv.writer(out)
        w.writerow(["package", "version", "date", "text"])
        n = 0
        for path in sorted(glob.glob("/usr/share/doc/*/changelog.Debian.gz")):
            for row in entries(path):
                w.writerow(row)
                n += 1
    print(f"{n} changelog entries -> {sys.argv[1]}", file=sys.stderr)


if __name__ == "__main__":
    main()
