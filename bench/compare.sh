#!/usr/bin/env bash
# Compares two builds of the service on the same machine in the same minutes: container additions and whole
# custody chains at 16 connections, on SQLite and on PostgreSQL, each binary in turn (A, B, A, B … per figure),
# with this checkout's load client. Build the "before" binary from its commit first, e.g.
#   git worktree add /tmp/before <commit> && (cd /tmp/before && cargo build --release -p waste-api)
# Usage: bench/compare.sh BINARY_A BINARY_B [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
A=$1
B=$2
SECONDS_RUN=${3:-10}
cargo build --release -q -p waste-bench
TOKEN=bench-admin-9c2e7a1f4b8d3e6052a7c1f9d4b8e3a6
one() { # label binary database-url scenario
  local port=$((20000 + RANDOM % 20000))
  WASTE_RATE_PER_TOKEN=0 WASTE_RATE_PER_ADDRESS=0 WASTE_LOG=warn WASTE_BIND=127.0.0.1:$port DATABASE_URL=$3 WASTE_BOOTSTRAP_TOKEN=$TOKEN "$2" serve 2>/dev/null &
  local pid=$!
  for _ in $(seq 1 50); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  target/release/load --url "http://127.0.0.1:$port" --token $TOKEN --scenario "$4" --connections 16 --seconds "$SECONDS_RUN" --label "$1" | tail -1 || true
  kill $pid; wait $pid 2>/dev/null || true
}
for scenario in additions lifecycle; do
  for label in A B; do
    bin=$A; [ $label = B ] && bin=$B
    dir=$(mktemp -d)
    one "sqlite $label" "$bin" "sqlite://$dir/bench.db" $scenario
    rm -rf "$dir"
    if pg_isready -h 127.0.0.1 -p 5432 -q; then
      db=waste_compare_$$
      psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
      one "postgres $label" "$bin" "postgres://postgres@127.0.0.1:5432/$db" $scenario
      psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $db WITH (FORCE)"
    fi
  done
done
