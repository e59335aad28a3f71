#!/usr/bin/env bash
# make-loudness-fixtures.sh: regenerate tests/fixtures/loudness/, the material the loudness
# normalisation tests bring to -16 LUFS (tests/loudness.rs, scripts/check-loudness.sh).
#
# Needs: bash, python3 (standard library), espeak-ng, sox, lame. When run as root, missing tools
# are installed with apt-get. Run from anywhere. Rerunning overwrites every file it makes.
# The tests need none of these tools: the files are committed (small MP3s, 64 kb/s mono).
#
# - orchestral.mp3: scripts/dynamics.py orchestral (a soft pad, timpani and tutti chords; its
#   peaks stand about 19 dB above its loudness), 22.05 kHz.
# - hotmaster.mp3: scripts/dynamics.py hotmaster (a dense mix soft-clipped to -0.1 dBFS, about
#   -6 LUFS), 22.05 kHz.
# - quiet-speech.mp3: espeak-ng reading a sentence (English voice, 150 words/min, 22.05 kHz),
#   lowered by 20 dB with sox: a quiet recording, about -41 LUFS.
# Reproducible with the same python, espeak-ng and lame versions (SHA256SUMS lists the bytes).
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/lib/need-tools.sh
source scripts/lib/need-tools.sh
need_tools python3:python3 espeak-ng:espeak-ng sox:sox lame:lame

F=tests/fixtures/loudness
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$F"
LAME="lame --quiet --noreplaygain -m m -b 64"

python3 scripts/dynamics.py orchestral "$T/orchestral.wav" --rate 22050
$LAME "$T/orchestral.wav" "$F/orchestral.mp3"

python3 scripts/dynamics.py hotmaster "$T/hotmaster.wav" --rate 22050
$LAME "$T/hotmaster.wav" "$F/hotmaster.mp3"

espeak-ng -v en -s 150 -w "$T/speech.wav" \
  "Thank you for calling. Please hold the line: the next free colleague will answer your call."
sox -R -D "$T/speech.wav" "$T/quiet.wav" rate -h 22050 vol -20dB
$LAME "$T/quiet.wav" "$F/quiet-speech.mp3"

cat > "$F/README.md" <<'MD'
# Loudness fixtures

Made by `scripts/make-loudness-fixtures.sh` (do not edit by hand; rerun the script). Music-like
material that `tests/loudness.rs` and `scripts/check-loudness.sh` bring to -16 LUFS (within
0.5 LU, true peak at most -1 dBTP), all MP3, 64 kb/s, mono, 22.05 kHz:

| file | made from | before normalising | a test should expect |
|---|---|---|---|
| `orchestral.mp3` | `scripts/dynamics.py orchestral`: a soft string pad, timpani, two tutti chords, 12 s | about -20 LUFS, peaks near -1 dBFS | -16 LUFS needs the limiter (some 5 dB); `--limiter off` stops short |
| `hotmaster.mp3` | `scripts/dynamics.py hotmaster`: a dense mix soft-clipped to -0.1 dBFS, 8 s | about -6 LUFS | turned down, no limiting |
| `quiet-speech.mp3` | espeak-ng (English, 150 words/min) lowered by 20 dB with sox, about 6 s | about -41 LUFS | raised some 27 dB with about 6 dB of limiting (a heavy-limiting warning) |

`SHA256SUMS` lists the bytes as committed (same bytes with the same python, espeak-ng, sox and
lame versions).
MD
(cd "$F" && sha256sum ./*.mp3 > SHA256SUMS)
echo "wrote $F: $(cd "$F" && ls ./*.mp3 | tr '\n' ' ')"
