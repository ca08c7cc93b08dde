#!/usr/bin/env bash
# sanitize.sh: builds Soundstyle with clang under AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/, with the libFuzzer harnesses) and
# runs the whole test suite there, fuzzers included (20 s each).
# Usage: build-aux/sanitize.sh [meson test args], e.g. --suite engine
#
# The window's tests run too, under their own Xvfb as in build/. Only our
# code is instrumented: libtorch, GTK, GLib, Pango, fontconfig, Xvfb and the
# Python reference are Debian's ordinary builds. ASan still checks every
# access our code makes, including into memory those libraries allocated.
# The options, and why each:
#  ASAN_OPTIONS
#   detect_leaks=0: LeakSanitizer would report what uninstrumented libraries
#     keep until exit by design (libtorch's operator registries, GTK's and
#     fontconfig's caches, GType data), which we cannot free. Leaks of our
#     own code are checked elsewhere: the fuzzers run with leak detection on
#     (tests/fuzz/meson.build) and build-aux/memcheck.sh fails on any block
#     definitely lost.
#   alloc_dealloc_mismatch=0: libtorch (built with GCC) frees with operator
#     delete what its headers, inlined into our code, allocated with new[]
#     in a few places.
#   abort_on_error=1: a finding aborts the test at once, so meson records it
#     as failed (killed by SIGABRT) with ASan's report in its log.
#  UBSAN_OPTIONS halt_on_error=1:print_stacktrace=1: any undefined behaviour
#   fails the test, with the stack where it happened.
#  G_SLICE=always-malloc: below.
# Nothing GTK-specific is needed: the window's tests already draw with Cairo
# (GSK_RENDERER=cairo), so no GL driver runs inside the process.
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
