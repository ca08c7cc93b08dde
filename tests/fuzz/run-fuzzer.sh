#!/bin/sh
# run-fuzzer.sh FUZZER CORPUS SECONDS [libFuzzer options]: one short fuzzing
# run for `meson test --suite fuzz`. New inputs go to a scratch folder, so the
# committed corpus is only read; a crash fails the test and leaves its input
# (crash-*) in the test's working folder, to be added to the corpus.
set -eu
fuzzer=$1
corpus=$2
seconds=$3
shift 3
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
exec "$fuzzer" -max_total_time="$seconds" -timeout=30 -rss_limit_mb=3072 \
  -print_final_stats=1 "$@" "$scratch" "$corpus"
