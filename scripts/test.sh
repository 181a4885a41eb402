#!/usr/bin/env bash
# npm test: set up, build, run every test: the core's Catch2 suite (also under
# ASan + UBSan, and under TSan), the wasm module under node, and the page in headless Chromium.
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

# The thread pool and the sharded training under ThreadSanitizer: any data race
# reported fails the run (TSan exits 66). TSan (gcc 12, clang 14) cannot lay out
# its shadow memory under more than 28 bits of mmap randomisation, which some
# kernels default to; it is then run with randomisation off (setarch -R), and
# skipped, saying why, only where that is refused too (e.g. a seccomp profile).
echo "test: core built for generic x86-64, under ThreadSanitizer (build/tsan)"
cmake --preset native-tsan >/dev/null
cmake --build build/tsan -j"$JOBS" --target core_tests
tsan=(env TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1")
# Started if it lists the tests (Catch2 exits with their count, so read the output).
tsan_starts() { { "${tsan[@]}" build/tsan/tests/core/core_tests --list-tests 2>&1 || true; } | grep -q ' test cases$'; }
started=1
tsan_starts || { tsan+=(setarch "$(uname -m)" -R) && tsan_starts; } || started=0
if [ "$started" = 1 ]; then
  (cd build/tsan && "${tsan[@]}" ctest --output-on-failure -j"$JOBS")
else
  echo "test: SKIPPED ThreadSanitizer: it cannot start on this kernel (vm.mmap_rnd_bits=$(cat /proc/sys/vm/mmap_rnd_bits 2>/dev/null || echo '?')), not even under setarch -R"
fi

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
