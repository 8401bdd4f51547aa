#!/usr/bin/env bash
# Records which of the page's functions the demo overview runs, into scripts/first-paint.txt: the
# functions that scripts/wasm_split.py keeps in the first download. Run it again when the e2e test
# `the_demo_needs_only_the_first_download` fails (the first paint then needs a function that the
# list lacks, and loads the deferred module early).
#   bash scripts/first-paint.sh <bench-dir>
# <bench-dir> is a copy of ../shared/bench after `npm ci` (for its playwright-core).
set -euo pipefail
cd "$(dirname "$0")/.."
bench="$(cd "${1:?usage: bash scripts/first-paint.sh <bench-dir>}" && pwd)"
source scripts/setup.sh >/dev/null
work=target/first-paint
rm -rf "$work" && mkdir -p "$work"
# The page whole, with its function names (post_build.py does not split it).
CALLBOARD_SPLIT=0 trunk build --release --dist "$work/dist"
cp -r "$work/dist" "$work/site"
page="$(basename "$(ls "$work"/dist/callboard-*_bg.wasm)")"
python3 scripts/wasm_split.py instrument "$work/dist/$page" "$work/site/$page"
# The instrumented wasm is not the file trunk hashed, and the old service worker must not serve it.
sed -i 's/ integrity="[^"]*"//g' "$work/site/index.html"
python3 -m http.server -d "$work/site" -b 127.0.0.1 8093 >/dev/null 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
sleep 1
node bench/first-paint.mjs "$bench" http://127.0.0.1:8093/ "$work/profile"
{
  echo "# The page's functions that showing the demo overview ran (bench/first-paint.mjs: light, dark, phone;"
  echo "# without wasm-opt's .N suffixes), written by"
  echo "# scripts/first-paint.sh on $(date -u +%F). scripts/wasm_split.py keeps them in the first download."
  python3 scripts/wasm_split.py names-called "$work/dist/$page" "$work"/profile.*
} > scripts/first-paint.txt
echo "first-paint: $(grep -vc '^#' scripts/first-paint.txt) names in scripts/first-paint.txt"
