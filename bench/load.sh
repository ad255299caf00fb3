#!/usr/bin/env bash
# Measures, on SQLite and on PostgreSQL: classify, container additions and whole custody chains per second and
# their latency at 16 connections, the write path's ceilings on the same database, and each figure as a ratio to
# them (for chains, the requests per second they make).
# Usage: bench/load.sh [SECONDS] [CONNECTIONS]. Starts and stops its own service instances on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=${1:-10}
CONNS=${2:-16}
cargo build --release -q -p waste-api -p waste-bench
BIN=target/release
TOKEN=bench-admin-9c2e7a1f4b8d3e6052a7c1f9d4b8e3a6
# The requests per second of a load line: "N requests/s", "N additions/s", "N inserts/s" or, for whole chains,
# the "(N requests/s)" they make.
rate() { grep -oE '[0-9.]+ (requests|additions|inserts)/s' <<<"$1" | tail -1 | cut -d' ' -f1; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (a == "" || b == "" || b == 0) print "n/a"; else printf "%.1f %%", 100 * a / b }'; }
run() { # label database-url
  local port=$((20000 + RANDOM % 20000))
  # One token and one address drive the whole load: the rate limits are turned off (0) so the bench measures the
  # service, not its limiter.
  WASTE_RATE_PER_TOKEN=0 WASTE_RATE_PER_ADDRESS=0 WASTE_LOG=warn WASTE_BIND=127.0.0.1:$port DATABASE_URL=$2 WASTE_BOOTSTRAP_TOKEN=$TOKEN $BIN/waste-api serve 2>/tmp/waste-bench-$1.log &
  local pid=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  local classify additions chains http direct
  classify=$($BIN/load --url "http://127.0.0.1:$port" --token $TOKEN --scenario classify --connections "$CONNS" --seconds "$SECONDS_RUN" --label "$1" || true)
  echo "$classify"
  additions=$($BIN/load --url "http://127.0.0.1:$port" --token $TOKEN --connections "$CONNS" --seconds "$SECONDS_RUN" --label "$1" || true)
  echo "$additions"
  chains=$($BIN/load --url "http://127.0.0.1:$port" --token $TOKEN --scenario lifecycle --connections "$CONNS" --seconds "$SECONDS_RUN" --label "$1" || true)
  echo "$chains"
  kill $pid; wait $pid 2>/dev/null || true
  # The ceilings on the same database: a bare single-row insert endpoint over HTTP, and the same insert through
  # the same write path with no HTTP at all.
  local cport=$((20000 + RANDOM % 20000))
  $BIN/ceiling_http "$2" 127.0.0.1:$cport 2>/dev/null &
  local cpid=$!
  sleep 1
  http=$($BIN/load --url "http://127.0.0.1:$cport" --token none --scenario ceiling --connections "$CONNS" --seconds "$SECONDS_RUN" --label "$1" || true)
  echo "$http"
  kill $cpid; wait $cpid 2>/dev/null || true
  direct=$($BIN/ceiling "$2" --connections "$CONNS" --seconds "$SECONDS_RUN" | sed "s/^/$1 /" || true)
  echo "$direct"
  local h d
  h=$(rate "$http"); d=$(rate "$direct")
  for what in classify additions chains; do
    local r
    r=$(rate "${!what}")
    echo "$1: $what ${r:-?}/s = $(ratio "$r" "$h") of the HTTP ceiling (${h:-?}/s), $(ratio "$r" "$d") of the direct ceiling (${d:-?}/s)"
  done
}
dir=$(mktemp -d)
run sqlite "sqlite://$dir/bench.db"
rm -rf "$dir"
if pg_isready -h 127.0.0.1 -p 5432 -q; then
  db=waste_bench_$$
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
  run postgres "postgres://postgres@127.0.0.1:5432/$db"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $db WITH (FORCE)"
else
  echo "postgres: skipped (not running on 127.0.0.1:5432)"
fi
