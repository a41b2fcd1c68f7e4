#!/usr/bin/env bash
# Re-fetch the front-end libraries that the book serves itself (no CDN at read time), and
# axe-core, which only the tests use (tests/test_accessibility.py injects it into pages).
#
#   scripts/refresh_vendor.sh            re-fetch the pinned versions recorded in
#                                        docs/assets/vendor/<lib>/VERSION and
#                                        tests/vendor/axe-core/VERSION, and check the
#                                        tarballs against the recorded npm integrity
#   scripts/refresh_vendor.sh --upgrade  take the newest release inside each library's
#                                        range (mermaid 11.x, katex 0.19.x, axe-core 4.x),
#                                        re-pin it
#
# Only the npm registry is contacted, through `npm pack` (no node_modules, no install
# scripts). To move to a new major range, edit the `range=` line of that VERSION file
# (mermaid must stay on the major that mkdocs-material loads, 11 for Material 9).
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
vendor="$root/docs/assets/vendor"
test_vendor="$root/tests/vendor"
upgrade=0
case "${1:-}" in
  "") ;;
  --upgrade) upgrade=1 ;;
  -h|--help) sed -n '2,13p' "$0"; exit 0 ;;
  *) echo "usage: $0 [--upgrade]" >&2; exit 2 ;;
esac

command -v npm >/dev/null || { echo "npm is needed (Debian: apt-get install npm)" >&2; exit 1; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

field() {  # field FILE KEY -> value of KEY=value in FILE
  sed -n "s/^$2=//p" "$1"
}

# fetch NAME [DIR] -> unpacks the tarball into $work/NAME/package, sets $version $integrity
# $license; DIR holds the VERSION record (default: the book's vendor folder)
fetch() {
  local name="$1" record="${2:-$vendor/$1}/VERSION" range pinned spec
  range="$(field "$record" range)"
  pinned="$(field "$record" version)"
  if [[ $upgrade == 1 ]]; then
    # npm lists the matching versions in publication order, not semver order: sort them.
    version="$(npm view "$name@$range" version --json | python3 -c '
import json, sys
found = json.load(sys.stdin)
found = found if isinstance(found, list) else [found]
print(max(found, key=lambda v: tuple(int(p) for p in v.split("-")[0].split("."))))')"
  else
    version="$pinned"
  fi
  spec="$name@$version"
  mkdir -p "$work/$name"
  npm pack "$spec" --json --pack-destination "$work/$name" >"$work/$name/pack.json"
  integrity="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[0]["integrity"])' \
    "$work/$name/pack.json")"
  if [[ $upgrade == 0 && "$integrity" != "$(field "$record" integrity)" ]]; then
    echo "$spec: integrity differs from $record; refusing to vendor it" >&2
    exit 1
  fi
  tar -xzf "$work/$name/"*.tgz -C "$work/$name"
  license="$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["license"])' \
    "$work/$name/package/package.json")"
  echo "$spec ($license) $integrity"
}

record() {  # record NAME RANGE FILES...  (RECORD_DIR and PURPOSE may override the defaults)
  local name="$1" range="$2" dir="${RECORD_DIR:-$vendor/$1}"; shift 2
  {
    echo "# Vendored from the npm package '$name'; ${PURPOSE:-served by the book, never from a CDN}."
    echo "# Written by scripts/refresh_vendor.sh: run it (with --upgrade to move inside range)."
    echo "name=$name"
    echo "range=$range"
    echo "version=$version"
    echo "license=$license"
    echo "integrity=$integrity"
    echo "files=$*"
  } >"$dir/VERSION.new"
  mv "$dir/VERSION.new" "$dir/VERSION"
}

# mermaid: the single-file browser bundle that Material uses when window.mermaid exists.
fetch mermaid
src="$work/mermaid/package"
dst="$vendor/mermaid"
mkdir -p "$dst"
cp "$src/dist/mermaid.min.js" "$dst/mermaid.min.js"
cp "$src/LICENSE" "$dst/LICENSE"
record mermaid "$(field "$dst/VERSION" range)" dist/mermaid.min.js LICENSE

# KaTeX: the renderer, its stylesheet and every font format the stylesheet names.
fetch katex
src="$work/katex/package"
dst="$vendor/katex"
rm -rf "$dst/fonts"
mkdir -p "$dst/fonts"
cp "$src/dist/katex.min.js" "$src/dist/katex.min.css" "$dst/"
cp "$src/dist/fonts/"* "$dst/fonts/"
cp "$src/LICENSE" "$dst/LICENSE"
record katex "$(field "$dst/VERSION" range)" dist/katex.min.js dist/katex.min.css dist/fonts/ LICENSE

# axe-core: the accessibility engine the browser tests inject; never served by the book.
dst="$test_vendor/axe-core"
fetch axe-core "$dst"
src="$work/axe-core/package"
cp "$src/axe.min.js" "$dst/axe.min.js"
cp "$src/LICENSE" "$dst/LICENSE"
RECORD_DIR="$dst" PURPOSE="used by the tests only, not served by the book" \
  record axe-core "$(field "$dst/VERSION" range)" axe.min.js LICENSE

echo "vendored into ${vendor#"$root/"} and ${test_vendor#"$root/"}; rebuild the book and run the browser tests"
