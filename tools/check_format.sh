#!/usr/bin/env bash
# CI's format check: clang-format (the version .ci/run installs, 14: another version formats
# differently) over the tracked C++ of src include tests bench examples, with .clang-format;
# prints each file and line it would change and exits 1. Deliberate tables are kept as they are
# between `// clang-format off` and `// clang-format on`. To fix: clang-format-14 -i FILE...
set -euo pipefail
cd "$(dirname "$0")/.."
format=${CLANG_FORMAT:-$(command -v clang-format-14 || command -v clang-format || true)}
if [ -z "$format" ]; then
  echo "check_format: clang-format-14 not found (tools/install-deps.sh test installs it)" >&2
  exit 2
fi
mapfile -t files < <(git ls-files -- 'src/*.cpp' 'src/*.hpp' 'include/*.hpp' 'tests/*.cpp' 'tests/*.hpp' \
                                      'bench/*.cpp' 'bench/*.hpp' 'examples/*.cpp' 'examples/*.hpp')
if "$format" --dry-run --Werror "${files[@]}"; then
  echo "check_format: ${#files[@]} files formatted ($("$format" --version | head -1))"
else
  echo "check_format: the files above are not formatted; run: $format -i FILE..." >&2
  exit 1
fi
