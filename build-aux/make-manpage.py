#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Writes the soundstyle(1) man page from the command's own --help texts.

Usage: make-manpage.py SOUNDSTYLE_BINARY VERSION DATADIR OUTPUT

The --help texts are the one place where the commands and options are
described; this turns `soundstyle --help` and every `soundstyle COMMAND --help`
into roff, so that the man page cannot drift from the program. The date is
SOURCE_DATE_EPOCH's when set (reproducible builds), else today's.
"""

import datetime
import os
import re
import subprocess
import sys


def run_help(binary, *args):
    env = dict(os.environ)
    # The --help texts are written in English; the man page is too
    env["LC_ALL"] = "C.UTF-8"
    env.pop("LANGUAGE", None)
    result = subprocess.run([binary, *args], env=env, capture_output=True,
                            text=True, timeout=120)
    if result.returncode != 0:
        sys.exit(f"make-manpage: “{binary} {' '.join(args)}” failed "
                 f"with status {result.returncode}: {result.stderr.strip()}")
    return result.stdout


def roff(text):
    """Escapes plain text for roff: backslashes, hyphens, leading dots."""
    text = text.replace("\\", "\\e").replace("-", "\\-")
    if text.startswith((".", "'")):
        text = "\\&" + text
    return text


def commands_of(top_help):
    """The (name, summary) pairs under "Commands:" in soundstyle --help."""
    commands = []
    in_commands = False
    for line in top_help.splitlines():
        if line.strip() == "Commands:":
            in_commands = True
            continue
        if in_commands:
            match = re.match(r"^  (\S+)\s+(.*)$", line)
            if not match:
                break
            commands.append((match.group(1), match.group(2)))
    if not commands:
        sys.exit("make-manpage: found no commands in soundstyle --help")
    return commands


def description_of(top_help):
    """The paragraph between the usage lines and "Commands:"."""
    blocks = top_help.split("\n\n")
    for block in blocks:
        if not block.startswith("Usage:") and "Commands:" not in block:
            return " ".join(block.split())
    return ""


def usage_of(help_text, name):
    """The usage line of a command's --help, e.g. "soundstyle train [OPTION…] DATASET"."""
    for line in help_text.splitlines():
        if line.startswith("  soundstyle "):
            return line.strip()
    return f"soundstyle {name} [OPTION…]"


def option_lines(help_text):
    """Turns a GOption --help text into roff: option rows become tagged
    paragraphs, headings become bold lines, other text stays as written."""
    out = []
    lines = help_text.splitlines()
    i = 0
    # The usage line is in the SYNOPSIS already
    while i < len(lines) and (lines[i].startswith("Usage:") or lines[i].startswith("  soundstyle")):
        i += 1
    for line in lines[i:]:
        option = re.match(r"^\s+(-\S.*?)(?:\s{2,}(.*))?$", line)
        if option:
            out.append(".TP")
            out.append("\\fB" + roff(option.group(1).strip()) + "\\fR")
            if option.group(2):
                out.append(roff(option.group(2).strip()))
        elif line.strip() == "":
            out.append(".PP")
        elif line.rstrip().endswith(":") and not line.startswith(" "):
            out.append(".PP")
            out.append("\\fB" + roff(line.strip()) + "\\fR")
        elif line.startswith(" "):
            # Indented lines (examples) keep their line breaks
            out.append(roff(line.strip()))
            out.append(".br")
        else:
            # Prose flows, as roff fills it
            out.append(roff(line.strip()))
    # Collapse the empty paragraphs that runs of blank lines leave
    cleaned = []
    for item in out:
        if item == ".PP" and cleaned and cleaned[-1] in (".PP", ".br"):
            if cleaned[-1] == ".br":
                cleaned[-1] = ".PP"
            continue
        cleaned.append(item)
    while cleaned and cleaned[-1] in (".PP", ".br"):
        cleaned.pop()
    return cleaned


def main():
    if len(sys.argv) != 5:
        sys.exit(__doc__.strip().splitlines()[2])
    binary, version, datadir, output = sys.argv[1:]

    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    when = (datetime.datetime.fromtimestamp(int(epoch), datetime.timezone.utc)
            if epoch else datetime.datetime.now(datetime.timezone.utc))

    top_help = run_help(binary, "--help")
    commands = commands_of(top_help)

    page = [
        f'.TH SOUNDSTYLE 1 "{when:%Y-%m-%d}" "soundstyle {roff(version)}" "User Commands"',
        ".SH NAME",
        "soundstyle \\- restyle a photo to match a sound",
        ".SH SYNOPSIS",
        "\\fBsoundstyle\\fR \\fICOMMAND\\fR [\\fIOPTION\\fR...]",
        ".br",
        "\\fBsoundstyle\\fR \\fB\\-\\-version\\fR",
        ".br",
        "\\fBsoundstyle help\\fR \\fICOMMAND\\fR",
        ".SH DESCRIPTION",
        roff(description_of(top_help)),
        ".PP",
        "Soundstyle implements the paper \\(lqLearning Visual Styles from "
        "Audio\\-Visual Associations\\(rq (ECCV 2022). Sounds are read as 3\\-second "
        "clips at 16 kHz.",
        ".SH COMMANDS",
    ]
    for name, summary in commands:
        page += [".TP", f"\\fB{roff(name)}\\fR", roff(summary)]

    for name, _summary in commands:
        command_help = run_help(binary, name, "--help")
        page += [f'.SH "SOUNDSTYLE {roff(name.upper())}"',
                 "\\fB" + roff(usage_of(command_help, name)) + "\\fR"]
        page += option_lines(command_help)

    page += [
        ".SH ENVIRONMENT",
        ".TP",
        "\\fBSOUNDSTYLE_MODEL\\fR",
        "The model file to use when a command is given no \\fB\\-\\-model\\fR.",
        ".SH FILES",
        ".TP",
        f"\\fI{roff(datadir)}/models/default.safetensors\\fR",
        "The default model, used when neither \\fB\\-\\-model\\fR nor "
        "\\fBSOUNDSTYLE_MODEL\\fR names one.",
        ".TP",
        f"\\fI{roff(datadir)}/samples/\\fR",
        "Sample sounds and photos, with their credits in \\fICREDITS\\fR.",
        ".SH EXIT STATUS",
        "0 on success, 2 on bad input (one line on standard error, and no "
        "partial output file), 1 on other failures, 130 when interrupted.",
        ".SH SEE ALSO",
        "https://github.com/soundstyle/soundstyle",
    ]

    temporary = output + ".tmp"
    with open(temporary, "w", encoding="utf-8") as f:
        f.write("\n".join(page) + "\n")
    os.replace(temporary, output)


if __name__ == "__main__":
    main()
