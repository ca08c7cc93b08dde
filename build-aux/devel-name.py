#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Appends " (Devel)" to the app's name in a translated desktop or metainfo file.

Usage: devel-name.py desktop|metainfo INPUT OUTPUT

A development build shows its name as "Soundstyle (Devel)" in every
language. The suffix is added after translation, so that translators see the
name once, as in a released build.
"""

import os
import re
import sys

PATTERNS = {
    # Name= and every Name[LANG]=
    "desktop": (re.compile(r"^(Name(\[[^]]*\])?=.*)$", re.MULTILINE), r"\1 (Devel)"),
    # The component's <name> elements, which sit at two spaces of indent;
    # the developer's <name> is nested deeper and stays as it is
    "metainfo": (re.compile(r"^(  <name(?: [^>]*)?>)([^<]*)(</name>)", re.MULTILINE), r"\1\2 (Devel)\3"),
}


def main():
    if len(sys.argv) != 4 or sys.argv[1] not in PATTERNS:
        sys.exit(__doc__.strip().splitlines()[2])
    kind, source, output = sys.argv[1:]
    pattern, replacement = PATTERNS[kind]
    with open(source, encoding="utf-8") as f:
        text, count = pattern.subn(replacement, f.read())
    if count == 0:
        sys.exit(f"devel-name: no name found in {source}")
    with open(output + ".tmp", "w", encoding="utf-8") as f:
        f.write(text)
    os.replace(output + ".tmp", output)


if __name__ == "__main__":
    main()
