#!/usr/bin/env bash
# media-without.sh MEDIA OUT NAME...: a media folder like MEDIA (photos/,
# sounds/, INVENTORY.tsv) without the photos and recordings whose file names
# contain one of the NAMEs, made of symbolic links. `soundstyle synth
# --test-fraction 0 --media OUT` then builds a training set that never shows
# or plays what was left out, to measure on a set that does (the default
# model's recipe in resources/models/default.md uses it).
set -euo pipefail
usage () { sed -n '2,7p' "$0" | sed 's/^# \{0,1\}//'; }
if [ "${1:-}" = -h ] || [ "${1:-}" = --help ]; then
  usage
  exit 0
fi
if [ $# -lt 2 ]; then
  usage >&2
  exit 2
fi
media=$(readlink -f "$1")
out=$2
shift 2
[ -f "$media/INVENTORY.tsv" ] || { echo "media-without.sh: $media has no INVENTORY.tsv (build-aux/fetch-media.sh writes it)" >&2; exit 2; }
[ -e "$out" ] && { echo "media-without.sh: $out exists; give a new folder" >&2; exit 2; }
left_out () {
  local name
  for name in "$@"; do
    [[ $file == *"$name"* ]] && return 0
  done
  return 1
}
mkdir -p "$out.new"
kept=0 dropped=0
while IFS= read -r file; do
  if left_out "$@"; then
    dropped=$((dropped + 1))
    continue
  fi
  mkdir -p "$out.new/$(dirname "$file")"
  ln -s "$media/$file" "$out.new/$file"
  kept=$((kept + 1))
done < <(cd "$media" && find photos sounds -type f | sort)
cp "$media/INVENTORY.tsv" "$out.new/INVENTORY.tsv"
mv "$out.new" "$out"
echo "$out: $kept files linked, $dropped left out"
