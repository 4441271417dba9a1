#!/usr/bin/python3
"""Command-line behaviour of `factopic`: exit codes, messages, output files.

    /usr/bin/python3 tests/cli/test_cli.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-cli

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1
if anything failed. The crafted corpora and output directories go into a new
run-* folder under --workdir, removed when everything passed and kept for
inspection otherwise.

Contract: exit 0 ok; 1 runtime/input error with ONE line on stderr starting
"factopic: error: "; 2 usage error. A failing run leaves no output file and no
temporary file behind, and does not clobber an existing output file.
"""

import argparse
import json
import os
import random
import signal
import stat
import subprocess
import sys
import tarfile
import tempfile
import time

import numpy as np
import scipy.io
import scipy.sparse as sp
from sklearn.feature_extraction.text import CountVectorizer

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Checks, read_lines, finish, describe_timeout, weighting_count  # noqa: E402

FOUR = ["alt.atheism", "talk.religion.misc", "comp.graphics", "sci.space"]
FOUR_ARGS = ["--subset", "train", "--categories", ",".join(FOUR),
             "--remove", "headers,footers,quotes"]
FOUR_SHAPE, FOUR_NNZ = (2034, 26576), 133634
ERROR_PREFIX = "factopic: error: "
# Generous: the slowest legitimate run here reads the 14 MB archive once.
TIMEOUT = 300


class Env:
    def __init__(self, binary, data, workdir):
        self.binary = binary
        self.data = data
        self.workdir = workdir
        self.counter = 0

    def fresh_dir(self, name):
        self.counter += 1
        path = os.path.join(self.workdir, f"{self.counter:02d}-{name}")
        os.makedirs(path)
        return path

    def run(self, *args, timeout=TIMEOUT, as_nobody=False):
        return subprocess.run([self.binary, *weighting_count(args)], capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL,
                              preexec_fn=drop_to_nobody if as_nobody else None)


def start_cli_script(doc, prefix, extra=None):
    """The start of the CLI test scripts that share harness.start_script: (args, env, checks,
    workdir, t0), with an Env on the built binary and Checks that explain timeouts."""
    from harness import start_script
    args, workdir, t0 = start_script(doc, prefix, extra)
    env = Env(os.path.abspath(args.factopic), os.path.abspath(args.data), workdir)
    checks = Checks(extra=[(subprocess.TimeoutExpired, describe_timeout)], crash_location=True)
    return args, env, checks, workdir, t0


NOBODY = 65534


def drop_to_nobody():
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def out_args(outdir):
    return ["-o", os.path.join(outdir, "X.mtx"), "--vocab", os.path.join(outdir, "vocab.txt"),
            "--labels", os.path.join(outdir, "labels.txt"), "--ids", os.path.join(outdir, "ids.txt")]


def read_outputs(outdir):
    X = sp.csr_matrix(scipy.io.mmread(os.path.join(outdir, "X.mtx")))
    X.sum_duplicates()
    X.sort_indices()
    return (X, read_lines(os.path.join(outdir, "vocab.txt")),
            read_lines(os.path.join(outdir, "labels.txt")), read_lines(os.path.join(outdir, "ids.txt")))


def describe(proc):
    return f"exit {proc.returncode}, stderr {proc.stderr.strip()[:300]!r}"


def expect_ok(proc):
    if proc.returncode != 0:
        raise AssertionError(describe(proc))


def expect_error(proc, code=1, contains=()):
    """Exit `code`; for runtime errors exactly one stderr line with the prefix."""
    if proc.returncode != code:
        raise AssertionError(f"expected exit {code}, got {describe(proc)}")
    err = proc.stderr.strip("\n")
    if code == 1:
        if not err.startswith(ERROR_PREFIX):
            raise AssertionError(f"stderr does not start with {ERROR_PREFIX!r}: {err[:300]!r}")
        if "\n" in err:
            raise AssertionError(f"stderr has {err.count(chr(10)) + 1} lines, expected 1: {err[:300]!r}")
    elif not err:
        raise AssertionError("usage error with an empty stderr")
    for needle in contains:
        if needle.lower() not in err.lower():
            raise AssertionError(f"message lacks {needle!r}: {err[:300]!r}")
    return err


def expect_empty_dir(outdir):
    left = sorted(os.listdir(outdir))
    if left:
        raise AssertionError(f"left behind in the output directory: {left}")


