#!/usr/bin/env bash
# make-assets.sh: (re)make ringforge's sample ringtone sources in assets/ from scripts/synth.py.
#
# Needs: bash, python3 (standard library only), sox, ffmpeg, lame, flac, oggenc (vorbis-tools).
# When run as root, missing tools are installed with apt-get (Debian package names).
# Run from anywhere: it works in the repository root. Rerunning overwrites every file it makes.
#
# The material is original: every note is written in scripts/synth.py. The synthesiser and sox
# (-R: seeded dither) are deterministic; the encoded files are byte-identical on reruns with the
# same lame/flac/oggenc/ffmpeg versions (they embed their version; ffmpeg's AAC encoder may differ
# between ffmpeg versions or CPUs). SHA256SUMS records the bytes as made.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/lib/need-tools.sh
source scripts/lib/need-tools.sh
need_tools sox:sox ffmpeg:ffmpeg lame:lame flac:flac oggenc:vorbis-tools python3:python3

A=assets
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$A/office" "$A/melodies" "$A/legacy"

SYN="python3 scripts/synth.py"
FFX="-fflags +bitexact -flags:a +bitexact -map_metadata -1"

run() { echo "+ $*" >&2; eval "$*"; }

# Front-desk chime: 44.1 kHz stereo MP3 (VBR), ID3v2 title.
run "$SYN chime $T/chime.wav --rate 48000 --bits 24"
run "sox -R $T/chime.wav -b 16 $T/chime44.wav rate -v 44100"
run "lame --quiet --noreplaygain -V 2 --id3v2-only --tt 'Front Desk Chime' --ta ringforge --tl 'ringforge sample ringtones' $T/chime44.wav $A/office/front-desk-chime.mp3"

# Morning melody: 48 kHz 24-bit stereo FLAC (ffmpeg only rewrites the WAV header as EXTENSIBLE, which flac wants for 24 bits).
run "$SYN melody $T/melody.wav --rate 48000 --bits 24"
run "ffmpeg -nostdin -v error -y -i $T/melody.wav -c:a pcm_s24le $FFX $T/melody_ext.wav"
run "flac --silent --best --no-padding -f -T 'TITLE=Morning Melody' -T ARTIST=ringforge -o $A/melodies/morning_melody.flac $T/melody_ext.wav"

# Evening chords: 48 kHz stereo Ogg Vorbis (fixed stream serial for reproducible bytes).
run "$SYN chords $T/chords.wav --rate 48000 --bits 24"
run "sox -R $T/chords.wav -b 16 $T/chords16.wav"
run "oggenc -Q -q 4 -s 3 -t 'Evening Chords' -a ringforge -o $A/melodies/evening-chords.ogg $T/chords16.wav"

# Marimba arpeggio: 44.1 kHz stereo AAC in M4A (ffmpeg native encoder).
run "$SYN marimba $T/marimba.wav --rate 48000 --bits 24"
run "ffmpeg -nostdin -v error -y -i $T/marimba.wav -ar 44100 -c:a aac -b:a 128k $FFX -metadata title='Marimba Arpeggio' $A/marimba-arpeggio.m4a"

# Double ring: plain 48 kHz 16-bit mono WAV, straight from the synthesiser.
run "$SYN double-ring $A/double-ring.wav --rate 48000 --bits 16"

# Old PBX warble: 8 kHz 16-bit mono WAV (converting it raises ringforge's upsampling warning).
run "$SYN pbx $A/legacy/old-pbx-8k.wav --rate 8000 --bits 16"

(cd $A && find . -type f ! -name README.md ! -name SHA256SUMS | LC_ALL=C sort | sed 's|^\./||' | xargs sha256sum) > $A/SHA256SUMS
echo "assets written: $(find $A -type f ! -name README.md ! -name SHA256SUMS | wc -l) files, $(find $A -type f ! -name README.md ! -name SHA256SUMS -print0 | du -cb --files0-from=- | tail -1 | cut -f1) bytes" >&2
