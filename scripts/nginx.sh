#!/usr/bin/env bash
# A real nginx on 127.0.0.1 for the access-log tests: port 18180 logs every request with a
# custom log_format (the time first, the request and upstream times, an API key header) to
# target/nginx/access.log, and proxies /v1/ to an upstream on 18181 (and /v1/slow/ to one the
# test plays on 18182), so the upstream times are real. Everything (config, pid, logs, temp files) lives under target/nginx.
#   bash scripts/nginx.sh start   # (re)starts it, with an empty log
#   bash scripts/nginx.sh stop
#   bash scripts/nginx.sh format  # prints the log_format directive the log is written with
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$PWD/target/nginx"
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"

# The directive as nginx.conf has it; the test pastes exactly this into "Log format…".
format() {
  cat <<'FORMAT'
log_format api '$time_iso8601 $remote_addr $status $body_bytes_sent $request_time '
               '$upstream_response_time "$request" "$http_x_api_key" "$http_user_agent"';
FORMAT
}

stop() {
  if [ -f "$dir/nginx.pid" ]; then
    kill "$(cat "$dir/nginx.pid")" 2>/dev/null || true
    for _ in $(seq 1 50); do [ -f "$dir/nginx.pid" ] || break; sleep 0.1; done
    rm -f "$dir/nginx.pid"
  fi
}

start() {
  [ -x "$nginx_bin" ] || { echo "nginx.sh: nginx is missing (scripts/setup.sh --browser installs it)" >&2; exit 1; }
  stop
  mkdir -p "$dir/temp"
  : > "$dir/access.log"
  chmod 777 "$dir/temp"
  cat > "$dir/nginx.conf" <<CONF
worker_processes 1;
daemon on;
pid $dir/nginx.pid;
error_log $dir/error.log warn;
events { worker_connections 64; }
http {
  access_log off;
  client_body_temp_path $dir/temp/body;
  proxy_temp_path $dir/temp/proxy;
  fastcgi_temp_path $dir/temp/fastcgi;
  uwsgi_temp_path $dir/temp/uwsgi;
  scgi_temp_path $dir/temp/scgi;
  $(format)
  server {
    listen 127.0.0.1:18181;
    location /v1/fail { return 503 "down\n"; }
    location /v1/limited { return 429 "slow down\n"; }
    location / { return 200 "upstream\n"; }
  }
  server {
    listen 127.0.0.1:18180;
    access_log $dir/access.log api;
    # A slow upstream the test itself plays on 18182, so the times are not all zero.
    location /v1/slow/ { proxy_pass http://127.0.0.1:18182; }
    location /v1/ { proxy_pass http://127.0.0.1:18181; }
    location = /health { return 200 "ok\n"; }
    location / { return 404; }
  }
}
CONF
  "$nginx_bin" -c "$dir/nginx.conf" -p "$dir" 2>"$dir/start.log" || { cat "$dir/start.log" >&2; exit 1; }
  for _ in $(seq 1 50); do
    curl -fs http://127.0.0.1:18180/health >/dev/null 2>&1 && { : > "$dir/access.log"; return 0; }
    sleep 0.1
  done
  echo "nginx.sh: nginx did not answer on 127.0.0.1:18180" >&2
  cat "$dir/error.log" >&2 || true
  exit 1
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  format) format ;;
  *) echo "usage: bash scripts/nginx.sh start|stop|format" >&2; exit 2 ;;
esac
