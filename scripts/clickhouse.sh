#!/usr/bin/env bash
# A real two-shard ClickHouse cluster on 127.0.0.1 for the SQL tests: two servers (HTTP 18123
# and 18124, native 19000 and 19001) whose configuration names both as the `callboard` cluster,
# so a Distributed table reads and merges across them. Data lives under target/clickhouse.
#   bash scripts/clickhouse.sh start   # starts both (a second start restarts them)
#   bash scripts/clickhouse.sh stop
# With add_http_cors_header=1 the servers send Access-Control-Allow-Origin, as a browser needs.
# Besides `default`, a user `reader` (password read-only-2) whose profile has readonly=1.
set -euo pipefail
cd "$(dirname "$0")/.."
dir="$PWD/target/clickhouse"

stop() {
  for n in 1 2; do
    if [ -f "$dir/s$n/pid" ]; then
      kill "$(cat "$dir/s$n/pid")" 2>/dev/null || true
      rm -f "$dir/s$n/pid"
    fi
  done
  # Give them a moment to let go of their ports.
  for _ in $(seq 1 50); do
    curl -fs "http://127.0.0.1:18123/ping" >/dev/null 2>&1 || curl -fs "http://127.0.0.1:18124/ping" >/dev/null 2>&1 || return 0
    sleep 0.2
  done
}

start() {
  command -v clickhouse-server >/dev/null || { echo "clickhouse.sh: clickhouse-server is missing (scripts/setup.sh --browser installs it)" >&2; exit 1; }
  stop
  mkdir -p "$dir"
  cat > "$dir/users.xml" <<'XML'
<yandex>
  <profiles>
    <default><add_http_cors_header>1</add_http_cors_header></default>
    <!-- A read-only user as admins make them: it may change no setting, so its limits are here
         (not Callboard's: 18.16 lets a setting equal to the profile's through). -->
    <reader>
      <readonly>1</readonly><add_http_cors_header>1</add_http_cors_header>
      <max_execution_time>30</max_execution_time><max_result_rows>2000000</max_result_rows><result_overflow_mode>throw</result_overflow_mode>
    </reader>
  </profiles>
  <users>
    <default><password></password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>default</profile><quota>default</quota></default>
    <reader><password>read-only-2</password><networks><ip>127.0.0.1</ip><ip>::1</ip></networks><profile>reader</profile><quota>default</quota></reader>
  </users>
  <quotas><default><interval><duration>3600</duration><queries>0</queries><errors>0</errors><result_rows>0</result_rows><read_rows>0</read_rows><execution_time>0</execution_time></interval></default></quotas>
</yandex>
XML
  for n in 1 2; do
    local s="$dir/s$n"
    mkdir -p "$s/data" "$s/tmp" "$s/user_files"
    cat > "$s/config.xml" <<XML
<yandex>
  <logger><level>warning</level><log>$s/server.log</log><errorlog>$s/error.log</errorlog></logger>
  <http_port>$((18122 + n))</http_port>
  <tcp_port>$((18999 + n))</tcp_port>
  <listen_host>127.0.0.1</listen_host>
  <path>$s/data/</path>
  <tmp_path>$s/tmp/</tmp_path>
  <user_files_path>$s/user_files/</user_files_path>
  <users_config>$dir/users.xml</users_config>
  <default_profile>default</default_profile>
  <default_database>default</default_database>
  <mark_cache_size>268435456</mark_cache_size>
  <remote_servers>
    <callboard>
      <shard><replica><host>127.0.0.1</host><port>19000</port></replica></shard>
      <shard><replica><host>127.0.0.1</host><port>19001</port></replica></shard>
    </callboard>
  </remote_servers>
</yandex>
XML
    clickhouse-server --config-file="$s/config.xml" >"$s/stdout.log" 2>&1 &
    echo $! > "$s/pid"
  done
  for n in 1 2; do
    local port=$((18122 + n)) ok=0
    for _ in $(seq 1 100); do
      if curl -fs "http://127.0.0.1:$port/ping" >/dev/null 2>&1; then ok=1; break; fi
      sleep 0.2
    done
    [ "$ok" = 1 ] || { echo "clickhouse.sh: server $n did not start; see $dir/s$n/error.log" >&2; tail -5 "$dir/s$n/error.log" >&2 || true; exit 1; }
  done
  echo "clickhouse.sh: two-shard cluster up ($(curl -fs 'http://127.0.0.1:18123/?query=SELECT%20version()'), HTTP 18123 and 18124)"
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
