#!/usr/bin/env bash
# compare.sh: time ringforge against SoX and ffmpeg on the same batch, on this machine, in one run.
#
# What it does:
#   1. installs what is missing (sox + its MP3 support, ffmpeg, lame, flac, GNU time) with apt-get
#      when run as root, and builds ringforge with `cargo build --release`;
#   2. makes a batch of ringtone-length sources (default 120 files of 30 s: MP3, FLAC and WAV, 44.1
#      and 48 kHz stereo, in nested folders) under the work folder, once (kept for reruns);
#   3. runs every tool on the whole batch, interleaved (ringforge, sox -h, sox -v, ffmpeg,
#      ffmpeg+soxr, then again), each under /usr/bin/time; the other tools run one process per file
#      through `xargs -P <cores>`, ringforge runs once with all cores;
#   4. checks that every tool wrote one output per input, and prints the median wall time, CPU time
#      (user + system, children included), peak memory and the ratio to ringforge;
#   5. unless --no-extra: ringforge alone on 10 vs 1,000 files (peak memory must not grow with the
#      batch), and on a one-hour 48 kHz stereo WAV (CPU time and memory of the oversize path) and a
#      31 s one.
#
# Peak memory is GNU time's %M: the largest resident set of any single process of the command.
# For `xargs -P N` that is one tool process; N of them run at once, so their sum is up to N times.
#
# Usage: scripts/compare.sh [--files N] [--rounds N] [--jobs N] [--dir DIR] [--no-extra | --only-extra]
#                           [--per-format] [--markdown]
#   --files N   sources in the batch (default 120, at least 100 for the published table)
#   --rounds N  interleaved rounds; the median is reported (default 3)
#   --jobs N    parallel processes/threads for every tool (default: nproc)
#   --dir DIR   work folder (default target/compare; it is git-ignored)
#   --no-extra / --only-extra   skip step 5 / run only step 5
#   --per-format  also time each format alone on one core: ringforge (one process, -j 1) against
#               sox -h (one process per file), CPU milliseconds per file
#   --markdown  also print the table as Markdown (for docs/PERFORMANCE.md)
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
ROOT=$PWD

FILES=120
ROUNDS=3
JOBS=$(nproc)
DIR=target/compare
EXTRA=1
COMPARE=1
PER_FORMAT=0
MARKDOWN=0
while (($#)); do
  case $1 in
    --files) FILES=$2; shift 2 ;;
    --rounds) ROUNDS=$2; shift 2 ;;
    --jobs) JOBS=$2; shift 2 ;;
    --dir) DIR=$2; shift 2 ;;
    --no-extra) EXTRA=0; shift ;;
    --only-extra) COMPARE=0; shift ;;
    --markdown) MARKDOWN=1; shift ;;
    --per-format) PER_FORMAT=1; shift ;;
    -h | --help) sed -n '2,/^set -e/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "unknown argument: $1 (see --help)" >&2; exit 2 ;;
  esac
done
mkdir -p "$DIR"
DIR=$(cd "$DIR" && pwd)

# --- tools --------------------------------------------------------------------------------------
need=()
command -v sox >/dev/null || need+=(sox libsox-fmt-mp3)
command -v sox >/dev/null && ! sox -h 2>&1 | grep -q 'FORMATS:.* mp3' && need+=(libsox-fmt-mp3)
command -v ffmpeg >/dev/null || need+=(ffmpeg)
command -v lame >/dev/null || need+=(lame)
command -v flac >/dev/null || need+=(flac)
[[ -x /usr/bin/time ]] && /usr/bin/time -f %M true >/dev/null 2>&1 || need+=(time)
# shellcheck source=scripts/lib/need-tools.sh
source scripts/lib/need-tools.sh
install_packages "${need[@]}"
if ! ffmpeg -hide_banner -h filter=aresample 2>/dev/null | grep -q soxr; then
  echo "note: this ffmpeg has no soxr; the ffmpeg+soxr rows will fail" >&2
fi

echo "building ringforge (cargo build --release)…" >&2
cargo build --release --quiet
TARGET_DIR=$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')
RF=$TARGET_DIR/release/ringforge
[[ -x $RF ]] || { echo "no ringforge binary at $RF" >&2; exit 1; }

