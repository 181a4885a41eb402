#!/usr/bin/env bash
# npm run reproduce: trains every preset natively with its default recipe (runs
# already in build/reproduce/ are reused; REPRODUCE_FRESH=1 retrains), re-runs the
# seed articles' analyses and experiments, and writes RESULTS.md, the page's
# web/public/results/results.json and the SVG plots beside it.
# REPRODUCE_MODELS=mlp,cnn limits the presets trained.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/setup.sh
cmake -S . -B build/native -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build/native -j"${JOBS:-2}" --target mnist-lab
node scripts/reproduce.mjs