def assert_matches_sklearn(X, vocab, docs, **cv_kwargs):
    cv = CountVectorizer(**{"stop_words": "english", **cv_kwargs})
    S = cv.fit_transform(docs)
    S.sort_indices()
    sk_vocab = list(cv.get_feature_names_out())
    if vocab != sk_vocab:
        raise AssertionError(f"vocabulary {vocab[:10]!r}... vs sklearn {sk_vocab[:10]!r}...")
    if X.shape != S.shape or (X != S).nnz:
        raise AssertionError(f"matrix differs from sklearn's CountVectorizer (shape {X.shape} vs {S.shape})")


# ---------------------------------------------------------------- checks

def check_json_run(env, checks):
    outdir = env.fresh_dir("json")
    state = {}

    def run():
        p = env.run("vectorize", env.data, *FOUR_ARGS, "--json", *out_args(outdir))
        expect_ok(p)
        try:
            state["json"] = json.loads(p.stdout)
        except json.JSONDecodeError as e:
            raise AssertionError(f"stdout is not one JSON object ({e}): {p.stdout[:200]!r}")
        if not isinstance(state["json"], dict):
            raise AssertionError(f"JSON is a {type(state['json']).__name__}, not an object")
        state["X"], state["vocab"], _, _ = read_outputs(outdir)
        return f"{p.stdout.count(chr(10))} line(s) on stdout"

    checks.run("4-category workload with --json: exit 0, stdout is one JSON object", run)
    if "json" not in state:
        checks.skip("--json contents", "the run above failed")
        return
    j, X, vocab = state["json"], state["X"], state["vocab"]

    def keys():
        missing = [k for k in ("documents", "terms", "nnz", "empty_documents", "weighting",
                               "top_terms", "timings") if k not in j]
        if not isinstance(j.get("timings"), dict):
            missing.append("timings{}")
        else:
            missing += [f"timings.{k}" for k in ("read", "vectorize", "total") if k not in j["timings"]]
        if missing:
            raise AssertionError(f"missing keys {missing}; has {sorted(j)}")
        return ", ".join(sorted(j))

    def figures():
        got = (j["documents"], j["terms"], j["nnz"])
        if got != (*FOUR_SHAPE, FOUR_NNZ):
            raise AssertionError(f"documents/terms/nnz {got}, published {(*FOUR_SHAPE, FOUR_NNZ)}")
        if (X.shape, X.nnz) != (FOUR_SHAPE, FOUR_NNZ):
            raise AssertionError(f"-o matrix {X.shape} nnz {X.nnz}")
        if j["weighting"] != "count":
            raise AssertionError(f"weighting {j['weighting']!r}, expected 'count' by default")
        return f"{got}"

    def empty_docs():
        # Headers, footers and quotes removed, some posts have nothing left.
        empty = int(np.sum(np.diff(X.indptr) == 0))
        if j["empty_documents"] != empty:
            raise AssertionError(f"empty_documents {j['empty_documents']}, matrix has {empty} empty rows")
        return f"{empty} empty documents"

    def top_terms():
        tt = j["top_terms"]
        if len(tt) != 20:
            raise AssertionError(f"{len(tt)} top terms, expected 20 by default")
        totals = np.asarray(X.sum(axis=0)).ravel()
        col = {t: i for i, t in enumerate(vocab)}
        counts = []
        for entry in tt:
            term, count = entry
            if term not in col or totals[col[term]] != count:
                raise AssertionError(f"top term {entry!r} vs column total "
                                     f"{totals[col[term]] if term in col else 'absent'}")
            counts.append(count)
        if counts != sorted(counts, reverse=True) or counts[-1] < np.sort(totals)[-20]:
            raise AssertionError(f"not the 20 largest totals in descending order: {counts}")
        return f"first {tt[0]!r}"

    def timings():
        t = j["timings"]
        vals = [t["read"], t["vectorize"], t["total"]]
        if not all(isinstance(v, (int, float)) and v >= 0 for v in vals):
            raise AssertionError(f"timings not non-negative numbers: {t}")
        if t["read"] > t["total"] or t["vectorize"] > t["total"]:
            raise AssertionError(f"a phase takes longer than the total: {t}")
        return ", ".join(f"{k} {t[k]:.3f}s" for k in ("read", "vectorize", "total"))

    def mtx_format():
        with open(os.path.join(outdir, "X.mtx")) as f:
            header = f.readline().strip()
            lines = [f.readline() for _ in range(50)]
        if header.lower() != "%%matrixmarket matrix coordinate real general":
            raise AssertionError(f"header {header!r}")
        body = [ln.split() for ln in lines if ln.strip() and not ln.startswith("%")][1:]
        if any(not v[2].isdigit() for v in body):
            raise AssertionError(f"counts not printed as integers: {[v[2] for v in body][:5]}")
        return header

    checks.run("--json has documents, terms, nnz, empty_documents, weighting, top_terms, timings", keys)
    checks.run("--json documents/terms/nnz as published and equal to the -o matrix", figures)
    checks.run("--json empty_documents equals the empty rows of the matrix", empty_docs)
    checks.run("--json top_terms are the 20 largest column totals", top_terms)
    checks.run("--json timings read/vectorize/total", timings)
    checks.run("-o is Matrix Market coordinate real general, counts as integers", mtx_format)

    def top_n():
        p = env.run("vectorize", env.data, *FOUR_ARGS, "--json", "--top-terms", "5")
        expect_ok(p)
        n = len(json.loads(p.stdout)["top_terms"])
        if n != 5:
            raise AssertionError(f"{n} top terms with --top-terms 5")

    def human():
        p = env.run("vectorize", env.data, *FOUR_ARGS)
        expect_ok(p)
        if not p.stdout.strip():
            raise AssertionError("no summary on stdout without --json")
        try:
            json.loads(p.stdout)
        except json.JSONDecodeError:
            return f"{p.stdout.strip().splitlines()[0][:80]!r}"
        raise AssertionError("without --json stdout is JSON")

    checks.run("--top-terms 5", top_n)
    checks.run("without --json: a human summary", human)


