#!/usr/bin/env bash
# Runs every test: installs what is missing, checks formatting and lints, builds the release, then
#   1. native: the core's unit and property tests, its SQL on a two-shard ClickHouse cluster
#      that this starts and stops, the chart SVG tests, and the end-to-end tests (release build
#      served on 127.0.0.1, driven in Chromium);
#   2. wasm-bindgen-test: the app mounted in headless Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh --browser

echo "== formatting and lints: cargo fmt --check, clippy on every native target (tests, benches and examples build here) and on the wasm app"
cargo fmt --all -- --check
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p callboard --target wasm32-unknown-unknown --lib --bins --tests -- -D warnings

echo "== release build (trunk)"
trunk build --release

echo "== ClickHouse: a two-shard cluster for the SQL tests (stopped again on exit)"
bash scripts/clickhouse.sh start
trap 'bash scripts/clickhouse.sh stop; bash scripts/nginx.sh stop' EXIT
export CALLBOARD_CLICKHOUSE=http://127.0.0.1:18123 CALLBOARD_CLICKHOUSE_SECOND=http://127.0.0.1:18124 CALLBOARD_CLICKHOUSE_REQUIRED=1

echo "== nginx: a real one on 127.0.0.1:18180 writing a custom log_format, for the log tests (stopped again on exit)"
bash scripts/nginx.sh start
export CALLBOARD_NGINX=http://127.0.0.1:18180 CALLBOARD_NGINX_REQUIRED=1

echo "== native tests: core, property tests, ClickHouse SQL, charts, end to end"
cargo test --workspace

echo "== browser tests: wasm-bindgen-test in headless Chromium"
cargo test -p callboard --target wasm32-unknown-unknown --test web
