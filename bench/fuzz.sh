#!/usr/bin/env bash
# Hostile input: schemathesis (PyPI) against the service's own /openapi.json, with valid tokens of several roles.
# Runs every check of schemathesis (no 5xx, answers as documented, status codes, headers, schema-invalid data
# refused, schema-valid data accepted, 405 with Allow...), stateful sequences included; bench/schemathesis.toml
# lists the few operations whose rules JSON Schema cannot state.
# Usage: bench/fuzz.sh [MAX_EXAMPLES] [SEED]. Starts and stops its own service on a fresh SQLite file.
set -euo pipefail
cd "$(dirname "$0")/.."
MAX=${1:-10}
SEED=${2:-}
python3 -c "import schemathesis" 2>/dev/null || python3 -m pip install -q "schemathesis==4.32.5"
# The interpreter's own scripts directory: a fresh install may not be on PATH (pyenv shims) yet.
ST=$(python3 -c 'import os, sys; print(os.path.join(os.path.dirname(sys.executable), "st"))')
[ -x "$ST" ] || ST=st
cargo build -q -p waste-api
dir=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
ADMIN=fuzz-admin-3b7e1d9c5a2f8046e1c7d3b9a5f2e8c4
# One client address sends thousands of requests, many without a token on purpose: the rate limits (tested on
# their own in tests/tests/findings.rs) are off so that every answer is the endpoint's own.
WASTE_RATE_PER_TOKEN=0 WASTE_RATE_PER_ADDRESS=0 WASTE_RATE_AUTH_FAILURES=0 \
WASTE_LOG=warn WASTE_BIND=127.0.0.1:$port DATABASE_URL="sqlite://$dir/fuzz.db" WASTE_BOOTSTRAP_TOKEN=$ADMIN target/debug/waste-api serve 2>"$dir/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$dir"' EXIT
API=http://127.0.0.1:$port
for _ in $(seq 1 50); do curl -sf "$API/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
post() { curl -s -H "Authorization: Bearer $1" -H "Content-Type: application/json" "$API$2" -d "$3"; }
field() { python3 -c "import json,sys; print(json.load(sys.stdin)['$1'])"; }
SCHOOL=$(post $ADMIN /api/v1/organizations '{"kind":"school","name":"fuzz school","credit_code":"91350100M000100Y43","region_code":"220102"}' | field id)
STAFF=$(post $ADMIN /api/v1/organizations/$SCHOOL/users '{"name":"s","roles":["lab_staff","safety_officer"],"trained_until":"2099-12-31"}' | field token)
C=$(post $STAFF /api/v1/containers '{"lab":"F","capacity_liters":"20","material":"hdpe"}' | field id)
post $STAFF /api/v1/containers/$C/additions '{"waste":{"form":"liquid","origin":"experiment_residue","components":[{"name":"acetone"}]},"quantity":"1","unit":"L"}' >/dev/null
# Every check of schemathesis (FUZZ_CHECKS narrows it), with stateful sequences among the phases.
CHECKS=${FUZZ_CHECKS:-all}
PHASES=${FUZZ_PHASES:-examples,coverage,fuzzing,stateful}
seed=()
[ -n "$SEED" ] && seed=(--seed "$SEED")
status=0
for token in $ADMIN $STAFF; do
  "$ST" --config-file bench/schemathesis.toml run "$API/openapi.json" -H "Authorization: Bearer $token" \
    --checks "$CHECKS" --phases "$PHASES" --max-examples "$MAX" "${seed[@]}" \
    --exclude-path-regex '/docs' --no-color > "$dir/st.out" 2>&1 || status=1
  grep -E "generated|passed|failed|FAILURES|Server error|does not conform|test cases|Test cases" "$dir/st.out" | head -20
  if [ $status -ne 0 ]; then
    # Every failure with its reproduction (FUZZ_OUT=file keeps the whole report).
    [ -z "${FUZZ_OUT:-}" ] || cp "$dir/st.out" "$FUZZ_OUT"
    sed -n '/FAILURES/,$p' "$dir/st.out" | head -n "${FUZZ_LINES:-400}" || true
    break
  fi
done
# Our own error logs mean an internal error; actix-http's own parse errors for malformed requests do not.
if grep -q '"level":"ERROR".*"target":"waste_api' "$dir/server.log"; then echo "fuzz: the service logged internal errors:"; grep '"level":"ERROR".*"target":"waste_api' "$dir/server.log" | head; status=1; fi
echo "fuzz: $( [ $status -eq 0 ] && echo passed || echo FAILED )"
exit $status
