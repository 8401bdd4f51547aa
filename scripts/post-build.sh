#!/usr/bin/env bash
# Trunk post-build hook, run on the staged dist/ before it replaces the old one:
#  1. moves trunk's inline start-up <script type="module"> into a hashed file, so the page runs
#     under a strict Content-Security-Policy (no 'unsafe-inline'; trunk-rs/trunk#288);
#  2. gives the ingest worker's files (which trunk names after the binary, unhashed) content-hashed
#     names, so a new deploy never mixes with an old cached worker, and writes the loader's name
#     into <meta name="callboard-ingest"> for the page;
#  3. writes the service worker (sw.js) with the list of files to cache for offline use, and a
#     version that changes whenever any of them does.
set -euo pipefail
dir="${TRUNK_STAGING_DIR:?run by trunk as a post_build hook}"
python3 "$(dirname "$0")/post_build.py" "$dir"
