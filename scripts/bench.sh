#!/usr/bin/env bash
# npm run bench: build everything (plus a wasm build without SIMD), then measure.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/build.sh
JOBS=${JOBS:-2}
echo "bench: wasm without SIMD (build/wasm-scalar)"
emcmake cmake -S . -B build/wasm-scalar -DCMAKE_BUILD_TYPE=Release -DMNIST_WASM_SIMD=OFF >/dev/null
cmake --build build/wasm-scalar -j"$JOBS"
node bench/run.mjs
