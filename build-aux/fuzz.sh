#!/usr/bin/env bash
# fuzz.sh: runs the libFuzzer harnesses (tests/fuzz/) for a while each, under
# ASan + UBSan, in the clang build that build-aux/sanitize.sh makes.
# Usage: build-aux/fuzz.sh [SECONDS] [NAME...]   (default 600 s, every harness)
#
# New interesting inputs collect in build-asan/fuzz-corpus/NAME/ (kept
# between runs); a crash stops that harness and leaves crash-* in
# build-asan/fuzz-out/NAME/: fix the code, then copy the file into
# tests/fuzz/corpus/NAME/ so every later run replays it. Runs at nice 19 with
# one job, so it can share a machine.
set -euo pipefail
cd "$(dirname "$0")/.."
source build-aux/deps.sh

seconds=${1:-600}
shift || true
names=("$@")
if [ ${#names[@]} -eq 0 ]; then
  names=(audio image model-file batch)
  [ -d tests/fuzz/corpus/manifest ] && names+=(manifest)
fi

soundstyle_install_missing "${SOUNDSTYLE_BUILD_DEPS[@]}" "${SOUNDSTYLE_SANITIZE_DEPS[@]}"
if [ ! -f build-asan/build.ninja ]; then
  CC=clang CXX=clang++ meson setup build-asan -Dgui=false -Dpython=/usr/bin/python3 \
    -Db_sanitize=address,undefined -Db_lundef=false -Dfuzzing=true
fi
nice -n 15 ninja -C build-asan $(printf 'tests/fuzz/fuzz-%s ' "${names[@]}")

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:alloc_dealloc_mismatch=0:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}
export OMP_NUM_THREADS=1 G_SLICE=always-malloc

status=0
for name in "${names[@]}"; do
  corpus=build-asan/fuzz-corpus/$name
  out=build-asan/fuzz-out/$name
  mkdir -p "$corpus" "$out"
  # The image harness allows one reservation of up to 4 GiB: why in
  # tests/fuzz/meson.build (fuzz_options)
  options=()
  [ "$name" = image ] && options=(-malloc_limit_mb=4097)
  echo "== fuzz-$name: $seconds s"
  (cd "$out" && nice -n 19 "../../tests/fuzz/fuzz-$name" -max_total_time="$seconds" \
      -timeout=30 -rss_limit_mb=3072 -print_final_stats=1 "${options[@]}" \
      "../../fuzz-corpus/$name" "../../../tests/fuzz/corpus/$name") 2>&1 |
    tee "$out/log.txt" | grep -E '^#[0-9]+ +(DONE|pulse|INITED)|^stat::|ERROR|SUMMARY|crash-' || true
  if compgen -G "$out/crash-*" >/dev/null || compgen -G "$out/leak-*" >/dev/null ||
     compgen -G "$out/timeout-*" >/dev/null || compgen -G "$out/oom-*" >/dev/null; then
    echo "fuzz-$name: findings in $out"
    status=1
  fi
done
exit $status
