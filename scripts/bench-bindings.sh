#!/usr/bin/env bash
# bench-bindings.sh: what the Python and JavaScript packages cost over the Rust library, on a
# 30-second MP3 (made here with sox and lame: plucked chords with noise, 44.1 kHz stereo,
# 128 kb/s; sox -R makes it the same every time) and the 44.1 kHz stereo WAV it was encoded
# from. Each converts the file in memory with the default options N times (default 15) and
# prints the median and the fastest run (the least disturbed by other work on the machine),
# with the MD5, the same in all three. Three rounds, each running the three one after another.
#
# Needs the Python package installed by scripts/test-python.sh and the npm package built by
# scripts/test-js.sh. Installs sox and lame with apt-get when missing.
#
# Usage: scripts/bench-bindings.sh [N]
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
# shellcheck source=scripts/lib/need-tools.sh
source scripts/lib/need-tools.sh
need_tools sox:sox lame:lame
N=${1:-15}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

sox -R -n -r 44100 -c 2 -b 16 "$WORK/song.wav" synth 30 pluck C3 pluck E3 pluck G3 pluck C4 \
  pinknoise remix 1,2,5v0.05 3,4,5v0.05 tremolo 2 40 gain -n -3 2>/dev/null
lame --quiet -b 128 "$WORK/song.wav" "$WORK/song.mp3"
cargo build --locked --release --quiet --no-default-features --example time_convert
TIMER=target/release/examples/time_convert

for round in 1 2 3; do for f in "$WORK/song.mp3" "$WORK/song.wav"; do
  echo "== round $round: $(basename "$f") ($(stat -c %s "$f") bytes)"
  "$TIMER" "$f" "$N"
  target/python-venv/bin/python - "$f" "$N" <<'PY'
import statistics, sys, time, ringforge
path, n = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
hint = path.rsplit(".", 1)[1]
times = []
for _ in range(n):
    t0 = time.perf_counter()
    tone = ringforge.convert(data, hint=hint)
    times.append(time.perf_counter() - t0)
print(f"python median {statistics.median(times) * 1e3:.1f} ms, fastest {min(times) * 1e3:.1f} ms over {n} runs  md5 {tone.md5}")
PY
  node --input-type=module - "$f" "$N" <<'JS'
import { readFileSync } from 'node:fs';
const { convert } = await import(new URL('bindings/js/index.js', `file://${process.cwd()}/`));
const [path, n] = [process.argv[2], Number(process.argv[3])];
const data = readFileSync(path);
const hint = path.split('.').pop();
const times = [];
let tone;
for (let i = 0; i < n; i++) {
  const t0 = performance.now();
  tone = convert(data, { hint });
  times.push(performance.now() - t0);
}
times.sort((a, b) => a - b);
console.log(`node   median ${times[Math.floor(n / 2)].toFixed(1)} ms, fastest ${times[0].toFixed(1)} ms over ${n} runs  md5 ${tone.md5}`);
JS
done; done
