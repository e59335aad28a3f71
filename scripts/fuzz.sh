#!/usr/bin/env bash
# fuzz.sh: run ringforge's cargo-fuzz targets, seeded with the test fixtures.
#
# Usage: scripts/fuzz.sh [TARGET] [SECONDS]
#   TARGET   convert_bytes (default), names or logo_bytes
#   SECONDS  how long to fuzz (default 600)
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`) and a nightly toolchain (`rustup toolchain install
# nightly`); on stable only, RUSTC_BOOTSTRAP=1 usually works. The corpus lives in fuzz/corpus/
# (gitignored): it is seeded from tests/fixtures on each run, so nothing generated is committed.
# Crashes land in fuzz/artifacts/TARGET/; reproduce one with
#   cargo +nightly fuzz run TARGET fuzz/artifacts/TARGET/crash-…
# Set RINGFORGE_FUZZ_ALLOW_UPSTREAM_PANICS=1 to go on past known, contained symphonia panics.
# Minimise a crash with `cargo +nightly fuzz tmin TARGET fuzz/artifacts/TARGET/crash-…`.
# One process, one thread (no -jobs/-workers): the machines this runs on are shared.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

target=${1:-convert_bytes}
seconds=${2:-600}
corpus=fuzz/corpus/$target
mkdir -p "$corpus"

case $target in
  convert_bytes)
    # Every fixture, good and bad, is a seed.
    find tests/fixtures -type f \( -name '*.wav' -o -name '*.mp3' -o -name '*.flac' -o -name '*.ogg' \
      -o -name '*.m4a' -o -name '*.aiff' -o -name '*.oga' -o -name '*.mka' -o -name '*.mp4' \) -exec cp -n {} "$corpus"/ \;
    max_len=262144
    ;;
  names)
    printf '%s' 'Office/Front Desk.mp3' > "$corpus/seed-path"
    printf '%s' 'Réception & Café; alias=>x \;--' > "$corpus/seed-text"
    printf 'caf\xe9 \xff.wav' > "$corpus/seed-bytes"
    max_len=512
    ;;
  logo_bytes)
    # The project's SVG logo and small rasters written by the test-fixture generator.
    cp -n assets/logo/*.svg "$corpus"/ 2>/dev/null || true
    printf '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="20"><rect width="9" height="9"/></svg>' > "$corpus/seed-rect.svg"
    find tests/fixtures -type f \( -name '*.png' -o -name '*.jpg' -o -name '*.gif' -o -name '*.bmp' -o -name '*.webp' \) -exec cp -n {} "$corpus"/ \; 2>/dev/null || true
    max_len=65536
    ;;
  *)
    echo "unknown target: $target (convert_bytes, names or logo_bytes)" >&2
    exit 2
    ;;
esac

toolchain=+nightly
rustup toolchain list | grep -q '^nightly' || { toolchain=; export RUSTC_BOOTSTRAP=1; }

unset CARGO_TARGET_DIR # the fuzz crate builds in fuzz/target, apart from the main build
exec cargo $toolchain fuzz run "$target" -- \
  -max_total_time="$seconds" -max_len="$max_len" -timeout=20 -rss_limit_mb=2048 \
  -print_final_stats=1
