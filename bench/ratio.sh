#!/usr/bin/env bash
# PostgreSQL container additions against the HTTP ceiling, run after run: for each round and each binary given,
# the service's additions at 16 connections for 10 s on a fresh database, then the ceiling's bare inserts
# (`ceiling_http`) on the same database, and their ratio. On a VM whose ceiling moves from run to run, several
# rounds say more than `load.sh`'s one; alternating two binaries compares them in the same minutes.
# Usage: bench/ratio.sh [ROUNDS] [BINARY…] (default: 3 rounds of target/release/waste-api). Needs PostgreSQL on
# 127.0.0.1:5432.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${1:-3}
shift || true
BINARIES=("$@")
[ ${#BINARIES[@]} -eq 0 ] && BINARIES=(target/release/waste-api)
cargo build --release -q -p waste-api -p waste-bench
BIN=target/release
TOKEN=bench-admin-9c2e7a1f4b8d3e6052a7c1f9d4b8e3a6
rate() { grep -oE '[0-9.]+ (additions|inserts)/s' <<<"$1" | tail -1 | cut -d' ' -f1; }
for round in $(seq 1 "$ROUNDS"); do
  for api in "${BINARIES[@]}"; do
    db=waste_ratio_$$_$round
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
    url="postgres://postgres@127.0.0.1:5432/$db"
    port=$((20000 + RANDOM % 20000))
    WASTE_RATE_PER_TOKEN=0 WASTE_RATE_PER_ADDRESS=0 WASTE_LOG=warn WASTE_BIND=127.0.0.1:$port DATABASE_URL=$url \
      WASTE_BOOTSTRAP_TOKEN=$TOKEN "$api" serve 2>/dev/null &
    pid=$!
    for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
    a=$($BIN/load --url "http://127.0.0.1:$port" --token $TOKEN --connections 16 --seconds 10 --label "$api" | tail -1 || true)
    kill $pid; wait $pid 2>/dev/null || true
    cport=$((20000 + RANDOM % 20000))
    $BIN/ceiling_http "$url" 127.0.0.1:$cport 2>/dev/null &
    cpid=$!
    sleep 1
    c=$($BIN/load --url "http://127.0.0.1:$cport" --token none --scenario ceiling --connections 16 --seconds 10 --label ceiling | tail -1 || true)
    kill $cpid; wait $cpid 2>/dev/null || true
    psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $db WITH (FORCE)"
    echo "$a"
    awk -v r="$round" -v api="$api" -v a="$(rate "$a")" -v c="$(rate "$c")" \
      'BEGIN { printf "round %s %s: additions %s/s, HTTP ceiling %s/s, %.1f %%\n", r, api, a, c, (c > 0 ? 100 * a / c : 0) }'
  done
done
