#!/usr/bin/env bash
# ci-tools.sh: installs, in one go, every tool the legs of .ci/run after `cargo test` need, so
# that .ci/run can run it in the background while the first legs compile. Each leg's own script
# still checks for what it needs (and installs what is missing), so this is only a head start.
#
#   Debian packages (when run as root): ffmpeg (scripts/check-loudness.sh); chromium,
#   chromium-driver, python3-venv (scripts/browser-test.sh, scripts/test-js.sh); php-cli, curl
#   (scripts/test-php.sh); qemu-user, gcc-aarch64-linux-gnu, libc6-dev-arm64-cross, nodejs, npm
#   (scripts/cross-check.sh, scripts/test-js.sh).
# (The Rust targets are added by .ci/run itself, before anything runs beside it: rustup does not
# lock its toolchain folder against a second rustup.)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
# shellcheck source=scripts/lib/need-tools.sh
source scripts/lib/need-tools.sh

need_tools ffmpeg:ffmpeg chromium:chromium chromedriver:chromium-driver php:php-cli curl:curl \
  qemu-x86_64:qemu-user qemu-aarch64:qemu-user aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu \
  node:nodejs npm:npm python3:python3
[[ -e /usr/aarch64-linux-gnu/lib/libc.so.6 ]] || install_packages libc6-dev-arm64-cross
python3 -m venv --help >/dev/null 2>&1 || install_packages python3-venv
echo "ci-tools: everything installed"
