#!/usr/bin/env bash
# make-logo-fixtures.sh: regenerate the source images in tests/fixtures/logos/, which
# scripts/cross-check.sh renders for every phone model on every platform (with the project's own
# assets/logo/ringforge-logo.svg).
#
# Needs ffmpeg (installed with apt-get when run as root). The files are committed; neither the
# tests nor the cross-check need ffmpeg. Made with ffmpeg's lavfi sources, no encoder metadata:
#   photo_640x480.jpg      the Mandelbrot set at its first frame: a photo-like image with fine
#                          detail and smooth colour gradients, 4:2:0 JPEG at quality 3 (about 90 %)
#   badge_400x150_rgba.png a colour gradient whose alpha is 255 inside a centred ellipse and 0
#                          outside: a transparent PNG, flattened onto the background by ringforge
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/need-tools.sh
source scripts/lib/need-tools.sh
need_tools ffmpeg:ffmpeg

D=tests/fixtures/logos
mkdir -p "$D"
FF=(ffmpeg -nostdin -v error -y)
"${FF[@]}" -f lavfi -i "mandelbrot=size=640x480:rate=1" -frames:v 1 -q:v 3 \
  -pix_fmt yuvj420p -fflags +bitexact -flags +bitexact -map_metadata -1 "$D/photo_640x480.jpg"
"${FF[@]}" -f lavfi -i "color=c=black:s=400x150:r=1,format=rgba" -frames:v 1 \
  -vf "geq=r='X*255/W':g='Y*255/H':b='128':a='if(lte(pow((X-W/2)/(W/2-4),2)+pow((Y-H/2)/(H/2-4),2),1),255,0)'" \
  -fflags +bitexact -flags +bitexact -map_metadata -1 "$D/badge_400x150_rgba.png"
(cd "$D" && sha256sum ./*.jpg ./*.png >SHA256SUMS)
ls -l "$D"
