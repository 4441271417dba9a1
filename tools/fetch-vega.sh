#!/usr/bin/env bash
# Fetches the pinned Vega, Vega-Lite and vega-embed builds from the npm registry into
# third_party/vega/ and checks their sha256 digests (see third_party/vega/README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
pins=("vega@5.33.0 build/vega.min.js a71f14828abacac82fbe8adb07ce65cbb82561d8eef188053c4a1c09e0164dcb"
      "vega-lite@5.23.0 build/vega-lite.min.js 58c27358e26f2d319cf62f45bc17a4c8362f08645001df2ec8d341eee4097c7f"
      "vega-embed@6.29.0 build/vega-embed.min.js 12d02acfbe3ec59ef9a37dd4822a2e04e2961b5bbb671bbe661d2221715b99da")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for pin in "${pins[@]}"; do
  read -r package file digest <<<"$pin"
  (cd "$work" && npm pack --silent "$package" >/dev/null)
  tarball=$(ls "$work"/*.tgz)
  tar -xzf "$tarball" -C "$work" "package/$file" package/LICENSE
  echo "$digest  $work/package/$file" | sha256sum --check --quiet
  name=${package%@*}
  cp "$work/package/$file" "third_party/vega/$(basename "$file")"
  cp "$work/package/LICENSE" "third_party/vega/LICENSE.$name"
  rm -rf "$work/package" "$tarball"
  echo "ok  $package $file"
done
