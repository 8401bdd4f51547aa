#!/usr/bin/env bash
# Starts the dashboard on the demo data: installs what is missing, builds, and
# serves on http://127.0.0.1:8080/ (set ADDRESS or PORT to change).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
address="${ADDRESS:-127.0.0.1}"
port="${PORT:-8080}"
echo
echo "Callboard: building, then serving. Open http://$address:$port/ in your browser (Ctrl-C stops it)."
echo
exec trunk serve --release --address "$address" --port "$port"
