#!/usr/bin/env python3
"""dynamics: music-like test material for loudness normalisation (tests/fixtures/loudness/).

Needs: Python 3.8+ standard library only.

Usage: python3 scripts/dynamics.py PIECE OUT.wav [--rate HZ]
Pieces:
  orchestral  12 s: a soft string pad (around -38 dBFS RMS) that swells, with timpani strokes
              and two tutti chords peaking near -1 dBFS: its peaks stand about 25 dB above its
              loudness, the case a true-peak ceiling alone cannot bring to -16 LUFS.
  hotmaster   8 s: a dense, loud mix (kick, bass, chords, hats) driven into a soft clipper and
              a hard ceiling at -0.1 dBFS, as loud masters are: about -8 LUFS, crest around 8 dB.

Deterministic: random.Random with a fixed seed, IEEE double arithmetic, written as 16-bit PCM
(round half to even) without dither. Original material of this project.
"""

import argparse
import math
import random
import struct
import wave


def note(f, t, harmonics):
    return sum(a * math.sin(2 * math.pi * f * k * t) for k, a in harmonics)


def orchestral(rate):
    n = 12 * rate
    rng = random.Random(17)
    out = [0.0] * n
    chords = [(0.0, [196.0, 246.9, 293.7]), (4.0, [174.6, 220.0, 261.6]),
              (8.0, [164.8, 207.7, 246.9])]
    strings = [(1, 1.0), (2, 0.5), (3, 0.33), (4, 0.2), (5, 0.12)]
    # The pad: slow swells, a little vibrato.
    for i in range(n):
        t = i / rate
        start, freqs = max(c for c in chords if c[0] <= t)
        swell = 0.5 - 0.5 * math.cos(2 * math.pi * (t - start) / 4.0)
        level = 0.004 + 0.012 * swell
        vib = 1.0 + 0.003 * math.sin(2 * math.pi * 5.5 * t)
        out[i] = level * sum(note(f * vib, t, strings) for f in freqs)
    # Timpani strokes: a damped low drum with a mallet thump.
    for at, amp in [(1.5, 0.35), (3.0, 0.5), (5.5, 0.3), (9.5, 0.45), (10.25, 0.6)]:
        s0 = int(at * rate)
        for j in range(int(1.2 * rate)):
            if s0 + j >= n:
                break
            t = j / rate
            env = math.exp(-t / 0.35)
            thump = math.exp(-t / 0.01) * (rng.random() * 2 - 1) * 0.5
            out[s0 + j] += amp * env * (math.sin(2 * math.pi * 98.0 * t)
                                        + 0.4 * math.sin(2 * math.pi * 147.0 * t) + thump)
    # Two tutti chords: brass and strings together, a sharp attack and a 1.5 s decay.
    brass = [(1, 1.0), (2, 0.8), (3, 0.6), (4, 0.45), (5, 0.3), (6, 0.2), (7, 0.12)]
    for at, freqs in [(6.0, [130.8, 261.6, 329.6, 392.0]), (11.0, [98.0, 196.0, 293.7, 392.0])]:
        s0 = int(at * rate)
        for j in range(int(1.0 * rate)):
            if s0 + j >= n:
                break
            t = j / rate
            env = min(1.0, t / 0.02) * math.exp(-t / 0.5)
            out[s0 + j] += 0.06 * env * sum(note(f, t, brass) for f in freqs)
    return normalise(out, -1.0)


def hotmaster(rate):
    n = 8 * rate
    rng = random.Random(23)
    out = [0.0] * n
    beat = 60.0 / 128.0
    bass = [55.0, 55.0, 65.4, 49.0]
    pad = [[220.0, 277.2, 329.6], [220.0, 277.2, 329.6], [261.6, 329.6, 392.0],
           [196.0, 246.9, 293.7]]
    for i in range(n):
        t = i / rate
        bar = int(t / (4 * beat)) % 4
        tb = t % beat
        kick = math.exp(-tb / 0.08) * math.sin(2 * math.pi * (50.0 + 120.0 * math.exp(-tb / 0.02)) * tb)
        off = (t + beat / 2) % beat
        hat = math.exp(-off / 0.015) * (rng.random() * 2 - 1)
        b = 0.8 * math.sin(2 * math.pi * bass[bar] * t) + 0.3 * math.sin(4 * math.pi * bass[bar] * t)
        chords = 0.25 * sum(math.sin(2 * math.pi * f * t) + 0.3 * math.sin(4 * math.pi * f * t)
                            for f in pad[bar])
        x = 1.1 * kick + 0.7 * b + chords + 0.25 * hat
        out[i] = math.tanh(1.6 * x)  # the "mastering": a soft clipper…
    peak = max(abs(v) for v in out)
    ceiling = 10 ** (-0.1 / 20)
    return [max(-ceiling, min(ceiling, v / peak * 1.12)) for v in out]  # …then a hard ceiling


def normalise(x, dbfs):
    peak = max(abs(v) for v in x)
    g = 10 ** (dbfs / 20) / peak
    return [v * g for v in x]


PIECES = {"orchestral": orchestral, "hotmaster": hotmaster}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("piece", choices=sorted(PIECES))
    ap.add_argument("out")
    ap.add_argument("--rate", type=int, default=44100)
    a = ap.parse_args()
    x = PIECES[a.piece](a.rate)
    with wave.open(a.out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(a.rate)
        w.writeframes(b"".join(struct.pack("<h", max(-32768, min(32767, round(v * 32768)))) for v in x))


if __name__ == "__main__":
    main()
