"""The scikit-learn side of the truth for factopic's oracle tests.

NewsArchive reads a 20 Newsgroups "by date" tar.gz and hands out the same
document texts as sklearn.datasets.fetch_20newsgroups (latin-1, same strip_*
functions in the same order), without calling it: that function insists on
downloading into its own cache, and these tests run offline on a given archive.

Row order is load_files(..., shuffle=False): categories sorted, files sorted by
name, train before test for "all". That is factopic's contract. It is NOT the
order of fetch_20newsgroups(shuffle=False), whose cache is built by load_files
with its default shuffle=True, random_state=0, so its "unshuffled" rows are
already permuted. Row order changes neither the vocabulary nor any value.

load_20news() is the one-shot form: it keeps in memory only the files asked
for. bench/peers.py uses it, so the benchmark's Python peer loads its documents
exactly as the oracle does.

run_factopic() runs the binary under test and loads what it wrote, so that the
two sides can be compared as scipy CSR matrices and Python lists.

Must run under /usr/bin/python3 (Debian's sklearn 1.2.1 / numpy / scipy).
"""

import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
from dataclasses import dataclass

import numpy as np
import scipy.io
import scipy.sparse as sp

# Imported rather than copied: the oracle is only worth something if it runs
# the very code sklearn users run.
from sklearn.datasets._twenty_newsgroups import (
    strip_newsgroup_footer,
    strip_newsgroup_header,
    strip_newsgroup_quoting,
)

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import read_lines, weighting_count  # noqa: E402  (tests/harness.py)

TRAIN_FOLDER = "20news-bydate-train"
TEST_FOLDER = "20news-bydate-test"
# fetch_20newsgroups(subset="all") concatenates train then test.
SUBSET_FOLDERS = {
    "train": (TRAIN_FOLDER,),
    "test": (TEST_FOLDER,),
    "all": (TRAIN_FOLDER, TEST_FOLDER),
}
REMOVABLE = ("headers", "footers", "quotes")


@dataclass
class Documents:
    data: list          # decoded, stripped texts, in sklearn's order
    labels: list        # category name of each document
    ids: list           # path of each document inside the archive
    target: np.ndarray  # index into target_names, as sklearn's Bunch.target
    target_names: list


class NewsArchive:
    """The raw files of a by-date archive, read once into memory.

    By default all of them (~40 MB), so that load() can serve any subset and
    categories. Given `subset` and/or `categories`, only those files are kept
    (the whole archive is still read through), and load() may ask for no more.
    """

    def __init__(self, path, subset=None, categories=None):
        self.path = path
        if subset is not None and subset not in SUBSET_FOLDERS:
            raise ValueError(f"subset must be train, test or all, not {subset!r}")
        self.kept_folders = SUBSET_FOLDERS[subset if subset is not None else "all"]
        self.kept_categories = None if categories is None else frozenset(categories)
        # {folder: {category: {file name: bytes}}}
        self.raw = {TRAIN_FOLDER: {}, TEST_FOLDER: {}}
        seen = {TRAIN_FOLDER: set(), TEST_FOLDER: set()}  # categories with files
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                parts = member.name.strip("/").split("/")
                if len(parts) != 3 or parts[0] not in self.raw:
                    continue
                if not member.isfile():
                    continue
                split, category, name = parts
                seen[split].add(category)
                if split not in self.kept_folders or not self._keeps(category):
                    continue
                self.raw[split].setdefault(category, {})[name] = tar.extractfile(member).read()
        if not seen[TRAIN_FOLDER] or not seen[TEST_FOLDER]:
            raise ValueError(f"{path} is not a 20news-bydate archive")
        self._categories = sorted(seen[TRAIN_FOLDER])

    def _keeps(self, category):
        return self.kept_categories is None or category in self.kept_categories

    @property
    def categories(self):
        return list(self._categories)

    def load(self, subset="train", categories=None, remove=()):
        """Documents as fetch_20newsgroups(subset, categories, remove, shuffle=False)."""
        if subset not in SUBSET_FOLDERS:
            raise ValueError(f"subset must be train, test or all, not {subset!r}")
        bad = [r for r in remove if r not in REMOVABLE]
        if bad:
            raise ValueError(f"cannot remove {bad}")
        # Category order in the output is always sorted, whatever order the
        # caller names them in: load_files walks sorted(listdir()), and
        # fetch_20newsgroups sorts the requested labels before masking.
        names = self.categories
        if categories is not None:
            unknown = [c for c in categories if c not in names]
            if unknown:
                raise ValueError(f"unknown categories {unknown} (valid: {','.join(names)})")
            names = [c for c in names if c in set(categories)]
        not_kept = [f for f in SUBSET_FOLDERS[subset] if f not in self.kept_folders]
        not_kept += [c for c in names if not self._keeps(c)]
        if not_kept:
            raise ValueError(f"{not_kept} not kept when the archive was read")

        data, labels, ids, target = [], [], [], []
        for folder in SUBSET_FOLDERS[subset]:
            for index, category in enumerate(names):
                files = self.raw[folder].get(category, {})
                # load_files sorts os.listdir() names as Python strings, so
                # "10000" < "9999": numeric names are NOT in numeric order.
                for name in sorted(files):
                    # load_files(..., encoding="latin1") is what the 20news
                    # cache is built with; latin-1 never fails to decode.
                    data.append(files[name].decode("latin1"))
                    labels.append(category)
                    ids.append(f"{folder}/{category}/{name}")
                    target.append(index)

        # Same order as fetch_20newsgroups: the footer heuristic looks at the
        # text after the header is gone, and quotes go last.
        if "headers" in remove:
            data = [strip_newsgroup_header(t) for t in data]
        if "footers" in remove:
            data = [strip_newsgroup_footer(t) for t in data]
        if "quotes" in remove:
            data = [strip_newsgroup_quoting(t) for t in data]
        return Documents(data, labels, ids, np.asarray(target, dtype=np.int64), list(names))


