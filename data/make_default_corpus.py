#!/usr/bin/python3
"""Build data/20news-4cat.tar.gz, the small default corpus shipped with factopic.

It is a subset of the 20 Newsgroups "by date" archive holding four categories
(the classic sklearn topic-modeling example) for both the train and the test
split, with the same layout and the same file bytes, so that every tool that
understands the full archive (factopic, sklearn's load_files) reads it too.

The output is byte-for-byte reproducible: the archive is checked into git and
its checksum may be pinned, so nothing that depends on the build machine (file
order, clock, user names, gzip header time stamp) is allowed to leak into it.

    /usr/bin/python3 data/make_default_corpus.py \
        [--source data/20news-bydate.tar.gz] [--output data/20news-4cat.tar.gz]
"""

import argparse
import gzip
import hashlib
import io
import os
import sys
import tarfile

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_SOURCE = os.path.join(REPO_ROOT, "data", "20news-bydate.tar.gz")
DEFAULT_OUTPUT = os.path.join(REPO_ROOT, "data", "20news-4cat.tar.gz")
DEFAULT_CATEGORIES = ("alt.atheism", "comp.graphics", "sci.space", "talk.religion.misc")
SPLITS = ("20news-bydate-train", "20news-bydate-test")

# 1993-01-01T00:00:00Z: the time stamp the upstream archive already carries,
# kept so that the subset looks like the original when listed.
FIXED_MTIME = 725846400
DIR_MODE = 0o755
FILE_MODE = 0o644


def read_subset(source, categories):
    """Return {path: bytes or None (directory)} for the wanted part of source."""
    wanted = set(categories)
    entries = {}
    with tarfile.open(source, "r:gz") as tar:
        for member in tar:
            parts = member.name.strip("/").split("/")
            if parts[0] not in SPLITS:
                continue
            if len(parts) >= 2 and parts[1] not in wanted:
                continue
            if len(parts) > 3:
                sys.exit(f"unexpected nesting in source archive: {member.name}")
            path = "/".join(parts)
            if member.isdir():
                entries[path] = None
            elif member.isfile():
                entries[path] = tar.extractfile(member).read()
            else:
                sys.exit(f"unexpected entry type in source archive: {member.name}")
    # Directory entries are emitted even if the source archive had omitted
    # them, because some readers (and load_files after extraction) need them
    # to exist before the files below.
    for path in list(entries):
        parts = path.split("/")
        for depth in range(1, len(parts)):
            entries.setdefault("/".join(parts[:depth]), None)
    for split in SPLITS:
        for category in categories:
            folder = f"{split}/{category}"
            if not any(p.startswith(folder + "/") for p in entries):
                sys.exit(f"source archive has no files in {folder}")
    return entries


def build_tar(entries):
    buf = io.BytesIO()
    # USTAR, not PAX: all names are short, and plain ustar headers are the
    # lowest common denominator for every tar reader.
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.USTAR_FORMAT) as tar:
        # Sorting by path components (not by raw string) guarantees that a
        # directory precedes everything inside it.
        for path in sorted(entries, key=lambda p: p.split("/")):
            data = entries[path]
            info = tarfile.TarInfo(path)
            info.mtime = FIXED_MTIME
            info.uid = info.gid = 0
            info.uname = info.gname = ""
            if data is None:
                info.type = tarfile.DIRTYPE
                info.mode = DIR_MODE
                tar.addfile(info)
            else:
                info.type = tarfile.REGTYPE
                info.mode = FILE_MODE
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def gzip_bytes(raw):
    out = io.BytesIO()
    # filename="" keeps the output name out of the header; mtime=0 keeps
    # the clock out of it.
    with gzip.GzipFile(filename="", mode="wb", fileobj=out, compresslevel=9, mtime=0) as gz:
        gz.write(raw)
    return out.getvalue()


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--source", default=DEFAULT_SOURCE)
    ap.add_argument("--output", default=DEFAULT_OUTPUT)
    ap.add_argument("--categories", default=",".join(DEFAULT_CATEGORIES),
                    help="comma separated (default: %(default)s)")
    args = ap.parse_args()

    categories = sorted(c for c in args.categories.split(",") if c)
    entries = read_subset(args.source, categories)
    blob = gzip_bytes(build_tar(entries))

    # Written under a temporary name and renamed so that an interrupted run
    # never leaves a truncated archive where a good one is expected.
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(blob)
    os.replace(tmp, args.output)

    n_files = sum(1 for v in entries.values() if v is not None)
    print(f"{args.output}: {n_files} files, {len(entries) - n_files} directories, "
          f"{len(blob)} bytes, sha256 {hashlib.sha256(blob).hexdigest()}")


if __name__ == "__main__":
    main()
