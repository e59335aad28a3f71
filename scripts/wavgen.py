#!/usr/bin/env python3
"""wavgen: write test-signal WAV files with exactly known sample values.

Needs: Python 3.8+ standard library only.

Used by scripts/make-fixtures.sh. Every channel's signal is given with one
--ch option; all arithmetic is plain IEEE double, so the values a test must
expect can be recomputed from the formulas below.

Signals (one --ch per channel, in channel order):
  sine:F:A        x[n] = A * sin(2*pi*F*n/rate)            (phase 0 at frame 0)
  zero            x[n] = 0
  impulse:K:A     x[K] = A, every other frame 0
  SIG+SIG         the sum of two (or more) signals in one channel
  lcg:SEED        pseudo-random 16-bit values, exact integers:
                    state = (state * 1664525 + 1013904223) mod 2**32   (state starts at SEED)
                    v     = int16(state >> 16) >> 1                    (arithmetic shift; -16384..16383)
                    x[n]  = v / 32768   (so s16 output holds v exactly)
                  the state is advanced once before the first frame.

Quantisation (no dither):
  uN/sN  integer = round(x * 2**(bits-1)), clamped to the type's range,
         u8 then offset by +128 (round() is Python's round-half-even)
  f32/f64  IEEE float, little-endian

Header controls, for odd and hostile files:
  --extensible MASK   WAVE_FORMAT_EXTENSIBLE (0xFFFE) with that dwChannelMask
  --info KEY=VALUE    adds a LIST/INFO sub-chunk (repeatable), written between fmt and data
  --chunk ID=TEXT     adds a chunk ID holding TEXT (ASCII) between fmt and data;
                      an odd size gets the RIFF pad byte (repeatable)
  --hdr-channels N    claim N channels in fmt (block align and byte rate follow the claim)
  --hdr-rate N        claim N Hz in fmt (byte rate follows the claim)
  --hdr-data-size N   claim N bytes in the data chunk header, whatever follows
"""

import argparse
import math
import struct
import sys

ENCODINGS = {
    # name: (bits, wave format tag, struct code or None for int packing)
    "u8": (8, 1, None),
    "s16": (16, 1, None),
    "s24": (24, 1, None),
    "s32": (32, 1, None),
    "f32": (32, 3, "<f"),
    "f64": (64, 3, "<d"),
}

GUID_TAIL = b"\x00\x00\x10\x00\x80\x00\x00\xaa\x00\x38\x9b\x71"


def parse_signal(spec, rate, frames):
    if "+" in spec:  # a sum of signals in one channel
        parts = [parse_signal(s, rate, frames) for s in spec.split("+")]
        return [sum(v) for v in zip(*parts)]
    parts = spec.split(":")
    kind = parts[0]
    if kind == "sine":
        f, a = float(parts[1]), float(parts[2])
        return [a * math.sin(2.0 * math.pi * f * n / rate) for n in range(frames)]
    if kind == "zero":
        return [0.0] * frames
    if kind == "impulse":
        k, a = int(parts[1]), float(parts[2])
        if not 0 <= k < frames:
            sys.exit(f"impulse frame {k} outside 0..{frames - 1}")
        out = [0.0] * frames
        out[k] = a
        return out
    if kind == "lcg":
        state = int(parts[1]) & 0xFFFFFFFF
        out = []
        for _ in range(frames):
            state = (state * 1664525 + 1013904223) & 0xFFFFFFFF
            v = state >> 16
            if v >= 0x8000:
                v -= 0x10000
            out.append((v >> 1) / 32768.0)
        return out
    sys.exit(f"unknown signal {spec!r}")


def quantise(x, enc):
    bits, _tag, code = ENCODINGS[enc]
    if code:
        return struct.pack(code, x)
    full = 1 << (bits - 1)
    if enc == "u8":
        v = max(0, min(255, round(x * 128) + 128))
        return bytes([v])
    v = max(-full, min(full - 1, round(x * full)))
    return v.to_bytes(bits // 8, "little", signed=True)


def chunk(cid, payload):
    assert len(cid) == 4
    data = cid + struct.pack("<I", len(payload)) + payload
    if len(payload) % 2:
        data += b"\x00"
    return data


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out")
    ap.add_argument("--rate", type=int, required=True)
    ap.add_argument("--frames", type=int, required=True)
    ap.add_argument("--enc", choices=sorted(ENCODINGS), required=True)
    ap.add_argument("--ch", action="append", required=True, help="signal of one channel")
    ap.add_argument("--extensible", type=lambda s: int(s, 0))
    ap.add_argument("--info", action="append", default=[])
    ap.add_argument("--chunk", action="append", default=[])
    ap.add_argument("--hdr-channels", type=int)
    ap.add_argument("--hdr-rate", type=int)
    ap.add_argument("--hdr-data-size", type=int)
    a = ap.parse_args()

    bits, tag, _ = ENCODINGS[a.enc]
    nch = len(a.ch)
    chans = [parse_signal(s, a.rate, a.frames) for s in a.ch]
    data = bytearray()
    for n in range(a.frames):
        for c in range(nch):
            data += quantise(chans[c][n], a.enc)

    h_ch = nch if a.hdr_channels is None else a.hdr_channels
    h_rate = a.rate if a.hdr_rate is None else a.hdr_rate
    block = h_ch * bits // 8
    fmt = struct.pack("<HHIIHH", 0xFFFE if a.extensible is not None else tag,
                      h_ch, h_rate, h_rate * block, block, bits)
    if a.extensible is not None:
        fmt += struct.pack("<HHI", 22, bits, a.extensible) + struct.pack("<I", tag) + GUID_TAIL
    elif tag != 1:  # WAVEFORMATEX: non-PCM formats carry cbSize (0 here), an 18-byte fmt chunk
        fmt += struct.pack("<H", 0)
    chunks = chunk(b"fmt ", fmt)
    if tag != 1:  # non-PCM: the spec wants a fact chunk with the frame count
        chunks += chunk(b"fact", struct.pack("<I", a.frames))
    if a.info:
        info = b"INFO"
        for kv in a.info:
            k, v = kv.split("=", 1)
            info += chunk(k.encode("ascii"), v.encode("utf-8") + b"\x00")
        chunks += chunk(b"LIST", info)
    for kv in a.chunk:
        k, v = kv.split("=", 1)
        chunks += chunk(k.encode("ascii"), v.encode("ascii"))
    dsize = len(data) if a.hdr_data_size is None else a.hdr_data_size
    body = chunks + b"data" + struct.pack("<I", dsize) + bytes(data)
    if len(data) % 2:
        body += b"\x00"
    riff = b"RIFF" + struct.pack("<I", 4 + len(body)) + b"WAVE" + body
    with open(a.out, "wb") as f:
        f.write(riff)


if __name__ == "__main__":
    main()
