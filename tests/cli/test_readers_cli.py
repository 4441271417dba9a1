#!/usr/bin/python3
"""Corpus readers through the CLI: CSV/TSV, compressed inputs, id and date fields, binary files,
options that do not apply, standard input.

    /usr/bin/python3 tests/cli/test_readers_cli.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-readers

The oracle is Python's own readers: csv (excel and excel-tab dialects), json, gzip/bz2/lzma, and
scikit-learn's CountVectorizer on the texts they give. One line per check, then "N passed, M failed".
"""

import bz2
import csv
import gzip
import io
import json
import lzma
import os
import random
import shutil
import subprocess
import sys

import scipy.io

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from harness import read_lines, finish  # noqa: E402
from test_cli import start_cli_script, expect_error, expect_ok, assert_matches_sklearn  # noqa: E402

EMBEDDED = os.path.join(os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))),
                        "data", "20news-4cat.tar.gz")
WORDS = ["alpha", "beta", "gamma", "delta", "café", "naïve", "zürich", "kernel", "matrix", "topic",
         "Ünïcode", "words", "plain", "spaces", "année", "東京"]
# Pieces that make CSV awkward: the delimiter, quotes, line breaks of both kinds, spaces.
AWKWARD = [",", '"', '""', "\n", "\r\n", " ", "\t", "'", ";", "\\", "a\"b"]


def vectorize(env, corpus, outdir, *args, stdin=None):
    """Runs vectorize writing matrix, vocabulary, labels and ids; returns (X, vocab, labels, ids)."""
    paths = [os.path.join(outdir, n) for n in ("X.mtx", "vocab.txt", "labels.txt", "ids.txt")]
    for p in paths:
        if os.path.exists(p):
            os.remove(p)
    # Counts: the oracle is CountVectorizer (tf-idf is the default since issue 14).
    cmd = [env.binary, "vectorize", str(corpus), "-q", "--weighting", "count", "-o", paths[0], "--vocab", paths[1],
           "--labels", paths[2], "--ids", paths[3], *map(str, args)]
    p = subprocess.run(cmd, capture_output=True, timeout=300,
                       input=stdin if stdin is not None else b"", )
    if p.returncode != 0:
        raise AssertionError(f"exit {p.returncode}: {p.stderr.decode(errors='replace').strip()[:400]}")
    X = scipy.io.mmread(paths[0]).tocsr()
    X.sort_indices()
    return X, read_lines(paths[1]), read_lines(paths[2]), read_lines(paths[3])


def same_matrix(a, b, what):
    Xa, va, la, ia = a
    Xb, vb, lb, ib = b
    if va != vb:
        raise AssertionError(f"{what}: vocabularies differ ({len(va)} vs {len(vb)} terms)")
    if Xa.shape != Xb.shape or (Xa != Xb).nnz:
        raise AssertionError(f"{what}: matrices differ ({Xa.shape} vs {Xb.shape})")
    if la != lb:
        raise AssertionError(f"{what}: labels differ")
    return Xa.shape


def python_rows(path, delimiter):
    """Python's reading: header, then the records; blank lines (which csv gives as []) dropped."""
    with open(path, encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.reader(f, dialect="excel-tab" if delimiter == "\t" else "excel") if r]
    return rows[0], rows[1:]


def random_field(rng, allow_breaks=True):
    parts = []
    for _ in range(rng.randrange(0, 6)):
        piece = rng.choice(WORDS) if rng.random() < 0.6 else rng.choice(AWKWARD)
        if not allow_breaks and piece in ("\n", "\r\n"):
            piece = " "
        parts.append(piece)
    return "".join(parts)


def write_awkward(path, delimiter, rng, rows=120, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL, bom=False):
    """A CSV/TSV file written by Python's csv module: id, cat, body (every awkward piece), year."""
    with open(path, "w", encoding="utf-8-sig" if bom else "utf-8", newline="") as f:
        w = csv.writer(f, delimiter=delimiter, lineterminator=lineterminator, quoting=quoting)
        w.writerow(["id", "cat", "body", "year"])
        for i in range(rows):
            label = random_field(rng, allow_breaks=False).replace("\t", " ") or "empty"
            body = random_field(rng) if i % 7 else ""  # some documents empty
            w.writerow([f"doc-{i},{rng.choice(['x', 'y'])}", label, body, str(1990 + i % 30)])


