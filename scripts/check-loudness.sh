#!/usr/bin/env bash
# check-loudness.sh: measure loudness-normalised tones with an independent meter.
#
# Converts tests/fixtures/loudness/ (a dynamic orchestral piece, a hot master, a quiet speech
# recording) with `ringforge convert --normalize loudness:-16` and measures every tone with
# ffmpeg's ebur128 filter (`-af ebur128=peak=true`): each must be within ±0.5 LU of -16 LUFS with
# a true peak of at most -1 dBTP. Exit status 1 when one is not.
#
# Needs: the Rust toolchain and ffmpeg (installed with apt-get when missing and run as root).
# Called by .ci/run after `cargo test`.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/lib/need-tools.sh
source scripts/lib/need-tools.sh
need_tools ffmpeg:ffmpeg
# shellcheck source=scripts/lib/ringforge-bin.sh
source scripts/lib/ringforge-bin.sh
ringforge_bin
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
"$BIN" convert tests/fixtures/loudness -o "$T" --normalize loudness:-16 \
  --no-manifests --quiet

status=0
for tone in "$T"/*.sln; do
  summary=$(ffmpeg -nostdin -hide_banner -f s16le -ar 16000 -ac 1 -i "$tone" \
    -af ebur128=peak=true -f null - 2>&1 | sed -n '/Summary:/,$p')
  lufs=$(awk '/ I: /{print $2}' <<<"$summary")
  peak=$(awk '/ Peak: /{print $2}' <<<"$summary")
  if awk -v l="$lufs" -v p="$peak" 'BEGIN { exit !(l >= -16.5 && l <= -15.5 && p <= -1.0) }'; then
    verdict=ok
  else
    verdict=FAILED
    status=1
  fi
  printf '%-20s %6s LUFS  true peak %5s dBTP  %s\n' "$(basename "$tone")" "$lufs" "$peak" "$verdict"
done
exit $status
