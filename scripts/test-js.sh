#!/usr/bin/env bash
# test-js.sh: builds the npm package (bindings/js: the library for wasm32-unknown-unknown and
# its JavaScript wrapper), runs its `node --test` suite, then drives the example page
# (bindings/js/example) in headless Chromium. Installs Node.js and Chromium with apt-get when
# missing, and the Rust target with rustup.
#
# Usage: scripts/test-js.sh [SCREENSHOT.png]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/need-tools.sh
source scripts/lib/need-tools.sh
need_tools node:nodejs npm:npm chromium:chromium
SHOT=${1:-$PWD/target/js-example.png}

cd bindings/js
npm install --no-audit --no-fund --loglevel=error
npm run --silent build
npm test
# The wrapper crate's own unit tests, natively (its dependencies are built already by .ci/run).
(cd ../.. && cargo test --locked --quiet -p ringforge-js)
npm run --silent test:browser -- "$SHOT"
