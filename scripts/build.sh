#!/usr/bin/env bash
# npm run build: the native CLI, the wasm module, and the static site in web/dist.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
JOBS=${JOBS:-2}

echo "build: native (build/native)"
cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j"$JOBS"

echo "build: wasm with SIMD (build/wasm)"
emcmake cmake -S . -B build/wasm -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/wasm -j"$JOBS"

echo "build: static site (web/dist)"
node scripts/prepare-web.mjs
npx vite build web --logLevel warn
echo "build: done -> web/dist"
