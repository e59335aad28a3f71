#!/usr/bin/env bash
# The library's public API, as `cargo doc` shows it (default features, so without the
# unstable-stages modules): documentation without warnings (broken or private links), and no
# type of the decoder crate (symphonia) anywhere in it, so a decoder upgrade cannot change
# ringforge's API.
set -euo pipefail
cd "$(dirname "$0")/.."

RUSTDOCFLAGS="-D warnings" cargo doc --locked --no-deps --lib
if grep -rl --include='*.html' 'symphonia' target/doc/ringforge; then
  echo "error: the pages above show a symphonia item in ringforge's public API" >&2
  exit 1
fi
echo "public API: documented without warnings, no symphonia type"
