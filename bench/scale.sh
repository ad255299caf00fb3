#!/usr/bin/env bash
# Scale: seed one million containers and 100,000 manifests (1.1 million custody events), then measure the read
# endpoints' p95 and /audit/verify, on SQLite and on PostgreSQL.
# Usage: bench/scale.sh [CONTAINERS] [MANIFESTS]
set -euo pipefail
cd "$(dirname "$0")/.."
CONTAINERS=${1:-1000000}
MANIFESTS=${2:-100000}
cargo build --release -q -p waste-api -p waste-bench
BIN=target/release
run() { # label database-url
  $BIN/seed_scale "$2" --containers "$CONTAINERS" --manifests "$MANIFESTS" | sed "s/^/$1 /"
  local port=$((20000 + RANDOM % 20000))
  WASTE_RATE_PER_TOKEN=0 WASTE_RATE_PER_ADDRESS=0 WASTE_LOG=warn WASTE_BIND=127.0.0.1:$port DATABASE_URL=$2 WASTE_BOOTSTRAP_TOKEN=scale-admin-6e2a9d4c1f7b3085d2e9a6c1f4b7d3e8 $BIN/waste-api serve 2>/tmp/waste-scale-$1.log &
  local pid=$!
  for _ in $(seq 1 100); do curl -sf "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
  $BIN/reads --url "http://127.0.0.1:$port" --admin scale-admin-6e2a9d4c1f7b3085d2e9a6c1f4b7d3e8 --requests 200 | sed "s/^/$1 /"
  kill $pid; wait $pid 2>/dev/null || true
}
dir=$(mktemp -d)
run sqlite "sqlite://$dir/scale.db"
ls -la "$dir" | sed 's/^/sqlite file: /'
rm -rf "$dir"
if pg_isready -h 127.0.0.1 -p 5432 -q; then
  db=waste_scale_$$
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
  run postgres "postgres://postgres@127.0.0.1:5432/$db"
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $db WITH (FORCE)"
fi
