#!/usr/bin/env bash
# Fuzzes every export reader for a bounded time each (default 60 s): bash scripts/fuzz.sh [seconds]
# Needs cargo-fuzz (installed here if missing). cargo-fuzz uses -Z flags; this machine has only
# stable Rust, so RUSTC_BOOTSTRAP=1 lets stable accept them. A crash stops the run with its input
# saved under crates/usage-core/fuzz/artifacts/.
set -euo pipefail
cd "$(dirname "$0")/../crates/usage-core"
seconds="${1:-60}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked
export RUSTC_BOOTSTRAP=1
log="$(mktemp)"
for target in $(cargo fuzz list); do
  echo "== fuzzing $target for ${seconds}s"
  if ! cargo fuzz run "$target" -- -max_total_time="$seconds" -rss_limit_mb=4096 > "$log" 2>&1; then
    tail -n 40 "$log"
    echo "fuzz: $target failed (a crash, or the target did not build)"
    exit 1
  fi
  grep -E "^Done [0-9]+ runs" "$log"
done
echo "fuzz: every target ran ${seconds}s without a failure"