def craft_folder(root, files):
    for rel, text in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)


def check_folder(env, checks):
    corpus = os.path.join(env.fresh_dir("folder"), "corpus")
    files = {
        "space/9.txt": "Rockets reach orbit; orbit decays.\n",
        "space/10.txt": "The shuttle landed after orbit insertion.\n",
        "space/deep/probe.txt": "Voyager probe leaves the heliosphere.\n",
        "religion/a.txt": "Faith and reason, reason and faith.\n",
        "religion/b.txt": "Scripture scholars debate reason.\n",
    }
    craft_folder(corpus, files)
    # Every regular file in sorted path order ("10.txt" < "9.txt" as strings),
    # label = first-level folder, id = path inside the corpus.
    ids = sorted(files)
    labels = [i.split("/")[0] for i in ids]
    outdir = env.fresh_dir("folder-out")

    def run():
        p = env.run("vectorize", corpus, *out_args(outdir))
        expect_ok(p)
        X, vocab, got_labels, got_ids = read_outputs(outdir)
        if got_ids != ids:
            raise AssertionError(f"ids {got_ids}, expected {ids}")
        if got_labels != labels:
            raise AssertionError(f"labels {got_labels}, expected {labels}")
        assert_matches_sklearn(X, vocab, [files[i] for i in ids])
        return f"{len(ids)} documents, labels {sorted(set(labels))}"

    checks.run("folder corpus: sub-folders are labels, ids are paths, sorted order", run)

    def with_fifo():
        # Only regular files are documents: a FIFO must be skipped, not opened
        # (opening one with no writer would block forever).
        fifo_corpus = os.path.join(env.fresh_dir("folder-fifo"), "corpus")
        craft_folder(fifo_corpus, files)
        os.mkfifo(os.path.join(fifo_corpus, "space", "pipe"))
        out = env.fresh_dir("folder-fifo-out")
        p = env.run("vectorize", fifo_corpus, *out_args(out), timeout=30)
        expect_ok(p)
        _, _, _, got_ids = read_outputs(out)
        if got_ids != ids:
            raise AssertionError(f"ids {got_ids}")
        return "FIFO skipped"

    checks.run("folder corpus with a FIFO inside: skipped, no hang", with_fifo)


def check_20news_folder(env, checks):
    """The by-date layout is recognised in a folder as in an archive."""
    root = os.path.join(env.fresh_dir("20news-folder"), "corpus")
    with tarfile.open(env.data, "r:*") as tar:
        members = [m for m in tar if len(m.name.strip("/").split("/")) >= 2
                   and m.name.strip("/").split("/")[1] in FOUR]
        tar.extractall(root, members=members)
    out_a, out_f = env.fresh_dir("20news-archive-out"), env.fresh_dir("20news-folder-out")

    def run():
        expect_ok(env.run("vectorize", env.data, *FOUR_ARGS, *out_args(out_a)))
        expect_ok(env.run("vectorize", root, *FOUR_ARGS, *out_args(out_f)))
        A, F = read_outputs(out_a), read_outputs(out_f)
        for name, a, f in zip(("matrix", "vocab", "labels", "ids"), A, F):
            if name == "matrix":
                same = a.shape == f.shape and (a != f).nnz == 0
            else:
                same = a == f
            if not same:
                raise AssertionError(f"{name} differs between folder and archive"
                                     + (f" (shape {a.shape} vs {f.shape})" if name == "matrix" else ""))
        return f"{A[0].shape[0]} documents"

    checks.run("20news by-date folder == same archive (matrix, vocab, labels, ids)", run)


