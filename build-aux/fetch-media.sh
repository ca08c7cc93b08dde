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
#   sounds/OTHER/             recordings of other outdoor scenes (water, fire,
#                             steps, thunder, night): synth leaves them out
#   reserved/                 recordings kept out of training: the bundled
#                             samples are cut from these (build-aux/make-samples.sh)
#   INVENTORY.tsv             file, package, original path, author, licence, category
#   EXCLUDED.tsv              package, original path, why it is not used
#
# $SOUNDSTYLE_DEBS may name a folder of .debs already downloaded.
# build-aux/media-inventory.py then writes docs/MEDIA.md from the folder.
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
      sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'
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
excluded="$staging/EXCLUDED.tsv"
printf 'file\tpackage\toriginal\tauthor\tlicence\tcategory\n' > "$inventory"
printf 'package\toriginal\treason\n' > "$excluded"

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

# The category a file serves, from where it lands: photos/x.jpg is a
# photo, sounds/rain/x.ogg rain, reserved/x.ogg a sample's source
category_for () {
  case $1 in
    photos/*) echo photo ;;
    reserved/*) echo reserved ;;
    sounds/*/*) local rest=${1#sounds/}; echo "${rest%%/*}" ;;
    *) echo unknown ;;
  esac
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
  printf '%s\t%s\t%s\t%s\t%s\n' "$dest" "$pkg" "$shown" "$(lookup "$table" "$shown")" \
    "$(category_for "$dest")" >> "$inventory"
}

# Records a file that was looked at and left out, and why
# skip PKG PATH REASON
skip () {
  printf '%s\t%s\t%s\n' "$1" "$2" "$3" >> "$excluded"
}

# --- the small packages ---------------------------------------------------------

# Photos: every outdoor one (landscapes, and plants and animals outdoors in
# daylight); studio shots, interiors, drawings and renders are left out
bg=/usr/share/backgrounds
extract lomiri-wallpapers-16.04 "./usr/share/backgrounds/*.jpg"
for name in aitzgorri_by_Aitzol_Berasategi picosdeeuropa_by_Aitzol_Berasategi \
            life_by_Aitzol_Berasategi sunset_by_Aitzol_Berasategi \
            seeding_by_Clements_Engelhardt Dragonfly_by_Bolly Bridge_by_Sander_Klootwijk \
            friends_by_Aitzol_Berasategi; do
  add lomiri-wallpapers-16.04 "$bg/$name.jpg" "photos/$name.jpg"
done
skip lomiri-wallpapers-16.04 "$bg/Picture_0B_by_freespace.jpg" "a still life (a fig in a bowl)"
skip lomiri-wallpapers-16.04 "$bg/Picture_1A_by_freespace.jpg" "indoors (paint brushes)"
skip lomiri-wallpapers-16.04 "$bg/Wine_by_Jakkub_Mede.jpg" "indoors (a room)"
skip lomiri-wallpapers-16.04 "$bg/free_by_Peter_Nerlich.jpg" "indoors (a toy bird under lamps)"
skip lomiri-wallpapers-16.04 "$bg/greentock_by_Peter_Nerlich.jpg" "indoors (a clock)"
skip lomiri-wallpapers-16.04 "$bg/analogpattern_by_Peter_Nerlich.jpg" "a texture, no scene"
skip lomiri-wallpapers-16.04 "$bg/umang_by_Abhishek_Mudgal.jpg" "a drawing, not a photo"

extract lomiri-wallpapers-20.04 "./usr/share/backgrounds/*.jpg"
add lomiri-wallpapers-20.04 "$bg/Kleiber_by_Lukas_Baubkus.jpg" "photos/Kleiber_by_Lukas_Baubkus.jpg"
skip lomiri-wallpapers-20.04 "$bg/Fossa_by_Jasper_Roks.jpg" "a drawing, not a photo"
skip lomiri-wallpapers-20.04 "$bg/Infinite-Sea_by_Aury88.jpg" "a composite render, not a photo"
skip lomiri-wallpapers-20.04 "$bg/Painting-Colors_by__herobrine7gamer.jpg" "a painting, not a photo"

extract mate-backgrounds "./usr/share/backgrounds/mate/nature/*.jpg"
for name in Dune Storm GreenMeadow Garden Wood TwoWings LadyBird YellowFlower; do
  add mate-backgrounds "$bg/mate/nature/$name.jpg" "photos/mate-$name.jpg"
done
skip mate-backgrounds "$bg/mate/nature/RainDrops.jpg" "already rain: it cannot be restyled into rain"
skip mate-backgrounds "$bg/mate/nature/Aqua.jpg" "a studio shot (a water drop)"
skip mate-backgrounds "$bg/mate/nature/Blinds.jpg" "a leaf texture, no scene"
skip mate-backgrounds "$bg/mate/nature/FreshFlower.jpg" "petals filling the frame, no scene"
skip mate-backgrounds "$bg/mate/abstract/" "abstract art"
skip mate-backgrounds "$bg/mate/desktop/" "desktop art and logos"

