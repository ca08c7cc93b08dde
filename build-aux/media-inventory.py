#!/usr/bin/env python3
# media-inventory.py: writes docs/MEDIA.md, the inventory of the media that
# Soundstyle trains on, from the folder build-aux/fetch-media.sh fills.
#
#   python3 build-aux/media-inventory.py [--media DIR] [--soundstyle BIN] [--output FILE]
#   python3 build-aux/media-inventory.py --check      # exit 1 if docs/MEDIA.md is stale
#
# Every length and level is read by `soundstyle info --json` (libsndfile, as
# the engine reads the file: 16 kHz, mono), never typed in. Authors and
# licences come from the media's INVENTORY.tsv (each package's
# debian/copyright), the files left out and why from EXCLUDED.tsv.
import argparse
import csv
import json
import os
import shutil
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

# Category: (what it sounds like, who uses it)
CATEGORIES = {
    "sunny": ("birdsong, forest by day", "synth"),
    "rain": ("rain", "synth"),
    "snow": ("footsteps on snow", "synth"),
    "fog": ("wind", "synth"),
    "water": ("streams, rivers, waterfalls, waves", "not synth (no category yet)"),
    "fire": ("a fire burning", "not synth (no category yet)"),
    "steps": ("footsteps on grass, gravel, sand, dirt, ice, in water", "not synth (no category yet)"),
    "thunder": ("thunder", "not synth (no category yet)"),
    "night": ("crickets at night", "not synth (no category yet)"),
    "leaves": ("leaves rustling in the wind", "not synth (sounds like rain, not fog)"),
    "reserved": ("sources of the bundled samples", "build-aux/make-samples.sh only"),
}


def read_tsv(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t", quoting=csv.QUOTE_NONE))


def measure(soundstyle, path):
    out = subprocess.run([soundstyle, "info", "--json", path], check=True,
                         capture_output=True, text=True).stdout
    return json.loads(out)


def db(value):
    return "silent" if value is None else f"{value:.1f}"


def length(seconds):
    return f"{seconds:.1f} s" if seconds < 120 else f"{seconds / 60:.1f} min"


def cell(text):
    return text.replace("|", "\\|").replace("\n", " ")


def render(media, soundstyle):
    inventory = read_tsv(os.path.join(media, "INVENTORY.tsv"))
    excluded_path = os.path.join(media, "EXCLUDED.tsv")
    excluded = read_tsv(excluded_path) if os.path.exists(excluded_path) else []
    photos = [row for row in inventory if row["category"] == "photo"]
    sounds = [row for row in inventory if row["category"] != "photo"]
    for row in sounds:
        row.update(measure(soundstyle, os.path.join(media, row["file"])))

    lines = [
        "# The media Soundstyle trains on",
        "",
        "Written by `build-aux/media-inventory.py` from the media folder that",
        "`bash build-aux/fetch-media.sh --large` fills; do not edit by hand (run it",
        "again, or with `--check` to see whether this page is current). Only the",
        "Debian packages that `../shared/data/SOURCES.md` allows are used. Lengths",
        "and levels are read by `soundstyle info --json`: the whole file as the",
        "engine reads it (libsndfile, 16 kHz, mono), RMS and peak in dBFS.",
        "",
        "## Summary",
        "",
        "| category | sounds like | used by | files | total length | RMS from | RMS to |",
        "|---|---|---|---:|---:|---:|---:|",
    ]
    order = list(CATEGORIES) + sorted({r["category"] for r in sounds} - set(CATEGORIES))
    for category in order:
        rows = [r for r in sounds if r["category"] == category]
        if not rows:
            continue
        what, user = CATEGORIES.get(category, ("", ""))
        levels = [r["rms_dbfs"] for r in rows if r["rms_dbfs"] is not None]
        total = sum(r["seconds"] for r in rows)
        lines.append(f"| {category} | {what} | {user} | {len(rows)} | {length(total)} | "
                     f"{db(min(levels)) if levels else '-'} | {db(max(levels)) if levels else '-'} |")
    lines.append(f"| photos | outdoor photos | synth | {len(photos)} | | | |")
    lines += ["", "## Recordings", ""]
    for category in order:
        rows = [r for r in sounds if r["category"] == category]
        if not rows:
            continue
        lines += [f"### {category}", "",
                  "| file | package | seconds | RMS dBFS | peak dBFS | author | licence |",
                  "|---|---|---:|---:|---:|---|---|"]
        for r in rows:
            lines.append(f"| `{cell(r['file'])}` | {r['package']} | {r['seconds']:.2f} | "
                         f"{db(r['rms_dbfs'])} | {db(r['peak_dbfs'])} | {cell(r['author'])} | "
                         f"{cell(r['licence'])} |")
        lines.append("")
    lines += ["## Photos", "", "| file | package | author | licence |", "|---|---|---|---|"]
    for r in photos:
        lines.append(f"| `{cell(r['file'])}` | {r['package']} | {cell(r['author'])} | {cell(r['licence'])} |")
    lines += ["", "## Original paths", "",
              "| file | original path in its package |", "|---|---|"]
    for r in inventory:
        lines.append(f"| `{cell(r['file'])}` | `{cell(r['original'])}` |")
    if excluded:
        lines += ["", "## Looked at and left out", "", "| package | path | why |", "|---|---|---|"]
        for r in excluded:
            lines.append(f"| {r['package']} | `{cell(r['original'])}` | {cell(r['reason'])} |")
    return "\n".join(lines) + "\n"


def main():
    parser = argparse.ArgumentParser(description="Write docs/MEDIA.md from the media folder.")
    default_media = os.environ.get("SOUNDSTYLE_MEDIA") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "soundstyle", "media")
    parser.add_argument("--media", default=default_media, help="the media folder (default: %(default)s)")
    parser.add_argument("--soundstyle", default=os.environ.get("SOUNDSTYLE_BIN") or shutil.which("soundstyle"),
                        help="the soundstyle program that measures each file")
    parser.add_argument("--output", default=os.path.join(ROOT, "docs", "MEDIA.md"))
    parser.add_argument("--check", action="store_true", help="compare with --output instead of writing it")
    args = parser.parse_args()

    if not os.path.exists(os.path.join(args.media, "INVENTORY.tsv")):
        print(f"media-inventory.py: {args.media} has no INVENTORY.tsv; run build-aux/fetch-media.sh --large first",
              file=sys.stderr)
        return 2
    if not args.soundstyle:
        print("media-inventory.py: no soundstyle program (give --soundstyle or $SOUNDSTYLE_BIN)", file=sys.stderr)
        return 2
    text = render(args.media, args.soundstyle)
    if args.check:
        with open(args.output, encoding="utf-8") as f:
            if f.read() != text:
                print(f"media-inventory.py: {args.output} differs from the media in {args.media}", file=sys.stderr)
                return 1
        return 0
    tmp = args.output + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(tmp, args.output)
    return 0


if __name__ == "__main__":
    sys.exit(main())