def check_lines_jsonl(env, checks):
    d = env.fresh_dir("lines")
    docs = ["Planets orbit the sun", "The sun is a star", "Stars burn hydrogen fuel",
            "Hydrogen fuel for rockets"]
    lines = os.path.join(d, "docs.txt")
    with open(lines, "w") as f:
        f.write("\n".join(docs) + "\n")

    def run_lines():
        out = env.fresh_dir("lines-out")
        expect_ok(env.run("vectorize", lines, *out_args(out)))
        X, vocab, _, _ = read_outputs(out)
        assert_matches_sklearn(X, vocab, docs)
        return f"{X.shape[0]} documents x {X.shape[1]} terms"

    labels = ["astro", "astro", "physics", "engineering"]
    jl = os.path.join(d, "docs.jsonl")
    with open(jl, "w") as f:
        for text, label in zip(docs, labels):
            f.write(json.dumps({"body": text, "topic": label, "n": 1}) + "\n")

    def run_jsonl():
        out = env.fresh_dir("jsonl-out")
        expect_ok(env.run("vectorize", jl, "--text-field", "body", "--label-field", "topic",
                          *out_args(out)))
        X, vocab, got_labels, _ = read_outputs(out)
        assert_matches_sklearn(X, vocab, docs)
        if got_labels != labels:
            raise AssertionError(f"labels {got_labels}, expected {labels}")
        return f"labels {got_labels}"

    jd = os.path.join(d, "default.jsonl")
    with open(jd, "w") as f:
        for text in docs:
            f.write(json.dumps({"text": text}) + "\n")

    def run_jsonl_default():
        out = env.fresh_dir("jsonl-default-out")
        expect_ok(env.run("vectorize", jd, *out_args(out)))
        X, vocab, _, _ = read_outputs(out)
        assert_matches_sklearn(X, vocab, docs)

    checks.run("lines corpus: one document per line", run_lines)
    checks.run("jsonl corpus with --text-field body --label-field topic", run_jsonl)
    checks.run("jsonl corpus with the default text field", run_jsonl_default)


def failure(env, checks, name, args, code=1, contains=(), outputs=True, timeout=TIMEOUT,
            as_nobody=False):
    """A run that must fail and leave its (initially empty) output directory empty."""
    def fn():
        out = env.fresh_dir("fail")
        if as_nobody:
            os.chmod(out, 0o777)
        p = env.run(*args, *(out_args(out) if outputs else []), timeout=timeout,
                    as_nobody=as_nobody)
        err = expect_error(p, code, contains)
        expect_empty_dir(out)
        return f"exit {code}: {err[:140]!r}"
    checks.run(name, fn)


