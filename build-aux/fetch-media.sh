#!/usr/bin/env bash
# fetch-media.sh: extracts the photos and recordings that Soundstyle may use
# (the Debian packages named in SOURCES.md) into a media folder that
# `soundstyle synth` reads, with an inventory of who made each file.
#
#   bash build-aux/fetch-media.sh            # small packages (about 90 MB downloaded)
#   bash build-aux/fetch-media.sh --large    # also redeclipse-data and 0ad-data (2.2 GB)
#
# The folder is $SOUNDSTYLE_MEDIA, else ~/.cache/soundstyle/media:
#   photos/                   outdoor photos
#   sounds/CATEGORY/          recordings synth trains on (sunny, rain, snow, fog)
#   reserved/                 recordings kept out of training: the bundled
#                             samples are cut from these (build-aux/make-samples.sh)
#   INVENTORY.tsv             file, package, original path, author, licence
#
# $SOUNDSTYLE_DEBS may name a folder of .debs already downloaded.
#
# Only `apt-get download` and `dpkg-deb` are used: nothing is installed
# (--large also needs `unzip`).
# Authors and licences come from each package's debian/copyright (the stanza
# whose Files pattern matches, the last one winning as DEP-5 says).
set -euo pipefail

large=0
for arg in "$@"; do
  case "$arg" in
    --large) large=1 ;;
    -h|--help)
      sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'
      exit 0 ;;
    *) echo "fetch-media.sh: unknown option $arg (see --help)" >&2; exit 2 ;;
  esac
done

media=${SOUNDSTYLE_MEDIA:-${XDG_CACHE_HOME:-$HOME/.cache}/soundstyle/media}
work=$(mktemp -d "${TMPDIR:-/tmp}/soundstyle-media.XXXXXX")
trap 'rm -rf "$work"' EXIT
mkdir -p "$media"
staging="$media.new"
rm -rf "$staging"
mkdir -p "$staging/photos" "$staging/sounds" "$staging/reserved"
inventory="$staging/INVENTORY.tsv"
printf 'file\tpackage\toriginal\tauthor\tlicence\n' > "$inventory"

# --- downloading and reading one package --------------------------------------

# Downloads PKG into $work (once) and prints the .deb's path
fetch_deb () {
  local pkg=$1
  local deb
  # $SOUNDSTYLE_DEBS: a folder of .debs already downloaded, to reuse
  deb=$(ls "${SOUNDSTYLE_DEBS:-$work}/${pkg}"_*.deb "$work/${pkg}"_*.deb 2>/dev/null | head -n1 || true)
  if [ -z "$deb" ]; then
    echo "Downloading $pkg ..." >&2
    (cd "$work" && apt-get download -q "$pkg" >&2)
    deb=$(ls "$work/${pkg}"_*.deb | head -n1)
  fi
  echo "$deb"
}

# Extracts the given paths (./usr/...) of PKG's .deb into $work/PKG
extract () {
  local pkg=$1
  shift
  local deb
  deb=$(fetch_deb "$pkg")
  mkdir -p "$work/$pkg"
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work/$pkg" --wildcards \
    "./usr/share/doc/$pkg/copyright" "$@"
}

# Prints "pattern<TAB>author<TAB>licence" for every Files pattern of a DEP-5 file
copyright_table () {
  awk '
    function flush() {
      if (files != "") {
        n = split(files, pats, /[ \t]+/)
        for (i = 1; i <= n; i++) if (pats[i] != "") print pats[i] "\t" copy "\t" lic
      }
      files = ""; copy = ""; lic = ""; field = ""
    }
    /^[ \t]*$/ { flush(); next }
    /^Files:/ { files = substr($0, 7); field = "files"; next }
    /^Copyright:/ { copy = substr($0, 11); field = "copy"; next }
    /^License:/ { lic = substr($0, 9); field = "lic"; next }
    /^[A-Za-z-]+:/ { field = ""; next }
    /^[ \t]/ {
      if (field == "files") files = files " " $0
      else if (field == "copy") copy = copy ";" $0
      next
    }
    END { flush() }
  ' "$1" | sed -e 's/\t[ \t]*/\t/g' -e 's/;[ \t]*/; /g' -e 's/[ \t]*$//'
}

