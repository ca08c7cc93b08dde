#!/usr/bin/env bash
# make-samples.sh: regenerates the bundled sample library, resources/samples/,
# from the media folder that `build-aux/fetch-media.sh --large` fills.
#
#   bash build-aux/fetch-media.sh --large && bash build-aux/make-samples.sh
#
# Sounds are cut from the recordings fetch-media.sh keeps in reserved/, which
# `soundstyle synth` never trains on, so the samples stay sounds the default
# model has not heard. Each is set to a fixed loudness (RMS in dBFS) on the
# synth loudness law, so that light rain and heavy rain differ the way the
# model learnt: intensity = 1 + (dBFS + 20) / 24. Photos are resized to a long
# side of 1024 px. CREDITS is written from the media's INVENTORY.tsv.
# Needs ffmpeg (with libvorbis).
set -euo pipefail

if [ "${1:-}" = "-h" ] || [ "${1:-}" = "--help" ]; then
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
  exit 0
fi

here=$(cd "$(dirname "$0")/.." && pwd)
media=${SOUNDSTYLE_MEDIA:-${XDG_CACHE_HOME:-$HOME/.cache}/soundstyle/media}
out="$here/resources/samples"
inventory="$media/INVENTORY.tsv"
if [ ! -d "$media/reserved" ] || [ -z "$(ls "$media/reserved" 2>/dev/null)" ]; then
  echo "make-samples.sh: $media has no reserved/ recordings; run build-aux/fetch-media.sh --large first" >&2
  exit 2
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/soundstyle-samples.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/sounds" "$work/photos"

ff () { ffmpeg -nostdin -hide_banner -loglevel error -y "$@"; }

# The RMS level of a file in dBFS
mean_db () {
  ffmpeg -nostdin -hide_banner -i "$1" -af volumedetect -f null - 2>&1 \
    | sed -n 's/.*mean_volume: \(-\{0,1\}[0-9.]*\) dB.*/\1/p'
}

# sound NAME TARGET_DBFS SOURCE START SECONDS: cut, downmix, set the level, encode
sound () {
  local name=$1 target=$2 src=$3 start=$4 seconds=$5
  local raw="$work/$name.wav" level gain
  ff -ss "$start" -t "$seconds" -i "$src" -ac 1 -ar 32000 "$raw"
  level=$(mean_db "$raw")
  gain=$(awk -v t="$target" -v l="$level" 'BEGIN { printf "%.2f", t - l }')
  # Short fades so the cut does not click
  ff -i "$raw" -af "volume=${gain}dB,afade=t=in:d=0.05,afade=t=out:st=$(awk -v s="$seconds" 'BEGIN { print s - 0.1 }'):d=0.1" \
     -c:a libvorbis -q:a 3 "$work/sounds/$name.ogg"
  echo "$name.ogg: ${seconds} s from $(basename "$src") at ${start} s, ${level} -> ${target} dBFS" >&2
}

r=$media/reserved
sound rain-light     -37 "$r/redeclipse-rain.ogg"      1 6
sound rain-heavy     -22 "$r/redeclipse-stormrain.ogg" 0.5 6
sound sunny-birdsong -28 "$r/redeclipse-forest1.ogg"   2 6
sound water-stream   -28 "$r/redeclipse-creek.ogg"     0 5
sound fog-wind       -30 "$r/redeclipse-wind.ogg"      3 6

# Snow: a walk of single steps on snow, two of each recording, about 0.65 s apart
inputs=() filters="" labels=""
i=0
for t in 0.15 0.8 1.45 2.1 2.75 3.4 4.05 4.7; do
  step=$((11 + i % 4))
  inputs+=(-i "$r/0ad-fs_snow_$step.ogg")
  ms=$(awk -v t="$t" 'BEGIN { printf "%d", t * 1000 }')
  filters+="[$i]aformat=channel_layouts=mono,aresample=32000,adelay=${ms}[s$i];"
  labels+="[s$i]"
  i=$((i + 1))
done
ff "${inputs[@]}" -filter_complex "${filters}${labels}amix=inputs=$i:normalize=0,apad=whole_dur=5.5" \
   -t 5.5 -ac 1 -ar 32000 "$work/snow-walk.wav"
sound snow-steps -30 "$work/snow-walk.wav" 0 5.5

for name in aitzgorri_by_Aitzol_Berasategi life_by_Aitzol_Berasategi \
            picosdeeuropa_by_Aitzol_Berasategi mate-Dune; do
  ff -i "$media/photos/$name.jpg" -vf "scale='if(gt(iw,ih),1024,-2)':'if(gt(iw,ih),-2,1024)'" \
     -q:v 4 "$work/photos/$name.jpg"
done

# CREDITS: one paragraph per file, from the inventory
credit () {
  local file=$1 from=$2 note=$3
  awk -F '\t' -v f="$from" -v file="$file" -v note="$note" '
    $1 == f {
      print file
      print "  Source package: " $2
      print "  Original file:  " $3
      print "  Author:         " $4
      print "  Licence:        " $5
      if (note != "") print "  Changes:        " note
      print ""
    }' "$inventory"
}

{
  echo "Soundstyle's sample library: where each file comes from"
  echo "========================================================"
  echo
  echo "Cut, resized and re-encoded by build-aux/make-samples.sh from the Debian"
  echo "packages named below (authors and licences as the packages'"
  echo "debian/copyright gives them). The sounds are from recordings that"
  echo "soundstyle synth does not train on."
  echo
  credit sounds/rain-light.ogg reserved/redeclipse-rain.ogg "6 s from 1 s, mono, level set to -37 dBFS RMS"
  credit sounds/rain-heavy.ogg reserved/redeclipse-stormrain.ogg "6 s from 0.5 s, mono, level set to -22 dBFS RMS"
  credit sounds/sunny-birdsong.ogg reserved/redeclipse-forest1.ogg "6 s from 2 s, mono, level set to -28 dBFS RMS"
  credit sounds/water-stream.ogg reserved/redeclipse-creek.ogg "mono, level set to -28 dBFS RMS"
  credit sounds/fog-wind.ogg reserved/redeclipse-wind.ogg "6 s from 3 s, mono, level set to -30 dBFS RMS"
  for step in 11 12 13 14; do
    credit sounds/snow-steps.ogg "reserved/0ad-fs_snow_$step.ogg" "steps 11-14 arranged into a 5.5-s walk, level set to -30 dBFS RMS"
  done
  for name in aitzgorri_by_Aitzol_Berasategi life_by_Aitzol_Berasategi \
              picosdeeuropa_by_Aitzol_Berasategi mate-Dune; do
    credit "photos/$name.jpg" "photos/$name.jpg" "resized to 1024 px on the long side"
  done
} > "$work/CREDITS"

rm -rf "$out/sounds" "$out/photos"
mkdir -p "$out"
mv "$work/sounds" "$work/photos" "$work/CREDITS" "$out/"
du -sh "$out" >&2
