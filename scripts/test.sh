#!/usr/bin/env bash
# The project's one test command: every Rust test (both backends), then the browser tests against the real binary.
# On a fresh Debian machine it installs what is missing: Chromium and a CJK font (apt), sqlite3 (the browser tests
# back-date a storage clock in their own database), jq and curl (the README walkthrough test), pg_dump, and the npm packages of web-tests/ (npm ci, from the lockfile).
# Under CI=true a missing browser is a failure, never a skip. python3-venv for the OpenAPI check's tools.
set -euo pipefail
cd "$(dirname "$0")/.."

need_apt=()
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
fc-list 2>/dev/null | grep -qi "wenquanyi\|noto sans cjk" || need_apt+=(fonts-wqy-zenhei)
command -v sqlite3 >/dev/null 2>&1 || need_apt+=(sqlite3)
# The README walkthrough test (waste-api/tests/readme.rs) runs its curl and jq examples.
command -v jq >/dev/null 2>&1 || need_apt+=(jq)
command -v curl >/dev/null 2>&1 || need_apt+=(curl)
# The operations tests dump and restore a PostgreSQL database.
command -v pg_dump >/dev/null 2>&1 || need_apt+=(postgresql-client)
command -v node >/dev/null 2>&1 || need_apt+=(nodejs npm)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "test.sh: installing ${need_apt[*]}"
  if [ "$(id -u)" = 0 ]; then SUDO=""; else SUDO="sudo"; fi
  $SUDO apt-get update -q && $SUDO apt-get install -y -q "${need_apt[@]}" || echo "test.sh: apt-get failed"
fi

cargo nextest run --workspace --no-fail-fast
# The OpenAPI document as an integrator uses it: validated, a generated Python client running the README's flow,
# generated TypeScript types checking a TypeScript flow (a missing tool fails under CI=true).
scripts/openapi-check.sh

if [ ! -x /usr/bin/chromium ]; then
  if [ "${CI:-}" = "true" ]; then echo "test.sh: Chromium is missing and CI=true: the browser tests must run" >&2; exit 1; fi
  echo "test.sh: SKIPPED the browser tests: /usr/bin/chromium is missing" >&2
  exit 0
fi
(cd web-tests && { [ -d node_modules/playwright-core ] && [ -d node_modules/axe-core ] && [ -d node_modules/qrcode ] || npm ci --no-audit --no-fund; })
# The binary the browser tests start (on a free port, with a fresh SQLite file each): the debug build nextest made.
cargo build -p waste-api
WASTE_BIN="$PWD/target/debug/waste-api" npm --prefix web-tests test
