#!/usr/bin/env bash
# main.sh: sets up a fresh Debian 12 machine (installs what is missing),
# builds Soundstyle and runs its main job.
#
# The window arrives with its own issue; until then the main job is the
# command line end to end: make a tiny data set, train a tiny model on it,
# restyle an image with a sound at two volumes and a mix, describe the model.
set -euo pipefail
cd "$(dirname "$0")/.."
source build-aux/deps.sh

soundstyle_install_missing "${SOUNDSTYLE_BUILD_DEPS[@]}"
soundstyle_setup_build build -Dgui=false -Dpython=/usr/bin/python3
ninja -C build

soundstyle=build/app/cli/soundstyle
out=build/demo
rm -rf "$out"
mkdir -p "$out"

"$soundstyle" --version
dataset=$(build/tests/make-tiny-dataset "$out/data" 16 96)
echo "== Training a tiny model on $dataset"
"$soundstyle" train "$dataset" --preset tiny --size 64 --batch 4 --epochs 20+10 \
  --max-steps 120 --seed 1 --output "$out/tiny.safetensors"
"$soundstyle" info "$out/tiny.safetensors"

image=$(ls "$dataset"/images/* | head -n 1)
rain=$(ls "$dataset"/clips/* | head -n 1)
birds=$(ls "$dataset"/clips/* | sed -n 2p)
echo "== Restyling $image"
"$soundstyle" stylize --model "$out/tiny.safetensors" --image "$image" --audio "$rain" \
  --gain 1 --size 96 --output "$out/rain.png"
"$soundstyle" stylize --model "$out/tiny.safetensors" --image "$image" --audio "$rain" \
  --gain 3 --size 96 --output "$out/rain-loud.png"
"$soundstyle" stylize --model "$out/tiny.safetensors" --image "$image" --audio "$rain" \
  --mix "$birds" --mix-weight 0.5 --size 96 --output "$out/rain-birds.png"
echo "== Wrote $out/rain.png, $out/rain-loud.png, $out/rain-birds.png"