# --- the batch ----------------------------------------------------------------------------------
# Three distinct 30 s stereo programmes per rate (different sweeps, tones and noise in each
# channel: full-band content, like music), each encoded once per format; the batch cycles through
# format, rate and programme and spreads the files over nested folders.
DATA=$DIR/data-$FILES
make_batch() {
  local src=$DIR/src tmp=$DATA.tmp
  rm -rf "$src" "$tmp"
  mkdir -p "$src" "$tmp"
  local rate v
  for rate in 44100 48000; do
    for v in 0 1 2; do
      local lo=$((100 + 60 * v)) hi=$((6000 + 4000 * v))
      sox -R -n -r "$rate" -c 2 -b 16 "$src/p${v}_$rate.wav" \
        synth 30 sine "$lo-$hi" pinknoise synth 30 sine mix $((300 + 110 * v)) \
        tremolo $((3 + v)) 40 gain -6
      lame --quiet --noreplaygain -b 192 "$src/p${v}_$rate.wav" "$src/p${v}_$rate.mp3"
      flac --silent -f -o "$src/p${v}_$rate.flac" "$src/p${v}_$rate.wav"
    done
  done
  local i fmts=(mp3 flac wav) rates=(44100 48000)
  for ((i = 0; i < FILES; i++)); do
    local fmt=${fmts[i % 3]} r=${rates[(i / 3) % 2]} p=$(((i / 6) % 3))
    local sub=$tmp/group$((i % 4))/set$(((i / 4) % 3))
    mkdir -p "$sub"
    cp "$src/p${p}_$r.$fmt" "$sub/tone$(printf %04d "$i").$fmt"
  done
  rm -rf "$src"
  mv "$tmp" "$DATA"
}
if [[ ! -d $DATA ]]; then
  echo "making $FILES sources in $DATA…" >&2
  make_batch
fi
(cd "$DATA" && find . -type f | sort | sed 's|^\./||') >"$DIR/list-$FILES"
NIN=$(wc -l <"$DIR/list-$FILES")
AUDIO_S=$((NIN * 30))
# Read everything once so every tool starts with the files in the page cache.
cat $(sed "s|^|$DATA/|" "$DIR/list-$FILES") >/dev/null

# --- the tools, one command each (run from inside $DATA; $1 is the output folder) ---------------
mirror() { (cd "$DATA" && find . -type d) | (cd "$1" && xargs mkdir -p); }
run_ringforge() { "$RF" convert -q -j "$JOBS" -o "$1" "$DATA"; }
run_sox() { # $1 out, $2 quality flag
  mirror "$1"
  xargs -P "$JOBS" -I{} sox {} -t raw -L -r 16000 -e signed-integer -b 16 -c 1 "$1/{}.sln" rate "$2" <"$DIR/list-$FILES"
}
run_sox_h() { run_sox "$1" -h; }
run_sox_v() { run_sox "$1" -v; }
run_ffmpeg() {
  mirror "$1"
  xargs -P "$JOBS" -I{} ffmpeg -nostdin -v error -y -i {} -ac 1 -ar 16000 -f s16le -c:a pcm_s16le "$1/{}.sln" <"$DIR/list-$FILES"
}
run_ffmpeg_soxr() {
  mirror "$1"
  xargs -P "$JOBS" -I{} ffmpeg -nostdin -v error -y -i {} -af aresample=resampler=soxr:precision=28 -ac 1 -ar 16000 -f s16le -c:a pcm_s16le "$1/{}.sln" <"$DIR/list-$FILES"
}
export -f mirror run_ringforge run_sox run_sox_h run_sox_v run_ffmpeg run_ffmpeg_soxr
export RF JOBS DATA DIR FILES
TOOLS=(ringforge sox_h sox_v ffmpeg ffmpeg_soxr)
declare -A LABEL=(
  [ringforge]="ringforge convert -j $JOBS"
  [sox_h]="sox ... rate -h (xargs -P $JOBS)"
  [sox_v]="sox ... rate -v (xargs -P $JOBS)"
  [ffmpeg]="ffmpeg swr (xargs -P $JOBS)"
  [ffmpeg_soxr]="ffmpeg soxr p28 (xargs -P $JOBS)"
)

# timed OUTDIR FUNCTION: runs the tool's function (in a fresh bash, inside $DATA) under GNU time;
# prints "wall cpu maxrss_kb"
timed() {
  local out=$1 fn=$2
  rm -rf "$out"
  mkdir -p "$out"
  local t=$DIR/time.$$
  (cd "$DATA" && /usr/bin/time -f '%e %U %S %M' -o "$t" bash -c "$fn \"\$1\"" _ "$out") || {
    echo "command failed: $fn (exit $?)" >&2
  }
  tail -n 1 "$t" | awk '{ printf "%s %.2f %s\n", $1, $2 + $3, $4 }'
  rm -f "$t"
}

