#!/usr/bin/python3
"""Command-line behaviour of `factopic topics` (the main job) and of models: fit, transform, inspect.

    /usr/bin/python3 tests/cli/test_topics_cli.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-topics-cli

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1
if anything failed. Runs on two categories of the 20 Newsgroups test set (783
documents) and on tiny Matrix Market files: seconds.

The report: a corpus line (documents, empty documents, terms, non-zeros), a method
line (solver, k, iterations, time, error and relative error), a quality line (mean
NPMI and UMass coherence, diversity), a labels line (NMI, ARI) when the documents
have labels, a time line, then a table with one row per topic: its NPMI, UMass,
documents, dominant label and share, and top words. Everything in the text equals
the JSON. The quality figures themselves are checked against gensim and
scikit-learn in tests/oracle/test_topics_oracle.py.

Models: `fit` prints the topics report and writes the model; `inspect` shows it;
`transform` embeds documents with it. A damaged model file -- a flipped byte, a
truncation, a wrong signature, a newer format version, an empty or missing file --
is exit 1 with one line on stderr naming the file, and no output file. The numbers
transform gives are checked against scikit-learn in tests/oracle/test_model_oracle.py.
"""

import csv
import json
import os
import re
import struct
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [HERE, os.path.dirname(HERE)]
from harness import finish, read_lines  # noqa: E402
from test_cli import start_cli_script, expect_error, expect_ok  # noqa: E402
from test_svd_cli import write_mtx, run_json, unwritable  # noqa: E402
from test_nmf_cli import failure  # noqa: E402

TWO = ["--subset", "test", "--categories", "sci.space,comp.graphics", "--remove", "headers,footers,quotes"]
# 4 x 3 with an empty document (row 3) and one word in every document but it.
SMALL = [(1, 1, 1.0), (1, 2, 0.25), (2, 2, 2.0), (2, 3, 1.0), (4, 1, 0.5), (4, 3, 3.0)]
JSON_KEYS = ["source", "rows", "cols", "nnz", "dtype", "threads", "method", "k", "corpus", "topics", "topic_sizes",
             "coherence", "diversity", "labels", "timings", "outputs"]
TABLE_ROW = re.compile(r"^\s*(\d+)\s+(-?\d+\.\d+)\s+(-?\d+\.\d+)\s+(\d+)\s+(.*)$")


def parse_report(stdout):
    """{'lines': {'corpus': ..., 'method': ..., ...}, 'rows': [(topic, npmi, umass, docs, rest)]}"""
    lines, rows, in_table = {}, [], False
    for line in stdout.splitlines():
        if line.startswith("topic "):
            in_table = True
            continue
        if not in_table:
            m = re.match(r"^(\w+)\s{2,}(.*)$", line)
            if m:
                lines[m.group(1)] = m.group(2)
            continue
        m = TABLE_ROW.match(line)
        if m:
            rows.append((int(m.group(1)), float(m.group(2)), float(m.group(3)), int(m.group(4)), m.group(5)))
    return {"lines": lines, "rows": rows}


