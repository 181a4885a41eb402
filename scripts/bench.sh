#!/usr/bin/env bash
# npm run bench [-- --pytorch]: build everything (plus a wasm build without SIMD),
# install the peers on first use, then measure (bench/run.mjs).
#   TensorFlow.js: its own package in bench/tfjs (npm install there), so that
#     npm test never pays for it.
#   jax-js: likewise, its own package in bench/jaxjs (skipped with BENCH_JAXJS=0).
#   PyTorch, only with --pytorch or BENCH_PYTORCH=1: Debian's python3-torch and
#     libopenblas0 (as root or with sudo), used by Debian's python3.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/build.sh
source scripts/setup.sh  # NODE_PATH for Debian's emcc (build.sh set it only for itself)
JOBS=${JOBS:-2}
echo "bench: wasm without SIMD (build/wasm-scalar)"
emcmake cmake -S . -B build/wasm-scalar -DCMAKE_BUILD_TYPE=Release -DMNIST_WASM_SIMD=OFF >/dev/null
cmake --build build/wasm-scalar -j"$JOBS"

if [ ! -f bench/tfjs/node_modules/@tensorflow/tfjs/dist/tf.min.js ] ||
   [ ! -f bench/tfjs/node_modules/@tensorflow/tfjs-backend-wasm/dist/tf-backend-wasm.min.js ]; then
  echo "bench: installing TensorFlow.js into bench/tfjs"
  (cd bench/tfjs && npm ci --no-audit --no-fund --ignore-scripts)
fi
if [ "${BENCH_JAXJS:-1}" != 0 ] && [ ! -f bench/jaxjs/node_modules/@jax-js/jax/dist/index.js ]; then
  echo "bench: installing jax-js into bench/jaxjs"
  (cd bench/jaxjs && npm ci --no-audit --no-fund --ignore-scripts)
fi

pytorch=${BENCH_PYTORCH:-0}
for arg in "$@"; do [ "$arg" = --pytorch ] && pytorch=1; done
if [ "$pytorch" = 1 ]; then
  export BENCH_PYTORCH=1 PYTHON=${PYTHON:-/usr/bin/python3}
  if ! "$PYTHON" -c 'import torch' 2>/dev/null || ! ldconfig -p | grep libopenblas >/dev/null; then
    echo "bench: installing python3-torch and libopenblas0 (Debian)"
    sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get install -y python3-torch libopenblas0 ||
      { $sudo apt-get update && $sudo apt-get install -y python3-torch libopenblas0; }
  fi
fi
node bench/run.mjs "$@"
