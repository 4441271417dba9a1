#!/usr/bin/python3
"""Hostile corpora (issue 13): damaged archives, bombs, endless inputs, links, encodings, JSON Lines.

    /usr/bin/python3 tests/trust/test_corpus.py --factopic build/factopic \
        --data data/20news-bydate.tar.gz --workdir /tmp/factopic-trust

One line per check (PASS/FAIL), then "N passed, M failed"; exit status 1 if
anything failed. Every check fails on the binary before the fix. Each run of
factopic on a purpose-hostile input has an address-space limit (1 GiB) and a
timeout, so that a regression fails the check instead of taking the machine
(under AddressSanitizer, which reserves terabytes of address space, ASan's own
hard_rss_limit_mb instead).
Crafted inputs go into a new folder under --workdir, removed when all passed.

Contract checked: either exit 0 having read every document, or exit 1 with ONE
stderr line "factopic: error: ..." naming the file (and the line or member).
"""

import io
import json
import os
import random
import resource
import shutil
import subprocess
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
from harness import Checks, describe_timeout, finish, read_lines, start_script, weighting_count  # noqa: E402

ERROR_PREFIX = "factopic: error: "
AS_LIMIT = 1 << 30
TIMEOUT = 60
FOUR_CAT_DOCS = 3387  # train and test of data/20news-4cat.tar.gz


def limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (AS_LIMIT, AS_LIMIT))


def is_asan(binary):
    with open(binary, "rb") as f:
        return b"__asan_init" in f.read()


class Env:
    def __init__(self, binary, workdir):
        self.binary = binary
        self.workdir = workdir
        self.env = dict(os.environ)
        self.preexec = limit_memory
        if is_asan(binary):
            self.preexec = None
            extra = f"hard_rss_limit_mb={AS_LIMIT >> 20}:allocator_may_return_null=1"
            self.env["ASAN_OPTIONS"] = ":".join(filter(None, [self.env.get("ASAN_OPTIONS"), extra]))

    def run(self, *args, stdin=subprocess.DEVNULL):
        return subprocess.run([self.binary, *weighting_count(args)], capture_output=True, timeout=TIMEOUT, stdin=stdin,
                              preexec_fn=self.preexec, env=self.env)

    def path(self, name):
        return os.path.join(self.workdir, name)

    def write(self, name, data):
        p = self.path(name)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.encode())
        return p


def describe(proc):
    return f"exit {proc.returncode}, stderr {proc.stderr.decode(errors='replace').strip()[:300]!r}"


def expect_error(proc, contains=(), code=1):
    if proc.returncode != code:
        raise AssertionError(f"expected exit {code}, got {describe(proc)}")
    err = proc.stderr.decode(errors="replace").strip("\n")
    if code == 1:
        if not err.startswith(ERROR_PREFIX):
            raise AssertionError(f"stderr does not start with {ERROR_PREFIX!r}: {err[:300]!r}")
        if "\n" in err:
            raise AssertionError(f"stderr has {err.count(chr(10)) + 1} lines, expected 1: {err[:300]!r}")
    for needle in contains:
        if needle not in err:
            raise AssertionError(f"message lacks {needle!r}: {err[:300]!r}")
    return err


def expect_ok(proc):
    if proc.returncode != 0:
        raise AssertionError(describe(proc))


def vectorize_json(env, *args):
    p = env.run("vectorize", *args, "-q", "--json", "--top-terms", "0")
    expect_ok(p)
    return json.loads(p.stdout), p.stderr.decode(errors="replace")


def vocabulary(env, corpus, *args):
    vocab = env.path("vocab.txt")
    p = env.run("vectorize", corpus, "-q", "--top-terms", "0", "--vocab", vocab, *args)
    expect_ok(p)
    return set(read_lines(vocab)), p.stderr.decode(errors="replace")