extract gnome-shell-pomodoro-data "./usr/share/gnome-pomodoro/sounds/birds.ogg"
add gnome-shell-pomodoro-data /usr/share/gnome-pomodoro/sounds/birds.ogg sounds/sunny/pomodoro-birds.ogg
skip gnome-shell-pomodoro-data /usr/share/gnome-pomodoro/sounds/ "bell, clock, loud-bell, timer: not outdoors"

mt=/usr/share/games/minetest/games/minetest_game/mods
extract minetest-data ".$mt/default/sounds/default_*_footstep.*ogg" ".$mt/env_sounds/sounds/*.ogg" \
  ".$mt/fire/sounds/fire_*.ogg" ".$mt/default/README.txt"
for i in 1 2 3 4 5; do
  add minetest-data "$mt/default/sounds/default_snow_footstep.$i.ogg" "sounds/snow/minetest-snow-$i.ogg"
done
# Steps on other outdoor ground: not snow, but the same kind of sound, for
# telling snow from them
for f in "$work/minetest-data$mt"/default/sounds/default_{gravel,grass,dirt,sand,ice,water}_footstep*.ogg; do
  name=$(basename "$f" .ogg)
  name=${name#default_}
  add minetest-data "$mt/default/sounds/$(basename "$f")" "sounds/steps/minetest-${name/_footstep/}.ogg"
done
skip minetest-data "$mt/default/sounds/default_{hard,wood,metal,glass}_footstep.*.ogg" "steps on built floors"
for i in 1 2 3 4; do
  add minetest-data "$mt/env_sounds/sounds/env_sounds_water.$i.ogg" "sounds/water/minetest-water-$i.ogg"
done
skip minetest-data "$mt/env_sounds/sounds/env_sounds_lava.*.ogg" "lava: not a scene of this world"
for name in fire_fire.1 fire_fire.2 fire_fire.3 fire_large fire_small; do
  add minetest-data "$mt/fire/sounds/$name.ogg" "sounds/fire/minetest-$name.ogg"
done
skip minetest-data "$mt/fire/sounds/fire_{extinguish_flame,flint_and_steel}*.ogg" "a single action, not a fire burning"

# --- the large packages -----------------------------------------------------------

if [ "$large" = 1 ]; then
  re=/usr/share/games/redeclipse/data/sounds/ambience
  # tar's * also matches "/": this takes morph/ too
  extract redeclipse-data ".$re/*.ogg"
  for name in forest2 forest3 cycadas; do
    add redeclipse-data "$re/$name.ogg" "sounds/sunny/redeclipse-$name.ogg"
  done
  for name in blowwind wastewind morph/stormwind morph/wind1 morph/wind2; do
    add redeclipse-data "$re/$name.ogg" "sounds/fog/redeclipse-${name##*/}.ogg"
  done
  for name in river water waterfall waterfall2 waterfall3 waterfall_deep waterfall_huge waterfall_medium; do
    add redeclipse-data "$re/$name.ogg" "sounds/water/redeclipse-$name.ogg"
  done
  add redeclipse-data "$re/fire.ogg" sounds/fire/redeclipse-fire.ogg
  add redeclipse-data "$re/nightcrickets.ogg" sounds/night/redeclipse-nightcrickets.ogg
  add redeclipse-data "$re/morph/stormbolts.ogg" sounds/thunder/redeclipse-stormbolts.ogg
  # The bundled samples come from these, so they stay sounds the model never heard
  for name in forest1 creek wind morph/rain morph/stormrain; do
    add redeclipse-data "$re/$name.ogg" "reserved/redeclipse-${name##*/}.ogg"
  done
  skip redeclipse-data "$re/waterfall1.ogg" "the same file as waterfall.ogg"
  skip redeclipse-data "$re/hollowwind.ogg" "taken for a copy of blowwind.ogg: the same size, length and levels"
  skip redeclipse-data "$re/waterfall_indoor.ogg" "a waterfall heard indoors"
  skip redeclipse-data "$re/alienwind.ogg" "wind made for an alien world, by its name"
  skip redeclipse-data "$re/dizzywind.ogg" "wind made for a dizzy effect, by its name"
  skip redeclipse-data "$re/cavedrip.ogg" "a cave, indoors"
  skip redeclipse-data "$re/distant_cars.ogg" "traffic: no weather"
  skip redeclipse-data "$re/{lava*,machine*,hum,electro,jumppad*,door,switch,teleport,pneumatic,vapour,wakawaka}.ogg" \
    "machines, game effects, lava"
  skip redeclipse-data "$re/morph/{ambient*,machine*,criticalcore,door,outdoorsignal}.ogg" "game ambiences and machines"

  # 0ad keeps its media inside one 3-GB zip: take it out, then only what is used
  extract 0ad-data ./usr/share/games/0ad/mods/public/public.zip
  zip="$work/0ad-data/usr/share/games/0ad/mods/public/public.zip"
  mkdir -p "$work/0ad-data/z"
  unzip -q -o "$zip" -d "$work/0ad-data/z" \
    'audio/ambient/weather/*.ogg' 'audio/ambient/dayscape/*.ogg' 'audio/ambient/water/*.ogg' \
    'audio/actor/singlesteps/*.ogg' 'audio/actor/human/movement/Footsteps/*.ogg'
  rm -f "$zip"
  zp=/z/audio
  add0 () { add 0ad-data "$1" "$2" "/usr/share/games/0ad/mods/public/public.zip:${1#/z/}"; }
  skip0 () { skip 0ad-data "/usr/share/games/0ad/mods/public/public.zip:${1#/z/}" "$2"; }
  # rain_11 is heavily processed (SOURCES.md) but still rain, and it is the
  # only other rain the packages hold: with rain_12 alone a model learns that
  # one recording, not rain (Red Eclipse's unheard rain came out as fog)
  add0 "$zp/ambient/weather/rain_12.ogg" sounds/rain/0ad-rain_12.ogg
  add0 "$zp/ambient/weather/rain_11.ogg" sounds/rain/0ad-rain_11.ogg
  for name in day_temperate_11 day_temperate_12 day_temperate_13 day_temperate_14 \
              day_temperate_gen_01 day_temperate_gen_02 day_temperate_gen_03 \
              day_tropical_10 day_tropical_11; do
    add0 "$zp/ambient/dayscape/$name.ogg" "sounds/sunny/0ad-$name.ogg"
  done
  # snowstorm_11 is wind only, so it is wind here
  for name in wind_11 windstorm_11 windgust_11 snowstorm_11; do
    add0 "$zp/ambient/weather/$name.ogg" "sounds/fog/0ad-$name.ogg"
  done
  # windleaves is leaves rustling: a bright hiss whose spectrum is the
  # nearest of all to rain's, not the low roar of the wind that stands for
  # fog; as fog it taught a model to draw unheard rain as fog
  for name in windleaves_10 windleaves_11; do
    add0 "$zp/ambient/weather/$name.ogg" "sounds/leaves/0ad-$name.ogg"
  done
  for name in thunder_10 thunder_11; do
    add0 "$zp/ambient/weather/$name.ogg" "sounds/thunder/0ad-$name.ogg"
  done
  for name in river_fast_21 river_med_21 river_raging_21 river_slow_21 waterfall_31 \
              wave_21 wavecrash_21 waverocky_21; do
    add0 "$zp/ambient/water/$name.ogg" "sounds/water/0ad-$name.ogg"
  done
  for i in 15 16 17 18; do
    add0 "$zp/actor/singlesteps/fs_snow_$i.ogg" "sounds/snow/0ad-fs_snow_$i.ogg"
  done
  for i in 11 12 13 14; do
    add0 "$zp/actor/singlesteps/fs_snow_$i.ogg" "reserved/0ad-fs_snow_$i.ogg"
  done
  for ground in grass gravel sand; do
    for i in 1 2 3 4 5 6 7 8; do
      add0 "$zp/actor/singlesteps/fs_$ground$i.ogg" "sounds/steps/0ad-fs_$ground$i.ogg"
    done
  done
  for name in Foorstep_Sand_Running Foorstep_Sand_Walking Footstep_Grass_Running \
              Footstep_Grass_Walking Footstep_Gravel_Running Footstep_Gravel_Walking \
              Footstep_Rock_Running Footstep_Rock_Walking; do
    add0 "$zp/actor/human/movement/Footsteps/$name.ogg" "sounds/steps/0ad-$name.ogg"
  done
  skip0 "$zp/actor/singlesteps/fs_rock*.ogg" "the same steps as fs_gravel* (SOURCES.md)"
  skip0 "$zp/actor/singlesteps/fs_wood*.ogg" "steps on a wooden floor"
  skip0 "$zp/actor/human/movement/Footsteps/Footstep_Wood_*.ogg" "steps on a wooden floor"
  skip0 "$zp/ambient/building/" "a farm, a port, a market: people at work, no weather"
fi

# --- swap in the new folder whole ---------------------------------------------------

rm -rf "$media.old"
if [ -d "$media" ]; then
  mv "$media" "$media.old"
fi
mv "$staging" "$media"
rm -rf "$media.old"
echo "Media in $media: $(find "$media/photos" -type f | wc -l) photos," \
     "$(find "$media/sounds" -type f | wc -l) sounds ($(for c in sunny rain snow fog; do
        printf '%s %s, ' "$(find "$media/sounds/$c" -type f 2>/dev/null | wc -l)" "$c"; done)others" \
     "for other scenes), $(find "$media/reserved" -type f | wc -l) reserved for samples" \
     "(see INVENTORY.tsv, EXCLUDED.tsv)"
