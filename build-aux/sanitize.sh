#!/usr/bin/env bash
# sanitize.sh: builds Soundstyle with clang under AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/, with the libFuzzer harnesses) and
# runs the whole test suite there, fuzzers included (20 s each).
# Usage: build-aux/sanitize.sh [meson test args], e.g. --suite engine
#
# libtorch itself is not instrumented: ASan still checks every access our
# code makes, including into tensors that libtorch allocated. Two options are
# set for it: alloc_dealloc_mismatch=0, because libtorch (built with GCC)
# frees with operator delete what its headers, inlined into our code,
# allocated with new[] in a few places; and detect_leaks=0 for the tests
# that load libtorch, whose operator registries live until exit by design
# (the fuzzers run with leak detection on).
set -euo pipefail
cd "$(dirname "$0")/.."
source build-aux/deps.sh

soundstyle_install_missing "${SOUNDSTYLE_BUILD_DEPS[@]}" "${SOUNDSTYLE_GUI_DEPS[@]}" \
  "${SOUNDSTYLE_TEST_DEPS[@]}" "${SOUNDSTYLE_SANITIZE_DEPS[@]}"
CC=clang CXX=clang++ soundstyle_setup_build build-asan -Dgui=true -Dpython=/usr/bin/python3 \
  -Db_sanitize=address,undefined -Db_lundef=false -Dfuzzing=true
ninja -C build-asan

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:alloc_dealloc_mismatch=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
# GLib 2.74's slice allocator carves small blocks out of its own pages, where
# ASan cannot see them; with this every g_slice_new is a malloc it checks
export G_SLICE=always-malloc
# Slower under the sanitizers: give every test three times its timeout
meson test -C build-asan --print-errorlogs --num-processes 1 --timeout-multiplier 3 "$@"
