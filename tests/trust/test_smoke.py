#!/usr/bin/python3
"""Every sub-command once on valid and on bad inputs, for the ASan+UBSan binary.

    /usr/bin/python3 tests/trust/test_smoke.py --factopic build-asan/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-smoke

Registered in both builds; it matters in the sanitizer build (make test runs it against
build-asan/factopic), where each check also fails on a sanitizer report in stderr or a sanitizer
exit status (86, set by tests/CMakeLists.txt). Each run's expected exit status: 0 for a valid
input, 1 for bad data, 2 for a bad option; memory is bounded (harness.memory_limit).
"""

import gzip
import io
import os
import struct
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Checks, describe_timeout, finish, memory_limit, sanitizer_report, start_script  # noqa: E402

# Generous: the sanitizer build is several times slower than the release build, on a busy machine.
TIMEOUT = 240
MEMORY_MB = 2048
ERROR = "factopic: error: "

DOCS = [
    "the shuttle reached orbit and the crew checked the payload",
    "orbit insertion burn for the lunar lander, crew and payload ready",
    "jpeg and gif images compressed for the graphics card driver",
    "render polygons with the graphics driver, images and textures",
    "stocks and bonds rose as the market priced in the rate cut",
    "bond yields fell, stocks rallied and the market closed higher",
    "caf\u00e9 na\u00efve \u00fcber stra\u00dfe \u03a3\u039f\u03a3",
    "",
]


class Smoke:
    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        self.limits = memory_limit(binary, MEMORY_MB)

    def path(self, name):
        return os.path.join(self.workdir, name)

    def run(self, *args, code=0, says=None):
        """Runs factopic; the exit status must be `code` (or one of them), no sanitizer report."""
        p = subprocess.run([self.binary, *map(str, args)], capture_output=True, text=True, errors="replace",
                           timeout=TIMEOUT, stdin=subprocess.DEVNULL, **self.limits)
        report = sanitizer_report(p.stderr)
        if report or p.returncode == 86:
            tail = "\n".join(p.stderr.splitlines()[:40])
            raise AssertionError(f"sanitizer report (exit {p.returncode}): {report}\n{tail}")
        codes = code if isinstance(code, tuple) else (code,)
        if p.returncode not in codes:
            raise AssertionError(f"exit {p.returncode}, expected {code}: {' '.join(map(str, args))}\n"
                                 f"{p.stderr[-1500:]}")
        if p.returncode != 0:
            first = p.stderr.splitlines()[0] if p.stderr else ""
            if p.returncode == 1 and not first.startswith(ERROR):
                raise AssertionError(f"exit 1 without '{ERROR}': {p.stderr[:300]!r}")
            if not first:
                raise AssertionError(f"exit {p.returncode} with nothing on stderr")
            if says and says not in p.stderr:
                raise AssertionError(f"stderr lacks {says!r}: {p.stderr[:300]!r}")
        return p


