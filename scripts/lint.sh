#!/usr/bin/env bash
# npm run lint (also the first step of npm test): the checks that keep the code
# in one shape. Fails on the first violation; `npm run format` fixes layout.
#   web, bench, scripts, tests: Biome's linter and formatter check (biome.json)
#   web/src: TypeScript's checker over the JSDoc types (web/tsconfig.json)
#   C++: clang-format's check (.clang-format)
#   core: clang-tidy (.clang-tidy) over the library and the CLI, when
#         build/native/compile_commands.json exists (npm test builds it first)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

echo "lint: biome ci (lint + format check)"
npx biome ci --colors=off .

node scripts/import-cycles.mjs # web/src imports no module in a circle
echo "lint: tsc -p web (JSDoc types of web/src)"
npx tsc -p web

echo "lint: clang-format --dry-run --Werror"
git ls-files '*.cpp' '*.h' | xargs clang-format --dry-run --Werror

if [ "${LINT_TIDY:-1}" = 1 ] && [ -f .clang-tidy ] && [ -f build/native/compile_commands.json ]; then
  echo "lint: clang-tidy (core and CLI)"
  git ls-files 'core/*.cpp' | xargs -P "${JOBS:-2}" -n 4 clang-tidy -p build/native --quiet 2>/dev/null
fi
echo "lint: clean"
