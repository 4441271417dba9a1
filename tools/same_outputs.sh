#!/usr/bin/env bash
# Runs two factopic binaries on the cases that a numerics refactor must leave unchanged and
# compares what they write, byte for byte: the SVDs (k = 10 and 50, counts and tf-idf, all 20
# groups; the full SVD of the 4 categories) and NMF (cd, mu, mu with KL, pgd, adam; the 4
# categories' and all 20 groups' tf-idf), with random and nndsvda starts, on 1 and 2 threads.
#
#   tools/same_outputs.sh OLD_FACTOPIC NEW_FACTOPIC [WORKDIR]
#
# Exits 0 when every output file is identical, 1 naming the cases that differ. SAME_OUTPUTS_NEW_KEYS
# names JSON keys the new binary adds (e.g. "status unconverged"): they are left out of both
# summaries, and every other byte must still match. The matrices are
# made once (by OLD) in WORKDIR (default: a temporary folder) from data/20news-bydate.tar.gz.
set -euo pipefail
old=$(realpath "$1")
new=$(realpath "$2")
repo=$(cd "$(dirname "$0")/.." && pwd)
work=${3:-$(mktemp -d)}
mkdir -p "$work"
cd "$work"
data=$repo/data/20news-bydate.tar.gz
rm4=headers,footers,quotes
cats4=alt.atheism,talk.religion.misc,comp.graphics,sci.space

[ -f 20all-count.mtx ] || "$old" vectorize "$data" --subset all --remove $rm4 --weighting count -o 20all-count.mtx -q >/dev/null
[ -f 20all-tfidf.mtx ] || "$old" vectorize "$data" --subset all --remove $rm4 --weighting tfidf -o 20all-tfidf.mtx -q >/dev/null
[ -f 4cat-tfidf.mtx ] || "$old" vectorize "$data" --subset train --categories $cats4 --remove $rm4 --weighting tfidf -o 4cat-tfidf.mtx -q >/dev/null
[ -f 4cat-count.mtx ] || "$old" vectorize "$data" --subset train --categories $cats4 --remove $rm4 --weighting count -o 4cat-count.mtx -q >/dev/null

cases=()
for w in count tfidf; do
    for k in 10 50; do
        cases+=("svd-k$k-$w|svd 20all-$w.mtx -k $k --u U.npy --s S.txt --vt VT.npy --json")
    done
    cases+=("svd-rsvd-k10-$w|svd 20all-$w.mtx -k 10 --method rsvd --u U.npy --s S.txt --vt VT.npy --json")
done
cases+=("svd-full-gram-4cat|svd 4cat-count.mtx --full --u U.npy --s S.txt --vt VT.npy --json")
for ds in 4cat 20all; do
    cases+=("nmf-cd-$ds|nmf $ds-tfidf.mtx -k 10 --solver cd --max-iter 60 --w W.npy --h H.npy --json")
    cases+=("nmf-mu-$ds|nmf $ds-tfidf.mtx -k 10 --solver mu --max-iter 60 --w W.npy --h H.npy --json")
done
cases+=("nmf-cd-random-shuffle-4cat|nmf 4cat-tfidf.mtx -k 8 --solver cd --init random --shuffle --seed 3 --alpha-w 0.001 --l1-ratio 0.5 --max-iter 60 --w W.npy --h H.npy --json")
cases+=("nmf-mu-kl-4cat|nmf 4cat-tfidf.mtx -k 8 --solver mu --beta-loss kullback-leibler --init nndsvdar --max-iter 60 --w W.npy --h H.npy --json")
cases+=("nmf-pgd-4cat|nmf 4cat-tfidf.mtx -k 6 --solver pgd --max-iter 200 --w W.npy --h H.npy --json")
cases+=("nmf-pgd-project-4cat|nmf 4cat-tfidf.mtx -k 6 --solver pgd --project --init random --max-iter 200 --w W.npy --h H.npy --json")
cases+=("nmf-adam-4cat|nmf 4cat-tfidf.mtx -k 6 --solver adam --max-iter 200 --w W.npy --h H.npy --json")

# The JSON summary less its timings and memory figures, which are not results.
strip_times() {
    /usr/bin/python3 -c '
import json, sys
text = sys.stdin.read()
try:
    d = json.loads(text)
except ValueError:
    sys.stdout.write(text)
    sys.exit()
for key in ("phases", "timings", "memory_mb", "peak_memory_mb", "seconds") + tuple(sys.argv[1:]):
    d.pop(key, None)
json.dump(d, sys.stdout, indent=1, sort_keys=True)' "$@"
}

differ=()
for c in "${cases[@]}"; do
    name=${c%%|*}
    args=${c#*|}
    for threads in 1 2; do
        for side in old new; do
            bin=$old
            [ $side = new ] && bin=$new
            d=out/$name-t$threads/$side
            rm -rf "$d" && mkdir -p "$d"
            # shellcheck disable=SC2086
            (cd "$d" && "$bin" $(echo "$args" | sed "s#\([0-9a-z]*-[a-z]*\.mtx\)#$work/\1#") --threads $threads -q \
                 >stdout.txt 2>stderr.txt) || echo "exit $?" >>"$d/stdout.txt"
            # shellcheck disable=SC2206
            new_keys=(${SAME_OUTPUTS_NEW_KEYS:-})
            strip_times "${new_keys[@]}" <"$d/stdout.txt" >"$d/stdout.cmp" && rm "$d/stdout.txt" "$d/stderr.txt"
        done
        if diff -r -q "out/$name-t$threads/old" "out/$name-t$threads/new" >/dev/null; then
            echo "same     $name (threads $threads)"
        else
            echo "DIFFERS  $name (threads $threads)"
            differ+=("$name-t$threads")
        fi
    done
done
if [ ${#differ[@]} -gt 0 ]; then
    echo "differ: ${differ[*]} (outputs in $work/out)"
    exit 1
fi
echo "all ${#cases[@]} cases identical on 1 and 2 threads"