class Repeat:
    """A file object giving n bytes of a repeated pattern, for members too large to hold."""

    def __init__(self, n, pattern=b"lorem ipsum dolor "):
        self.n = n
        self.block = pattern * (65536 // len(pattern) + 1)

    def read(self, k=-1):
        k = self.n if k < 0 or k > self.n else k
        self.n -= k
        out = self.block * (k // len(self.block) + 1)
        return out[:k]


def write_tar(path, members, mode="w:gz"):
    """members: (name, bytes or int size) -> a tar; a size is filled with Repeat."""
    with tarfile.open(path, mode, **({"compresslevel": 1} if mode.endswith("gz") else {})) as t:
        for name, data in members:
            info = tarfile.TarInfo(name)
            if isinstance(data, int):
                info.size = data
                t.addfile(info, Repeat(data))
            else:
                info.size = len(data)
                t.addfile(info, io.BytesIO(data))
    return path


# ---------------------------------------------------------------- archives

def check_mutations(env, checks, four_cat):
    """Case 1: 8 random bytes overwritten, 30 seeds: exit 1 with a clear error, or every document."""
    def run():
        original = open(four_cat, "rb").read()
        errors = complete = 0
        for seed in range(30):
            rnd = random.Random(seed)
            data = bytearray(original)
            for _ in range(8):
                data[rnd.randrange(len(data))] = rnd.randrange(256)
            path = env.write("mutated.tar.gz", bytes(data))
            p = env.run("vectorize", path, "--subset", "all", "-q", "--json", "--top-terms", "0")
            if p.returncode == 0:
                n = json.loads(p.stdout)["documents"]
                if n != FOUR_CAT_DOCS:
                    raise AssertionError(f"seed {seed}: exit 0 with {n} of {FOUR_CAT_DOCS} documents")
                complete += 1
            else:
                expect_error(p, contains=["mutated.tar.gz"])
                errors += 1
        return f"{errors} clear errors, {complete} complete reads"

    checks.run("30 archives with 8 random bytes overwritten: exit 1 or all 3,387 documents", run)


def check_gzip_trailer(env, checks, four_cat):
    def run():
        data = bytearray(open(four_cat, "rb").read())
        data[-6] ^= 0x5A  # a byte of the gzip CRC-32: only the checksum can see it
        p = env.run("vectorize", env.write("crc.tar.gz", bytes(data)), "--subset", "all", "-q")
        return expect_error(p, contains=["crc.tar.gz", "gzip"])

    checks.run("a wrong gzip CRC-32 is an error (the stream is read to its end)", run)


def check_damaged_header(env, checks):
    def run():
        path = write_tar(env.path("plain.tar"), [(f"docs/{i}", f"document {i} words".encode()) for i in range(10)],
                         mode="w")
        data = bytearray(open(path, "rb").read())
        at = data.find(b"docs/5")
        data[at + 1] ^= 0x20
        p = env.run("vectorize", env.write("damaged.tar", bytes(data)), "-q")
        return expect_error(p, contains=["damaged.tar", "docs/4"])

    checks.run("a tar header with a bad checksum (ARCHIVE_RETRY) is an error naming where", run)


def check_bombs(env, checks):
    def default_limit():
        # ~96 MiB of text in ~450 KB: above the 64 MiB default; read whole it held ~190 MB
        path = write_tar(env.path("bomb.tar.gz"), [("d/small", b"a small document"), ("d/huge", 96 << 20)])
        p = env.run("vectorize", path, "-q")
        return expect_error(p, contains=["bomb.tar.gz", "d/huge", "64 MiB", "--max-document-bytes"])

    checks.run("a 96 MiB member stops at the default --max-document-bytes (64 MiB)", default_limit)

    def document_limit():
        path = write_tar(env.path("member.tar.gz"), [("d/a", 1000), ("d/b", 3 << 20)])
        p = env.run("vectorize", path, "-q", "--max-document-bytes", "1MiB")
        expect_error(p, contains=["member.tar.gz", "d/b", "1 MiB"])
        expect_ok(env.run("vectorize", path, "-q", "--max-document-bytes", "4M"))

    checks.run("--max-document-bytes 1MiB: a 3 MiB member is an error naming it; 4M reads it", document_limit)

    def corpus_limit():
        path = write_tar(env.path("many.tar.gz"), [(f"d/{i}", 1 << 20) for i in range(12)])
        p = env.run("vectorize", path, "-q", "--max-corpus-bytes", "4M")
        return expect_error(p, contains=["many.tar.gz", "--max-corpus-bytes"])

    checks.run("--max-corpus-bytes 4M: 12 members of 1 MiB stop at the corpus limit", corpus_limit)

    def long_line():
        path = env.write("long.txt", b"a short line\n" + b"word " * (600 << 10) + b"\nlast line\n")
        p = env.run("vectorize", path, "-q", "--max-document-bytes", "1M")
        return expect_error(p, contains=["long.txt:2:", "--max-document-bytes"])

    checks.run("a 3 MB line with --max-document-bytes 1M: error naming file:line", long_line)

    def bad_values():
        for value in ["0", "-5", "12Q", "huge", "99999999999T"]:
            expect_error(env.run("vectorize", env.path("long.txt"), "--max-document-bytes", value), code=2)
        expect_error(env.run("vectorize", env.path("long.txt"), "--max-corpus-bytes", "0"), code=2)

    checks.run("--max-document-bytes 0, -5, 12Q, huge, 99999999999T and --max-corpus-bytes 0: exit 2", bad_values)


def check_endless(env, checks):
    def device():
        for fmt in ["auto", "archive", "jsonl"]:
            expect_error(env.run("vectorize", "/dev/zero", "--format", fmt, "-q"),
                         contains=["/dev/zero", "character device"])

    checks.run("/dev/zero as a corpus (lines, archive, JSON Lines): refused at once", device)

    def endless_pipe(command, contains):
        with subprocess.Popen(["sh", "-c", command], stdout=subprocess.PIPE) as pipe:
            try:
                p = env.run("vectorize", "/dev/stdin", "-q", stdin=pipe.stdout)
            finally:
                pipe.kill()
        return expect_error(p, contains=contains)

    # NUL bytes are not text: refused at the first one; an endless line of text stops at the limit.
    checks.run("an endless pipe of NUL bytes (cat /dev/zero) is refused as binary at once",
               lambda: endless_pipe("cat /dev/zero", ["/dev/stdin", "binary"]))
    checks.run("an endless pipe of one line stops at the document limit",
               lambda: endless_pipe("tr '\\000' z < /dev/zero", ["/dev/stdin:1:", "--max-document-bytes"]))

    def pipe_ok():
        p = subprocess.run(f"printf 'alpha beta\\ngamma delta\\n' | {env.binary} vectorize /dev/stdin -q --json",
                           shell=True, capture_output=True, timeout=TIMEOUT, preexec_fn=env.preexec, env=env.env)
        expect_ok(p)
        if json.loads(p.stdout)["documents"] != 2:
            raise AssertionError(p.stdout[:200])

    checks.run("a finite pipe is still read as a lines corpus", pipe_ok)


# ---------------------------------------------------------------- folders

def check_links(env, checks):
    root = env.path("tree")
    outside = env.path("outside")
    os.makedirs(os.path.join(root, "a"))
    os.makedirs(os.path.join(outside, "etc"))
    with open(os.path.join(root, "a", "doc"), "w") as f:
        f.write("inside document words\n")
    with open(os.path.join(outside, "shadow"), "w") as f:
        f.write("rootpasswordhash shadowfield\n")
    with open(os.path.join(outside, "etc", "conf"), "w") as f:
        f.write("outsideconfiguration\n")
    os.symlink(os.path.join(outside, "shadow"), os.path.join(root, "a", "s"))
    os.symlink(os.path.join(outside, "etc"), os.path.join(root, "etc"))
    os.symlink(os.path.join(root, "missing"), os.path.join(root, "a", "broken"))
    os.symlink("..", os.path.join(root, "a", "up"))
    os.symlink("doc", os.path.join(root, "a", "same"))

    def not_followed():
        vocab, err = vocabulary(env, root)
        leaked = {"rootpasswordhash", "shadowfield", "outsideconfiguration"} & vocab
        if leaked:
            raise AssertionError(f"read through links that leave the corpus: {sorted(leaked)}")
        if "inside" not in vocab:
            raise AssertionError(f"the corpus's own document is missing: {sorted(vocab)}")
        for needle in ["warning", "2 links outside the corpus", "1 broken link", "--follow-links"]:
            if needle not in err:
                raise AssertionError(f"stderr lacks {needle!r}: {err!r}")

    checks.run("folder: links to a file and a folder outside it are not read, and are reported", not_followed)

    def json_counts():
        j, _ = vectorize_json(env, root)
        want = {"links_outside": 2, "broken_links": 1, "repeated_folders": 1}
        got = {k: j.get("skipped", {}).get(k) for k in want}
        if got != want or j["documents"] != 2:
            raise AssertionError(f"skipped {j.get('skipped')}, {j['documents']} documents")

    checks.run("folder: --json counts skipped links by reason; a link back up is read once", json_counts)

    def followed():
        vocab, _ = vocabulary(env, root, "--follow-links")
        if not {"rootpasswordhash", "outsideconfiguration"} <= vocab:
            raise AssertionError(f"--follow-links did not read outside: {sorted(vocab)}")

    checks.run("folder: --follow-links reads what the links point to", followed)


def check_line_break_names(env, checks):
    def tar_member():
        path = write_tar(env.path("nl.tar.gz"), [("a/x\ny", b"newline name"), ("a/z", b"other text")])
        return expect_error(env.run("vectorize", path, "-q", "--ids", env.path("ids.txt")),
                            contains=["nl.tar.gz", "a/x\\ny", "line break"])

    checks.run("a tar member named with a line break is refused (ids are one per line)", tar_member)


# ---------------------------------------------------------------- encodings, JSON Lines

def check_utf16(env, checks):
    text = "Größe straße naïve café\nzweite Zeile €uro\n"

    def decoded():
        for name, data in [("le.txt", text.encode("utf-16")), ("be.txt", b"\xfe\xff" + text.encode("utf-16-be")),
                           ("bom8.txt", b"\xef\xbb\xbf" + text.encode())]:
            vocab, _ = vocabulary(env, env.write(name, data))
            want = {"größe", "straße", "naïve", "café", "zweite", "zeile", "uro"}
            if vocab != want:
                raise AssertionError(f"{name}: vocabulary {sorted(vocab)}")

    checks.run("UTF-16 LE and BE (with byte-order mark) and UTF-8 with BOM give the words", decoded)

    def surrogate():
        data = b"\xff\xfe" + "ab".encode("utf-16-le") + b"\x00\xd8" + "cd".encode("utf-16-le")
        return expect_error(env.run("vectorize", env.write("sur.txt", data), "-q"),
                            contains=["sur.txt", "surrogate"])

    checks.run("UTF-16 with an unpaired surrogate: error naming the file", surrogate)


JSONL_CASES = [
    ("[1, 2]", "array"),
    ('{"other": "x"}', 'no member "text"'),
    ('{"text": 5}', "not a string"),
    ('{"text": tru}', "invalid JSON"),
    ('{"text": "a", "label": 1e400}', "number overflow"),
    ('{"text": "a", "label": {"x": 1}}', "a label is"),
    ('{"text": "a", "label": "two\\nlines"}', "line break"),
    ("[" * 1000000, "nested deeper"),
]


def check_jsonl(env, checks):
    def run():
        for line, needle in JSONL_CASES:
            path = env.write("c.jsonl", '{"text": "fine words", "label": "ok"}\n' + line + "\n")
            err = expect_error(env.run("vectorize", path, "-q", "--label-field", "label"),
                               contains=[path + ":2: ", needle])
            if "json.exception" in err:
                raise AssertionError(f"raw library message: {err[:200]!r}")

    checks.run("JSON Lines failures (not an object, no or non-string text, bad JSON, 1e400, object "
               "label, label with a line break, 10^6 '['): one line 'file:2: what'", run)


def main():
    args, workdir, t0 = start_script(__doc__, "run-")
    binary = os.path.abspath(args.factopic)
    four_cat = os.path.join(os.path.dirname(os.path.abspath(args.data)), "20news-4cat.tar.gz")
    env = Env(binary, workdir)
    checks = Checks(extra=[(subprocess.TimeoutExpired, describe_timeout)], crash_location=True)
    scratch_four_cat = os.path.join(workdir, "4cat.tar.gz")
    shutil.copyfile(four_cat, scratch_four_cat)

    check_mutations(env, checks, scratch_four_cat)
    check_gzip_trailer(env, checks, scratch_four_cat)
    check_damaged_header(env, checks)
    check_bombs(env, checks)
    check_endless(env, checks)
    check_links(env, checks)
    check_line_break_names(env, checks)
    check_utf16(env, checks)
    check_jsonl(env, checks)
    return finish(checks, workdir, t0)


if __name__ == "__main__":
    sys.exit(main())
