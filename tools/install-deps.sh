#!/usr/bin/env bash
# Installs the Debian packages a make target needs, and only those that are missing, so that
# running it again costs a dpkg query. Usage: tools/install-deps.sh build|test|bench (fuzz needs what test needs)
set -euo pipefail

build=(cmake ninja-build g++ make libopenblas-openmp-dev libfmt-dev libcli11-dev nlohmann-json3-dev libarchive-dev libplplot-dev plplot-driver-cairo)
# chromium renders the HTML report in its test; gensim is the coherence oracle. The sanitizer
# build (build-asan: the ASan+UBSan CLI and unit tests, and the libFuzzer targets) is clang's:
# libclang-rt-14-dev holds the sanitizer and libFuzzer runtimes, libomp-14-dev clang's OpenMP,
# llvm-14 the llvm-symbolizer that turns sanitizer stack traces into file:line; clang-format-14
# is the version tools/check_format.sh (CI) formats with.
test=("${build[@]}" libgtest-dev libgmock-dev python3-numpy python3-scipy python3-sklearn python3-gensim chromium
      clang-14 libclang-rt-14-dev libomp-14-dev llvm-14 clang-format-14)
bench=("${test[@]}" python3-threadpoolctl r-base-core r-cran-rcppml)

case "${1:-build}" in
  build) want=("${build[@]}") ;;
  test) want=("${test[@]}") ;;
  bench) want=("${bench[@]}") ;;
  *) echo "usage: $0 build|test|bench" >&2; exit 2 ;;
esac

missing=()
for pkg in "${want[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = installed ] || missing+=("$pkg")
done
[ ${#missing[@]} -eq 0 ] && exit 0

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)
echo "installing: ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
if ! "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"; then
  "${sudo[@]}" apt-get update
  "${sudo[@]}" apt-get install -y --no-install-recommends "${missing[@]}"
fi
