#!/usr/bin/env bash
# test.sh: sets up a fresh Debian 12 machine (installs what is missing),
# builds Soundstyle and runs every test. Usage: build-aux/test.sh [meson test args]
set -euo pipefail
cd "$(dirname "$0")/.."
source build-aux/deps.sh

soundstyle_install_missing "${SOUNDSTYLE_BUILD_DEPS[@]}" "${SOUNDSTYLE_GUI_DEPS[@]}" \
  "${SOUNDSTYLE_TEST_DEPS[@]}"
# Debian's python3 has torch; a python3 earlier on PATH (pyenv, venv) may not.
# The window's tests run under their own Xvfb, display or not.
soundstyle_setup_build build -Dgui=true -Dpython=/usr/bin/python3
ninja -C build

status=0
meson test -C build --print-errorlogs --num-processes 1 "$@" || status=$?

# One closing line that any CI reader understands
python3 - build/meson-logs/testlog.json <<'PY' || true
import json, sys
passed = failed = skipped = 0
for line in open(sys.argv[1]):
    result = json.loads(line).get("result")
    if result in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif result == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"tests: {passed} passed, {failed} failed, {skipped} skipped")
PY
exit $status