# median "1 3 2" → 2
median() { tr ' ' '\n' <<<"$1" | grep . | sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

declare -A WALL CPU MEM COUNT
status=0
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1); load: $(cut -d' ' -f1-3 /proc/loadavg)" >&2
echo "batch: $NIN files, $AUDIO_S s of audio; $ROUNDS interleaved rounds" >&2
if ((COMPARE)); then
for ((round = 1; round <= ROUNDS; round++)); do
  for tool in "${TOOLS[@]}"; do
    out=$DIR/out-$tool
    read -r w c m < <(timed "$out" "run_$tool")
    WALL[$tool]+="$w "
    CPU[$tool]+="$c "
    MEM[$tool]+="$m "
    COUNT[$tool]=$(find "$out" -type f -name '*.sln' | wc -l)
    printf '  round %d %-14s wall %6.2f s  cpu %7.2f s  maxrss %6d KB  outputs %d\n' \
      "$round" "$tool" "$w" "$c" "$m" "${COUNT[$tool]}" >&2
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" >&2

rf_wall=$(median "${WALL[ringforge]}")
rf_cpu=$(median "${CPU[ringforge]}")
printf '\n%-34s %8s %8s %8s %8s %10s %10s %10s\n' tool "wall s" "cpu s" "peak MB" outputs "audio/wall" "wall/rf" "cpu/rf"
rows=()
for tool in "${TOOLS[@]}"; do
  w=$(median "${WALL[$tool]}")
  c=$(median "${CPU[$tool]}")
  m=$(median "${MEM[$tool]}")
  mb=$(awk -v m="$m" 'BEGIN { printf "%.1f", m / 1024 }')
  rt=$(awk -v a="$AUDIO_S" -v w="$w" 'BEGIN { printf "%.0f", a / w }')
  ratio=$(awk -v w="$w" -v r="$rf_wall" 'BEGIN { printf "%.2f", w / r }')
  cratio=$(awk -v c="$c" -v r="$rf_cpu" 'BEGIN { printf "%.2f", c / r }')
  printf '%-34s %8.2f %8.2f %8s %8d %9s× %10s %10s\n' "${LABEL[$tool]}" "$w" "$c" "$mb" "${COUNT[$tool]}" "$rt" "$ratio" "$cratio"
  rows+=("| ${LABEL[$tool]} | $w | $c | $mb | ${COUNT[$tool]} | $rt× | $ratio | $cratio |")
  if [[ ${COUNT[$tool]} -ne $NIN ]]; then
    echo "error: $tool wrote ${COUNT[$tool]} outputs for $NIN inputs" >&2
    status=1
  fi
done
if ((MARKDOWN)); then
  echo
  echo "| tool | wall s | CPU s | peak MB (one process) | outputs | audio s per wall s | wall ÷ ringforge | CPU ÷ ringforge |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|"
  printf '%s\n' "${rows[@]}"
fi
fi

# --- per format, one core ----------------------------------------------------------------------
if ((PER_FORMAT)); then
  echo
  echo "one core, CPU ms per 30 s file (median of $ROUNDS; user + system):"
  for ext in wav flac mp3; do
    list=$DIR/list-$FILES-$ext
    grep "\.$ext\$" "$DIR/list-$FILES" >"$list"
    n=$(wc -l <"$list")
    fdir=$DIR/fmt-$ext
    rm -rf "$fdir" && mkdir -p "$fdir"
    i=0
    while read -r f; do ln "$DATA/$f" "$fdir/t$i.$ext"; i=$((i + 1)); done <"$list"
    rs="" ss=""
    for ((round = 1; round <= ROUNDS; round++)); do
      rm -rf "$DIR/out-fmt" && mkdir -p "$DIR/out-fmt"
      /usr/bin/time -f '%U %S' -o "$DIR/t" "$RF" convert -q -j 1 -o "$DIR/out-fmt" "$fdir"
      rs+="$(tail -n 1 "$DIR/t" | awk -v n="$n" '{ print ($1 + $2) * 1000 / n }') "
      /usr/bin/time -f '%U %S' -o "$DIR/t" bash -c 'for f in "$1"/*; do sox "$f" -t raw -L -r 16000 -e signed-integer -b 16 -c 1 "$2/x.sln" rate -h; done' _ "$fdir" "$DIR/out-fmt"
      ss+="$(tail -n 1 "$DIR/t" | awk -v n="$n" '{ print ($1 + $2) * 1000 / n }') "
    done
    r=$(median "$rs") s=$(median "$ss")
    printf '  %-5s %3d files: ringforge %6.1f ms  sox -h %6.1f ms  ratio %.2f\n' "$ext" "$n" "$r" "$s" \
      "$(awk -v r="$r" -v s="$s" 'BEGIN { print s / r }')"
  done
