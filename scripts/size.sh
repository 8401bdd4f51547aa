#!/usr/bin/env bash
# Prints the size of the release app (dist/): each JS and WASM file, raw and gzip -9.
# Run after `trunk build --release`.
set -euo pipefail
cd "$(dirname "$0")/../dist"
total_raw=0; total_gz=0
for f in *.js *.wasm; do
  raw=$(stat -c %s "$f"); gz=$(gzip -9 -c "$f" | wc -c)
  printf '%-42s %9d bytes raw %9d bytes gzip -9\n' "$f" "$raw" "$gz"
  total_raw=$((total_raw + raw)); total_gz=$((total_gz + gz))
done
printf '%-42s %9d bytes raw %9d bytes gzip -9\n' "JS + WASM" "$total_raw" "$total_gz"
