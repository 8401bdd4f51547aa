#!/usr/bin/env bash
# Runs every test: installs what is missing, builds the release, then
#   1. native: the core's unit and property tests, the chart SVG tests, and the
#      end-to-end test (release build served on 127.0.0.1, driven in Chromium);
#   2. wasm-bindgen-test: the app mounted in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh --browser

echo "== release build (trunk)"
trunk build --release

echo "== native tests: core, property tests, charts, end to end"
cargo test --workspace

echo "== browser tests: wasm-bindgen-test in headless Chromium"
cargo test -p callboard --target wasm32-unknown-unknown --test web
