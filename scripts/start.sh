#!/usr/bin/env bash
# npm start: set up, build, serve the static site and print its URL (PORT, default
# 8080). The server (Vite's preview server, scripts/serve.mjs) sends COOP/COEP, so
# the page is cross-origin isolated and runs the pthreads build;
# `npm start -- --no-isolate` serves it as a plain static host would.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/build.sh
exec node scripts/serve.mjs --port "${PORT:-8080}" --isolate "$@"
