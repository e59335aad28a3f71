#!/usr/bin/env bash
# cross-check.sh: the same bytes on every machine, shown on this one.
#
# Converts the golden set (tests/golden/cases.rs: every fixture and asset, with the options that
# shape the sound) with the library built five ways, and compares every MD5 with the committed
# tests/golden/MD5SUMS:
#   native          this machine's CPU (x86-64, usually with AVX2)
#   x86-64 Nehalem  the same binary under `qemu-x86_64 -cpu Nehalem` (SSE4.2, no AVX)
#   x86-64 qemu64   the same binary under `qemu-x86_64 -cpu qemu64` (baseline x86-64: SSE2 only)
#   aarch64         a cross build (aarch64-unknown-linux-gnu) under `qemu-aarch64`
#   wasm32          a wasm32-wasip1 build run by Node's WASI (scripts/wasi-run.mjs)
# It also renders every phone model's logo of assets/logo/ and tests/fixtures/logos/ on each
# native platform and compares them with tests/golden/LOGO-MD5SUMS (the PNG bytes).
# With --batch DIR it also converts every file under DIR with the default options on each
# platform and compares them with the native run (e.g. the 120-file batch of scripts/compare.sh:
# target/compare/data-120).
#
# It installs what is missing (qemu-user, the aarch64 cross linker and C library, Node.js) with
# apt-get when run as root, and the two Rust targets with rustup. Exit status 1 when any MD5
# differs.
#
# Usage: scripts/cross-check.sh [--batch DIR] [--only SUBSTRING]
#   --only SUBSTRING  only the golden cases whose name contains SUBSTRING
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD
# shellcheck source=scripts/lib/need-tools.sh
source scripts/lib/need-tools.sh

BATCH=""
ONLY=()
ONLY_TEXT=""
while (($#)); do
  case $1 in
    --batch) BATCH=$(cd "$2" && pwd); shift 2 ;;
    --only) ONLY=(--only "$2"); ONLY_TEXT=$2; shift 2 ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done

need_tools qemu-x86_64:qemu-user qemu-aarch64:qemu-user aarch64-linux-gnu-gcc:gcc-aarch64-linux-gnu node:nodejs
[[ -e /usr/aarch64-linux-gnu/lib/libc.so.6 ]] || install_packages libc6-dev-arm64-cross
rustup target add aarch64-unknown-linux-gnu wasm32-wasip1 >/dev/null 2>&1 ||
  rustup target list --installed | grep -q wasm32-wasip1

export CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc
echo "building ringforge-crosscheck for x86_64, aarch64 and wasm32-wasip1…" >&2
for target in "" aarch64-unknown-linux-gnu wasm32-wasip1; do
  cargo build --locked --release --quiet -p ringforge-crosscheck ${target:+--target "$target"}
done
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
NATIVE=$TARGET_DIR/release/ringforge-crosscheck
ARM=$TARGET_DIR/aarch64-unknown-linux-gnu/release/ringforge-crosscheck
WASM=$TARGET_DIR/wasm32-wasip1/release/ringforge-crosscheck.wasm

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

# run PLATFORM ARGS...: the crosscheck program's output on PLATFORM, paths seen from the root.
run() {
  local platform=$1
  shift
  case $platform in
    native) "$NATIVE" "$@" ;;
    nehalem) qemu-x86_64 -cpu Nehalem "$NATIVE" "$@" ;;
    qemu64) qemu-x86_64 -cpu qemu64 "$NATIVE" "$@" ;;
    aarch64) qemu-aarch64 -L /usr/aarch64-linux-gnu "$ARM" "$@" ;;
    wasm32)
      # The guest sees the repository as /repo and the batch folder as /batch.
      local maps=(--map "$ROOT=/repo") args=() a
      [[ -z $BATCH ]] || maps+=(--map "$BATCH=/batch")
      for a in "$@"; do
        a=${a/#$ROOT//repo}
        [[ -z $BATCH ]] || a=${a/#$BATCH//batch}
        args+=("$a")
      done
      node --no-warnings scripts/wasi-run.mjs "$WASM" "${maps[@]}" -- "${args[@]}"
      ;;
  esac
}

PLATFORMS=(native nehalem qemu64 aarch64 wasm32)
declare -A LABEL=(
  [native]="x86-64, this CPU ($(grep -o -m1 -w 'avx512f\|avx2\|avx' /proc/cpuinfo | sort -u | tr '\n' ' ' | sed 's/ $//'))"
  [nehalem]="x86-64 Nehalem: SSE4.2, no AVX (qemu)"
  [qemu64]="x86-64 baseline: SSE2 only (qemu)"
  [aarch64]="aarch64 (qemu)"
  [wasm32]="wasm32-wasip1 (Node $(node --version))"
)

# Lines are `MD5  NAME` (32 hex digits, two spaces); names contain spaces.
grep -v '^#' tests/golden/MD5SUMS | awk -v o="$ONLY_TEXT" 'index(substr($0, 35), o)' | sort >"$WORK/want"
failed=0
printf '\n| platform | golden cases | differing from MD5SUMS |\n|---|---:|---:|\n'
for p in "${PLATFORMS[@]}"; do
  run "$p" --root "$ROOT" "${ONLY[@]}" | sort >"$WORK/golden-$p"
  n=$(wc -l <"$WORK/golden-$p")
  d=$(comm -13 "$WORK/want" "$WORK/golden-$p" | wc -l)
  printf '| %s | %d | %d |\n' "${LABEL[$p]}" "$n" "$d"
  if ((d > 0 || n == 0)); then
    failed=1
    diff "$WORK/want" "$WORK/golden-$p" | sed "s/^/    /" | head -20 >&2 || true
  fi
done

# Logos: every platform that runs the ringforge command writes the very PNG bytes of
# LOGO-MD5SUMS. The WebAssembly build makes no logos for any front end (its PNGs skip oxipng,
# whose deflate is C), so it is left out here.
if [[ -z $ONLY_TEXT ]]; then
  grep -v '^#' tests/golden/LOGO-MD5SUMS | sort >"$WORK/logos-want"
  printf '\n| platform | logos (image × model) | differing from LOGO-MD5SUMS |\n|---|---:|---:|\n'
  for p in native nehalem qemu64 aarch64; do
    run "$p" --logos --root "$ROOT" | sort >"$WORK/logos-$p"
    n=$(wc -l <"$WORK/logos-$p")
    d=$(comm -13 "$WORK/logos-want" "$WORK/logos-$p" | wc -l)
    printf '| %s | %d | %d |\n' "${LABEL[$p]}" "$n" "$d"
    if ((d > 0 || n == 0)); then
      failed=1
      diff "$WORK/logos-want" "$WORK/logos-$p" | sed "s/^/    /" | head -20 >&2 || true
    fi
  done
fi

if [[ -n $BATCH ]]; then
  printf '\n| platform | files under %s | differing from native |\n|---|---:|---:|\n' "$BATCH"
  for p in "${PLATFORMS[@]}"; do
    run "$p" --dir "$BATCH" >"$WORK/batch-$p"
    n=$(wc -l <"$WORK/batch-$p")
    d=$(comm -13 <(sort "$WORK/batch-native") <(sort "$WORK/batch-$p") | wc -l)
    printf '| %s | %d | %d |\n' "${LABEL[$p]}" "$n" "$d"
    ((d == 0)) || failed=1
  done
fi

if ((failed)); then
  echo "cross-check: FAILED — some platform makes other bytes (see the diffs above)" >&2
  exit 1
fi
echo "cross-check: every platform made the same bytes"
