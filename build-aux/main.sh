#!/usr/bin/env bash
# main.sh: sets up a fresh Debian 12 machine (installs what is missing),
# builds Soundstyle and runs its main job, with the default model
# (resources/models/default.safetensors) and the bundled samples.
#
# With a display ($DISPLAY or $WAYLAND_DISPLAY): the Soundstyle window.
#
# Without a display: says so and runs the command line on the bundled
# samples instead: describe the model, restyle a photo with light rain at
# two volumes and with rain mixed into birdsong, and draw the showcase
# sheet (every sample photo under every sample sound).
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

model=resources/models/default.safetensors
samples=resources/samples

if [ "$have_display" = yes ]; then
  # A bundled photo to start from
  photo=$(find "$samples/photos" -maxdepth 1 -type f \( -iname '*.jpg' -o -iname '*.png' \) | sort | head -n 1)
  echo "== Opening the Soundstyle window on $photo"
  # The build folder's compiled settings schema (an uninstalled run)
  export GSETTINGS_SCHEMA_DIR="$PWD/build/data${GSETTINGS_SCHEMA_DIR:+:$GSETTINGS_SCHEMA_DIR}"
  exec build/app/gui/soundstyle-window "$photo"
fi

echo "== No display (neither DISPLAY nor WAYLAND_DISPLAY is set): the window cannot open,"
echo "== so this runs the command line on the bundled samples instead."
rm -rf "$out"
mkdir -p "$out"
"$soundstyle" info "$model"

photo=$(find "$samples/photos" -maxdepth 1 -type f -iname '*.jpg' | sort | head -n 1)
echo "== Restyling $photo"
"$soundstyle" stylize --image "$photo" --audio "$samples/sounds/rain-light.ogg" \
  --size 512 --output "$out/rain.png"
"$soundstyle" stylize --image "$photo" --audio "$samples/sounds/rain-light.ogg" \
  --gain 3 --size 512 --output "$out/rain-loud.png"
"$soundstyle" stylize --image "$photo" --audio "$samples/sounds/rain-light.ogg" \
  --mix "$samples/sounds/sunny-birdsong.ogg" --mix-weight 0.5 --size 512 --output "$out/rain-birds.png"
"$soundstyle" showcase --output "$out/showcase.png"
echo "== Wrote $out/rain.png, $out/rain-loud.png, $out/rain-birds.png and $out/showcase.png"
