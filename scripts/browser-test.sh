#!/usr/bin/env bash
# browser-test.sh: open ringforge's HTML report in a real browser (headless Chromium).
#
# Builds a report of the repository's assets plus one failed file, and a report of 500 tones,
# then scripts/browser_check.py (Selenium) checks that every preview loads with the tone's
# duration, that the console has no errors, that the page fits a 400 px screen, that a
# screenshot is not blank, and that the 500-tone page loads in under 5 s. The screenshot is kept
# as docs/report.png (the README shows it): rerun this script to regenerate it.
#
# Needs: the Rust toolchain, python3 with venv; installs Debian's chromium and chromium-driver
# with apt-get (as root) and Selenium and Pillow from PyPI into a virtualenv it creates
# (target/browser-venv). Called by .ci/run after `cargo test`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/lib/need-tools.sh
source scripts/lib/need-tools.sh
need_tools chromium:chromium chromedriver:chromium-driver python3:python3
python3 -m venv --help >/dev/null 2>&1 || install_packages python3-venv

VENV=target/browser-venv
if [[ ! -x $VENV/bin/python ]]; then
  python3 -m venv "$VENV"
fi
"$VENV/bin/pip" install --quiet --disable-pip-version-check "selenium==4.38.0" "pillow==12.0.0"

# shellcheck source=scripts/lib/ringforge-bin.sh
source scripts/lib/ringforge-bin.sh
ringforge_bin
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT

# The repository's assets, and one file that is not audio.
mkdir -p "$T/src"
cp -r assets/. "$T/src/"
rm -f "$T/src/README.md" "$T/src/SHA256SUMS"
printf 'this is not an MP3 file\n' > "$T/src/broken-upload.mp3"
(cd "$T" && "$BIN" convert src -o out --html report --normalize loudness:-16 --quiet \
  --url-prefix http://pbx.example.com/digium_phones/) || true   # exit 1: the broken file

# 500 tones: 3 s each, ten levels and pitches over and over.
python3 - "$T/many" <<'PY'
import math, struct, sys, wave
from pathlib import Path
out = Path(sys.argv[1]); out.mkdir()
rate, kinds = 16000, []
for k in range(10):
    f, a = 220.0 * (1 + k / 5), 0.05 + 0.09 * k
    kinds.append(b"".join(struct.pack("<h", round(a * 32767 * math.sin(2 * math.pi * f * n / rate)
                                                  * (1 - n / (3 * rate)))) for n in range(3 * rate)))
for i in range(500):
    frames = kinds[i % 10]
    with wave.open(str(out / f"tone-{i:03}.wav"), "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate); w.writeframes(frames)
PY
"$BIN" convert "$T/many" -o "$T/many-out" --html "$T/many-report" --no-manifests --quiet

mkdir -p docs
"$VENV/bin/python" scripts/browser_check.py "$T/report" "$T/many-report" docs/report.png