def check_failures(env, checks):
    d = env.fresh_dir("inputs")
    vec = ["vectorize"]

    missing = os.path.join(d, "no", "such", "corpus.tar.gz")
    failure(env, checks, "missing path: exit 1, message names the path",
            vec + [missing], contains=[missing])

    # Root reads a chmod 000 file anyway, so as root the binary is run as
    # "nobody", for whom the permission bits do hold.
    perm = env.fresh_dir("perm")
    blocked = os.path.join(perm, "blocked.txt")
    with open(blocked, "w") as f:
        f.write("some words here\n")
    os.chmod(blocked, 0)
    perm_corpus = os.path.join(perm, "corpus")
    craft_folder(perm_corpus, {"a/ok.txt": "readable words here\n", "a/locked.txt": "hidden words\n",
                               "b/fine.txt": "more readable words\n"})
    locked = os.path.join(perm_corpus, "a", "locked.txt")
    os.chmod(locked, 0)
    as_nobody = os.geteuid() == 0
    if as_nobody:
        for dirpath, _, _ in os.walk(perm):
            os.chmod(dirpath, 0o755)
        os.chmod(env.workdir, 0o755)
        probe = subprocess.run(["/bin/cat", blocked], capture_output=True, preexec_fn=drop_to_nobody)
        usable = probe.returncode != 0 and os.access(env.binary, os.X_OK)
    else:
        usable = not os.access(blocked, os.R_OK)
    if not usable:
        checks.skip("unreadable file (chmod 000)", "cannot make a file unreadable for the binary here")
    else:
        who = " (run as nobody)" if as_nobody else ""
        failure(env, checks, f"unreadable file (chmod 000) as lines corpus{who}: exit 1, names the path",
                vec + [blocked, "--format", "lines"], contains=[blocked], as_nobody=as_nobody)
        failure(env, checks, f"folder corpus with one unreadable file{who}: exit 1, names the file",
                vec + [perm_corpus], contains=["locked.txt"], as_nobody=as_nobody)
    os.chmod(blocked, stat.S_IRUSR | stat.S_IWUSR)
    a_dir = os.path.join(d, "a-directory")
    os.makedirs(a_dir)
    # An input that cannot be read is a runtime error (exit 1), like a missing
    # one, and the message must say which path, or the user cannot act on it.
    failure(env, checks, "directory given as a lines file: exit 1, names the path",
            vec + [a_dir, "--format", "lines"], contains=[a_dir])
    failure(env, checks, "directory given as a jsonl file: exit 1, names the path",
            vec + [a_dir, "--format", "jsonl"], contains=[a_dir])
    failure(env, checks, "directory given as --stop-words FILE: exit 1, names the path",
            vec + [env.data, *FOUR_ARGS, "--stop-words", a_dir], contains=[a_dir])
    not_dir = os.path.join(blocked, "inside.txt")
    failure(env, checks, "path through a regular file (ENOTDIR): exit 1",
            vec + [not_dir], contains=[not_dir])

    corrupt = os.path.join(d, "corrupt.tar.gz")
    with open(corrupt, "wb") as f:
        f.write(random.Random(1).randbytes(64 * 1024))
    failure(env, checks, "corrupt archive (random bytes .tar.gz): exit 1, one line", vec + [corrupt])

    # Valid gzip, but what is inside is not a tar.
    import gzip
    not_tar = os.path.join(d, "not-tar.tar.gz")
    with gzip.open(not_tar, "wb") as f:
        f.write(b"hello world, this is not a tar archive\n" * 1000)
    failure(env, checks, "gzip that is not a tar: exit 1, one line", vec + [not_tar])

    truncated = os.path.join(d, "truncated.tar.gz")
    with open(env.data, "rb") as f:
        blob = f.read()
    with open(truncated, "wb") as f:
        f.write(blob[:len(blob) // 2])
    failure(env, checks, "truncated archive (first half): exit 1, one line", vec + [truncated])

    with tarfile.open(env.data, "r:*") as tar:
        valid = sorted({m.name.split("/")[1] for m in tar.getmembers()
                        if m.name.startswith("20news-bydate-train/") and m.isdir()
                        and m.name.strip("/").count("/") == 1})
    failure(env, checks, "unknown category: exit 1, message names it and lists the valid names",
            vec + [env.data, "--categories", "sci.space,no.such.group"],
            contains=["no.such.group", *valid])

    empty = os.path.join(d, "empty-folder")
    os.makedirs(empty)
    failure(env, checks, "empty folder: exit 1, 'no documents'", vec + [empty], contains=["no documents"])

    stop = os.path.join(d, "stop.txt")
    with open(stop, "w") as f:
        f.write("the and of\nwhich is a\nI we they\n")
    failure(env, checks, "only stop words: exit 1, mentions 'stop words'", vec + [stop],
            contains=["stop words"])

    failure(env, checks, "--min-df 1000: 'after pruning no terms remain'",
            vec + [env.data, *FOUR_ARGS, "--min-df", "1000"],
            contains=["after pruning no terms remain"])
    failure(env, checks, "--max-df 1 --min-df 2: exit 1",
            vec + [env.data, *FOUR_ARGS, "--max-df", "1", "--min-df", "2"])

    failure(env, checks, "unknown option: exit 2", vec + [env.data, "--no-such-option"], code=2)
    failure(env, checks, "bad --weighting value: exit 2", vec + [env.data, "--weighting", "bm25"], code=2)
    failure(env, checks, "missing CORPUS: exit 2", vec, code=2)
    failure(env, checks, "unknown subcommand: exit 2", ["vectorise", env.data], code=2)

    def same_output_twice():
        out = env.fresh_dir("fail-same")
        target = os.path.join(out, "same.txt")
        p = env.run("vectorize", env.data, *FOUR_ARGS, "-o", target, "--vocab", target)
        err = expect_error(p, 2, contains=["named twice"])
        expect_empty_dir(out)
        return f"exit 2: {err[:140]!r}"
    checks.run("one path for two outputs: exit 2 before any work, nothing written", same_output_twice)

    def interrupted():
        # A long run (all 20 groups with trigrams) stopped by SIGTERM while its outputs are open
        # must die of the signal and leave no temporary file behind.
        out = env.fresh_dir("interrupted")
        p = subprocess.Popen([env.binary, "vectorize", env.data, "--subset", "all", "--ngram", "1:3",
                              *out_args(out)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 60
        while not any(n.startswith(".") for n in os.listdir(out)):
            if p.poll() is not None or time.time() > deadline:
                raise AssertionError(f"no temporary appeared before the run ended (exit {p.returncode})")
            time.sleep(0.01)
        p.send_signal(signal.SIGTERM)
        p.wait(timeout=TIMEOUT)
        if p.returncode != -signal.SIGTERM:
            raise AssertionError(f"expected death by SIGTERM, got exit {p.returncode}")
        expect_empty_dir(out)
        return "killed by SIGTERM, output directory empty"
    checks.run("SIGTERM during a run: no temporary left behind", interrupted)

    def missing_outdir():
        out = env.fresh_dir("fail-outdir")
        target = os.path.join(out, "no-such-dir", "X.mtx")
        p = env.run("vectorize", env.data, *FOUR_ARGS, "-o", target)
        err = expect_error(p, 1)
        expect_empty_dir(out)
        return f"{err[:140]!r}"

    checks.run("-o in a non-existent directory: exit 1, nothing created", missing_outdir)

    def partial_outputs():
        # -o is writable but --vocab is not: no half set of outputs may stay.
        out = env.fresh_dir("fail-vocab")
        p = env.run("vectorize", env.data, *FOUR_ARGS, "-o", os.path.join(out, "X.mtx"),
                    "--vocab", os.path.join(out, "missing", "vocab.txt"))
        expect_error(p, 1)
        expect_empty_dir(out)

    checks.run("--vocab in a non-existent directory: exit 1, no X.mtx left either", partial_outputs)

    def no_clobber():
        out = env.fresh_dir("no-clobber")
        sentinel = "%%MatrixMarket precious result of an earlier run\n"
        paths = [os.path.join(out, n) for n in ("X.mtx", "vocab.txt", "labels.txt", "ids.txt")]
        for path in paths:
            with open(path, "w") as f:
                f.write(sentinel)
        p = env.run("vectorize", env.data, *FOUR_ARGS, "--min-df", "1000", *out_args(out))
        expect_error(p, 1)
        for path in paths:
            with open(path) as f:
                if f.read() != sentinel:
                    raise AssertionError(f"{os.path.basename(path)} was overwritten")
        extra = sorted(set(os.listdir(out)) - {os.path.basename(p) for p in paths})
        if extra:
            raise AssertionError(f"left behind: {extra}")
        return "all four outputs intact"

    checks.run("a failing run does not clobber existing output files", no_clobber)


def check_version(env, checks):
    def fn():
        p = env.run("version")
        expect_ok(p)
        text = p.stdout + p.stderr
        if "openblas" not in text.lower():
            raise AssertionError(f"no OpenBLAS in {text.strip()[:300]!r}")
        return text.strip().splitlines()[0][:100]
    checks.run("factopic version mentions OpenBLAS", fn)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--factopic", required=True)
    ap.add_argument("--data", required=True, help="20news-bydate.tar.gz")
    ap.add_argument("--workdir", required=True, help="scratch directory (emptied first)")
    args = ap.parse_args()
    t0 = time.perf_counter()
    os.makedirs(args.workdir, exist_ok=True)
    # A fresh folder of our own: --workdir itself may hold anything, so it is
    # never emptied.
    workdir = tempfile.mkdtemp(prefix="run-", dir=os.path.abspath(args.workdir))
    env = Env(os.path.abspath(args.factopic), os.path.abspath(args.data), workdir)
    checks = Checks(extra=[(subprocess.TimeoutExpired, describe_timeout)])

    check_version(env, checks)
    check_json_run(env, checks)
    check_folder(env, checks)
    check_20news_folder(env, checks)
    check_lines_jsonl(env, checks)
    check_failures(env, checks)

    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
