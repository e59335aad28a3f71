#!/usr/bin/env bash
# make-fixtures.sh: regenerate the audio test fixtures in tests/fixtures/ and their README.md.
#
# Needs: bash, coreutils, python3 (3.9+, standard library only), sox, ffmpeg/ffprobe, lame, flac, oggenc (vorbis-tools).
# When run as root, missing tools are installed with apt-get (Debian package names).
# Run from anywhere: it works in the repository root. Rerunning overwrites every file it makes.
# The tests do not need any of these tools: the generated files are committed.
#
# Reproducibility: files written by scripts/wavgen.py and by sox (-R -D, no dither, no timestamp)
# are byte-for-byte reproducible anywhere. Encoded files (MP3, FLAC, Ogg, M4A, AIFF) are reproducible
# with the same encoder versions: lame, flac and oggenc embed their version string, and ffmpeg's AAC
# encoder (float maths, SIMD paths) may change its bytes between ffmpeg versions or CPUs.
# Fixed settings keep them deterministic: lame --noreplaygain, oggenc -s 1 (fixed stream serial),
# ffmpeg -fflags +bitexact -flags:a +bitexact -map_metadata -1. SHA256SUMS records the bytes made here.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."

# shellcheck source=scripts/lib/need-tools.sh
source scripts/lib/need-tools.sh
# command:package pairs
need_tools sox:sox soxi:sox ffmpeg:ffmpeg ffprobe:ffmpeg lame:lame flac:flac \
           oggenc:vorbis-tools python3:python3

F=tests/fixtures
B=$F/bad
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$F" "$B"

WG="python3 scripts/wavgen.py"
SOX="sox -R -D"
FF="ffmpeg -nostdin -v error -y"
FFX="-fflags +bitexact -flags:a +bitexact -map_metadata -1"

# Size of the ID3v2 tag at the start of a file (10-byte header + synchsafe size).
id3v2_size() {
  local b
  read -r -a b < <(od -An -tu1 -j6 -N4 "$1")
  echo $((10 + (b[0] << 21 | b[1] << 14 | b[2] << 7 | b[3])))
}

