#!/usr/bin/python3
"""Writes the fuzz seed corpora (tests/fuzz/seeds/<target>/): small valid and near-valid inputs.

Deterministic, so that running it again changes nothing; the seeds are committed, and this script
says how they were made. The model seeds are fitted by a built factopic (--factopic). Every seed of
a target whose last byte is its option byte (archive, folder, lines, jsonl, csv, model) ends with that
byte; the text seeds end with the two vectorizer option bytes.

    /usr/bin/python3 tests/fuzz/make_seeds.py --factopic build/factopic
"""

import argparse
import bz2
import gzip
import io
import lzma
import os
import shutil
import subprocess
import sys
import tarfile
import tempfile
import zipfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))

POSTS = {
    "sci.space": [
        "From: a@b.org\nSubject: orbit\nLines: 3\n\nThe shuttle reached orbit.\n> quoted launch window\n\n-- \nsig\n",
        "From: c@d.org\nSubject: moon\n\nLunar landers and orbital mechanics.\n",
    ],
    "comp.graphics": [
        "From: e@f.org\nSubject: jpeg\n\nImage compression with JPEG and GIF files.\n",
        "From: g@h.org\nSubject: caf\xe9\n\nRender na\xefve polygons, caf\xe9 latin-1 bytes.\n",
    ],
}


def tar_bytes(files, mode):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=mode, format=tarfile.USTAR_FORMAT) as tar:
        for name, data in files:
            if data is None:
                info = tarfile.TarInfo(name)
                info.type = tarfile.DIRTYPE
                info.mode = 0o755
                info.mtime = 0
                tar.addfile(info)
                continue
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mtime = 0
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def deterministic_gzip(data):
    return gzip.compress(data, compresslevel=9, mtime=0)


def newsgroups_files():
    files = []
    for split in ("train", "test"):
        files.append((f"20news-bydate-{split}/", None))
        for cat, posts in POSTS.items():
            files.append((f"20news-bydate-{split}/{cat}/", None))
            for i, post in enumerate(posts):
                files.append((f"20news-bydate-{split}/{cat}/{5000 + i}", post.encode("latin-1")))
    return files


def folder_files():
    return [
        ("corpus/a/one.txt", "first document about cats and dogs\n".encode()),
        ("corpus/a/two.txt", "second document, \u00fcber caf\u00e9 \u03a3\u039f\u03a3\n".encode()),
        ("corpus/b/three.txt", "third one: cats again\r\nand more\r\n".encode()),
        ("corpus/b/four.txt", b"latin-1 \xe9t\xe9 bytes\n"),
    ]


def zip_bytes(files, method):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=method) as z:
        for name, data in files:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = method
            z.writestr(info, data if data is not None else b"")
    return buf.getvalue()