def check_csv_oracle(env, checks):
    rng = random.Random(14)
    cases = [("minimal-crlf.csv", ",", dict(lineterminator="\r\n")),
             ("all-quoted-lf.csv", ",", dict(lineterminator="\n", quoting=csv.QUOTE_ALL)),
             ("bom.csv", ",", dict(bom=True)),
             ("nonnumeric.csv", ",", dict(quoting=csv.QUOTE_NONNUMERIC, lineterminator="\n")),
             ("tabs.tsv", "\t", dict(lineterminator="\n")),
             ("tabs-crlf.tsv", "\t", dict(lineterminator="\r\n", quoting=csv.QUOTE_ALL))]
    for name, delim, kwargs in cases:
        def run(name=name, delim=delim, kwargs=kwargs):
            d = env.fresh_dir("csv-" + name)
            path = os.path.join(d, name)
            write_awkward(path, delim, rng, **kwargs)
            header, rows = python_rows(path, delim)
            assert header == ["id", "cat", "body", "year"], header
            X, vocab, labels, ids = vectorize(env, path, d, "--text-field", "body", "--label-field", "cat",
                                              "--id-field", "id")
            want_ids = [r[0] for r in rows]
            want_labels = [r[1] for r in rows]
            if ids != want_ids:
                bad = next(i for i, (a, b) in enumerate(zip(ids, want_ids)) if a != b) if len(ids) == len(
                    want_ids) else None
                raise AssertionError(f"ids differ from Python's csv ({len(ids)} vs {len(want_ids)}; first at {bad})")
            if labels != want_labels:
                raise AssertionError("labels differ from Python's csv")
            assert_matches_sklearn(X, vocab, [r[2] for r in rows])
            return f"{len(rows)} records, {X.shape[1]} terms, same as csv + CountVectorizer"
        checks.run(f"{name}: documents, labels and ids equal Python's csv reader", run)

    def hand_made():
        # Quotes inside unquoted fields (kept, as Python keeps them), blank lines between records,
        # a lone CR line end, empty fields, a quoted field spanning three lines, latin-1 free UTF-8.
        d = env.fresh_dir("csv-hand")
        path = os.path.join(d, "hand.csv")
        data = ('title,text\r\n'
                'a 5" screen,the "best" screen ever\r\n'
                '\r\n'
                ',"multi\nline\r\nfield, with ""quotes"" and commas"\n'
                '"",\r'
                'last,"naïve café"\n')
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(data)
        header, rows = python_rows(path, ",")
        X, vocab, _, ids = vectorize(env, path, d, "--text-field", "text")
        assert_matches_sklearn(X, vocab, [r[1] for r in rows])
        want = ["line 2", "line 4", "line 7", "line 8"]  # a lone CR ends a line too
        if ids != want:
            raise AssertionError(f"ids {ids}, expected {want}")
        return f"{len(rows)} records"
    checks.run("hand-made CSV (inner quotes, blank lines, lone CR, multi-line field) equals Python's csv",
               hand_made)


def run_vec(env, *args):
    return env.run("vectorize", "-q", *args)


def check_csv_errors(env, checks):
    d = env.fresh_dir("csv-errors")

    def write(name, text):
        path = os.path.join(d, name)
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        return path

    multi = write("multi.csv", 'id,author,text\n1,"Smith, J","line one\nline two\nline three"\n2,Doe,fine\n'
                               '3,Roe,too,many\n')
    checks.run("a record with too many fields is an error naming file:line (lines counted inside quotes)",
               lambda: expect_error(run_vec(env, multi, "--text-field", "text"), 1,
                                    ["multi.csv:6:", "4 fields", "header has 3"]))
    checks.run("a named column that is missing: the file, the column and the header",
               lambda: expect_error(run_vec(env, multi, "--text-field", "body"), 1,
                                    ["multi.csv", '"body"', '"id", "author", "text"']))
    checks.run("a missing --label-field column is an error too",
               lambda: expect_error(run_vec(env, multi, "--text-field", "text", "--label-field", "cat"), 1,
                                    ["multi.csv", '"cat"']))
    two = write("two.csv", "author,body\nSmith,hello world\n")
    checks.run("several columns, none named text, no --text-field: refused, listing the columns (exit 2)",
               lambda: expect_error(run_vec(env, two), 2, ["two.csv", '"author", "body"', "--text-field"]))

    checks.run("without --text-field: the column named text, or the only column; never the header",
               lambda: default_text_ok(env, d, write))
    unclosed = write("unclosed.csv", 'text\nfine\n"never closed\nmore\nmore\n')
    checks.run("an unclosed quote is an error naming the line it opens on",
               lambda: expect_error(run_vec(env, unclosed), 1, ["unclosed.csv:3:", "never closed"]))
    after = write("after.csv", 'a,text\n"x"y,z\n')
    checks.run("text after a closing quote is an error naming the line",
               lambda: expect_error(run_vec(env, after), 1, ["after.csv:2:", "closing quote"]))
    header_only = write("header.csv", "id,text\n")
    checks.run("a header and no record: no documents, an error",
               lambda: expect_error(run_vec(env, header_only), 1, ["header.csv", "no documents"]))
    dup = write("dup.csv", "id,text\na,one\nb,two\na,three\n")
    checks.run("a repeated --id-field value is an error naming both lines",
               lambda: expect_error(run_vec(env, dup, "--id-field", "id"), 1, ["dup.csv:4:", "line 2"]))


