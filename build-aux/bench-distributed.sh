#!/usr/bin/env bash
# bench-distributed.sh: how data-parallel training scales on this machine
#
# Trains the same data set with 1 rank and with N ranks under torchrun, each
# rank on one thread (OMP_NUM_THREADS=1), at the same batch per rank (weak
# scaling, as DDP is used), and prints images per second, the efficiency
# (rate of N ranks / (N x rate of 1 rank)) and what averaging the gradients
# cost per step (time and bytes, from the job's "done" event). The N ranks
# train twice: with the all-reduce overlapping the backward pass (the
# default; its time is from the first bucket's launch to the last one's
# end, during the backward pass) and with --no-overlap (after the backward
# pass: its time is all the all-reduce costs the step).
#
# Usage: build-aux/bench-distributed.sh BUILD_DIR [N_RANKS] [PRESET] [SIZE] [BATCH_PER_RANK] [STEPS]
#   defaults: 2 ranks, compact, 64 px, batch 2 per rank, 30 steps
# The data set is the tests' tiny one (16 items), made in a scratch folder.
set -euo pipefail

build=${1:?usage: $0 BUILD_DIR [N_RANKS] [PRESET] [SIZE] [BATCH_PER_RANK] [STEPS]}
ranks=${2:-2}
preset=${3:-compact}
size=${4:-64}
per_rank=${5:-2}
steps=${6:-30}

soundstyle=$build/app/cli/soundstyle
make_data=$build/tests/make-tiny-dataset
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

data=$("$make_data" "$scratch/data" 16 "$size")
# One job of n ranks, with more train options: prints "images_per_second
# allreduce_ms allreduce_bytes"
run () {
  local n=$1
  shift
  local out=$scratch/job$n$*.jsonl
  local port
  port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
  OMP_NUM_THREADS=1 torchrun --nproc_per_node "$n" -r 2 -t 2 --master_port "$port" --no_python \
    "$soundstyle" train "$data" --output "$scratch/m$n.safetensors" --checkpoint "$scratch/c$n" \
    --preset "$preset" --size "$size" --batch $((per_rank * n)) --epochs 1000+0 \
    --max-steps "$steps" --checkpoint-every 0 --device cpu --json "$@" > "$out" 2> "$scratch/job$n.err" ||
    { cat "$scratch/job$n.err" >&2; exit 1; }
  python3 - "$out" <<'EOF'
import json, sys
events = [json.loads(line) for line in open(sys.argv[1]) if line.startswith("{")]
progress = [e for e in events if e["event"] == "progress"]
done = [e for e in events if e["event"] == "done"][0]
# The rate is smoothed over the last steps (the first ones warm up)
print("%.3f %.2f %d" % (progress[-1]["images_per_second"],
                        1e3 * done.get("allreduce_seconds_per_step", 0),
                        done.get("allreduce_bytes_per_step", 0)))
EOF
}

read -r one _ _ <<< "$(run 1)"
read -r many ms bytes <<< "$(run "$ranks")"
read -r after after_ms after_bytes <<< "$(run "$ranks" --no-overlap)"
efficiency=$(python3 -c "print('%.2f' % ($many / ($ranks * $one)))")
after_efficiency=$(python3 -c "print('%.2f' % ($after / ($ranks * $one)))")

echo "machine: $(nproc) cores, load average $(cut -d' ' -f1-3 /proc/loadavg)"
echo "preset $preset, $size px, batch $per_rank per rank, $steps steps, 1 thread per rank, Gloo on loopback"
echo "1 rank:                   $one img/s"
echo "$ranks ranks:                  $many img/s (efficiency $efficiency)"
echo "  all-reduce overlapping the backward pass: $ms ms in flight and $bytes bytes per step"
echo "$ranks ranks, --no-overlap:    $after img/s (efficiency $after_efficiency)"
echo "  all-reduce after the backward pass: $after_ms ms and $after_bytes bytes per step"
echo "(D's and G's gradients, with the losses)"
