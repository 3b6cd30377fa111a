#!/usr/bin/env bash
# The whole test suite on a fresh Debian 12 machine: installs what the tests
# need, starts the services they use, then type-checks, lints and runs every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
bash scripts/start-services.sh

npm ci --no-audit --no-fund
npm test