def default_text_ok(env, d, write):
    multi = os.path.join(d, "multi-ok.csv")
    with open(multi, "w", encoding="utf-8", newline="") as f:
        f.write('id,author,text\n1,"Smith, J","line one\nline two"\n2,Doe,fine words\n')
    X, vocab, _, ids = vectorize(env, multi, d)
    if "smith" in vocab or "author" in vocab or "doe" in vocab:
        raise AssertionError(f"a column other than text was read: {vocab}")
    if ids != ["line 2", "line 4"]:
        raise AssertionError(f"ids {ids}, expected the line each record starts on")
    one = write("one.csv", "comment\nhello world\nsecond comment\n")
    _, vocab1, _, _ = vectorize(env, one, d)
    if vocab1 != ["comment", "hello", "second", "world"]:
        raise AssertionError(f"one-column file: {vocab1}")
    return f"{X.shape[0]} documents from the text column; one-column file read"


def check_compression(env, checks):
    d = env.fresh_dir("compressed")
    rng = random.Random(7)
    docs = [" ".join(rng.choice(WORDS) for _ in range(rng.randrange(1, 12))) for _ in range(60)]
    labels = [rng.choice(["red", "blue"]) for _ in docs]
    jsonl = "".join(json.dumps({"text": t, "label": lab}) + "\n" for t, lab in zip(docs, labels)).encode()
    lines = "".join(t + "\n" for t in docs).encode()
    buf = io.StringIO(newline="")
    w = csv.writer(buf)
    w.writerow(["label", "text"])
    w.writerows(zip(labels, docs))
    csv_bytes = buf.getvalue().encode()

    def put(name, data):
        path = os.path.join(d, name)
        with open(path, "wb") as f:
            f.write(data)
        return path

    def zstd(data):
        return subprocess.run(["zstd", "-q", "-c"], input=data, capture_output=True, check=True).stdout

    cases = [("jsonl.gz", "docs.jsonl", jsonl, gzip.compress, ["--label-field", "label"]),
             ("csv.xz", "docs.csv", csv_bytes, lzma.compress, ["--label-field", "label"]),
             ("txt.bz2", "docs.txt", lines, bz2.compress, []),
             ("tsv.zst", "docs.tsv", csv_bytes.replace(b",", b"\t"), zstd, ["--label-field", "label"])]
    for suffix, plain_name, data, compress, args in cases:
        if suffix.endswith("zst") and not shutil.which("zstd"):
            checks.skip(f".{suffix}", "no zstd command to compress with")
            continue

        def run(plain_name=plain_name, data=data, compress=compress, args=args):
            plain = vectorize(env, put(plain_name, data), d, *args)
            packed = vectorize(env, put(plain_name + "." + suffix.split(".")[1], compress(data)), d, *args)
            return f"{same_matrix(plain, packed, suffix)}"
        checks.run(f".{suffix} gives the matrix of the uncompressed file", run)

    def folder():
        plain_dir, gz_dir = os.path.join(d, "plain"), os.path.join(d, "gz")
        for i, (t, lab) in enumerate(zip(docs, labels)):
            for root, name, blob in ((plain_dir, f"{i:03d}.txt", t.encode()),
                                     (gz_dir, f"{i:03d}.txt.gz", gzip.compress(t.encode()))):
                os.makedirs(os.path.join(root, lab), exist_ok=True)
                put(os.path.join(root, lab, name), blob)
        a, b = vectorize(env, plain_dir, d), vectorize(env, gz_dir, d)
        return f"{same_matrix(a, b, 'folder of .gz')}"
    checks.run("a folder of .gz files gives the matrix of the plain folder", folder)

    def sniffed():
        a = vectorize(env, put("docs2.txt", lines), d)
        b = vectorize(env, put("gzip-inside.txt", gzip.compress(lines)), d)
        return f"{same_matrix(a, b, 'gzip named .txt')}"
    checks.run("gzip bytes in a file not named .gz are decompressed, never read as text", sniffed)

    packed = bytearray(gzip.compress(jsonl))
    packed[len(packed) // 2] ^= 0xFF
    bad = put("corrupt.jsonl.gz", bytes(packed))
    checks.run("a corrupted .gz is refused, naming the file",
               lambda: expect_error(run_vec(env, bad), 1, ["corrupt.jsonl.gz"]))
    cut = put("cut.csv.xz", lzma.compress(csv_bytes)[:-20])
    checks.run("a truncated .xz is refused, naming the file",
               lambda: expect_error(run_vec(env, cut), 1, ["cut.csv.xz", "xz"]))
    liar = put("liar.txt.gz", lines)
    checks.run("a file named .gz that is not gzip is refused",
               lambda: expect_error(run_vec(env, liar), 1, ["liar.txt.gz", "not gzip"]))
    bad_dir = os.path.join(d, "bad-folder", "x")
    os.makedirs(bad_dir)
    put(os.path.join(bad_dir, "good.txt"), b"fine words")
    put(os.path.join(bad_dir, "bad.txt.gz"), bytes(packed))
    checks.run("a corrupted .gz inside a folder is refused, naming the file",
               lambda: expect_error(run_vec(env, os.path.dirname(bad_dir)), 1, ["bad.txt.gz"]))


def check_fields(env, checks):
    d = env.fresh_dir("fields")
    path = os.path.join(d, "d.jsonl")
    recs = [{"text": "stars and galaxies", "id": "a-1", "date": "2020-01-15", "cat": "space"},
            {"text": "kernels and drivers", "id": 7, "date": 2021, "cat": "comp"},
            {"text": "more stars", "id": "a-3", "date": "2021-02-03T10:20:30Z", "cat": "space"},
            {"text": "undated", "id": "a-4", "date": None, "cat": "comp"},
            {"text": "graphics cards", "id": "a-5", "date": "2019-12", "cat": "comp"}]
    with open(path, "w") as f:
        for r in recs:
            f.write(json.dumps(r) + "\n")

    def ids_dates():
        out = os.path.join(d, "dates.txt")
        p = env.run("vectorize", path, "-q", "--id-field", "id", "--date-field", "date", "--ids",
                    os.path.join(d, "ids.txt"), "--dates", out)
        expect_ok(p)
        ids, dates = read_lines(os.path.join(d, "ids.txt")), read_lines(out)
        assert ids == ["a-1", "7", "a-3", "a-4", "a-5"], ids
        assert dates == ["2020-01-15", "2021", "2021-02-03T10:20:30Z", "", "2019-12"], dates
        return "ids and dates as given (a number as JSON writes it; null: no date)"
    checks.run("JSON Lines --id-field and --date-field", ids_dates)

    def doc_topics():
        out = os.path.join(d, "W.csv")
        p = env.run("topics", path, "-q", "-k", "2", "--id-field", "id", "--doc-topics", out)
        expect_ok(p)
        with open(out, newline="") as f:
            first = [r[0] for r in csv.reader(f)][1:]
        assert first == ["a-1", "7", "a-3", "a-4", "a-5"], first
        return "doc-topics rows named by the id field"
    checks.run("--id-field ids name the rows of --doc-topics", doc_topics)

    def csv_dates():
        c = os.path.join(d, "d.csv")
        with open(c, "w", newline="") as f:
            f.write("when,text\n1999,old text\n2000-02-29,leap day\n,no date\n")
        out = os.path.join(d, "cdates.txt")
        expect_ok(env.run("vectorize", c, "-q", "--date-field", "when", "--dates", out))
        assert read_lines(out) == ["1999", "2000-02-29", ""], read_lines(out)
        return "CSV dates"
    checks.run("CSV --date-field (an empty cell: no date)", csv_dates)
    for bad_date in ["2021-02-29", "2021-13", "21-01-01", "2021/01/02", "yesterday", "2021-01-01T25:00"]:
        def bad(bad_date=bad_date):
            c = os.path.join(d, "bad.csv")
            with open(c, "w", newline="") as f:
                f.write(f"when,text\n2020,fine\n{bad_date},bad\n")
            return expect_error(run_vec(env, c, "--date-field", "when"), 1, ["bad.csv:3:", bad_date])
        checks.run(f"date {bad_date!r} is refused naming file:line:value", bad)
    checks.run("a --date-field no record has is an error (a misspelt name)",
               lambda: expect_error(run_vec(env, path, "--date-field", "dated"), 1, ["d.jsonl", "dated"]))
    dup = os.path.join(d, "dup.jsonl")
    with open(dup, "w") as f:
        f.write('{"text": "a", "id": 1}\n{"text": "b", "id": 1}\n')
    checks.run("JSON Lines: a repeated id is an error naming file:line",
               lambda: expect_error(run_vec(env, dup, "--id-field", "id"), 1, ["dup.jsonl:2:", "line 1"]))
    checks.run("--dates without --date-field is a usage error",
               lambda: expect_error(run_vec(env, path, "--dates", os.path.join(d, "x")), 2, ["--date-field"]))


def check_binary(env, checks):
    d = env.fresh_dir("binary")
    root = os.path.join(d, "docs")
    os.makedirs(os.path.join(root, "a"))
    with open(os.path.join(root, "a", "one.txt"), "w") as f:
        f.write("plain words here")
    with open(os.path.join(root, "a", "picture.png"), "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDRzzzz words")
    with open(os.path.join(root, "a", "utf16.txt"), "wb") as f:
        f.write("utf sixteen words".encode("utf-16"))
    with open(os.path.join(root, "a", "latin1.txt"), "wb") as f:
        f.write("caf\xe9 cr\xe8me".encode("latin-1"))

    def skipped():
        p = env.run("vectorize", root, "--json", "--vocab", os.path.join(d, "v.txt"))
        expect_ok(p)
        j = json.loads(p.stdout)
        assert j["documents"] == 3, j["documents"]
        assert j["skipped"]["binary_files"] == 1, j["skipped"]
        assert "skipped 1 binary file" in p.stderr, p.stderr
        vocab = read_lines(os.path.join(d, "v.txt"))
        assert "sixteen" in vocab and "café" in vocab and "ihdrzzzz" not in vocab, vocab
        return "3 documents (UTF-16 and latin-1 kept), 1 binary file skipped and counted"
    checks.run("a binary file in a folder is skipped, with a count in the summary", skipped)
    checks.run("--binary-files error makes it an error naming the file",
               lambda: expect_error(run_vec(env, root, "--binary-files", "error"), 1, ["picture.png", "binary"]))
    pdf = os.path.join(d, "paper.pdf")
    with open(pdf, "wb") as f:
        f.write(b"%PDF-1.4\n\x00\x01\x02stream\n")
    checks.run("a binary file given as a lines corpus is refused, naming it",
               lambda: expect_error(run_vec(env, pdf), 1, ["paper.pdf", "binary"]))


def check_inapplicable(env, checks):
    d = env.fresh_dir("inapplicable")
    folder = os.path.join(d, "man", "1")
    os.makedirs(folder)
    with open(os.path.join(folder, "ls.1"), "w") as f:
        f.write("NAME\n  ls - list directory contents\n\n> quoted line\n")
    jl = os.path.join(d, "d.jsonl")
    with open(jl, "w") as f:
        f.write('{"text": "hello world", "label": "x"}\n')
    lines = os.path.join(d, "d.txt")
    with open(lines, "w") as f:
        f.write("hello world\n")
    cs = os.path.join(d, "d.csv")
    with open(cs, "w") as f:
        f.write("text\nhello world\n")
    man = os.path.dirname(folder)
    cases = [("--remove on a folder without the 20 Newsgroups layout", [man, "--remove", "headers"], "20 Newsgroups"),
             ("--remove on JSON Lines", [jl, "--remove", "quotes"], "--remove"),
             ("--remove on a lines file", [lines, "--remove", "footers"], "--remove"),
             ("--text-field on a lines file", [lines, "--text-field", "body"], "--text-field"),
             ("--text-field on a folder", [man, "--text-field", "body"], "--text-field"),
             ("--label-field on a lines file", [lines, "--label-field", "x"], "--label-field"),
             ("--id-field on a folder", [man, "--id-field", "x"], "--id-field"),
             ("--subset on a CSV file", [cs, "--subset", "test"], "--subset"),
             ("--categories on JSON Lines without --label-field", [jl, "--categories", "x"], "--label-field"),
             ("--binary-files on a JSON Lines file", [jl, "--binary-files", "skip"], "--binary-files"),
             ("--follow-links on a CSV file", [cs, "--follow-links"], "--follow-links")]
    for name, args, needle in cases:
        checks.run(f"{name}: exit 2, saying why",
                   lambda args=args, needle=needle: expect_error(run_vec(env, *args), 2, [needle]))

    def matrix_market():
        mtx = os.path.join(d, "X.mtx")
        expect_ok(env.run("vectorize", lines, "-q", "-o", mtx))
        for option in (["--remove", "headers"], ["--text-field", "body"], ["--encoding", "latin-1"]):
            expect_error(env.run("topics", mtx, "-q", "-k", "1", *option), 2, [option[0], "X.mtx"])
        return "--remove, --text-field, --encoding refused for a .mtx"
    checks.run("corpus options on a Matrix Market input: exit 2, not ignored", matrix_market)

    def categories():
        c = os.path.join(d, "cats.csv")
        with open(c, "w", newline="") as f:
            f.write("label,text\nspace,stars and planets\ncomp,kernel drivers\nspace,galaxies\n")
        X, vocab, labels, ids = vectorize(env, c, d, "--label-field", "label", "--categories", "space")
        assert labels == ["space", "space"] and ids == ["line 2", "line 4"], (labels, ids)
        expect_error(run_vec(env, c, "--label-field", "label", "--categories", "bio"), 1, ["bio", "comp, space"])
        return "2 of 3 records kept; an unknown category lists the labels"
    checks.run("CSV --categories selects by --label-field", categories)

    def newsgroups():
        p = env.run("vectorize", EMBEDDED, "--json", "--remove", "headers,footers,quotes")
        expect_ok(p)
        j = json.loads(p.stdout)
        assert j["layout"] == "20newsgroups" and j["documents"] == 2034, (j["layout"], j["documents"])
        return "2034 documents, cleaned"
    checks.run("--remove on the embedded 20 Newsgroups archive still applies", newsgroups)


def check_stdin(env, checks):
    d = env.fresh_dir("stdin")
    data = b"".join(json.dumps({"text": t, "tag": t.split()[0]}).encode() + b"\n"
                    for t in ["stars galaxies", "kernel drivers", "stars planets"])
    path = os.path.join(d, "f.jsonl")
    with open(path, "wb") as f:
        f.write(data)

    def same():
        a = vectorize(env, path, d, "--label-field", "tag")
        b = vectorize(env, "-", d, "--format", "jsonl", "--label-field", "tag", stdin=data)
        c = vectorize(env, "-", d, "--format", "jsonl", "--label-field", "tag", stdin=gzip.compress(data))
        same_matrix(a, b, "stdin")
        return f"{same_matrix(a, c, 'gzip on stdin')}"
    checks.run("- reads JSON Lines from standard input (plain and gzip), as from the file", same)
    checks.run("- without --format is a usage error",
               lambda: expect_error(env.run("vectorize", "-", "-q"), 2, ["--format"]))

    def csv_stdin():
        X, vocab, _, _ = vectorize(env, "-", d, "--format", "csv", stdin=b"a,text\n1,hello world\n")
        assert vocab == ["hello", "world"], vocab
        return "CSV from standard input"
    checks.run("- reads CSV from standard input", csv_stdin)


def main():
    args, env, checks, workdir, t0 = start_cli_script(__doc__, "readers-")
    check_csv_oracle(env, checks)
    check_csv_errors(env, checks)
    check_compression(env, checks)
    check_fields(env, checks)
    check_binary(env, checks)
    check_inapplicable(env, checks)
    check_stdin(env, checks)
    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