def load_20news(path, subset="train", categories=None, remove=()):
    """NewsArchive(path).load(...) keeping only the files asked for in memory."""
    return NewsArchive(path, subset, categories).load(subset, categories, remove)


@dataclass
class FactopicRun:
    returncode: int
    stdout: str
    stderr: str
    args: list
    X: sp.csr_matrix = None
    vocab: list = None
    labels: list = None
    ids: list = None
    json: dict = None
    seconds: float = 0.0


class FactopicError(RuntimeError):
    pass


def read_mtx(path):
    """Matrix Market file -> canonical CSR (sorted indices, no duplicates)."""
    X = scipy.io.mmread(path)
    X = sp.csr_matrix(X)
    X.sum_duplicates()
    X.sort_indices()
    return X


def run_factopic(binary, corpus, args=(), outputs=True, json_out=False, check=True,
                 timeout=900):
    """Run `factopic vectorize CORPUS ARGS` and load its output files.

    With check=True a non-zero exit raises FactopicError carrying stderr, so a
    broken run shows up as one failed check with the binary's own message.
    """
    with tempfile.TemporaryDirectory(prefix="factopic-oracle-") as tmp:
        paths = {
            "-o": os.path.join(tmp, "X.mtx"),
            "--vocab": os.path.join(tmp, "vocab.txt"),
            "--labels": os.path.join(tmp, "labels.txt"),
            "--ids": os.path.join(tmp, "ids.txt"),
        }
        cmd = [binary, *weighting_count(["vectorize", corpus, *args])]
        if outputs:
            for flag, path in paths.items():
                cmd += [flag, path]
        if json_out:
            cmd.append("--json")
        start = time.perf_counter()
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        run = FactopicRun(proc.returncode, proc.stdout, proc.stderr, cmd,
                          seconds=time.perf_counter() - start)
        if proc.returncode != 0:
            if check:
                raise FactopicError(
                    f"exit {proc.returncode}: {' '.join(cmd)}\n{proc.stderr.strip()}")
            return run
        if outputs:
            run.X = read_mtx(paths["-o"])
            run.vocab = read_lines(paths["--vocab"])
            run.labels = read_lines(paths["--labels"])
            run.ids = read_lines(paths["--ids"])
        if json_out:
            run.json = json.loads(proc.stdout)
        return run


def canonical(X):
    """CSR with sorted indices and duplicates summed, for exact comparison."""
    X = sp.csr_matrix(X)
    X.sum_duplicates()
    X.sort_indices()
    return X