def write(target, name, data, option=None):
    folder = os.path.join(HERE, "seeds", target)
    os.makedirs(folder, exist_ok=True)
    if option is not None:
        data = data + bytes([option])
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def archive_seeds():
    news = newsgroups_files()
    plain = folder_files()
    news_tar = tar_bytes(news, "w")
    write("archive", "news.tar.gz", deterministic_gzip(news_tar), 0x00)
    write("archive", "news-test-subset.tar.gz", deterministic_gzip(news_tar), 0x20)
    write("archive", "news-cleaned-graphics.tar.gz", deterministic_gzip(news_tar), 0x80 | 0x1C)
    write("archive", "news.tar", news_tar, 0x40)
    write("archive", "folder.tar.bz2", bz2.compress(tar_bytes(plain, "w"), 9), 0x00)
    write("archive", "folder.tar.xz", lzma.compress(tar_bytes(plain, "w")), 0x01)
    write("archive", "folder.zip", zip_bytes(plain, zipfile.ZIP_DEFLATED), 0x02)
    write("archive", "folder-stored.zip", zip_bytes(plain, zipfile.ZIP_STORED), 0x00)
    truncated = deterministic_gzip(news_tar)
    write("archive", "news-truncated.tar.gz", truncated[: len(truncated) * 2 // 3], 0x00)
    damaged = bytearray(deterministic_gzip(news_tar))
    damaged[len(damaged) // 2 : len(damaged) // 2 + 8] = b"\xff" * 8
    write("archive", "news-damaged.tar.gz", bytes(damaged), 0x00)


def folder_seeds():
    def records(items):
        out = b""
        for head, body in items:
            out += b"@@" + head.encode() + b"\n" + body
            if not body.endswith(b"\n"):
                out += b"\n"
        return out

    write("folder", "plain", records([("f a/one.txt", b"cats and dogs"), ("f b/two.txt", b"caf\xc3\xa9 \xce\xa3")]), 0)
    write(
        "folder",
        "newsgroups",
        records(
            [(f"f 20news-bydate-{s}/{c}/{5000 + i}", p.encode("latin-1")) for s in ("train", "test") for c in POSTS for i, p in enumerate(POSTS[c])]
        ),
        0x1C,
    )
    write(
        "folder",
        "links",
        records(
            [
                ("f a/one.txt", b"inside the root"),
                ("l a/self .", b""),
                ("l up ..", b""),
                ("l a/dangling nowhere", b""),
                ("l b ./a", b""),
                ("d empty", b""),
            ]
        ),
        0x00,
    )
    write("folder", "categories", records([("f a/x", b"alpha beta"), ("f b/y", b"gamma delta")]), 0x40)
    write("folder", "latin1", records([("f a/x", b"\xe9t\xe9 \xe0 la plage"), ("f a/y", b"\xff\xfe\x00\x00")]), 0x02)


def lines_seeds():
    write("lines", "utf8", "first line about topics\nsecond \u00fcber caf\u00e9\n\nfourth \u03a3\u039f\u03a3 line\n".encode(), 0x00)
    write("lines", "crlf-bom", b"\xef\xbb\xbfone\r\ntwo\r\nthree", 0x01)
    write("lines", "latin1", b"caf\xe9 \xe9t\xe9\nna\xefve\n", 0x02)
    write("lines", "utf16le", "two lines\nin UTF-16\n".encode("utf-16"), 0x00)
    write("lines", "newsgroup", POSTS["sci.space"][0].encode(), 0x1C)
    write("lines", "long-line", b"word " * 600 + b"\n", 0x00)


def jsonl_seeds():
    write("jsonl", "text", b'{"text": "first document"}\n{"text": "second \\u00e9 \\ud83d\\ude00"}\n', 0x00)
    write("jsonl", "labels", b'{"text": "cats and dogs", "label": "a"}\n{"text": "stocks", "label": 1}\n{"text": "x", "label": [1, {"k": null}]}\n', 0x20)
    write("jsonl", "body", b'{"body": "alpha", "y": "a"}\n\n  \n{"body": "beta", "y": "1"}\n', 0x80 | 0x60)
    write("jsonl", "label-is-text", b'{"text": "same"}\r\n{"text": "same again", "extra": {"deep": [1, 2, 3]}}\r\n', 0x40)
    write("jsonl", "bad-line", b'{"text": "ok"}\n{"text": broken\n', 0x00)
    write("jsonl", "bom-latin1", b'\xef\xbb\xbf{"text": "bom"}\n{"text": "caf\xe9"}\n', 0x02)
    write("jsonl", "numbers", b'{"text": "n", "label": 1e300}\n{"text": "m", "label": -0.0}\n{"text": "o", "label": 18446744073709551615}\n', 0x20)


def csv_seeds():
    write("csv", "header-text", b'id,text\n1,first document\n2,"second, with ""quotes"""\n', 0x00)
    write("csv", "multiline-crlf", b'id,label,body,date\r\n1,a,"multi\r\nline",2021-03\r\n2,b,plain,\r\n', 0xC0)
    write("csv", "tsv", b'id\tlabel\tbody\tdate\n1\ta\t"tab\there"\t2020\n\n2\tb\tx\t2020-02-29T10:00Z\n', 0xE0)
    write("csv", "bom-latin1", b'\xef\xbb\xbftext\ncaf\xe9\n', 0x02)
    write("csv", "unclosed", b'text\n"never closed\n', 0x00)
    write("csv", "ragged", b'a,text\n1\n2,3,4\n', 0x00)
    write("csv", "lone-cr", b'text\rone\rtwo "inner" quote\r', 0x00)
    write("csv", "bad-date", b'id,label,body,date\n1,a,x,2021-02-29\n', 0xC0)


def text_seeds():
    def opts(a, b):
        return bytes([b, a])  # FuzzedDataProvider takes the last byte first: a, then b

    samples = {
        "english": "The quick brown fox jumps over the lazy dog.\nThe dog sleeps; the fox runs.\nfox fox dog\n".encode(),
        "unicode": "\u0130stanbul \u03a3\u039f\u03a3 \u03bf\u03c3 \u1e9e stra\u00dfe \ufb01ne \u2160\u2161 \u00bd k\u00f8benhavn\n\u0645\u0631\u062d\u0628\u0627 \u4f60\u597d\u4e16\u754c \U0001d400\U0001d401\n".encode(),
        "latin1": b"caf\xe9 na\xefve r\xe9sum\xe9\nd\xe9j\xe0 vu\n",
        "invalid-utf8": b"ab\xc0\xafcd \xed\xa0\x80ef \xf4\x90\x80\x80gh \xe2\x82\n",
        "newsgroup": POSTS["sci.space"][0].encode() + b"\nIn article <x@y>, z writes:\n> quoted\n|> also quoted\n",
        "combining": "e\u0301t\u00e9 a\u0300 \u0345\u0345 x\u200dy _under_score_ 12 345\n".encode(),
    }
    variants = [(0x00, 0x00), (0x01, 0x00), (0x07, 0x0A), (0x3D, 0x84), (0xC1, 0x33), (0x02, 0x55)]
    for (name, data), (a, b) in zip(samples.items(), variants):
        write("text", name, data + opts(a, b))


def mtx_seeds():
    seeds = {
        "coordinate-real": "%%MatrixMarket matrix coordinate real general\n% a comment\n3 4 4\n1 1 1.5\n2 3 -2e-3\n3 4 7\n3 1 0.25\n",
        "coordinate-integer": "%%MatrixMarket matrix coordinate integer general\n2 2 3\n1 1 3\n2 2 -4\n1 1 2\n",
        "coordinate-pattern": "%%MatrixMarket matrix coordinate pattern general\n3 3 3\n1 2\n2 3\n3 1\n",
        "coordinate-symmetric": "%%MatrixMarket matrix coordinate real symmetric\n3 3 3\n1 1 1\n2 1 2.5\n3 2 -1\n",
        "coordinate-skew": "%%MatrixMarket matrix coordinate real skew-symmetric\n3 3 2\n2 1 1\n3 1 -2\n",
        "pattern-symmetric": "%%MatrixMarket matrix coordinate pattern symmetric\n2 2 2\n1 1\n2 1\n",
        "array-general": "%%MatrixMarket matrix array real general\n2 3\n1\n0\n2.5\n-3\n0\n1e-300\n",
        "array-symmetric": "%%MatrixMarket matrix array double symmetric\n3 3\n1\n2\n3\n4\n5\n6\n",
        "array-skew": "%%MatrixMarket matrix array integer skew-symmetric\n3 3\n1\n2\n3\n",
        "crlf-case": "%%matrixmarket MATRIX Coordinate REAL General\r\n\r\n2 2 1\r\n2 2 1e308\r\n",
        "large-declared": "%%MatrixMarket matrix coordinate real general\n20000 20000 1\n1 1 1\n",
        "complex": "%%MatrixMarket matrix coordinate complex general\n1 1 1\n1 1 1 2\n",
    }
    for name, text in seeds.items():
        write("mtx", name + ".mtx", text.encode())


def npy_bytes(array, version):
    buf = io.BytesIO()
    np.lib.format.write_array(buf, array, version=version, allow_pickle=False)
    return buf.getvalue()


def npy_seeds():
    a = np.arange(6, dtype=np.float64).reshape(2, 3) / 7
    write("npy", "f8-c.npy", npy_bytes(np.ascontiguousarray(a), (1, 0)))
    write("npy", "f8-f.npy", npy_bytes(np.asfortranarray(a), (1, 0)))
    write("npy", "f4-c.npy", npy_bytes(a.astype(np.float32), (1, 0)))
    write("npy", "f4-f-v2.npy", npy_bytes(np.asfortranarray(a.astype(np.float32)), (2, 0)))
    write("npy", "f8-v3.npy", npy_bytes(a.T.copy(), (3, 0)))
    write("npy", "big-endian.npy", npy_bytes(a.astype(">f8"), (1, 0)))
    write("npy", "int64.npy", npy_bytes(np.arange(4, dtype=np.int64).reshape(2, 2), (1, 0)))
    write("npy", "one-dim.npy", npy_bytes(np.arange(3, dtype=np.float64), (1, 0)))
    write("npy", "empty.npy", npy_bytes(np.zeros((0, 3)), (1, 0)))


def model_seeds(factopic):
    if not factopic:
        print("no --factopic: model seeds left as they are", file=sys.stderr)
        return
    work = tempfile.mkdtemp(prefix="factopic-seeds-")
    try:
        corpus = os.path.join(work, "docs.txt")
        with open(corpus, "w") as f:
            f.write("cats dogs pets\ndogs bark loud\nstocks bonds market\nmarket prices rise\ncats purr\nbonds yield\n")
        fits = {
            "nmf-tfidf": ["-k", "2"],
            "nmf-count-mu": ["-k", "2", "--weighting", "count", "--solver", "mu", "--ngram", "1:2"],
            "svd": ["-k", "2", "--method", "svd", "--stop-words", "none"],
            "nmf-adam-binary": ["-k", "3", "--solver", "adam", "--binary", "--max-iter", "50", "--no-idf"],
        }
        for name, args in fits.items():
            out = os.path.join(work, name + ".ftm")
            subprocess.run([factopic, "fit", corpus, "-q", "-o", out, *args], check=True, stdout=subprocess.DEVNULL)
            data = open(out, "rb").read()
            write("model", name + ".ftm", data, 0x00)
            write("model", name + "-unsummed", data[:-8], 0x01)  # the target appends the checksum
    finally:
        shutil.rmtree(work)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--factopic", help="a built factopic, to fit the model seeds")
    args = parser.parse_args()
    for target in ("archive", "folder", "lines", "jsonl", "csv", "text", "mtx", "npy"):
        shutil.rmtree(os.path.join(HERE, "seeds", target), ignore_errors=True)
    archive_seeds()
    folder_seeds()
    lines_seeds()
    jsonl_seeds()
    csv_seeds()
    text_seeds()
    mtx_seeds()
    npy_seeds()
    if args.factopic:
        shutil.rmtree(os.path.join(HERE, "seeds", "model"), ignore_errors=True)
    model_seeds(args.factopic)


if __name__ == "__main__":
    main()
