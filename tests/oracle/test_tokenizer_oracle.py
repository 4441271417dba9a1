#!/usr/bin/python3
"""Every Unicode code point through factopic's tokenizer and scikit-learn's analyzer.

For each code point c the documents hold patterns that expose how the tokenizer treats it:
whether it is a word character ("ab{c}cd" is one token or two), how it lower-cases ("{c}{c}"),
and how it affects the Final_Sigma rule around a capital sigma ("Α{c}Σ", "ΑΣ{c}"). factopic reads the
documents as JSON Lines; CountVectorizer(lowercase=True, stop_words=None) is the oracle. The
vocabularies must be identical and so must every count.

Run: /usr/bin/python3 tests/oracle/test_tokenizer_oracle.py --factopic build/factopic --workdir /tmp/x
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np
import scipy.io
from sklearn.feature_extraction.text import CountVectorizer

CHUNK = 2048


def documents():
    docs = []
    cps = [cp for cp in range(0x110000) if not 0xD800 <= cp <= 0xDFFF]
    for start in range(0, len(cps), CHUNK):
        parts = []
        for cp in cps[start:start + CHUNK]:
            c = chr(cp)
            parts.append(f"ab{c}cd {c}{c} \u0391{c}\u03a3 \u0391\u03a3{c} ")
        docs.append("".join(parts))
    return docs


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--factopic", required=True)
    ap.add_argument("--workdir", required=True)
    args = ap.parse_args()
    os.makedirs(args.workdir, exist_ok=True)
    docs = documents()
    corpus = os.path.join(args.workdir, "codepoints.jsonl")
    with open(corpus, "w", encoding="ascii") as f:
        for d in docs:
            f.write(json.dumps({"text": d}, ensure_ascii=True) + "\n")
    mtx = os.path.join(args.workdir, "codepoints.mtx")
    vocab_path = os.path.join(args.workdir, "codepoints.vocab")
    subprocess.run([args.factopic, "vectorize", corpus, "--weighting", "count", "--stop-words", "none", "-o", mtx, "--vocab", vocab_path,
                    "--top-terms", "0"], check=True, stdout=subprocess.DEVNULL)
    with open(vocab_path, encoding="utf-8", newline="\n") as f:
        ours = f.read().split("\n")[:-1]

    cv = CountVectorizer(stop_words=None)
    X = cv.fit_transform(docs).tocsr()
    theirs = list(cv.get_feature_names_out())
    passed = failed = 0

    if ours == theirs:
        passed += 1
        print(f"ok   vocabulary: {len(ours)} terms identical")
    else:
        failed += 1
        only_ours = sorted(set(ours) - set(theirs))[:10]
        only_theirs = sorted(set(theirs) - set(ours))[:10]
        print(f"FAIL vocabulary: {len(ours)} vs {len(theirs)} terms; only factopic {[ascii(t) for t in only_ours]}; "
              f"only scikit-learn {[ascii(t) for t in only_theirs]}")

    if ours == theirs:
        Y = scipy.io.mmread(mtx).tocsr()
        Y.sort_indices()
        X.sort_indices()
        same = (X.shape == Y.shape and np.array_equal(X.indptr, Y.indptr) and np.array_equal(X.indices, Y.indices)
                and np.array_equal(X.data.astype(np.float64), Y.data))
        if same:
            passed += 1
            print(f"ok   counts: {X.shape[0]} documents x {X.shape[1]} terms, {X.nnz} non-zeros identical")
        else:
            failed += 1
            print("FAIL counts differ")
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
