#!/usr/bin/python3
"""Hostile input to factopic's parsers and option limits (issue 13, cases 4, 5 and 7).

    /usr/bin/python3 tests/trust/test_parsers.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-trust-parsers

One line per check (PASS/FAIL/SKIP), then "N passed, M failed"; exit status 1
if anything failed. Crafted inputs go into a new parsers-* folder under
--workdir, removed when everything passed and kept otherwise. Tiny inputs
only: the whole script takes seconds, and the archive is not read.

What is checked: memory follows what a file holds, not what it claims (a .mtx
size line, a .npy shape, a model's length; /dev/zero and endless pipes as
inputs; a huge -k range; --threads); options out of range are refused
(--max-features -1, a --vocabulary with a repeated or empty term); a stop-word
list the tokenizer splits gets scikit-learn's warning; a model whose stored
options or header fields are wrong is the model's fault (exit 1, naming the
file), never reported as if the user had typed them, and never as the JSON
library's raw text. Every run on hostile input is made under a 1 GiB
address-space limit, so that a regression fails instead of taking the machine.
"""

import json
import os
import resource
import struct
import subprocess
import sys
import threading
import warnings

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:0] = [os.path.join(os.path.dirname(HERE), "cli"), os.path.dirname(HERE)]
from harness import finish  # noqa: E402
from test_cli import start_cli_script, expect_error, expect_ok  # noqa: E402

MEMORY_LIMIT = 1 << 30
# Every hostile run is expected to end in well under a second; an old binary reading an
# endless input may instead spin until this.
HOSTILE_TIMEOUT = 30
MODEL_MAGIC = b"\x89FTM\r\n\x1a\n"


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def is_sanitized(binary):
    """Whether the binary is built with AddressSanitizer, whose shadow memory needs terabytes of
    address space: it is bounded by ASan's own allocator limits instead of RLIMIT_AS."""
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


