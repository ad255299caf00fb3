#!/usr/bin/env bash
# Two instances of the service on one PostgreSQL database, the load client sending each request to the next
# instance in turn (round-robin): container additions and whole custody chains at the given concurrency, with
# the write-path counters summed over both instances. What docs/deploy.md describes for a province that outgrows
# one machine, on one host here (so both instances, the client and PostgreSQL share its cores).
# Usage: bench/two.sh [SECONDS] [CONNECTIONS]. Needs PostgreSQL on 127.0.0.1:5432 (or DATABASE_URL of an empty
# database, which it leaves in place). BIN=target/debug skips the release build (a smoke run, not a measurement).
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_RUN=${1:-10}
CONNS=${2:-16}
BIN=${BIN:-target/release}
if [ "$BIN" = target/release ]; then cargo build --release -q -p waste-api -p waste-bench; fi
TOKEN=bench-admin-9c2e7a1f4b8d3e6052a7c1f9d4b8e3a6
# Both instances anchor chain heads with the same key, as a deployment must (docs/deploy.md).
AUDIT_KEY=bench-audit-4d1c8e7f2a9b3605e1c7d4a8f2b6e9c3
db=""
if [ -z "${DATABASE_URL:-}" ]; then
  pg_isready -h 127.0.0.1 -p 5432 -q || { echo "two.sh: PostgreSQL is not running on 127.0.0.1:5432" >&2; exit 1; }
  db=waste_two_$$
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
  DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
fi
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  if [ -n "$db" ]; then psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE $db WITH (FORCE)"; fi
}
trap cleanup EXIT
urls=()
for i in 1 2; do
  port=$((20000 + RANDOM % 20000))
  # The rate limits are turned off (0): one client address and token drive the whole load.
  WASTE_RATE_PER_TOKEN=0 WASTE_RATE_PER_ADDRESS=0 WASTE_LOG=warn WASTE_BIND=127.0.0.1:$port \
    DATABASE_URL=$DATABASE_URL WASTE_BOOTSTRAP_TOKEN=$TOKEN WASTE_AUDIT_KEY=$AUDIT_KEY \
    "$BIN/waste-api" serve 2>"/tmp/waste-two-$i.log" &
  pids+=($!)
  urls+=("http://127.0.0.1:$port")
done
for u in "${urls[@]}"; do
  for _ in $(seq 1 100); do curl -sf "$u/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
done
both=$(IFS=,; echo "${urls[*]}")
"$BIN/load" --url "$both" --token $TOKEN --connections "$CONNS" --seconds "$SECONDS_RUN" --label two-instances || true
"$BIN/load" --url "$both" --token $TOKEN --scenario lifecycle --connections "$CONNS" --seconds "$SECONDS_RUN" --label two-instances || true
# Nothing forked, nothing lost: every chain verifies, on each instance.
for u in "${urls[@]}"; do
  echo "audit via $u: $(curl -sf -H "Authorization: Bearer $TOKEN" "$u/api/v1/audit/verify" | grep -oE '"ok":(true|false)' || echo unreachable)"
done