def write(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path


def mtx(path, rows, cols, entries):
    lines = ["%%MatrixMarket matrix coordinate real general", f"{rows} {cols} {len(entries)}"]
    lines += [f"{i} {j} {v}" for i, j, v in entries]
    return write(path, "\n".join(lines) + "\n")


def folder_tar_gz(path, docs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for i, text in enumerate(docs):
            data = text.encode()
            info = tarfile.TarInfo(f"corpus/{'ab'[i % 2]}/{i:03d}.txt")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return write(path, gzip.compress(buf.getvalue(), mtime=0))


def npy(path, rows, cols, fill=0.5):
    header = f"{{'descr': '<f8', 'fortran_order': True, 'shape': ({rows}, {cols}), }}"
    header += " " * (63 - (10 + len(header)) % 64) + "\n"
    body = struct.pack(f"<{rows * cols}d", *([fill] * (rows * cols)))
    return write(path, b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + body)


def main():
    args, workdir, t0 = start_script(__doc__, "smoke-")
    s = Smoke(os.path.abspath(args.factopic), workdir)
    checks = Checks(extra=[(subprocess.TimeoutExpired, describe_timeout)], crash_location=True)

    lines = write(s.path("docs.txt"), "\n".join(DOCS) + "\n")
    archive = folder_tar_gz(s.path("corpus.tar.gz"), DOCS * 3)
    jsonl = write(s.path("docs.jsonl"), "".join(f'{{"text": "{d}", "label": "{i % 3}"}}\n' for i, d in enumerate(DOCS)))
    x = mtx(s.path("x.mtx"), 6, 5, [(1, 1, 1), (1, 2, 2), (2, 2, 3), (3, 3, 1.5), (4, 4, 2), (5, 5, 1), (6, 1, 4),
                                     (6, 5, 0.5), (2, 4, 1), (3, 1, 2)])

    def vectorize():
        for i, (corpus, extra) in enumerate([(lines, []), (archive, ["--weighting", "tfidf", "--ngram", "1:2"]),
                                             (jsonl, ["--label-field", "label", "--categories", "0,1"])]):
            s.run("vectorize", corpus, "-o", s.path(f"m{i}.mtx"), "--vocab", s.path(f"v{i}.txt"),
                  "--ids", s.path(f"i{i}.txt"), *extra)
    checks.run("vectorize lines, archive and JSON Lines corpora: exit 0", vectorize)

    def newsgroups():
        s.run("vectorize", args.data, "--subset", "test", "--categories", "sci.space",
              "--remove", "headers,footers,quotes", "-o", s.path("news.mtx"))
    checks.run("vectorize one category of the 20 Newsgroups archive, cleaned: exit 0", newsgroups)

    def svd():
        for extra in (["--full", "--check", "--plot", s.path("sv.png")], ["--method", "krylov", "-k", "2"],
                      ["--method", "rsvd", "-k", "2", "--plot", s.path("sv.svg")]):
            s.run("svd", x, *extra, "--u", s.path("u.npy"), "--vt", s.path("vt.npy"), "--s", s.path("s.txt"))
    checks.run("svd: full with --check and a PNG chart, truncated krylov and rsvd (SVG): exit 0", svd)

    def nmf():
        custom = ["--init", "custom", "--w-init", npy(s.path("w0.npy"), 6, 2), "--h-init", npy(s.path("h0.npy"), 2, 5)]
        for extra in (["--solver", "cd"], ["--solver", "mu", "--beta-loss", "kullback-leibler"], ["--solver", "pgd"],
                      ["--solver", "adam"], custom):
            s.run("nmf", x, "-k", "2", "--max-iter", "50", *extra, "--w", s.path("w.npy"), "--h", s.path("h.npy"))
    checks.run("nmf with each solver, and a custom init from .npy: exit 0", nmf)

    def sweep_topics():
        s.run("sweep", x, "-k", "1:3")
        s.run("topics", archive, "-k", "2", "--top", "3", "--doc-topics", s.path("dt.csv"))
    checks.run("sweep and topics on a small corpus: exit 0", sweep_topics)

    model = s.path("m.ftm")

    def fit_transform_inspect():
        s.run("fit", archive, "-k", "2", "-o", model)
        s.run("transform", model, lines, "--doc-topics", s.path("t.csv"))
        s.run("inspect", model, "--top", "3")
        s.run("fit", lines, "-k", "2", "--method", "svd", "-o", s.path("svd.ftm"))
        s.run("transform", s.path("svd.ftm"), jsonl, "--json")
    checks.run("fit, transform and inspect (NMF and SVD models): exit 0", fit_transform_inspect)

    def damaged_models():
        data = open(model, "rb").read()
        variants = {"flipped": data[:40] + bytes([data[40] ^ 0xFF]) + data[41:], "truncated": data[: len(data) // 2],
                    "empty": b"", "magic-only": data[:8], "zero-length": data[:16] + b"\0" * 8 + data[24:]}
        for name, bytes_ in variants.items():
            s.run("inspect", write(s.path(f"{name}.ftm"), bytes_), code=1)
            s.run("transform", s.path(f"{name}.ftm"), lines, code=1)
    checks.run("inspect and transform a damaged model: exit 1 with one error line", damaged_models)

    def bad_data():
        s.run("nmf", write(s.path("bad.mtx"), "%%MatrixMarket matrix coordinate real general\n2 2 1\n3 1 1\n"), code=1)
        s.run("nmf", write(s.path("huge.mtx"), "%%MatrixMarket matrix coordinate real general\n"
                           "2000000 2000000 1\n1 1 1\n"), "-k", "1", "--max-iter", "1", code=(0, 1))
        s.run("svd", write(s.path("nan.mtx"), "%%MatrixMarket matrix array real general\n1 2\nnan\n1\n"), "--full",
              code=1)
        s.run("nmf", x, "-k", "2", "--init", "custom", "--w-init", write(s.path("short.npy"), b"\x93NUMPY\x01\x00"),
              "--h-init", s.path("h0.npy"), code=1)
        s.run("vectorize", write(s.path("bad.jsonl"), '{"text": "ok"}\n{"text": \n'), "-o", s.path("j.mtx"), code=1)
        damaged = bytearray(open(archive, "rb").read())
        damaged[len(damaged) // 2] ^= 0xFF
        s.run("vectorize", write(s.path("damaged.tar.gz"), bytes(damaged)), "-o", s.path("d.mtx"), code=(0, 1))
        s.run("vectorize", write(s.path("latin1.txt"), b"caf\xe9\n\xff\xfe\x01\x7f\n"), "-o", s.path("l.mtx"))
        s.run("vectorize", write(s.path("utf16.txt"), "two lines\nin UTF-16\n".encode("utf-16")), "-o",
              s.path("u.mtx"), code=(0, 1))
    checks.run("bad data (.mtx, .npy, JSON Lines, archives, encodings): exit 1 or a clean run", bad_data)

    def bad_options():
        s.run("nmf", x, "-k", "0", code=2)
        s.run("vectorize", lines, "--ngram", "2:1", "-o", s.path("o.mtx"), code=2)
        s.run("topics", lines, "--no-such-option", code=2)
    checks.run("bad options: exit 2", bad_options)

    checks.run("report: an HTML page from a small corpus, exit 0",
               lambda: s.run("report", archive, "-k", "2", "-o", s.path("r.html")) and None)

    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
