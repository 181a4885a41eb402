#!/usr/bin/env bash
# Fuzzes the input parsers with libFuzzer (clang-14, ASan + UBSan): the IDX
# reader, the weights loader, the layer-spec parser and drawing preprocessing.
# FUZZ_SECONDS per target (npm test: 20; npm run fuzz: 300). Seed corpora live in
# fuzz/corpus/; what a run discovers goes to build/fuzz/corpus/ (not committed).
# A crash leaves its input in build/fuzz/ and fails the script.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
SECONDS_PER_TARGET=${FUZZ_SECONDS:-300}
if ! command -v clang++-14 >/dev/null || [ ! -d /usr/lib/llvm-14/lib/clang/14.0.6/lib/linux ]; then
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends clang-14 libclang-rt-14-dev >/dev/null
fi
cmake --preset fuzz >/dev/null
cmake --build build/fuzz -j"${JOBS:-2}"
for target in idx weights spec preprocess; do
  work=build/fuzz/corpus/$target
  mkdir -p "$work"
  echo "fuzz: $target for ${SECONDS_PER_TARGET}s"
  (cd build/fuzz && ./fuzz_$target -max_total_time="$SECONDS_PER_TARGET" -rss_limit_mb=4096 -print_final_stats=1 \
      "corpus/$target" "../../fuzz/corpus/$target" 2>&1) | grep -E "stat::number_of_executed_units|ERROR|SUMMARY|Test unit written" \
    | sed "s/^/fuzz: $target: /"
  [ "${PIPESTATUS[0]}" -eq 0 ] || { echo "fuzz: $target FAILED"; exit 1; }
done
echo "fuzz: no crashes"
