#!/usr/bin/env bash
# The reagent shelf at a school's scale (issue 31): 5,000 bottles received through the API, then p50/p95 of a
# stocktake's reconciliation, the shelf's alerts and the bureau's view, on SQLite and on PostgreSQL.
# Usage: bench/shelf.sh [BOTTLES] [REQUESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
BOTTLES=${1:-5000}
REQUESTS=${2:-100}
cargo build --release -q -p waste-api -p waste-bench
BIN=target/release
ADMIN=shelf-admin-8c3e1a7d5b9f2046c8e3a1d7b5f9c2e4
run() { # label database-url
  local port=$((20000 + RANDOM % 20000))
  WASTE_RATE_PER_TOKEN=0 WASTE_RATE_PER_ADDRESS=0 WASTE_RATE_AUTH_FAILURES=0 WASTE_LOG=warn WASTE_BIND=127.0.0.1:$port \
    DATABASE_URL=$2 WASTE_BOOTSTRAP_TOKEN=$ADMIN $BIN/waste-api serve 2>/tmp/waste-shelf-$1.log &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  $BIN/shelf --url "http://127.0.0.1:$port" --admin $ADMIN --bottles "$BOTTLES" --requests "$REQUESTS" | sed "s/^/$1 /"
  kill $pid; wait $pid 2>/dev/null || true
}
dir=$(mktemp -d)
run sqlite "sqlite://$dir/shelf.db"
rm -rf "$dir"
if pg_isready -h 127.0.0.1 -p 5432 -q; then
  db=waste_shelf_$$
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
  run postgres "postgres://postgres@127.0.0.1:5432/$db"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $db WITH (FORCE)"
fi