ROWS=()
BADROWS=()
# fx FILE FORMAT SIGNAL EXPECT COMMAND: run COMMAND (one string, eval'd) and record a README row.
fx() {
  local file=$1 format=$2 signal=$3 expect=$4 cmd=$5
  eval "$cmd"
  [[ -f $file ]] || { echo "not made: $file" >&2; exit 1; }
  cmd=${cmd//"$T"/\$T}
  local row="| \`${file#"$F"/}\` | $format | $signal | $expect | \`${cmd//|/\\|}\` |"
  if [[ $file == "$B"/* ]]; then BADROWS+=("$row"); else ROWS+=("$row"); fi
}

S1K="1 kHz sine, amplitude 0.5 (peak −6.02 dBFS, RMS −9.03 dBFS)"
L1K="1 kHz at −6.02 dBFS"

# src COMMAND: make a temporary source shared by several fixtures and record it for the README.
SRCS=()
src() {
  eval "$1"
  local cmd=${1//"$T"/\$T}
  SRCS+=("- \`$cmd\`")
}

# --- shared sources (temporary) ------------------------------------------------------------
src "$WG $T/st441_1s.wav --rate 44100 --frames 44100 --enc s16 --ch sine:1000:0.5 --ch sine:1000:0.5"
src "$WG $T/m8k.wav --rate 8000 --frames 4000 --enc s16 --ch sine:1000:0.5"
src "$WG $T/m22k.wav --rate 22050 --frames 11025 --enc s16 --ch sine:1000:0.5"
src "python3 scripts/tinypng.py $T/cover.png"

# --- WAV: sample formats ------------------------------------------------------------------------
fx $F/sine1k_8k_u8_mono.wav "WAV PCM u8, 8000 Hz, 1 ch" "$S1K, 0.5 s" \
  "4000 frames → 8000 at 16 kHz (upsampled: warning); $L1K" \
  "$WG $F/sine1k_8k_u8_mono.wav --rate 8000 --frames 4000 --enc u8 --ch sine:1000:0.5"
fx $F/sine1k_8k_s16_mono.wav "WAV PCM s16, 8000 Hz, 1 ch" "$S1K, 0.5 s" \
  "4000 frames → 8000 (upsampled: warning); $L1K" \
  "$WG $F/sine1k_8k_s16_mono.wav --rate 8000 --frames 4000 --enc s16 --ch sine:1000:0.5"
fx $F/sine1k_16k_s16_mono.wav "WAV PCM s16, 16000 Hz, 1 ch" "$S1K, 0.5 s" \
  "8000 frames → 8000; no resampling; $L1K" \
  "$WG $F/sine1k_16k_s16_mono.wav --rate 16000 --frames 8000 --enc s16 --ch sine:1000:0.5"
fx $F/lcg_16k_s16_mono.wav "WAV PCM s16, 16000 Hz, 1 ch" \
  "pseudo-random integers (wavgen \`lcg:1\`, see above), −16384…16383, 0.5 s" \
  "8000 frames; with no gain, trim or normalisation the .sln must equal the data chunk byte for byte (the 16000 bytes after the 44-byte header)" \
  "$WG $F/lcg_16k_s16_mono.wav --rate 16000 --frames 8000 --enc s16 --ch lcg:1"
fx $F/sine1k_22k05_s16_mono.wav "WAV PCM s16, 22050 Hz, 1 ch" "$S1K, 0.5 s" \
  "11025 frames → 8000; $L1K" \
  "$WG $F/sine1k_22k05_s16_mono.wav --rate 22050 --frames 11025 --enc s16 --ch sine:1000:0.5"
fx $F/sine1k_44k1_s16_mono.wav "WAV PCM s16, 44100 Hz, 1 ch" "$S1K, 0.5 s (quality reference)" \
  "22050 frames → 8000; $L1K; the source's own 16-bit rounding noise is ≈ −101 dBFS RMS (≈ 92 dB below the tone)" \
  "$WG $F/sine1k_44k1_s16_mono.wav --rate 44100 --frames 22050 --enc s16 --ch sine:1000:0.5"
fx $F/sine1k_48k_s16_mono.wav "WAV PCM s16, 48000 Hz, 1 ch" "$S1K, 0.5 s (quality reference)" \
  "24000 frames → 8000; $L1K" \
  "$WG $F/sine1k_48k_s16_mono.wav --rate 48000 --frames 24000 --enc s16 --ch sine:1000:0.5"
fx $F/sine1k_96k_s16_mono.wav "WAV PCM s16, 96000 Hz, 1 ch" "$S1K, 0.25 s" \
  "24000 frames → 4000; $L1K" \
  "$WG $F/sine1k_96k_s16_mono.wav --rate 96000 --frames 24000 --enc s16 --ch sine:1000:0.5"
fx $F/sine1k_44k1_s16_stereo.wav "WAV PCM s16, 44100 Hz, 2 ch" "$S1K in both channels (L = R), 0.25 s" \
  "11025 frames → 4000; mono mix $L1K (average of equal channels)" \
  "$WG $F/sine1k_44k1_s16_stereo.wav --rate 44100 --frames 11025 --enc s16 --ch sine:1000:0.5 --ch sine:1000:0.5"
fx $F/sine1k_48k_s16_stereo.wav "WAV PCM s16, 48000 Hz, 2 ch" "$S1K in both channels (L = R), 0.25 s" \
  "12000 frames → 4000; mono mix $L1K" \
  "$WG $F/sine1k_48k_s16_stereo.wav --rate 48000 --frames 12000 --enc s16 --ch sine:1000:0.5 --ch sine:1000:0.5"
fx $F/sine1k_48k_s24_mono.wav "WAV PCM s24 (format tag 1), 48000 Hz, 1 ch" "$S1K, 0.25 s" \
  "12000 frames → 4000; $L1K" \
  "$WG $F/sine1k_48k_s24_mono.wav --rate 48000 --frames 12000 --enc s24 --ch sine:1000:0.5"
fx $F/sine1k_48k_s32_mono.wav "WAV PCM s32 (format tag 1), 48000 Hz, 1 ch" "$S1K, 0.25 s" \
  "12000 frames → 4000; $L1K" \
  "$WG $F/sine1k_48k_s32_mono.wav --rate 48000 --frames 12000 --enc s32 --ch sine:1000:0.5"
fx $F/sine1k_48k_f32_mono.wav "WAV IEEE float 32 (tag 3, 18-byte fmt, fact chunk), 48000 Hz, 1 ch" "$S1K, 0.25 s" \
  "12000 frames → 4000; $L1K" \
  "$WG $F/sine1k_48k_f32_mono.wav --rate 48000 --frames 12000 --enc f32 --ch sine:1000:0.5"
fx $F/sine1k_48k_f64_mono.wav "WAV IEEE float 64 (tag 3, 18-byte fmt, fact chunk), 48000 Hz, 1 ch" "$S1K, 0.25 s" \
  "12000 frames → 4000; $L1K" \
  "$WG $F/sine1k_48k_f64_mono.wav --rate 48000 --frames 12000 --enc f64 --ch sine:1000:0.5"
fx $F/sine1k_8k_ulaw_mono.wav "WAV µ-law (tag 7), 8000 Hz, 1 ch" "$S1K, 0.5 s, via G.711 µ-law" \
  "4000 frames → 8000 (upsampled: warning); RMS −9.03 ± 0.1 dB (sample peak −5.8 dB: G.711 steps)" \
  "$SOX $T/m8k.wav -e mu-law $F/sine1k_8k_ulaw_mono.wav"
fx $F/sine1k_8k_alaw_mono.wav "WAV A-law (tag 6), 8000 Hz, 1 ch" "$S1K, 0.5 s, via G.711 A-law" \
  "4000 frames → 8000 (upsampled: warning); RMS −9.03 ± 0.1 dB (sample peak −5.8 dB: G.711 steps)" \
  "$SOX $T/m8k.wav -e a-law $F/sine1k_8k_alaw_mono.wav"
fx $F/sine1k_22k05_ima_mono.wav "WAV IMA ADPCM (tag 0x11), 22050 Hz, 1 ch" "$S1K, 0.5 s, via 4-bit IMA ADPCM" \
  "fact chunk says 11025 frames (→ 8000); the data is 22 blocks of 505 frames = 11110 frames, what a decoder that ignores the fact chunk returns (ffmpeg does); RMS −9.03 ± 0.1 dB" \
  "$SOX $T/m22k.wav -e ima-adpcm $F/sine1k_22k05_ima_mono.wav"
fx $F/sine1k_22k05_msadpcm_mono.wav "WAV MS ADPCM (tag 2), 22050 Hz, 1 ch" "$S1K, 0.5 s, via 4-bit MS ADPCM" \
  "fact chunk says 11025 frames (→ 8000); the data is 11 blocks of 1012 frames = 11132 frames, what a decoder that ignores the fact chunk returns (ffmpeg does); RMS −9.03 ± 0.1 dB" \
  "$SOX $T/m22k.wav -e ms-adpcm $F/sine1k_22k05_msadpcm_mono.wav"

# --- WAV: channel layouts --------------------------------------------------------------------
fx $F/tones_48k_s24ext_3ch.wav "WAV EXTENSIBLE (PCM s24, mask 0x7 = FL FR FC), 48000 Hz, 3 ch" \
  "FL 500 Hz, FR 700 Hz, FC 1000 Hz, each amplitude 0.25 (−12.04 dBFS), 0.25 s" \
  "12000 frames → 4000; the mono mix holds 500/700/1000 Hz at 0.25 × each channel's downmix coefficient" \
  "$WG $F/tones_48k_s24ext_3ch.wav --rate 48000 --frames 12000 --enc s24 --extensible 0x7 --ch sine:500:0.25 --ch sine:700:0.25 --ch sine:1000:0.25"
fx $F/tones_48k_s16ext_5p1.wav "WAV EXTENSIBLE (PCM s16, mask 0x3F = FL FR FC LFE BL BR), 48000 Hz, 6 ch" \
  "FL 500 Hz, FR 700 Hz, FC 1000 Hz, LFE 60 Hz, BL 1300 Hz, BR 1700 Hz, each amplitude 0.25 (−12.04 dBFS), 0.25 s" \
  "12000 frames → 4000; coefficient of channel c = (amplitude of its tone in the mono output) / 0.25" \
  "$WG $F/tones_48k_s16ext_5p1.wav --rate 48000 --frames 12000 --enc s16 --extensible 0x3F --ch sine:500:0.25 --ch sine:700:0.25 --ch sine:1000:0.25 --ch sine:60:0.25 --ch sine:1300:0.25 --ch sine:1700:0.25"
fx $F/antiphase1k_48k_s16_stereo.wav "WAV PCM s16, 48000 Hz, 2 ch" \
  "L = $S1K; R = −L exactly, 0.25 s" \
  "12000 frames → 4000; (L+R)/2 is digital silence: expect the silent-output warning/error" \
  "$WG $F/antiphase1k_48k_s16_stereo.wav --rate 48000 --frames 12000 --enc s16 --ch sine:1000:0.5 --ch sine:1000:-0.5"
fx $F/silence_48k_s16_mono.wav "WAV PCM s16, 48000 Hz, 1 ch" "digital silence (all zero), 0.25 s" \
  "12000 frames → 4000 zero samples; expect the silent-output warning/error" \
  "$WG $F/silence_48k_s16_mono.wav --rate 48000 --frames 12000 --enc s16 --ch zero"

# --- WAV: odd headers --------------------------------------------------------------------------
fx $F/sine1k_44k1_s16_mono_listinfo.wav "WAV PCM s16, 44100 Hz, 1 ch; fmt, LIST/INFO, data" \
  "$S1K, 0.25 s; LIST/INFO (INAM 13 bytes and ICMT 17 bytes, each odd-sized and padded; IART 10 bytes) between fmt and data" \
  "11025 frames → 4000; $L1K; the INFO text never reaches the audio" \
  "$WG $F/sine1k_44k1_s16_mono_listinfo.wav --rate 44100 --frames 11025 --enc s16 --ch sine:1000:0.5 --info 'INAM=Fixture tone' --info IART=ringforge --info 'ICMT=LIST before data'"
fx $F/sine1k_44k1_s16_mono_oddchunk.wav "WAV PCM s16, 44100 Hz, 1 ch; fmt, 'xtra' (13 bytes + pad), data" \
  "$S1K, 0.25 s; an unknown chunk of odd size 13, padded to 14 as RIFF requires, before data" \
  "11025 frames → 4000; $L1K (a reader that ignores the pad byte loses data alignment)" \
  "$WG $F/sine1k_44k1_s16_mono_oddchunk.wav --rate 44100 --frames 11025 --enc s16 --ch sine:1000:0.5 --chunk 'xtra=odd: 13 bytes'"

# --- WAV: quality probes --------------------------------------------------------------------------
fx $F/twotone1k12k_48k_s16_mono.wav "WAV PCM s16, 48000 Hz, 1 ch" \
  "1 kHz + 12 kHz sines, amplitude 0.25 each (−12.04 dBFS), 0.25 s" \
  "12000 frames → 4000; 1 kHz at −12.04 dBFS; 12 kHz is above the 8 kHz Nyquist limit and must vanish (its alias would be at 4 kHz): 4 kHz below −90 dBFS (SoX's rate: below −200 dBFS)" \
  "$WG $F/twotone1k12k_48k_s16_mono.wav --rate 48000 --frames 12000 --enc s16 --ch sine:1000:0.25+sine:12000:0.25"
fx $F/impulse_k12000_48k_f32_mono.wav "WAV IEEE float 32, 48000 Hz, 1 ch" \
  "single impulse of 0.5 at frame 12000 (0.25 s), zeros elsewhere, 0.5 s" \
  "24000 frames → 8000; output peak at frame 4000 exactly (zero-lag resampler); peak ≈ 0.16 (0.5 × the kept band, ≈ 2 × 7.6 kHz / 48 kHz; SoX gives 0.159)" \
  "$WG $F/impulse_k12000_48k_f32_mono.wav --rate 48000 --frames 24000 --enc f32 --ch impulse:12000:0.5"

# --- AIFF ---------------------------------------------------------------------------------------------
fx $F/sine1k_44k1_s16be_mono.aiff "AIFF PCM s16 big-endian, 44100 Hz, 1 ch" "$S1K, 0.25 s" \
  "11025 frames → 4000; $L1K" \
  "$WG $T/a.wav --rate 44100 --frames 11025 --enc s16 --ch sine:1000:0.5 && $FF -i $T/a.wav -c:a pcm_s16be $FFX $F/sine1k_44k1_s16be_mono.aiff"

# --- MP3 ---------------------------------------------------------------------------------------------
TAGS="--tt 'Fixture tone' --ta ringforge --tl 'ringforge fixtures' --ty 2024 --ti $T/cover.png"
fx $F/sine1k_44k1_cbr128_stereo_id3.mp3 "MP3 CBR 128 kb/s joint stereo, 44100 Hz, 2 ch; ID3v2.3 (title, artist, album, year, 16×16 PNG cover in APIC) + ID3v1 at the end; LAME/Info header" \
  "$S1K, L = R, 1.0 s" \
  "44100 frames with gapless trimming (→ 16000); RMS −9.48 dBFS per channel, 0.45 dB below the source (LAME 3.100 at 128 kb/s on a pure tone), so allow ± 0.6 dB; tags and cover are not audio" \
  "lame --quiet --noreplaygain -b 128 $TAGS $T/st441_1s.wav $F/sine1k_44k1_cbr128_stereo_id3.mp3"
fx $F/sine1k_44k1_vbrv2_stereo_id3.mp3 "MP3 VBR (-V 2), 44100 Hz, 2 ch; ID3v2.3 only (title, artist, album, year, PNG cover); Xing/LAME header" \
  "$S1K, L = R, 1.0 s" \
  "44100 frames with gapless trimming (→ 16000); RMS −9.03 ± 0.1 dB per channel" \
  "lame --quiet --noreplaygain -V 2 --id3v2-only $TAGS $T/st441_1s.wav $F/sine1k_44k1_vbrv2_stereo_id3.mp3"
fx $F/gapless_sine1k_44k1_cbr128_mono.mp3 "MP3 CBR 128 kb/s, 44100 Hz, 1 ch; LAME/Info header (encoder delay 576, padding in the tag), no ID3" \
  "$S1K, exactly 1.000 s" \
  "exactly 44100 frames once the LAME delay/padding are honoured (1152 × 40 = 46080 decoded without) → exactly 16000; RMS −9.48 dBFS (see the CBR note above)" \
  "$WG $T/g.wav --rate 44100 --frames 44100 --enc s16 --ch sine:1000:0.5 && lame --quiet --noreplaygain -b 128 $T/g.wav $F/gapless_sine1k_44k1_cbr128_mono.mp3"
fx $F/click_k11025_44k1_cbr128_mono.mp3 "MP3 CBR 128 kb/s, 44100 Hz, 1 ch; LAME/Info header" \
  "silence with one impulse of 0.5 at frame 11025 (0.250 s), 0.5 s" \
  "22050 frames; decoded peak at frame 11025 exactly (ffmpeg agrees); after conversion the peak sits at frame 4000" \
  "$WG $T/k.wav --rate 44100 --frames 22050 --enc s16 --ch impulse:11025:0.5 && lame --quiet --noreplaygain -b 128 $T/k.wav $F/click_k11025_44k1_cbr128_mono.mp3"

fx $F/hotmaster_44k1_cbr128_stereo.mp3 "MP3 CBR 128 kb/s joint stereo, 44100 Hz, 2 ch; LAME/Info header" \
  "a \"hot master\": L = 440 Hz at amplitude 4 + 1760 Hz at 0.3, R = 440 Hz at 4 + 2640 Hz at 0.3, hard-clipped at full scale by the 16-bit quantiser (nearly square: flat tops at ±32767/−32768 for about 85 % of each cycle), 1.0 s" \
  "44100 frames (→ 16000); decoded samples overshoot full scale (the codec rebuilds the flat tops with ripple) and so does the resampled mix: by default no clipped samples and a gain reduction reported; with --clip a clip count" \
  "$WG $T/hot.wav --rate 44100 --frames 44100 --enc s16 --ch sine:440:4+sine:1760:0.3 --ch sine:440:4+sine:2640:0.3 && lame --quiet --noreplaygain -b 128 $T/hot.wav $F/hotmaster_44k1_cbr128_stereo.mp3"

# --- FLAC ---------------------------------------------------------------------------------------------
FLAC="flac --silent --best --no-padding -f"
fx $F/sine1k_44k1_flac16_mono.flac "FLAC 16-bit, 44100 Hz, 1 ch" "$S1K, 0.5 s" \
  "22050 frames → 8000; $L1K; decodes bit-exact to the s16 source values" \
  "$WG $T/f1.wav --rate 44100 --frames 22050 --enc s16 --ch sine:1000:0.5 && $FLAC -o $F/sine1k_44k1_flac16_mono.flac $T/f1.wav"
fx $F/sine1k_48k_flac24_stereo.flac "FLAC 24-bit, 48000 Hz, 2 ch" "$S1K, L = R, 0.5 s" \
  "24000 frames → 8000; $L1K" \
  "$WG $T/f2.wav --rate 48000 --frames 24000 --enc s24 --extensible 0x3 --ch sine:1000:0.5 --ch sine:1000:0.5 && $FLAC -o $F/sine1k_48k_flac24_stereo.flac $T/f2.wav"
fx $F/sine1k_96k_flac24_mono.flac "FLAC 24-bit, 96000 Hz, 1 ch" "$S1K, 0.25 s" \
  "24000 frames → 4000; $L1K" \
  "$WG $T/f3.wav --rate 96000 --frames 24000 --enc s24 --extensible 0x4 --ch sine:1000:0.5 && $FLAC -o $F/sine1k_96k_flac24_mono.flac $T/f3.wav"
fx $F/sine1k_192k_flac24_mono.flac "FLAC 24-bit, 192000 Hz, 1 ch" "$S1K, 0.25 s" \
  "48000 frames → 4000; $L1K" \
  "$WG $T/f4.wav --rate 192000 --frames 48000 --enc s24 --extensible 0x4 --ch sine:1000:0.5 && $FLAC -o $F/sine1k_192k_flac24_mono.flac $T/f4.wav"
# Coverage for the FLAC frame decoder (tests/flac.rs compares it with symphonia's, bit for bit):
# 8-bit, six channels, LPC orders above 12 with left/side and mid/side frames, and FLAC in Ogg,
# Matroska and MP4 (each container hands the frames over its own way).
fx $F/sine1k_8k_flac8_mono.flac "FLAC 8-bit, 8000 Hz, 1 ch" "$S1K, 0.5 s" \
  "4000 frames → 8000 (upsampled: warning); $L1K" \
  "$WG $T/f5.wav --rate 8000 --frames 4000 --enc u8 --ch sine:1000:0.5 && $FLAC -o $F/sine1k_8k_flac8_mono.flac $T/f5.wav"
fx $F/tones_48k_flac16_5p1.flac "FLAC 16-bit, 48000 Hz, 6 ch (channel mask 0x3F: FL FR FC LFE BL BR)" \
  "500, 700, 1000, 60, 1300, 1700 Hz sines at amplitude 0.25, one per channel, 0.1 s" \
  "4800 frames → 1600; the 5.1 downmix" \
  "$WG $T/f6.wav --rate 48000 --frames 4800 --enc s16 --extensible 0x3F --ch sine:500:0.25 --ch sine:700:0.25 --ch sine:1000:0.25 --ch sine:60:0.25 --ch sine:1300:0.25 --ch sine:1700:0.25 && $FLAC -o $F/tones_48k_flac16_5p1.flac $T/f6.wav"
fx $F/tones_44k1_flac16_stereo_lpc32.flac "FLAC 16-bit, 44100 Hz, 2 ch; \`--lax -l 32 -e\`: LPC orders 12 to 31, left/side and mid/side frames (\`flac -a\` lists them)" \
  "L = 440 Hz at 0.3 + 1320 Hz at 0.2 + 2750 Hz at 0.1 + 5100 Hz at 0.05; R the same with 6200 Hz instead of 5100 Hz; 0.25 s" \
  "11025 frames → 4000; decodes bit-exact to the s16 source values" \
  "$WG $T/f7.wav --rate 44100 --frames 11025 --enc s16 --ch sine:440:0.3+sine:1320:0.2+sine:2750:0.1+sine:5100:0.05 --ch sine:440:0.3+sine:1320:0.2+sine:2750:0.1+sine:6200:0.05 && $FLAC --lax -l 32 -e -o $F/tones_44k1_flac16_stereo_lpc32.flac $T/f7.wav"
src "$WG $T/f24st.wav --rate 48000 --frames 4800 --enc s24 --extensible 0x3 --ch sine:1000:0.5 --ch sine:1500:0.5 && $FLAC -o $T/f24st.flac $T/f24st.wav"
fx $F/tones_48k_flac24_stereo_ogg.oga "Ogg FLAC 24-bit, 48000 Hz, 2 ch (stream serial 1)" \
  "L = 1 kHz, R = 1.5 kHz, amplitude 0.5, 0.1 s" "4800 frames → 1600" \
  "$FLAC --ogg --serial-number=1 -o $F/tones_48k_flac24_stereo_ogg.oga $T/f24st.wav"
fx $F/tones_48k_flac24_stereo_mkv.mka "Matroska, FLAC 24-bit, 48000 Hz, 2 ch (the frames of \`\$T/f24st.flac\`)" \
  "L = 1 kHz, R = 1.5 kHz, amplitude 0.5, 0.1 s" "4800 frames → 1600" \
  "$FF -i $T/f24st.flac -c:a copy $FFX $F/tones_48k_flac24_stereo_mkv.mka"
fx $F/tones_48k_flac24_stereo_mp4.mp4 "MP4, FLAC 24-bit (\`fLaC\` sample entry), 48000 Hz, 2 ch (the frames of \`\$T/f24st.flac\`)" \
  "L = 1 kHz, R = 1.5 kHz, amplitude 0.5, 0.1 s" "4800 frames → 1600" \
  "$FF -i $T/f24st.flac -c:a copy -strict experimental $FFX $F/tones_48k_flac24_stereo_mp4.mp4"

# --- Ogg Vorbis, M4A ----------------------------------------------------------------------------------
fx $F/sine1k_44k1_vorbis_stereo.ogg "Ogg Vorbis q4, 44100 Hz, 2 ch (stream serial 1)" "$S1K, L = R, 1.0 s" \
  "44100 frames (granule positions; oggdec and sox agree; ffmpeg 5.1 returns 43972) → 16000; RMS −9.03 ± 0.2 dB per channel" \
  "oggenc -Q -q 4 -s 1 -o $F/sine1k_44k1_vorbis_stereo.ogg $T/st441_1s.wav"
fx $F/sine1k_44k1_aac_stereo.m4a "M4A (MP4) AAC-LC 128 kb/s (ffmpeg native encoder), 44100 Hz, 2 ch" "$S1K, L = R, 1.0 s" \
  "44100 frames (→ 16000) when the edit list is honoured (elst: skip 1024 priming frames, keep 1.000 s); without it 45 AAC frames = 46080 and the tone starts 1024 frames late (ffmpeg 5.1 returns 45056); RMS −9.03 ± 0.2 dB per channel" \
  "$FF -i $T/st441_1s.wav -c:a aac -b:a 128k $FFX $F/sine1k_44k1_aac_stereo.m4a"

# --- Corrupt and hostile inputs (bad/) -----------------------------------------------------------------
fx $B/empty.wav "zero bytes" "nothing" "a decode error naming the file; no panic" \
  ": > $B/empty.wav"
fx $B/random_bytes.mp3 "4096 pseudo-random bytes (Python random.Random(1))" "noise bytes, no valid header" \
  "an error, or at most a few bogus frames if a lenient MP3 sync finds 0xFFE patterns; no panic, no hang" \
  "python3 -c 'import random,sys; sys.stdout.buffer.write(random.Random(1).randbytes(4096))' > $B/random_bytes.mp3"
fx $B/text.mp3 "plain ASCII text" "no audio" "an unsupported-format error; no panic" \
  "printf 'This is not an MP3 file. It is a text file with an .mp3 name.\\n' > $B/text.mp3"
fx $B/id3_only.mp3 "an ID3v2.3 tag (with cover art) and nothing else" "no audio frames" \
  "an error (no audio / no track); no panic" \
  "head -c \"\$(id3v2_size $F/sine1k_44k1_cbr128_stereo_id3.mp3)\" $F/sine1k_44k1_cbr128_stereo_id3.mp3 > $B/id3_only.mp3"
fx $B/truncated.flac "FLAC 16-bit 44100 Hz mono, first 3/5 of the file" \
  "$S1K; STREAMINFO claims 44100 frames, the file stops inside a frame (flac -t fails)" \
  "an error, or the frames before the cut (fewer than 44100) with a warning; no panic" \
  "$WG $T/tr.wav --rate 44100 --frames 44100 --enc s16 --ch sine:1000:0.5 && $FLAC -o $T/tr.flac $T/tr.wav && head -c \$((\$(stat -c%s $T/tr.flac) * 3 / 5)) $T/tr.flac > $B/truncated.flac"
fx $B/data_size_too_big.wav "WAV PCM s16, 16000 Hz, 1 ch; data chunk claims 1000000 bytes, 3200 present" \
  "$S1K, 1600 frames present" \
  "either the 1600 frames present (lenient) or an error; no over-allocation, no panic" \
  "$WG $B/data_size_too_big.wav --rate 16000 --frames 1600 --enc s16 --ch sine:1000:0.5 --hdr-data-size 1000000"
fx $B/zero_channels.wav "WAV PCM s16 whose fmt claims 0 channels (block align 0, byte rate 0)" \
  "3200 bytes of a 16 kHz 1 kHz sine" "an error (invalid channel count); no division by zero, no panic" \
  "$WG $B/zero_channels.wav --rate 16000 --frames 1600 --enc s16 --ch sine:1000:0.5 --hdr-channels 0"
fx $B/zero_rate.wav "WAV PCM s16 mono whose fmt claims 0 Hz (byte rate 0)" \
  "3200 bytes of a 16 kHz 1 kHz sine" "an error (invalid sample rate); no division by zero, no panic" \
  "$WG $B/zero_rate.wav --rate 16000 --frames 1600 --enc s16 --ch sine:1000:0.5 --hdr-rate 0"
fx $B/no_frames.wav "valid WAV PCM s16, 16000 Hz, 1 ch, empty data chunk" "no frames (44-byte file)" \
  "an error or warning that there is no audio (an empty .sln is useless); no panic" \
  "$WG $B/no_frames.wav --rate 16000 --frames 0 --enc s16 --ch zero"
fx $B/truncated_header.wav "first 30 bytes of a WAV: RIFF header, fmt chunk cut short" "no audio" \
  "a decode error; no panic" \
  "head -c 30 $F/sine1k_16k_s16_mono.wav > $B/truncated_header.wav"
# Inputs found by fuzzing (fuzz/, scripts/fuzz.sh), minimised with cargo fuzz tmin; kept as bytes.
fx $B/fuzz_msadpcm_delta_overflow.wav "WAV MS ADPCM, 22050 Hz, 1 ch, 96 bytes; block preamble with a huge delta" \
  "noise; found by the convert_bytes fuzz target" \
  "an error or a short noisy tone; no crash. symphonia 0.6.1's MS ADPCM decoder overflows i32 multiplying the delta: a panic in builds with overflow checks (contained: the file's error says the decoder failed), wrapping arithmetic in release builds" \
  "printf %s UklGRlIWAABXQVZFZm10IDIAAAACAAEAIlYAAJQrAAAAAgQAIAD0AwcAAAEAAAACAP8AAAD/////////OQDMATD/iAEYAGRhdGEAFgAABVM0/b2+7v6AgICAgICAEzYk | base64 -d > $B/fuzz_msadpcm_delta_overflow.wav"
fx $B/fuzz_float_huge_sample.wav "WAV IEEE float 32, 48000 Hz, 1 ch, 74 bytes; fact chunk; a sample of 3.5e13" \
  "a few absurd float samples; found by the convert_bytes fuzz target" \
  "a tone (clipped, with a warning) or an error; no panic. The resampler's FFT overflowed to NaN and rubato panicked until decoding clamped float samples to ±1024 (60 dB over full scale)" \
  "printf %s UklGRrK7AABXQVZFZm10IBIAAAADAAEAgLsAAAD/9QAEACAAAABmYWN0BAAAAOAuAABkYXRhgLsAAAAAAP//Vc/9vgAA//+ohb0= | base64 -d > $B/fuzz_float_huge_sample.wav"

# --- sanity checks on what the tools made -------------------------------------------------------------
frames() { ffmpeg -nostdin -v error -i "$1" -f s16le -ac 1 - | wc -c | awk '{print $1/2}'; }
check() { [[ $2 == "$3" ]] || { echo "check failed: $1: got $2, want $3" >&2; exit 1; }; }
check "gapless mp3 frames" "$(frames $F/gapless_sine1k_44k1_cbr128_mono.mp3)" 44100
check "cbr mp3 frames" "$(frames $F/sine1k_44k1_cbr128_stereo_id3.mp3)" 44100
check "click position" "$(ffmpeg -nostdin -v error -i $F/click_k11025_44k1_cbr128_mono.mp3 -f s16le - | python3 -c '
import struct, sys
d = sys.stdin.buffer.read(); v = struct.unpack("<%dh" % (len(d) // 2), d)
print(max(range(len(v)), key=lambda i: abs(v[i])))')" 11025
check "vorbis frames (sox)" "$(soxi -s $F/sine1k_44k1_vorbis_stereo.ogg)" 44100
check "ima codec" "$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 $F/sine1k_22k05_ima_mono.wav)" adpcm_ima_wav
if flac --silent -t $B/truncated.flac 2>/dev/null; then echo "truncated.flac decodes cleanly" >&2; exit 1; fi
check "id3_only has no audio" "$(ffprobe -v error -select_streams a:0 -show_entries stream=codec_name -of csv=p=0 $B/id3_only.mp3 2>/dev/null | grep -c mp3 || true)" 0

# --- README and checksums -------------------------------------------------------------------------------
{
  cat <<'EOF'
# Test fixtures

Generated by `scripts/make-fixtures.sh` (run from the repository root; it needs sox, ffmpeg, lame,
flac, oggenc and python3, and installs them with apt-get when run as root). **Do not edit by hand**:
change the script and rerun it; this README is written by the same script. Tests need none of those
tools: the files are committed.

Conventions:

- Names: `<signal>_<rate>_<encoding>_<channels>[_<variant>].<ext>`; rates as `8k`, `22k05`, `44k1`,
  `48k`, `96k`, `192k`. Every file stem is unique, so converting the whole folder cannot collide on ids.
  `bad/` holds corrupt and hostile inputs, kept apart so folder tests of good files can skip it.
- Signals come from `scripts/wavgen.py` (Python stdlib, exact formulas in its header):
  sine `x[n] = A·sin(2π·f·n/rate)` from phase 0; integers are `round(x·2^(bits−1))` (half-to-even),
  clamped; u8 adds 128; no dither anywhere, so the PCM WAV, AIFF and FLAC files hold exactly those values.
- Levels: amplitude 0.5 is −6.02 dBFS peak and RMS 0.35355 = −9.03 dBFS (a sample may fall just
  below the crest). "→ N" is the expected output length at 16 kHz, `ceil(frames × 16000 / rate)`.
- `lcg:SEED`: `state = (state·1664525 + 1013904223) mod 2^32` (advanced once before each frame, starting
  from SEED), sample = `(i16)(state >> 16) >> 1` (arithmetic shift). In Rust:
  `s = s.wrapping_mul(1664525).wrapping_add(1013904223); let v = ((s >> 16) as u16 as i16) >> 1;`
- Lossy files (MP3, Vorbis, AAC, ADPCM, G.711) keep the level within the stated tolerance; their
  sample values are not exact.
- Reproducibility: wavgen and sox (`-R -D`) outputs are byte-identical on every rerun anywhere;
  MP3/FLAC/Ogg/M4A/AIFF are byte-identical with the same lame/flac/oggenc/ffmpeg versions (they were
  with the versions below on reruns here). `SHA256SUMS` lists the bytes as committed.
- Commands are shown as the script ran them, from the repository root. `$T` is the script's temporary
  folder; `id3v2_size` (a function in the script) reads the tag size from an ID3v2 header.

EOF
  echo "Made with: $(sox --version 2>&1 | tr -s ' ' | sed 's/^sox: //'), $(ffmpeg -version | head -1 | cut -d' ' -f1-3),"
  echo "$(lame --version | head -1 | cut -d'(' -f1 | sed 's/ *$//'), $(flac --version), $(oggenc --version), Python $(python3 -c 'import platform; print(platform.python_version())')."
  echo
  echo "Temporary sources shared by several fixtures:"
  echo
  printf '%s\n' "${SRCS[@]}"
  echo
  echo "## Good inputs"
  echo
  echo "| file | format | signal | a test should expect | command |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${ROWS[@]}"
  echo
  echo "## Corrupt and hostile inputs (\`bad/\`)"
  echo
  echo "Every one must give a per-file error (or the stated lenient result) and never a panic, hang or huge allocation."
  echo
  echo "| file | format | signal | a test should expect | command |"
  echo "|---|---|---|---|---|"
  printf '%s\n' "${BADROWS[@]}"
} > $F/README.md

(cd $F && find . -type f ! -name README.md ! -name SHA256SUMS | LC_ALL=C sort | sed 's|^\./||' | xargs sha256sum) > $F/SHA256SUMS

echo "fixtures written to $F: $(find $F -type f | wc -l) files, $(du -sb $F | cut -f1) bytes" >&2