def check_models(env, checks, small, vocab):
    models = env.fresh_dir("models")
    model = os.path.join(models, "m.ftm")

    def fit():
        p = env.run("fit", env.data, *TWO, "-k", "3", "-o", model)
        expect_ok(p)
        r = parse_report(p.stdout)
        if f"{model} (" not in r["lines"].get("model", "") or len(r["rows"]) != 3:
            raise AssertionError(f"no 'model' line naming {model}, or not 3 topics:\n{p.stdout[:600]}")
        j = run_json(env, "topics", env.data, *TWO, "-k", "3")
        words = [" ".join(w for w, _ in t["top"]) for t in j["topics"]]
        if [row[4].endswith(w) for row, w in zip(r["rows"], words)] != [True] * 3:
            raise AssertionError("fit's topics are not topics' topics")
        with open(model, "rb") as f:
            head = f.read(24)
        if head[:8] != b"\x89FTM\r\n\x1a\n" or struct.unpack_from("<I", head, 8)[0] != 1:
            raise AssertionError(f"file starts {head[:12]!r}")
        return f"{os.path.getsize(model)} bytes; {r['lines']['model']}"
    checks.run("fit CORPUS -k 3 -o m.ftm: the topics report, a model line, the file", fit)

    def inspect():
        p = env.run("inspect", model, "--top", "5")
        expect_ok(p)
        j = run_json(env, "inspect", model, "--top", "5")
        for key in ("method", "vectorizer", "nmf", "metadata", "format_version", "k", "terms", "topics"):
            if key not in j:
                raise AssertionError(f"inspect --json lacks {key}")
        if j["k"] != 3 or j["method"] != "nmf" or j["vectorizer"]["weighting"] != "tfidf" \
                or j["metadata"]["documents"] != 783:
            raise AssertionError(f"k {j['k']}, method {j['method']}, vectorizer {j['vectorizer']}")
        for t in j["topics"]:
            line = " ".join(w for w, _ in t["top"])
            if line not in p.stdout:
                raise AssertionError(f"topic {line!r} not in the text:\n{p.stdout}")
        for name in ("method", "vectorizer", "fitted on", "error", "quality"):
            if not any(x.startswith(name) for x in p.stdout.splitlines()):
                raise AssertionError(f"no '{name}' line:\n{p.stdout}")
        return p.stdout.splitlines()[1]
    checks.run("inspect m.ftm: method, vectorizer, fit and quality lines, the topics (text == JSON)", inspect)

    def transform():
        out = env.fresh_dir("transform")
        w = os.path.join(out, "W.csv")
        p = env.run("transform", model, env.data, "--subset", "train", "--categories", "sci.space,comp.graphics",
                    "--remove", "headers,footers,quotes", "--doc-topics", w)
        expect_ok(p)
        j = run_json(env, "transform", model, env.data, "--subset", "train", "--categories",
                     "sci.space,comp.graphics", "--remove", "headers,footers,quotes")
        with open(w, newline="") as f:
            rows = list(csv.reader(f))
        if len(rows) - 1 != j["corpus"]["documents"] or rows[0] != ["document", "label", "dominant_topic", "topic_0",
                                                                    "topic_1", "topic_2"]:
            raise AssertionError(f"{len(rows) - 1} rows vs {j['corpus']['documents']} documents; header {rows[0]}")
        if not rows[1][0].startswith("20news-bydate-train/"):
            raise AssertionError(f"first id {rows[1][0]!r}")
        if sum(j["topic_sizes"]) + j["unassigned_documents"] != j["corpus"]["documents"] or j["labels"] is None:
            raise AssertionError(f"sizes {j['topic_sizes']}, labels {j['labels']}")
        if "labels" not in parse_report(p.stdout)["lines"]:
            raise AssertionError(f"no labels line:\n{p.stdout[:500]}")
        return f"{j['corpus']['documents']} documents, sizes {j['topic_sizes']}, NMI {j['labels']['nmi']:.3f}"
    checks.run("transform m.ftm CORPUS --doc-topics: ids, k weights, sizes, labels", transform)

    def unknown_words():
        out = env.fresh_dir("unknown-words")
        docs, w = os.path.join(out, "docs.txt"), os.path.join(out, "W.csv")
        with open(docs, "w") as f:
            f.write("qqqzzz xxyyww\nspace shuttle launch orbit\n")
        j = run_json(env, "transform", model, docs, "--format", "lines", "--doc-topics", w)
        with open(w, newline="") as f:
            rows = list(csv.reader(f))
        if [float(v) for v in rows[1][3:]] != [0.0, 0.0, 0.0] or not any(float(v) > 0 for v in rows[2][3:]):
            raise AssertionError(f"weights {rows[1:]}")
        if j["corpus"]["empty_documents"] != 1 or j["labels"] is not None:
            raise AssertionError(f"corpus {j['corpus']}, labels {j['labels']}")
        return f"unknown words: {rows[1][3:]}; known: {rows[2][3:]}"
    checks.run("transform of a document with none of the model's terms: zero weights, exit 0", unknown_words)

    with open(model, "rb") as f:
        good = f.read()
    version2 = bytearray(good)
    struct.pack_into("<I", version2, 8, 2)
    damaged = [
        ("a flipped byte in the factor", lambda: bytes(good[:-100] + bytes([good[-100] ^ 0x01]) + good[-99:]),
         "checksum"),
        ("a flipped byte in the vocabulary", lambda: bytes(good[:400] + bytes([good[400] ^ 0x40]) + good[401:]),
         "checksum"),
        ("truncated by 1 byte", lambda: good[:-1], "truncated"),
        ("truncated to half", lambda: good[:len(good) // 2], "truncated"),
        ("cut inside the header", lambda: good[:12], "truncated"),
        ("a wrong signature", lambda: b"\x89FTX" + good[4:], "not a factopic model"),
        ("format version 2", lambda: bytes(version2), "version 2"),
        ("empty", lambda: b"", "not a factopic model"),
        ("a Matrix Market file", lambda: open(small, "rb").read(), "not a factopic model"),
    ]
    for name, make, says in damaged:
        for command in ("inspect", "transform"):
            def fn(make=make, says=says, command=command, name=name):
                out = env.fresh_dir("damaged")
                bad = os.path.join(out, "bad.ftm")
                with open(bad, "wb") as f:
                    f.write(make())
                w = os.path.join(out, "W.csv")
                cmd = ["inspect", bad] if command == "inspect" else \
                    ["transform", bad, env.data, *TWO, "--doc-topics", w]
                p = env.run(*cmd)
                err = expect_error(p, 1, contains=[bad, says])
                if len(p.stderr.strip().splitlines()) != 1:
                    raise AssertionError(f"{len(p.stderr.strip().splitlines())} lines on stderr: {p.stderr[:300]!r}")
                if sorted(os.listdir(out)) != ["bad.ftm"]:
                    raise AssertionError(f"left behind: {sorted(os.listdir(out))}")
                return f"{err[:130]!r}"
            checks.run(f"{command} of a model with {name}: exit 1, one line naming the file", fn)

    def missing():
        p = env.run("inspect", os.path.join(models, "nope.ftm"))
        return f"{expect_error(p, 1, contains=['nope.ftm'])[:100]!r}"
    checks.run("inspect of a missing file: exit 1 naming it", missing)

    failure(env, checks, "fit without -o: exit 2", ["fit", env.data, *TWO, "-k", "2"], 2, contains=["--output"],
            outputs=False)
    # fit and transform of a .mtx are tested in test_matrix_inputs.py; here, a .mtx whose columns
    # are not the corpus model's terms.
    failure(env, checks, "transform of a .mtx with other columns than the model's terms: exit 1, names both",
            ["transform", model, small], 1, contains=["small.mtx", "3 columns"], outputs=False)
    checks.run("fit -o in a missing directory: exit 1, nothing written",
               unwritable(env, ["fit", env.data, *TWO, "-k", "2"], "-o",
                          os.path.join(env.workdir, "no-such-dir", "m.ftm"), []))


def run_with_tty_stderr(env, *args):
    """(exit code, stdout, what reached stderr) with stderr a terminal (a pseudo-terminal)."""
    import pty
    master, slave = pty.openpty()
    p = subprocess.Popen([env.binary, *map(str, args)], stdout=subprocess.PIPE, stderr=slave,
                         stdin=subprocess.DEVNULL)
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not data:
            break
        chunks.append(data)
    out = p.stdout.read()
    p.wait(timeout=300)
    os.close(master)
    return p.returncode, out.decode(), b"".join(chunks).decode(errors="replace")


def check_progress(env, checks):
    def on_terminal():
        # Long enough (mu, 1500 iterations: about a second) for the bar to be drawn mid-way.
        code, out, err = run_with_tty_stderr(env, "topics", env.data, *TWO, "-k", "3", "--solver", "mu",
                                             "--tol", "0", "--max-iter", "1500")
        if code != 0:
            raise AssertionError(f"exit {code}: {err[-300:]!r}")
        for stage in ("reading", "vectorizing", "nmf mu"):
            if stage not in err:
                raise AssertionError(f"no '{stage}' progress on the terminal: {err[:300]!r}")
        if not err.endswith("\r\x1b[K"):
            raise AssertionError(f"the progress line is not cleared at the end: {err[-80:]!r}")
        if "\r" in out or "reading" in out:
            raise AssertionError("progress reached stdout")
        if not re.search(r"\[#+ *\]\s+\d+%\s+\d+/\d+", err):
            raise AssertionError(f"no bar with a percentage for the NMF iterations: {err[:300]!r}")
        return f"{err.count(chr(13))} frames on stderr, the report intact on stdout"
    checks.run("progress: drawn on stderr when it is a terminal (read, vectorize, nmf bar), then cleared", on_terminal)

    for flag in ("--quiet", "--json"):
        def silent(flag=flag):
            code, out, err = run_with_tty_stderr(env, "topics", env.data, *TWO, "-k", "3", flag)
            if code != 0 or err:
                raise AssertionError(f"exit {code}, stderr {err[:200]!r}")
            if flag == "--json":
                json.loads(out)
            return "nothing on stderr" + (", stdout is JSON" if flag == "--json" else "")
        checks.run(f"progress: {flag} on a terminal draws nothing", silent)

    def piped():
        p = env.run("topics", env.data, *TWO, "-k", "3")
        expect_ok(p)
        if p.stderr:
            raise AssertionError(f"stderr {p.stderr[:200]!r}")
        return "nothing on a piped stderr"
    checks.run("progress: none when stderr is not a terminal", piped)


def main():
    args, env, checks, workdir, t0 = start_cli_script(__doc__, "topics-cli-")
    inputs = env.fresh_dir("inputs")
    small = write_mtx(os.path.join(inputs, "small.mtx"), (4, 3), SMALL)
    vocab = os.path.join(inputs, "vocab.txt")
    with open(vocab, "w") as f:
        f.write("alpha\nbeta\ngamma\n")

    def report_equals_json():
        p = env.run("topics", env.data, *TWO, "-k", "4")
        expect_ok(p)
        j = run_json(env, "topics", env.data, *TWO, "-k", "4")
        missing = [k for k in JSON_KEYS if k not in j]
        if missing:
            raise AssertionError(f"JSON lacks {missing}")
        r = parse_report(p.stdout)
        for name in ("corpus", "method", "quality", "labels", "time"):
            if name not in r["lines"]:
                raise AssertionError(f"no '{name}' line in:\n{p.stdout[:800]}")
        c = j["corpus"]
        want = f"{c['documents']} documents ({c['empty_documents']} empty), {c['terms']} terms, {c['nnz']} non-zeros"
        if not r["lines"]["corpus"].startswith(want) or "tfidf" not in r["lines"]["corpus"]:
            raise AssertionError(f"corpus line {r['lines']['corpus']!r}, expected {want!r} ... tfidf")
        if c["documents"] != 783 or c["empty_documents"] <= 0:
            raise AssertionError(f"corpus {c}: expected 783 documents, some empty")
        method = r["lines"]["method"]
        for token in ("nmf (cd, init nndsvda)", "k = 4", f"{j['iterations']} iterations",
                      f"error {j['reconstruction_error']:.6f}", f"relative {j['relative_error']:.6f}"):
            if token not in method:
                raise AssertionError(f"method line {method!r} lacks {token!r}")
        q = j["coherence"]
        for token in (f"NPMI {q['npmi_mean']:.4f}", f"UMass {q['umass_mean']:.4f}",
                      f"diversity {j['diversity']['value']:.3f}"):
            if token not in r["lines"]["quality"]:
                raise AssertionError(f"quality line {r['lines']['quality']!r} lacks {token!r}")
        lab = j["labels"]
        for token in (f"NMI {lab['nmi']:.4f}", f"ARI {lab['ari']:.4f}"):
            if token not in r["lines"]["labels"]:
                raise AssertionError(f"labels line {r['lines']['labels']!r} lacks {token!r}")
        if [row[0] for row in r["rows"]] != list(range(4)):
            raise AssertionError(f"table rows {[row[0] for row in r['rows']]}, expected 0..3")
        for t, npmi, umass, docs, rest in r["rows"]:
            words = [w for w, _ in j["topics"][t]["top"]]
            entry = lab["topics"][t]
            if abs(npmi - q["npmi"][t]) > 5e-4 or abs(umass - q["umass"][t]) > 5e-4:
                raise AssertionError(f"topic {t}: text {npmi} {umass} vs JSON {q['npmi'][t]} {q['umass'][t]}")
            if docs != j["topic_sizes"][t] or docs != entry["size"]:
                raise AssertionError(f"topic {t}: {docs} documents vs JSON {j['topic_sizes'][t]}")
            rest = re.sub(r"  \[few documents: \d+\]$", "", rest)  # tests/cli/test_doc_topics.py checks the flag
            want_label = f"{entry['label']} {100 * entry['share']:.0f}%" if docs else "-"
            if not rest.startswith(want_label) or not rest.endswith(" ".join(words)):
                raise AssertionError(f"topic {t}: {rest!r} vs label {want_label!r}, words {words}")
            if len(words) != 10:
                raise AssertionError(f"topic {t}: {len(words)} words, expected 10 by default")
        if sum(j["topic_sizes"]) + j["unassigned_documents"] != 783 or set(lab["topics"][0]) != {"label", "share",
                                                                                                 "size"}:
            raise AssertionError(f"topic sizes {j['topic_sizes']} and {j['unassigned_documents']} unassigned do not "
                                 "add up to 783")
        if not all(x in ("sci.space", "comp.graphics") for x in (e["label"] for e in lab["topics"] if e["size"])):
            raise AssertionError(f"labels {[e['label'] for e in lab['topics']]}")
        if not 0 < lab["nmi"] <= 1 or not -1 <= lab["ari"] <= 1:
            raise AssertionError(f"NMI {lab['nmi']}, ARI {lab['ari']}")
        return f"NMI {lab['nmi']:.3f}; topic 0: {r['rows'][0][4][:70]}"
    checks.run("topics CORPUS -k 4: corpus, method, quality, labels lines and the table == JSON", report_equals_json)

    def doc_topics():
        out = env.fresh_dir("doc-topics")
        path = os.path.join(out, "W.csv")
        ids = os.path.join(out, "ids.txt")
        expect_ok(env.run("vectorize", env.data, *TWO, "-o", os.path.join(out, "X.mtx"), "--ids", ids))
        j = run_json(env, "topics", env.data, *TWO, "-k", "3", "--doc-topics", path)
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        if rows[0] != ["document", "label", "dominant_topic", "topic_0", "topic_1", "topic_2"]:
            raise AssertionError(f"header {rows[0]}")
        if [r[0] for r in rows[1:]] != read_lines(ids):
            raise AssertionError("the ids are not vectorize --ids, in order")
        weights = [[float(v) for v in r[3:]] for r in rows[1:]]
        if any(v < 0 for r in weights for v in r):
            raise AssertionError("a negative NMF weight")
        sizes = [0, 0, 0]
        for r in weights:
            if any(r):  # an all-zero row has no topic (-1)
                sizes[max(range(3), key=lambda t: (r[t], -t))] += 1
        if sizes != j["topic_sizes"] or j["outputs"].get("doc_topics") != path:
            raise AssertionError(f"argmax sizes {sizes} vs topic_sizes {j['topic_sizes']}; outputs {j['outputs']}")
        return f"{len(rows) - 1} documents x 3 topics; sizes {sizes}"
    checks.run("--doc-topics: header, vectorize's ids in order, argmax sizes == topic_sizes", doc_topics)

    def svd_doc_topics():
        out = env.fresh_dir("svd-doc-topics")
        path = os.path.join(out, "U.csv")
        j = run_json(env, "topics", env.data, *TWO, "-k", "3", "--method", "krylov", "--doc-topics", path)
        with open(path, newline="") as f:
            rows = list(csv.reader(f))
        if len(rows) != 784 or len(rows[1]) != 6:
            raise AssertionError(f"{len(rows)} rows of {len(rows[1])} fields")
        # Column t of A·V = U·Σ (to the Krylov method's accuracy) has norm σ_t.
        for t in range(3):
            norm = sum(float(r[3 + t]) ** 2 for r in rows[1:]) ** 0.5
            if abs(norm - j["singular_values"][t]) > 1e-6 * j["singular_values"][0]:
                raise AssertionError(f"column {t}: norm {norm} vs singular value {j['singular_values'][t]}")
        if j["labels"] is None or len(j["topic_sizes"]) != 3:
            raise AssertionError("no label alignment for an SVD")
        return f"norms == singular values {[round(s, 3) for s in j['singular_values']]}"
    checks.run("topics --method krylov --doc-topics: A V, whose columns have the singular values as norms", svd_doc_topics)

    def no_labels():
        p = env.run("topics", small, "--vocabulary", vocab, "-k", "2", "--top", "2")
        expect_ok(p)
        j = run_json(env, "topics", small, "--vocabulary", vocab, "-k", "2", "--top", "2")
        r = parse_report(p.stdout)
        if "labels" in r["lines"] or j["labels"] is not None:
            raise AssertionError(f"a labels line or JSON labels for a .mtx: {j['labels']}")
        if j["corpus"]["empty_documents"] != 1 or "(1 empty)" not in r["lines"]["corpus"]:
            raise AssertionError(f"corpus {j['corpus']}, line {r['lines']['corpus']!r}")
        if [row[0] for row in r["rows"]] != [0, 1]:
            raise AssertionError(f"table:\n{p.stdout}")
        return f"{r['lines']['corpus'][:60]}"
    checks.run("topics X.mtx --vocabulary: no labels line, JSON labels null, the empty row counted", no_labels)

    failure(env, checks, "topics -k 0: exit 2", ["topics", small, "--vocabulary", vocab, "-k", "0"], 2,
            contains=["k"], outputs=False)
    failure(env, checks, "topics X.mtx without --vocabulary: exit 2", ["topics", small, "-k", "2"], 2,
            contains=["--vocabulary"], outputs=False)
    checks.run("topics --doc-topics in a missing directory: exit 1, nothing written",
               unwritable(env, ["topics", small, "--vocabulary", vocab, "-k", "2"], "--doc-topics",
                          os.path.join(workdir, "no-such-dir", "W.csv"), []))

    check_models(env, checks, small, vocab)
    check_progress(env, checks)

    def every_help():
        p = env.run("--help")
        expect_ok(p)
        block = p.stdout.split("Subcommands:")[1]
        commands = re.findall(r"^\s{2}([a-z]+)\s{2,}", block, re.M)
        if len(commands) < 10:
            raise AssertionError(f"only {commands} listed")
        missing = []
        for c in commands:
            q = env.run(c, "--help")
            expect_ok(q)
            if "Example:" not in q.stdout or f"factopic {c}" not in q.stdout.split("Example:")[1]:
                missing.append(c)
        if missing:
            raise AssertionError(f"no 'Example:' with 'factopic CMD' in the --help of {missing}")
        return f"{len(commands)} sub-commands: {' '.join(commands)}"
    checks.run("every sub-command's --help has an example", every_help)

    def help_text():
        p = env.run("topics", "--help")
        expect_ok(p)
        for option in ("--doc-topics", "--method", "--json", "-k", "--top", "--quiet"):
            if option not in p.stdout:
                raise AssertionError(f"--help does not list {option}")
        return "the options"
    checks.run("topics --help: the options (its example: every_help above)", help_text)

    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
