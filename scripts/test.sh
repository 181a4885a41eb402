#!/usr/bin/env bash
# npm test: set up, build, run every test: the core's Catch2 suite (also under
# ASan + UBSan), the wasm module under node, and the page in headless Chromium.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
bash scripts/build.sh
JOBS=${JOBS:-2}
bash scripts/lint.sh  # types, linters and the formatters' checks (npm run format fixes layout)

# The core's suite runs twice: built for this CPU (-march=native: its vector
# width, fused multiply-adds) and built for generic x86-64 (the sanitizer build,
# MNIST_NATIVE_ARCH=OFF), so a result that holds only on one CPU fails here.
echo "test: core built for this CPU (ctest, build/native, -march=native)"
(cd build/native && ctest --output-on-failure -j"$JOBS")
echo "test: the mnist-lab command used wrongly (node --test tests/cli)" && node --test tests/cli/

echo "test: core built for generic x86-64, under ASan + UBSan (build/asan)"
cmake --preset native-asan >/dev/null
cmake --build build/asan -j"$JOBS" --target core_tests
(cd build/asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --output-on-failure -j"$JOBS")

echo "test: fuzzing the parsers, ${FUZZ_SECONDS:-20}s per target (npm run fuzz for long runs)"
FUZZ_SECONDS=${FUZZ_SECONDS:-20} bash scripts/fuzz.sh

echo "test: wasm module (node --test tests/wasm)"
node --test tests/wasm/
echo "test: the npm start server (node --test tests/server)" && node --test tests/server/

if [ -d tests/e2e ] && ls tests/e2e/*.test.mjs >/dev/null 2>&1; then
  echo "test: page in headless Chromium (node --test tests/e2e)"
  node --test --test-concurrency=1 tests/e2e/
fi
echo "test: all passed"
