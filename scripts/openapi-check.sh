#!/usr/bin/env bash
# The OpenAPI document as an integrator uses it, against the started debug binary:
#  1. openapi-spec-validator validates /openapi.json;
#  2. openapi-python-client generates a Python client and tests/clients/flow.py runs the README's whole flow
#     through it, every answer parsed into its model (401/403/404/409/422 included);
#  3. openapi-typescript generates TypeScript types and tests/clients/flow.ts type-checks with `tsc --strict`.
# The Python tools live in a venv under target/ (pip, pinned below); the TypeScript ones are devDependencies of
# web-tests/ (npm ci, from the lockfile). Under CI=true a missing tool is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."

SPEC_VALIDATOR="openapi-spec-validator==0.9.0"
PY_CLIENT="openapi-python-client==0.29.1"
VENV=target/openapi-venv
skip() {
  if [ "${CI:-}" = "true" ]; then echo "openapi-check: $1 and CI=true: the check must run" >&2; exit 1; fi
  echo "openapi-check: SKIPPED: $1" >&2
  exit 0
}

command -v python3 >/dev/null 2>&1 || skip "python3 is missing"
command -v node >/dev/null 2>&1 || skip "node is missing"
if [ ! -x "$VENV/bin/openapi-python-client" ] || [ ! -x "$VENV/bin/openapi-spec-validator" ]; then
  python3 -m venv "$VENV" || skip "python3 cannot make a venv (python3-venv)"
  "$VENV/bin/pip" install -q "$SPEC_VALIDATOR" "$PY_CLIENT" || skip "pip could not install the Python tools"
fi
(cd web-tests && { [ -x node_modules/.bin/openapi-typescript ] && [ -x node_modules/.bin/tsc ] || npm ci --no-audit --no-fund; }) \
  || skip "npm could not install openapi-typescript and typescript"

cargo build -q -p waste-api
work=$(mktemp -d)
port=$((20000 + RANDOM % 20000))
ADMIN=openapi-check-admin-5c1e9b7d3a2f48e6b0d4c8a1
WASTE_LOG=warn WASTE_BIND=127.0.0.1:$port DATABASE_URL="sqlite://$work/check.db" WASTE_BOOTSTRAP_TOKEN=$ADMIN \
  target/debug/waste-api serve 2>"$work/server.log" &
pid=$!
trap 'kill $pid 2>/dev/null || true; rm -rf "$work"' EXIT
API=http://127.0.0.1:$port
for _ in $(seq 1 100); do curl -sf "$API/readyz" >/dev/null 2>&1 && break; sleep 0.2; done
curl -sf "$API/openapi.json" -o "$work/openapi.json"

echo "openapi-check: 1/3 openapi-spec-validator"
"$VENV/bin/openapi-spec-validator" "$work/openapi.json"

echo "openapi-check: 2/3 openapi-python-client + tests/clients/flow.py"
# SVG answers (labels, signs) are read as text: the generator has no SVG type.
cat > "$work/client.yml" <<'EOF'
project_name_override: waste-client
package_name_override: waste_client
post_hooks: []
content_type_overrides:
  image/svg+xml: text/plain
EOF
# Any warning of the generator (a schema it could not type, a response it skipped) is a failure.
"$VENV/bin/openapi-python-client" generate --path "$work/openapi.json" --config "$work/client.yml" \
  --output-path "$work/py/waste_client" --meta none --fail-on-warning >"$work/generate.log" 2>&1 \
  || { cat "$work/generate.log"; exit 1; }
PYTHONPATH="$work/py" WASTE_API="$API" WASTE_ADMIN="$ADMIN" "$VENV/bin/python" tests/clients/flow.py

echo "openapi-check: 3/3 openapi-typescript + tsc --strict tests/clients/flow.ts"
web-tests/node_modules/.bin/openapi-typescript "$work/openapi.json" -o tests/clients/api.d.ts >/dev/null
web-tests/node_modules/.bin/tsc --strict --noEmit --skipLibCheck --target es2022 --module nodenext \
  --moduleResolution nodenext --lib es2022,dom tests/clients/flow.ts
echo "openapi-check: passed"
