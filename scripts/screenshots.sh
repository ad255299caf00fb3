#!/usr/bin/env bash
# Regenerates docs/screenshots/*.png (phone 390×844 and desktop) from a fresh service and Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build -p waste-api
(cd web-tests && { [ -d node_modules/playwright-core ] || npm ci --no-audit --no-fund; })
WASTE_BIN="$PWD/target/debug/waste-api" node web-tests/screenshots.mjs
