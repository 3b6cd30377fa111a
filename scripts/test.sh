#!/usr/bin/env bash
# Installs everything the test suite needs on a fresh Debian 12 machine, starts
# the services it uses, then type-checks, lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/start-services.sh

npm ci --no-audit --no-fund
npm run build
npm run lint
node scripts/run-tests.mjs
