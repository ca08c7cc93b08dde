#!/usr/bin/env bash
# main.sh: sets up a fresh Debian 12 machine (installs what is missing),
# builds Soundstyle and runs its main job.
#
# With a display ($DISPLAY or $WAYLAND_DISPLAY): the Soundstyle window, with
# the default model and the bundled samples. Until a default model ships, a
# tiny demo model is trained first (about a minute) so the window has one.
#
# Without a display: says so and runs the command line end to end instead:
# make a tiny data set, train a tiny model on it, restyle an image with a
# sound at two volumes and a mix, describe the model.
set -euo pipefail
cd "$(dirname "$0")/.."
source build-aux/deps.sh

have_display=no
if [ -n "${DISPLAY:-}" ] || [ -n "${WAYLAND_DISPLAY:-}" ]; then
  have_display=yes
fi

if [ "$have_display" = yes ]; then
  soundstyle_install_missing "${SOUNDSTYLE_BUILD_DEPS[@]}" "${SOUNDSTYLE_GUI_DEPS[@]}"
  soundstyle_setup_build build -Dgui=true -Dpython=/usr/bin/python3
else
  soundstyle_install_missing "${SOUNDSTYLE_BUILD_DEPS[@]}"
  soundstyle_setup_build build -Dgui=false -Dpython=/usr/bin/python3
fi
ninja -C build

soundstyle=build/app/cli/soundstyle
out=build/demo
"$soundstyle" --version

# The tiny demo model: a data set of tones and tinted patterns, 120 steps
train_demo_model () {
  rm -rf "$out"
  mkdir -p "$out"
  dataset=$(build/tests/make-tiny-dataset "$out/data" 16 96)
  echo "== Training a tiny model on $dataset"
  "$soundstyle" train "$dataset" --preset tiny --size 64 --batch 4 --epochs 20+10 \
    --max-steps 120 --seed 1 --output "$out/tiny.safetensors"
  "$soundstyle" info "$out/tiny.safetensors"
}

if [ "$have_display" = yes ]; then
  if [ -z "${SOUNDSTYLE_MODEL:-}" ] && [ ! -f resources/models/default.safetensors ]; then
    echo "== No default model yet: training the tiny demo model for the window"
    train_demo_model
    export SOUNDSTYLE_MODEL="$PWD/$out/tiny.safetensors"
  fi
  # A bundled photo to start from, when the samples have one
  photo=$(find resources/samples -maxdepth 2 -type f \( -iname '*.jpg' -o -iname '*.jpeg' -o -iname '*.png' \) \
          2>/dev/null | sort | head -n 1 || true)
  echo "== Opening the Soundstyle window${photo:+ on $photo}"
  # The build folder's compiled settings schema (an uninstalled run)
  export GSETTINGS_SCHEMA_DIR="$PWD/build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
  exec build/app/gui/soundstyle-window ${photo:+"$photo"}
fi

echo "== No display (neither DISPLAY nor WAYLAND_DISPLAY is set): the window cannot open,"
echo "== so this runs the command line demo instead."
train_demo_model

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
