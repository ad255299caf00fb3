#!/usr/bin/env bash
# Measures, on SQLite and on PostgreSQL: container additions per second and latency at 16 connections, and the
# whole custody chain (manifests closed per second).
# Usage: bench/load.sh [SECONDS] [CONNECTIONS]. Starts and stops its own service instances on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=${1:-10}
CONNS=${2:-16}
cargo build --release -q -p waste-api -p waste-bench
BIN=target/release
TOKEN=bench-admin-token
run() { # label database-url
  local port=$((20000 + RANDOM % 20000))
  WASTE_LOG=warn WASTE_BIND=127.0.0.1:$port DATABASE_URL=$2 WASTE_BOOTSTRAP_TOKEN=$TOKEN $BIN/waste-api serve 2>/tmp/waste-bench-$1.log &
  local pid=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  $BIN/load --url "http://127.0.0.1:$port" --token $TOKEN --scenario classify --connections "$CONNS" --seconds "$SECONDS_RUN" --label "$1" || true
  $BIN/load --url "http://127.0.0.1:$port" --token $TOKEN --connections "$CONNS" --seconds "$SECONDS_RUN" --label "$1" || true
  $BIN/load --url "http://127.0.0.1:$port" --token $TOKEN --scenario lifecycle --connections "$CONNS" --seconds "$SECONDS_RUN" --label "$1" || true
  kill $pid; wait $pid 2>/dev/null || true
  # The ceilings on the same database: a bare single-row insert endpoint over HTTP, and the same insert through
  # the same pool with no HTTP at all.
  local cport=$((20000 + RANDOM % 20000))
  $BIN/ceiling_http "$2" 127.0.0.1:$cport 2>/dev/null &
  local cpid=$!
  sleep 1
  $BIN/load --url "http://127.0.0.1:$cport" --token none --scenario ceiling --connections "$CONNS" --seconds "$SECONDS_RUN" --label "$1" || true
  kill $cpid; wait $cpid 2>/dev/null || true
  $BIN/ceiling "$2" --connections "$CONNS" --seconds "$SECONDS_RUN" | sed "s/^/$1 /" || true
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
