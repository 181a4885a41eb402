#!/usr/bin/env bash
# Retrains the pretrained weights the site ships (web/public/weights/), with the
# presets' default recipes and a fixed seed, and stores them as float16.
# Same seed + same build -> the same weights; another CPU's SIMD width may change
# the last bits of the sums and so the run.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
mkdir -p build/runs
for model in mlp cnn; do
  build/native/mnist-lab train --model "$model" --seed 1 --json --save "build/runs/$model.mlw" | tee "build/runs/$model.jsonl"
  build/native/mnist-lab convert --load "build/runs/$model.mlw" --save "web/public/weights/$model.mlw" --half
  build/native/mnist-lab eval --load "web/public/weights/$model.mlw"
done
