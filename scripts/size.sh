#!/usr/bin/env bash
# Prints the size of the release app (dist/), raw and gzip -9, in two parts:
#   - the first download: everything the dashboard needs to show (the page's JS and WASM);
#   - the ingest worker: the export readers and live-API client, fetched once the first figures
#     have painted (or when a file is opened before that);
# and the service worker script apart. Run after `trunk build --release`.
set -euo pipefail
cd "$(dirname "$0")/../dist"
total() { # total "label" files...
  local label="$1"; shift
  local raw=0 gz=0 f r g
  for f in "$@"; do
    r=$(stat -c %s "$f"); g=$(gzip -9 -c "$f" | wc -c)
    printf '  %-44s %9d bytes raw %9d bytes gzip -9\n' "$f" "$r" "$g"
    raw=$((raw + r)); gz=$((gz + g))
  done
  printf '%-46s %9d bytes raw %9d bytes gzip -9 (%s KiB)\n' "$label" "$raw" "$gz" "$(awk "BEGIN { printf \"%.1f\", $gz / 1024 }")"
}
echo "First download (the page):"
total "  = first download" callboard-*.js init-*.js callboard-*_bg.wasm
echo "Ingest worker (after the first paint, when the page is idle):"
total "  = ingest worker" ingest-*.js ingest-*_bg.wasm
echo "Service worker:"
total "  = service worker" sw.js