def run_bounded(env, *args, timeout=HOSTILE_TIMEOUT):
    """factopic under a memory limit (1 GiB of address space; under ASan, allocations over
    512 MiB fail and a resident size over 2 GiB kills it), stdin closed."""
    if env.sanitized:
        options = os.environ.get("ASAN_OPTIONS", "")
        extra = "allocator_may_return_null=1:max_allocation_size_mb=512:hard_rss_limit_mb=2048"
        run_env = dict(os.environ, ASAN_OPTIONS=f"{options}:{extra}" if options else extra)
        return subprocess.run([env.binary, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                              stdin=subprocess.DEVNULL, env=run_env)
    return subprocess.run([env.binary, *map(str, args)], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, preexec_fn=limit_memory)


def refuse(env, args, code, contains, absent=("out of memory", "[json.exception", "stoll")):
    """A run that must fail with `code`, its message containing every needle of `contains`
    and none of `absent` (the symptoms of the bugs fixed)."""
    p = run_bounded(env, *args)
    err = expect_error(p, code, contains=contains)
    for bad in absent:
        if bad.lower() in err.lower():
            raise AssertionError(f"message contains {bad!r}: {err[:300]!r}")
    return repr(err.splitlines()[0][:150])


# ---------------------------------------------------------------------------------------------
# Writers of crafted files

def write(path, data):
    with open(path, "wb" if isinstance(data, bytes) else "w") as f:
        f.write(data)
    return path


def npy_bytes(shape_text, data=b"", descr="<f8"):
    d = f"{{'descr': '{descr}', 'fortran_order': True, 'shape': {shape_text}, }}".encode()
    header = d + b" " * ((64 - (10 + len(d) + 1) % 64) % 64) + b"\n"
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header + data


def crc64_xz(data):
    table = []
    for i in range(256):
        c = i
        for _ in range(8):
            c = (c >> 1) ^ 0xC96C5795D7870F42 if c & 1 else c >> 1
        table.append(c)
    crc = 0xFFFFFFFFFFFFFFFF
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFFFFFFFFFF


def rewrite_model_header(data, edit):
    """The model with its JSON header replaced by edit(header dict) (or edit(bytes) -> bytes
    when raw), the payload length and the CRC-64/XZ fixed so only the header is wrong."""
    (length,) = struct.unpack_from("<Q", data, 16)
    (header_len,) = struct.unpack_from("<Q", data, 24)
    header = data[32:32 + header_len]
    new = edit(header)
    payload = struct.pack("<Q", len(new)) + new + data[32 + header_len:24 + length]
    body = data[:16] + struct.pack("<Q", len(payload)) + payload
    return body + struct.pack("<Q", crc64_xz(body))


def edit_json(change):
    def edit(raw):
        header = json.loads(raw)
        change(header)
        return json.dumps(header).encode()
    return edit


def feed_fifo(path, chunks):
    """Writes chunks (an iterable of bytes) into a FIFO on a thread, until the reader closes it."""
    def writer():
        try:
            with open(path, "wb") as f:
                for chunk in chunks:
                    f.write(chunk)
        except (BrokenPipeError, OSError):
            pass
    t = threading.Thread(target=writer, daemon=True)
    t.start()
    return t


def endless(prefix, chunk=b"\0" * 65536):
    yield prefix
    while True:
        yield chunk


def make_fifo(directory, name):
    path = os.path.join(directory, name)
    os.mkfifo(path)
    return path


def unblock(path):
    """Opens and closes a FIFO's reading end, so a writer thread the reader never reached ends."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
        os.close(fd)
    except OSError:
        pass


# ---------------------------------------------------------------------------------------------

def check_matrix_market(env, checks, d, small):
    big = write(os.path.join(d, "claims-200M-rows.mtx"),
                "%%MatrixMarket matrix coordinate real general\n200000000 3 3\n1 1 1\n2 2 1\n3 3 1\n")
    checks.run(f"an {os.path.getsize(big)}-byte .mtx declaring 200,000,000 rows: exit 1 naming the file and "
               "the size line, under 1 GiB",
               lambda: refuse(env, ["svd", big, "-k", "1"], 1, [big + ":2:", "200000000 rows"]))
    wide = write(os.path.join(d, "claims-2G-columns.mtx"),
                 "%%MatrixMarket matrix coordinate real general\n3 2000000000 3\n1 1 1\n2 2 1\n3 3 1\n")
    checks.run("a tiny .mtx declaring 2,000,000,000 columns: exit 1 naming the file, under 1 GiB",
               lambda: refuse(env, ["nmf", wide, "-k", "1", "--init", "random"], 1, [wide, "2000000000 columns"]))
    array = write(os.path.join(d, "array.mtx"), "%%MatrixMarket matrix array real general\n1000000 1000\n1\n2\n")
    checks.run("an array .mtx declaring 10^9 values and holding 2: exit 1 'too few entries', under 1 GiB",
               lambda: refuse(env, ["svd", array, "-k", "1"], 1, [array, "too few entries"]))

    zero = os.path.join(d, "zero.mtx")
    os.symlink("/dev/zero", zero)
    checks.run("/dev/zero as a .mtx: exit 1 'missing Matrix Market banner' from the first bytes, under 1 GiB",
               lambda: refuse(env, ["svd", zero, "-k", "1"], 1, [zero, "banner"]))

    def endless_line():
        fifo = make_fifo(d, "endless-line.mtx")
        feed_fifo(fifo, endless(b"%%MatrixMarket matrix coordinate real general\n"))
        try:
            return refuse(env, ["svd", fifo, "-k", "1"], 1, [fifo + ":2:", "line longer than"])
        finally:
            unblock(fifo)
    checks.run("a pipe sending a banner, then an endless line: exit 1 naming line 2, under 1 GiB", endless_line)

    def pipe_ok():
        fifo = make_fifo(d, "small-through-a-pipe.mtx")
        with open(small, "rb") as f:
            feed_fifo(fifo, [f.read()])
        try:
            p = run_bounded(env, "svd", fifo, "-k", "2", "--json")
            expect_ok(p)
            j = json.loads(p.stdout)
            if (j["rows"], j["cols"], j["nnz"]) != (3, 3, 3):
                raise AssertionError(f"{j['rows']} x {j['cols']}, {j['nnz']} non-zeros")
            return "3 x 3, 3 non-zeros"
        finally:
            unblock(fifo)
    checks.run("a well-formed .mtx through a pipe is still read (exit 0)", pipe_ok)

    wide_pipe = os.path.join(d, "wide-through-a-pipe.mtx")
    os.mkfifo(wide_pipe)

    def pipe_lies():
        feed_fifo(wide_pipe, [open(big, "rb").read()])
        try:
            return refuse(env, ["svd", wide_pipe, "-k", "1"], 1, [wide_pipe + ":2:", "200000000 rows"])
        finally:
            unblock(wide_pipe)
    checks.run("the 200,000,000-row .mtx through a pipe: refused after its 78 bytes, under 1 GiB", pipe_lies)


def check_npy(env, checks, d, small):
    # 2^61 + 1 rows of 8 bytes wrap to 8 bytes in 64-bit arithmetic: the old size check passed.
    wrap = write(os.path.join(d, "wraps.npy"), npy_bytes(f"({2 ** 61 + 1}, 1)", b"\0" * 8))
    checks.run("a .npy whose shape product wraps around 2^64 to its 8 data bytes: exit 1 naming it, under 1 GiB",
               lambda: refuse(env, ["nmf", small, "-k", "1", "--init", "custom", "--w-init", wrap, "--h-init",
                                    wrap], 1, [wrap, "more bytes than any file can hold"]))
    huge = write(os.path.join(d, "huge-dimension.npy"), npy_bytes("(99999999999999999999, 1)", b"\0" * 8))
    checks.run("a .npy dimension beyond 64 bits: exit 1 naming the file (not 'stoll')",
               lambda: refuse(env, ["nmf", small, "-k", "1", "--init", "custom", "--w-init", huge, "--h-init",
                                    huge], 1, [huge, "does not fit in 64 bits"]))
    zero = os.path.join(d, "zero.npy")
    os.symlink("/dev/zero", zero)
    checks.run("/dev/zero as a .npy: exit 1 'not a .npy file' from the first bytes, under 1 GiB",
               lambda: refuse(env, ["nmf", small, "-k", "1", "--init", "custom", "--w-init", zero, "--h-init",
                                    zero], 1, [zero, "not a .npy file"]))


def check_options(env, checks, d, small, docs):
    checks.run("sweep -k 2:100000000 on a 3 x 3 matrix: exit 2 naming k and the bound, under 1 GiB",
               lambda: refuse(env, ["sweep", small, "-k", "2:100000000"], 2, ["k = 4", "1 <= k <= 3"]))
    checks.run("sweep -k 1:9223372036854775807:4611686018427387904: exit 2, no overflow",
               lambda: refuse(env, ["sweep", small, "-k", "1:9223372036854775807:4611686018427387904"], 2,
                              ["out of range", "1 <= k <= 3"]))
    for command in (["svd", small, "-k", "1"], ["vectorize", docs, "-o", os.path.join(d, "never.mtx")]):
        checks.run(f"{command[0]} --threads 100000000: exit 2 naming the limit 1024, under 1 GiB",
                   lambda command=command: refuse(env, [*command, "--threads", "100000000"], 2, ["--threads", "1024"]))
    for value in ("-1", "0"):
        checks.run(f"vectorize --max-features {value}: exit 2 naming the rule",
                   lambda value=value: refuse(env, ["vectorize", docs, "--max-features", value, "-o",
                                                    os.path.join(d, "never.mtx")], 2,
                                              [f"max_features = {value}", "positive"]))

    dup = write(os.path.join(d, "dup-vocab.txt"), "alpha\nbeta\nalpha\n")
    checks.run("--vocabulary with a repeated term: exit 1 naming the file, line and term",
               lambda: refuse(env, ["topics", small, "-k", "1", "--vocabulary", dup], 1,
                              [dup + ":3:", "duplicate term", "'alpha'"]))
    empty = write(os.path.join(d, "empty-term.txt"), "alpha\n\ngamma\n")
    checks.run("--vocabulary with an empty term: exit 1 naming the file and line",
               lambda: refuse(env, ["topics", small, "-k", "1", "--vocabulary", empty], 1,
                              [empty + ":2:", "empty term"]))
    checks.run("--vocabulary /dev/zero: exit 1 naming line 1, under 1 GiB",
               lambda: refuse(env, ["topics", small, "-k", "1", "--vocabulary", "/dev/zero"], 1,
                              ["/dev/zero:1:", "line longer than"]))
    checks.run("--stop-words /dev/zero: exit 1 naming line 1, under 1 GiB",
               lambda: refuse(env, ["vectorize", docs, "--stop-words", "/dev/zero", "-o",
                                    os.path.join(d, "never.mtx")], 1, ["/dev/zero:1:", "line longer than"]))

    def stop_words_warning():
        words = ["you've", "the", "Upper", "don't", "ok"]
        path = write(os.path.join(d, "stop-words.txt"), "\n".join(words) + "\n")
        from sklearn.feature_extraction.text import CountVectorizer
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            CountVectorizer(stop_words=words).fit(["some words to fit on"])
        expected = [str(w.message) for w in caught if "stop_words" in str(w.message)]
        if len(expected) != 1:
            raise AssertionError(f"scikit-learn gave {expected}")
        out = os.path.join(d, "stop-words-out")
        os.makedirs(out)
        p = run_bounded(env, "vectorize", docs, "--stop-words", path, "-o", os.path.join(out, "X.mtx"))
        expect_ok(p)
        line = f"factopic: warning: {expected[0]}"
        if p.stderr.strip("\n").splitlines() != [line]:
            raise AssertionError(f"stderr {p.stderr!r}, expected {line!r}")
        consistent = write(os.path.join(d, "consistent.txt"), "you\nve\nthe\n")
        q = run_bounded(env, "vectorize", docs, "--stop-words", consistent, "-o", os.path.join(out, "Y.mtx"))
        expect_ok(q)
        if "warning" in q.stderr:
            raise AssertionError(f"a consistent list warned: {q.stderr!r}")
        return line[:120]
    checks.run("a stop-word list the tokenizer splits (you've): scikit-learn's warning, word for word; "
               "a consistent list: none", stop_words_warning)


def check_models(env, checks, d, docs):
    model = os.path.join(d, "m.ftm")

    def fit():
        expect_ok(run_bounded(env, "fit", docs, "-k", "2", "-o", model, "-q"))
        return f"{os.path.getsize(model)} bytes"
    checks.run("fit a 2-topic model of a tiny corpus (the base of the damaged ones)", fit)
    if not os.path.exists(model):
        return
    with open(model, "rb") as f:
        good = f.read()

    def put_nmf(key, value):
        return edit_json(lambda h: h["nmf"].__setitem__(key, value))

    def put_vectorizer(key, value):
        return edit_json(lambda h: h["vectorizer"].__setitem__(key, value))

    def put_metadata(key, value):
        return edit_json(lambda h: h["metadata"].__setitem__(key, value))

    cases = [
        ("stored l1_ratio = 5", put_nmf("l1_ratio", 5), ["stored NMF option out of range", "l1_ratio = 5"]),
        ("stored max_iter = -1", put_nmf("max_iter", -1), ["stored NMF option out of range", "max_iter = -1"]),
        ("stored anneal = 0", put_nmf("anneal", 0), ["stored NMF option out of range", "anneal = 0"]),
        ("stored beta loss kullback-leibler with solver cd", put_nmf("beta_loss", "kullback-leibler"),
         ["stored NMF option out of range", "kullback-leibler"]),
        ("stored max_iter = 1e30", put_nmf("max_iter", 10 ** 30), ["nmf.max_iter", "integer"]),
        ("stored tol as a string", put_nmf("tol", "small"), ["nmf.tol", "number"]),
        ("stored max_features = 0", put_vectorizer("max_features", 0),
         ["stored vectorizer option out of range", "max_features = 0"]),
        ("a missing vectorizer field", edit_json(lambda h: h["vectorizer"].pop("norm")),
         ["vectorizer.norm", "missing"]),
        ("metadata 'source' a number", put_metadata("source", 5), ["metadata.source", "string"]),
        ("metadata 'coherence' a string", put_metadata("coherence", "high"), ["metadata.coherence"]),
        ("a header that is not JSON", lambda raw: raw[:-3], ["not valid JSON", "column"]),
        ("a header nested 100000 deep",
         lambda raw: raw.replace(b'"metadata":{', b'"metadata":{"x":' + b"[" * 100000 + b"]" * 100000 + b",", 1),
         ["nests deeper"]),
    ]
    for name, edit, says in cases:
        for command in ("inspect", "transform"):
            def fn(name=name, edit=edit, says=says, command=command):
                data = rewrite_model_header(good, edit)
                bad = write(os.path.join(d, f"bad-{command}-{abs(hash(name))}.ftm"), data)
                args = ["inspect", bad] if command == "inspect" else ["transform", bad, docs, "-q"]
                return refuse(env, args, 1, [bad, *says])
            checks.run(f"{command} of a model with {name}: exit 1, one line naming the model", fn)

    zero = os.path.join(d, "zero.ftm")
    os.symlink("/dev/zero", zero)
    checks.run("inspect /dev/zero: exit 1 'not a factopic model' from the first 8 bytes, under 1 GiB",
               lambda: refuse(env, ["inspect", "/dev/zero"], 1, ["/dev/zero", "not a factopic model"]))
    checks.run("transform with /dev/zero as the model (zero.ftm): exit 1, under 1 GiB",
               lambda: refuse(env, ["transform", zero, docs, "-q"], 1, [zero, "not a factopic model"]))

    def endless_model():
        fifo = make_fifo(d, "endless.ftm")
        # A valid start claiming a 2^40-byte payload, then zeros for ever: read as far as the
        # claim, memory would follow the pipe until it ran out; the header JSON (here an empty
        # one) is checked as soon as it arrives instead.
        head = MODEL_MAGIC + struct.pack("<IIQ", 1, 0, 1 << 40)
        feed_fifo(fifo, endless(head))
        try:
            p = run_bounded(env, "inspect", fifo)
        finally:
            unblock(fifo)
        err = expect_error(p, 1, contains=[fifo, "its header is not valid JSON"])
        return repr(err[:150])
    checks.run("a pipe sending a model start that claims 1 TiB, then zeros: exit 1 naming the pipe, from its "
               "header, under 1 GiB", endless_model)

    def model_through_pipe():
        fifo = make_fifo(d, "good-through-a-pipe.ftm")
        feed_fifo(fifo, [good])
        try:
            p = run_bounded(env, "inspect", fifo, "--json")
            expect_ok(p)
            return f"k = {json.loads(p.stdout)['k']}"
        finally:
            unblock(fifo)
    checks.run("a good model through a pipe is still read (exit 0)", model_through_pipe)

    def trailing_through_pipe():
        fifo = make_fifo(d, "trailing-through-a-pipe.ftm")
        feed_fifo(fifo, [good + b"x" * 100])
        try:
            return refuse(env, ["inspect", fifo], 1, [fifo, "follow its end"])
        finally:
            unblock(fifo)
    checks.run("a model with bytes after its end through a pipe: exit 1 naming it", trailing_through_pipe)


def main():
    args, env, checks, workdir, t0 = start_cli_script(__doc__, "parsers-")
    env.sanitized = is_sanitized(env.binary)
    d = env.fresh_dir("inputs")
    small = write(os.path.join(d, "small.mtx"),
                  "%%MatrixMarket matrix coordinate real general\n3 3 3\n1 1 1\n2 2 2\n3 3 3\n")
    words = ("space shuttle orbit launch nasa moon graphics image pixel render color file god bible church "
             "faith jesus atheism").split()
    docs = write(os.path.join(d, "docs.txt"),
                 "".join(" ".join(words[(i * 7 + j * 3) % len(words)] for j in range(10)) + "\n" for i in range(30)))

    check_matrix_market(env, checks, d, small)
    check_npy(env, checks, d, small)
    check_options(env, checks, d, small, docs)
    check_models(env, checks, d, docs)
    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
