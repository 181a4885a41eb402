#!/usr/bin/env bash
# npm start: set up, build, serve the static site and print its URL.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/build.sh
exec node scripts/serve.mjs --port "${PORT:-8080}" "$@"
