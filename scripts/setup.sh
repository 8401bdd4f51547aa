#!/usr/bin/env bash
# Installs what Callboard needs that is missing, and skips what is present.
#   source scripts/setup.sh            # build tools: wasm32 target, trunk, wasm-bindgen-cli, wasm-opt
#   source scripts/setup.sh --browser  # also Chromium, ChromeDriver, ClickHouse and nginx, for the tests
# Sourced (not run) so that PATH, with the project's wasm-opt first, carries over.
# Installs from Debian's packages need Debian and root; anywhere else it says what to install.

callboard_setup() {
  local root trunk_version=0.21.14 binaryen_version=132.0.0 wasm_bindgen_version browser=0
  root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
  [ "${1:-}" = "--browser" ] && browser=1
  # wasm-bindgen-cli must equal the wasm-bindgen crate in Cargo.lock (pinned with = in Cargo.toml).
  wasm_bindgen_version="$(sed -n '/^name = "wasm-bindgen"$/{n;s/^version = "\(.*\)"$/\1/p;}' "$root/Cargo.lock")"

  local apt_updated=0 can_apt=0
  [ -f /etc/debian_version ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null && can_apt=1
  apt_install() { # apt_install "what it is for" package...
    local why="$1"; shift
    if [ "$can_apt" = 1 ]; then
      [ "$apt_updated" = 1 ] || { echo "setup: apt-get update"; apt-get update -qq; apt_updated=1; }
      echo "setup: installing $* ($why)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
    else
      echo "setup: missing $why. This is not Debian as root, so install it yourself: $* (Debian/Ubuntu package names), then run this again." >&2
      return 1
    fi
  }

  command -v cargo >/dev/null && command -v rustup >/dev/null || {
    echo "setup: missing the Rust toolchain. Install rustup (https://rustup.rs) with a stable Rust 1.95 or later, then run this again." >&2
    return 1
  }
  if ! rustup target list --installed | grep -qx wasm32-unknown-unknown; then
    echo "setup: adding the wasm32-unknown-unknown target"
    rustup target add wasm32-unknown-unknown
  fi

  # rustfmt and clippy: the test command checks formatting and lints first.
  if ! cargo fmt --version >/dev/null 2>&1 || ! cargo clippy --version >/dev/null 2>&1; then
    echo "setup: adding rustfmt and clippy"
    rustup component add rustfmt clippy || { echo "setup: could not add rustfmt and clippy; add them to the toolchain (rustup component add rustfmt clippy), then run this again." >&2; return 1; }
  fi

  # trunk 0.21.14: 0.22 needs a newer rustc than this machine has.
  if [ "$(trunk --version 2>/dev/null)" != "trunk $trunk_version" ]; then
    echo "setup: installing trunk $trunk_version (about 7 minutes)"
    cargo install trunk --version "$trunk_version" --locked
  fi
  # No --locked: the CLI's own lockfile wants a webpki-roots the registry mirror lacks.
  if [ "$(wasm-bindgen --version 2>/dev/null)" != "wasm-bindgen $wasm_bindgen_version" ]; then
    echo "setup: installing wasm-bindgen-cli $wasm_bindgen_version (about 2.5 minutes)"
    cargo install wasm-bindgen-cli --version "$wasm_bindgen_version"
  fi

  # wasm-opt from npm binaryen 132, kept in tools/. Not Debian's binaryen: its wasm-opt 108 emits wasm that crashes at load.
  local wasm_opt="$root/tools/binaryen/node_modules/.bin/wasm-opt"
  if ! "$wasm_opt" --version 2>/dev/null | grep -q "version 132"; then
    command -v npm >/dev/null || apt_install "Node.js and npm (to fetch binaryen's wasm-opt)" nodejs npm || return 1
    echo "setup: installing wasm-opt (npm binaryen@$binaryen_version) into tools/binaryen"
    npm install --silent --no-audit --no-fund --prefix "$root/tools/binaryen" "binaryen@$binaryen_version" >/dev/null
  fi
  case ":$PATH:" in
    *":$root/tools/binaryen/node_modules/.bin:"*) ;;
    *) export PATH="$root/tools/binaryen/node_modules/.bin:$PATH" ;;
  esac

  if [ "$browser" = 1 ]; then
    if ! command -v chromium >/dev/null || ! command -v chromedriver >/dev/null; then
      apt_install "Chromium and ChromeDriver (for the browser tests)" chromium chromium-driver || return 1
    fi
    # ClickHouse (Debian's 18.16) for the SQL tests: scripts/clickhouse.sh runs two servers of it as a cluster.
    if ! command -v clickhouse-server >/dev/null; then
      apt_install "ClickHouse (for the SQL tests against a two-shard cluster)" clickhouse-server clickhouse-client || return 1
    fi
    # nginx (Debian's 1.22): scripts/nginx.sh runs it unprivileged on loopback, so the log tests
    # read a log that a real nginx wrote with a custom log_format.
    if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ]; then
      apt_install "nginx (for the access-log tests)" nginx-light || apt_install "nginx (for the access-log tests)" nginx || return 1
    fi
    # CJK and emoji fonts: without them, such names show as boxes in the test screenshots and a
    # font gap cannot be told from a decoding bug.
    if [ -f /etc/debian_version ] && ! dpkg -s fonts-noto-cjk fonts-noto-color-emoji >/dev/null 2>&1; then
      apt_install "CJK and emoji fonts (for readable screenshots)" fonts-noto-cjk fonts-noto-color-emoji || return 1
    fi
  fi
  echo "setup: ready ($(trunk --version), $(wasm-bindgen --version), wasm-opt $("$wasm_opt" --version | grep -o 'version [0-9]*')$([ "$browser" = 1 ] && echo ", $(chromium --version 2>/dev/null | head -n1)"))"
}

callboard_setup "$@"