fi

# --- extra: memory against batch size, and a one-hour source ------------------------------------
if ((EXTRA)); then
  echo
  echo "ringforge alone (median of $ROUNDS):"
  # 10 files, and 1,000 files as hard links of the batch (no extra disk) in nested folders.
  for n in 10 1000; do
    set_dir=$DIR/many-$n
    if [[ ! -d $set_dir ]]; then
      mkdir -p "$set_dir.tmp"
      for ((i = 0; i < n; i++)); do
        f=$(sed -n "$((i % NIN + 1))p" "$DIR/list-$FILES")
        d=$set_dir.tmp/g$((i % 10))
        mkdir -p "$d"
        ln "$DATA/$f" "$d/t$(printf %04d "$i").${f##*.}"
      done
      mv "$set_dir.tmp" "$set_dir"
    fi
    ws="" cs="" ms=""
    for ((round = 1; round <= ROUNDS; round++)); do
      rm -rf "$DIR/out-many"
      /usr/bin/time -f '%e %U %S %M' -o "$DIR/t" "$RF" convert -q -j "$JOBS" -o "$DIR/out-many" "$set_dir"
      read -r w u s m < <(tail -n 1 "$DIR/t")
      ws+="$w " cs+="$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }') " ms+="$m "
    done
    got=$(find "$DIR/out-many" -name '*.sln' | wc -l)
    printf '  %4d files: wall %6.2f s  cpu %7.2f s  peak %6.1f MB  outputs %d\n' "$n" \
      "$(median "$ws")" "$(median "$cs")" "$(awk -v m="$(median "$ms")" 'BEGIN { print m / 1024 }')" "$got"
  done
  # A one-hour 48 kHz stereo WAV (691 MB), and a 31 s one, made once.
  hour=$DIR/hour/one-hour-48k-stereo.wav
  if [[ ! -f $hour ]]; then
    mkdir -p "$DIR/hour"
    sox -R -n -r 48000 -c 2 -b 16 "$hour.tmp.wav" synth 3600 sine 200-6000 pinknoise gain -6
    mv "$hour.tmp.wav" "$hour"
  fi
  short=$DIR/short/thirty-one-s-48k-stereo.wav
  if [[ ! -f $short ]]; then
    mkdir -p "$DIR/short"
    sox -R -n -r 48000 -c 2 -b 16 "$short" synth 31 sine 200-6000 pinknoise gain -6
  fi
  # With fit-to-size (`--on-oversize fit`) the hour is cut to the cap; without it, or with
  # `--on-oversize error`, the file is refused once the decoded part passes the cap.
  runs=("$hour|" "$short|")
  if "$RF" convert --help | grep -q -- '--on-oversize'; then
    runs=("$hour|--on-oversize fit" "$hour|--on-oversize error" "$short|--on-oversize fit")
  fi
  for run in "${runs[@]}"; do
    src=${run%%|*}
    read -r -a flags <<<"${run#*|}"
    ws="" cs="" ms="" rc=0
    for ((round = 1; round <= ROUNDS; round++)); do
      rm -rf "$DIR/out-one"
      rc=0
      /usr/bin/time -f '%e %U %S %M' -o "$DIR/t" "$RF" convert -q -j 1 "${flags[@]}" -o "$DIR/out-one" "$src" 2>"$DIR/err" || rc=$?
      read -r w u s m < <(tail -n 1 "$DIR/t")
      ws+="$w " cs+="$(awk -v u="$u" -v s="$s" 'BEGIN { print u + s }') " ms+="$m "
    done
    bytes=$(find "$DIR/out-one" -name '*.sln' -printf '%s' 2>/dev/null || true)
    printf '  %s %s: wall %5.2f s  cpu %5.2f s  peak %6.1f MB  exit %d  output %s bytes\n' \
      "$(basename "$src")" "${flags[*]}" "$(median "$ws")" "$(median "$cs")" \
      "$(awk -v m="$(median "$ms")" 'BEGIN { print m / 1024 }')" "$rc" "${bytes:-no}"
    [[ -s $DIR/err ]] && sed 's/^/      /' "$DIR/err" | head -3
  done
fi
exit $status
