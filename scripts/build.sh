#!/usr/bin/env bash
# npm run build: the native CLI, the wasm modules (single-thread and pthreads,
# each with plain SIMD and with fused multiply-adds), and the static site in web/dist.
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

echo "build: wasm with SIMD and fused multiply-adds (build/wasm-fma)"
emcmake cmake -S . -B build/wasm-fma -DCMAKE_BUILD_TYPE=Release -DMNIST_WASM_RELAXED_FMA=ON -DMNIST_TESTS=OFF >/dev/null
cmake --build build/wasm-fma -j"$JOBS"

echo "build: wasm with SIMD and pthreads (build/wasm-mt)"
emcmake cmake -S . -B build/wasm-mt -DCMAKE_BUILD_TYPE=Release -DMNIST_WASM_THREADS=ON >/dev/null
cmake --build build/wasm-mt -j"$JOBS" --target mnist_lab

echo "build: wasm with SIMD, fused multiply-adds and pthreads (build/wasm-mt-fma)"
emcmake cmake -S . -B build/wasm-mt-fma -DCMAKE_BUILD_TYPE=Release -DMNIST_WASM_THREADS=ON -DMNIST_WASM_RELAXED_FMA=ON \
  -DMNIST_TESTS=OFF >/dev/null
cmake --build build/wasm-mt-fma -j"$JOBS" --target mnist_lab

echo "build: static site (web/dist)"
node scripts/prepare-web.mjs
npx vite build web --logLevel warn
echo "build: done -> web/dist"