# The stanza for an installed path: a pattern matches when the path ends
# with it, or with it less its first folder (source trees are laid out
# differently from the installed files); the last match wins
lookup () {
  local table=$1 path=$2
  local pattern author licence short found=$'unknown\tunknown'
  while IFS=$'\t' read -r pattern author licence; do
    # debian/* is the packaging, never the media
    [[ $pattern == debian/* ]] && continue
    short=${pattern#*/}
    [[ $short == "*" ]] && short=$pattern
    # Unquoted on purpose: the patterns are globs
    # shellcheck disable=SC2053
    if [[ $path == */$pattern || $path == */$short ]]; then
      found="$author"$'\t'"$licence"
    fi
  done < "$table"
  echo "$found"
}

# Copies an extracted file into the media folder and records it
# add PKG ORIGINAL_PATH DEST_RELATIVE [PATH_TO_SHOW]
add () {
  local pkg=$1 original=$2 dest=$3 shown=${4:-$2}
  local table="$work/$pkg.copyright.tsv"
  if [ ! -f "$table" ]; then
    copyright_table "$work/$pkg/usr/share/doc/$pkg/copyright" > "$table"
  fi
  mkdir -p "$(dirname "$staging/$dest")"
  cp "$work/$pkg$original" "$staging/$dest"
  printf '%s\t%s\t%s\t%s\n' "$dest" "$pkg" "$shown" "$(lookup "$table" "$shown")" >> "$inventory"
}

# --- the small packages ---------------------------------------------------------

bg=/usr/share/backgrounds
extract lomiri-wallpapers-16.04 "./usr/share/backgrounds/*.jpg"
for name in aitzgorri_by_Aitzol_Berasategi picosdeeuropa_by_Aitzol_Berasategi \
            life_by_Aitzol_Berasategi sunset_by_Aitzol_Berasategi \
            seeding_by_Clements_Engelhardt Dragonfly_by_Bolly Bridge_by_Sander_Klootwijk; do
  add lomiri-wallpapers-16.04 "$bg/$name.jpg" "photos/$name.jpg"
done

extract lomiri-wallpapers-20.04 "./usr/share/backgrounds/Kleiber_by_Lukas_Baubkus.jpg"
add lomiri-wallpapers-20.04 "$bg/Kleiber_by_Lukas_Baubkus.jpg" "photos/Kleiber_by_Lukas_Baubkus.jpg"

# Landscapes and outdoor close-ups; RainDrops is left out, it is already rain
extract mate-backgrounds "./usr/share/backgrounds/mate/nature/*.jpg"
for name in Dune Storm GreenMeadow Garden Wood; do
  add mate-backgrounds "$bg/mate/nature/$name.jpg" "photos/mate-$name.jpg"
done

extract gnome-shell-pomodoro-data "./usr/share/gnome-pomodoro/sounds/birds.ogg"
add gnome-shell-pomodoro-data /usr/share/gnome-pomodoro/sounds/birds.ogg sounds/sunny/pomodoro-birds.ogg

mt=/usr/share/games/minetest/games/minetest_game/mods
extract minetest-data ".$mt/default/sounds/default_snow_footstep.*.ogg" ".$mt/default/README.txt"
for i in 1 2 3 4 5; do
  add minetest-data "$mt/default/sounds/default_snow_footstep.$i.ogg" "sounds/snow/minetest-snow-$i.ogg"
done

# --- the large packages -----------------------------------------------------------

if [ "$large" = 1 ]; then
  re=/usr/share/games/redeclipse/data/sounds/ambience
  # tar's * also matches "/": this takes morph/ too
  extract redeclipse-data ".$re/*.ogg"
  for name in forest2 forest3; do
    add redeclipse-data "$re/$name.ogg" "sounds/sunny/redeclipse-$name.ogg"
  done
  for name in blowwind morph/stormwind morph/wind1 morph/wind2; do
    add redeclipse-data "$re/$name.ogg" "sounds/fog/redeclipse-${name##*/}.ogg"
  done
  # The bundled samples come from these, so they stay sounds the model never heard
  for name in forest1 creek wind morph/rain morph/stormrain; do
    add redeclipse-data "$re/$name.ogg" "reserved/redeclipse-${name##*/}.ogg"
  done

  # 0ad keeps its media inside one 3-GB zip: take it out, then only what is used
  extract 0ad-data ./usr/share/games/0ad/mods/public/public.zip
  zip="$work/0ad-data/usr/share/games/0ad/mods/public/public.zip"
  mkdir -p "$work/0ad-data/z"
  unzip -q -o "$zip" -d "$work/0ad-data/z" \
    'audio/ambient/weather/*.ogg' 'audio/ambient/dayscape/*.ogg' 'audio/actor/singlesteps/fs_snow*'
  rm -f "$zip"
  zp=/z/audio
  add0 () { add 0ad-data "$1" "$2" "/usr/share/games/0ad/mods/public/public.zip:${1#/z/}"; }
  # rain_11 is heavily processed: only rain_12 is plain rain
  add0 "$zp/ambient/weather/rain_12.ogg" sounds/rain/0ad-rain_12.ogg
  for name in day_temperate_11 day_temperate_12 day_temperate_13 day_temperate_14 \
              day_temperate_gen_01 day_temperate_gen_02 day_temperate_gen_03; do
    add0 "$zp/ambient/dayscape/$name.ogg" "sounds/sunny/0ad-$name.ogg"
  done
  # snowstorm_11 is wind only, so it is wind here
  for name in wind_11 windstorm_11 windgust_11 windleaves_10 windleaves_11 snowstorm_11; do
    add0 "$zp/ambient/weather/$name.ogg" "sounds/fog/0ad-$name.ogg"
  done
  for i in 15 16 17 18; do
    add0 "$zp/actor/singlesteps/fs_snow_$i.ogg" "sounds/snow/0ad-fs_snow_$i.ogg"
  done
  for i in 11 12 13 14; do
    add0 "$zp/actor/singlesteps/fs_snow_$i.ogg" "reserved/0ad-fs_snow_$i.ogg"
  done
fi

# --- swap in the new folder whole ---------------------------------------------------

rm -rf "$media.old"
if [ -d "$media" ]; then
  mv "$media" "$media.old"
fi
mv "$staging" "$media"
rm -rf "$media.old"
echo "Media in $media: $(find "$media/photos" -type f | wc -l) photos," \
     "$(find "$media/sounds" -type f | wc -l) training sounds," \
     "$(find "$media/reserved" -type f | wc -l) reserved for samples (see INVENTORY.tsv)"
