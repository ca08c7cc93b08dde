#!/usr/bin/env bash
# memcheck.sh: runs the engine's C-side tests (readers, writers, datasets,
# bad inputs) under valgrind's memcheck in the ordinary build (build/).
# Usage: build-aux/memcheck.sh [TEST...]   (default: the C-side tests)
#
# Any memcheck error (invalid read or write, use of uninitialised memory,
# bad free) or definitely lost block fails the test. Suppressions, narrow
# and explained, are in build-aux/valgrind.supp.
set -euo pipefail
cd "$(dirname "$0")/.."
source build-aux/deps.sh

tests=("$@")
if [ ${#tests[@]} -eq 0 ]; then
  tests=(config audio image safetensors dataset bad-inputs)
fi

soundstyle_install_missing "${SOUNDSTYLE_BUILD_DEPS[@]}" "${SOUNDSTYLE_TEST_DEPS[@]}" valgrind
soundstyle_setup_build build -Dgui=false -Dpython=/usr/bin/python3
ninja -C build

wrapper="valgrind --tool=memcheck --error-exitcode=66 --leak-check=full"
wrapper+=" --errors-for-leak-kinds=definite --show-leak-kinds=definite"
wrapper+=" --track-origins=yes --num-callers=30"
wrapper+=" --suppressions=$PWD/build-aux/valgrind.supp --gen-suppressions=all"
# Valgrind runs code about 20-50 times slower
meson test -C build --print-errorlogs --num-processes 1 --timeout-multiplier 20 \
  --wrapper "$wrapper" "${tests[@]}"
