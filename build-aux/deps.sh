#!/usr/bin/env bash
# deps.sh: installs the Debian 12 packages Soundstyle needs, only those missing.
# Sourced by main.sh and test.sh; the one list of build and test dependencies.
set -euo pipefail

SOUNDSTYLE_BUILD_DEPS=(
  build-essential pkg-config meson ninja-build
  libglib2.0-dev libjson-glib-dev
  libsndfile1-dev libsamplerate0-dev libgdk-pixbuf-2.0-dev
  libavformat-dev libavcodec-dev libavutil-dev libswscale-dev libswresample-dev
  libjpeg-dev       # the tests write CMYK JPEGs with it
  libpng-dev        # masks are written as greyscale PNGs
  libtorch-dev
  libgloo-dev       # Gloo's headers for libtorch's c10d ProcessGroupGloo (soundstyle train under torchrun)
  gettext
  portaudio19-dev
)
# The window (-Dgui=true): GTK 4, libadwaita, the GNOME font and icons
SOUNDSTYLE_GUI_DEPS=(
  libgtk-4-dev libadwaita-1-dev libglib2.0-bin adwaita-icon-theme fonts-cantarell
)
# The PyTorch reference for the parity tests; the metadata validators and man
# for the data tests; a private X server for the window's tests
SOUNDSTYLE_TEST_DEPS=(
  python3 python3-torch python3-numpy
  desktop-file-utils appstream man-db
  # Recording and playback tests: a private PulseAudio daemon, paplay/parec,
  # and the ALSA plugin through which PortAudio reaches it
  pulseaudio pulseaudio-utils libasound2-plugins
  # The window's tests: a private X server
  xvfb xauth
)
# The sanitizer build and the fuzzers (build-aux/sanitize.sh, fuzz.sh):
# clang with its ASan/UBSan/libFuzzer runtimes, valgrind (build-aux/memcheck.sh)
SOUNDSTYLE_SANITIZE_DEPS=(
  clang libclang-rt-14-dev valgrind
)

soundstyle_install_missing () {
  local missing=()
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      missing+=("$pkg")
    fi
  done
  if [ ${#missing[@]} -eq 0 ]; then
    return 0
  fi
  echo "Installing: ${missing[*]}"
  local sudo=()
  if [ "$(id -u)" -ne 0 ]; then
    sudo=(sudo)
  fi
  "${sudo[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# Sets up (or reuses) the build directory $1 with the given extra options
soundstyle_setup_build () {
  local dir=$1
  shift
  if [ -f "$dir/build.ninja" ]; then
    meson setup --reconfigure "$dir" "$@" >/dev/null
  else
    meson setup "$dir" "$@"
  fi
}
