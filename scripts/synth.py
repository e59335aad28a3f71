#!/usr/bin/env python3
"""synth: the small additive synthesiser behind ringforge's sample ringtones (assets/).

Needs: Python 3.8+ standard library only (math, random, wave, argparse).

Usage: python3 scripts/synth.py PIECE OUT.wav [--rate HZ] [--bits 16|24]
Pieces: chime, melody, chords, marimba, double-ring, pbx   (--list prints them)

Every piece is original material of this project, written here note by note. The output is
deterministic: the only randomness (mallet noise) comes from random.Random with a fixed seed, and
all arithmetic is IEEE double. (Only the libm sin/cos/exp of the platform could, in theory, move
a last bit; the result is rounded to 16 or 24 bits, so in practice the bytes are the same.)
Each piece is peak-normalised to its own target level (see PIECES) and written without dither.
"""

import argparse
import cmath
import math
import random
import wave

A4 = 440.0
NOTE_INDEX = {"C": -9, "D": -7, "E": -5, "F": -4, "G": -2, "A": 0, "B": 2}


def hz(name):
    """'A4' -> 440.0, 'F#5', 'Bb3' ... equal temperament."""
    letter, rest = name[0], name[1:]
    semis = NOTE_INDEX[letter]
    while rest and rest[0] in "#b":
        semis += 1 if rest[0] == "#" else -1
        rest = rest[1:]
    return A4 * 2.0 ** ((semis + 12 * (int(rest) - 4)) / 12.0)


class Mix:
    """A stereo float buffer; notes are rendered into it at a time and a pan position."""

    def __init__(self, rate, seconds):
        self.rate = rate
        self.n = int(round(seconds * rate))
        self.left = [0.0] * self.n
        self.right = [0.0] * self.n

    def add(self, t, samples, pan=0.0, gain=1.0):
        """pan -1 (left) .. +1 (right), equal-power law."""
        a = (pan + 1.0) * math.pi / 4.0
        gl, gr = math.cos(a) * gain, math.sin(a) * gain
        start = int(round(t * self.rate))
        end = min(self.n, start + len(samples))
        left, right = self.left, self.right
        for i in range(start, end):
            s = samples[i - start]
            left[i] += gl * s
            right[i] += gr * s


def partial_sum(rate, f, seconds, partials, attack=0.002, release=None, vibrato=None):
    """Sum of decaying sine partials.

    partials: (ratio, amplitude, decay) with decay the time in seconds to fall by 1/e
    (None = no decay). attack: linear fade-in time. release: (hold, fade) = after `hold` seconds
    fade out over `fade` seconds with a raised cosine. vibrato: (rate_hz, depth_ratio, delay_s).
    Partials at or above 0.45 * rate are left out (no aliasing).
    """
    n = int(round(seconds * rate))
    out = [0.0] * n
    for ratio, amp, decay in partials:
        freq = f * ratio
        if freq >= 0.45 * rate:
            continue
        if vibrato is None:
            rot = cmath.exp(2j * math.pi * freq / rate)
            z = complex(1.0, 0.0)  # the sine is z.imag: phase 0 at the first sample
            d = math.exp(-1.0 / (decay * rate)) if decay else 1.0
            env = amp
            for i in range(n):
                out[i] += env * z.imag
                z *= rot
                env *= d
        else:
            vr, depth, vdelay = vibrato
            phase = 0.0
            d = math.exp(-1.0 / (decay * rate)) if decay else 1.0
            env = amp
            w0 = 2.0 * math.pi * freq / rate
            wv = 2.0 * math.pi * vr / rate
            start = int(vdelay * rate)
            for i in range(n):
                out[i] += env * math.sin(phase)
                dep = depth * min(1.0, max(0.0, (i - start) / (0.3 * rate))) if i > start else 0.0
                phase += w0 * (1.0 + dep * math.sin(wv * i))
                env *= d
    shape(out, rate, attack, release)
    return out


def shape(out, rate, attack, release):
    na = max(1, int(attack * rate))
    for i in range(min(na, len(out))):
        out[i] *= i / na
    if release:
        hold, fade = release
        h, nf = int(hold * rate), max(1, int(fade * rate))
        for i in range(h, len(out)):
            k = i - h
            out[i] *= 0.5 * (1.0 + math.cos(math.pi * k / nf)) if k < nf else 0.0


# ---------------------------------------------------------------------------------------------
# Instruments

BELL = [  # (ratio, amplitude, 1/e decay in s): a chime bar with a hum tone and a slow beat
    (0.5, 0.20, 2.6), (1.0, 1.00, 2.0), (1.0016, 0.35, 1.8), (2.0, 0.40, 1.3),
    (2.76, 0.32, 0.8), (3.0, 0.12, 0.7), (4.07, 0.20, 0.5), (5.40, 0.10, 0.3), (6.80, 0.05, 0.2),
]


def bell(rate, f, seconds, brightness=1.0):
    parts = [(r, a * (brightness if r > 2.0 else 1.0), d) for r, a, d in BELL]
    return partial_sum(rate, f, seconds, parts, attack=0.0015)


def marimba(rate, f, rng, seconds=1.2):
    tau = 0.45 * (261.63 / f) ** 0.35
    parts = [(1.0, 1.0, tau), (3.93, 0.30, tau / 6.0), (9.54, 0.10, tau / 20.0)]
    out = partial_sum(rate, f, seconds, parts, attack=0.001)
    # mallet: a few ms of one-pole low-passed seeded noise
    y, k = 0.0, 0.35
    for i in range(int(0.004 * rate)):
        y += k * (rng.uniform(-1.0, 1.0) - y)
        out[i] += 0.25 * y * (1.0 - i / (0.004 * rate))
    return out


def epiano(rate, f, seconds):
    parts = [(1.0, 1.0, 1.4), (2.0, 0.45, 0.6), (3.0, 0.18, 0.35), (4.0, 0.08, 0.2), (7.1, 0.04, 0.05)]
    return partial_sum(rate, f, seconds + 0.12, parts, attack=0.003, release=(seconds, 0.12))


def flute(rate, f, seconds):
    parts = [(float(k), 1.0 / k ** 1.6, None) for k in range(1, 8)]
    out = partial_sum(rate, f, seconds + 0.18, parts, attack=0.035, release=(seconds, 0.18),
                      vibrato=(5.2, 0.004, 0.18))
    # a gentle decay to sustain level 0.75 over the first 0.25 s
    for i in range(len(out)):
        t = i / rate
        out[i] *= 0.75 + 0.25 * math.exp(-t / 0.08)
    return out


def soft_bass(rate, f, seconds):
    parts = [(1.0, 1.0, 1.6), (2.0, 0.3, 0.5), (3.0, 0.08, 0.3)]
    return partial_sum(rate, f, seconds + 0.1, parts, attack=0.01, release=(seconds, 0.1))


# ---------------------------------------------------------------------------------------------
# Pieces

def piece_chime(rate):
    """Front-desk chime: three descending bell strokes (E5 C5 G4), then the last rings out."""
    m = Mix(rate, 5.0)
    for t, note, pan in ((0.00, "E5", -0.25), (0.55, "C5", 0.25), (1.10, "G4", 0.0)):
        m.add(t, bell(rate, hz(note), 5.0 - t), pan=pan)
    return m


def piece_melody(rate):
    """Morning melody: 14 notes in G major at 120 bpm over a soft bass."""
    beat = 0.5
    tune = [("G4", 1), ("B4", 1), ("D5", 1), ("G5", 2), ("F#5", 1), ("E5", 1), ("D5", 2),
            ("B4", 1), ("C5", 1), ("E5", 1), ("D5", 1), ("A4", 1), ("B4", 1), ("G4", 3)]
    m = Mix(rate, sum(b for _, b in tune) * beat + 0.6)
    t = 0.0
    for note, beats in tune:
        m.add(t, flute(rate, hz(note), beats * beat * 0.92), pan=0.05)
        t += beats * beat
    for i, note in enumerate(["G2", "C3", "D3", "G2", "E2", "C3", "D3", "G2"]):
        m.add(i * 2 * beat, soft_bass(rate, hz(note), 2 * beat * 0.95), pan=-0.1, gain=0.5)
    return m


def piece_chords(rate):
    """Evening chords: C, Am, F, G triads with a syncopated stab pattern and a bass root, 120 bpm."""
    beat = 0.5
    prog = [("C", ["C4", "E4", "G4"], "C3"), ("Am", ["A3", "C4", "E4"], "A2"),
            ("F", ["F3", "A3", "C4"], "F2"), ("G", ["G3", "B3", "D4"], "G2")]
    hits = [(0.0, 0.6), (1.5, 0.45), (2.5, 0.6), (3.5, 0.4)]  # (beat, length in beats)
    m = Mix(rate, len(prog) * 4 * beat + 1.2)
    for bar, (_name, triad, root) in enumerate(prog):
        t0 = bar * 4 * beat
        for b, length in hits:
            for j, note in enumerate(triad):
                m.add(t0 + b * beat, epiano(rate, hz(note), length * beat * 1.6), pan=(j - 1) * 0.45, gain=0.6)
        m.add(t0, soft_bass(rate, hz(root), 1.8 * beat), gain=0.9)
        m.add(t0 + 2 * beat, soft_bass(rate, hz(root), 1.8 * beat), gain=0.7)
    # the last chord again, held
    m.add(len(prog) * 4 * beat, epiano(rate, hz("C4"), 0.9), pan=-0.45, gain=0.5)
    m.add(len(prog) * 4 * beat, epiano(rate, hz("E4"), 0.9), pan=0.0, gain=0.5)
    m.add(len(prog) * 4 * beat, epiano(rate, hz("G4"), 0.9), pan=0.45, gain=0.5)
    m.add(len(prog) * 4 * beat, soft_bass(rate, hz("C3"), 0.9), gain=0.9)
    return m


def piece_marimba(rate):
    """Marimba arpeggio: C, Am, F, G, C broken chords in sixteenths (0.125 s), panned by pitch."""
    rng = random.Random(20240607)
    step = 0.125
    shapes = [["C4", "E4", "G4", "C5", "E5", "C5", "G4", "E4"],
              ["A3", "C4", "E4", "A4", "C5", "A4", "E4", "C4"],
              ["F3", "A3", "C4", "F4", "A4", "F4", "C4", "A3"],
              ["G3", "B3", "D4", "G4", "B4", "G4", "D4", "B3"],
              ["C4", "E4", "G4", "C5", "E5", "G5", "C6"]]
    notes = [n for s in shapes for n in s]
    m = Mix(rate, len(notes) * step + 1.4)
    lo, hi = math.log(hz("F3")), math.log(hz("C6"))
    for i, note in enumerate(notes):
        f = hz(note)
        pan = -0.6 + 1.2 * (math.log(f) - lo) / (hi - lo)
        accent = 1.0 if i % 4 == 0 else 0.75
        m.add(i * step, marimba(rate, f, rng), pan=pan, gain=accent)
    return m


def piece_double_ring(rate):
    """Classic double ring: 440 Hz + 480 Hz, cadence 0.4 s on, 0.2 off, 0.4 on, 2.0 off, twice."""
    m = Mix(rate, 6.0)
    for cycle in range(2):
        for on in (0.0, 0.6):
            burst = partial_sum(rate, 440.0, 0.4, [(1.0, 0.5, None), (480.0 / 440.0, 0.5, None)],
                                attack=0.008, release=(0.392, 0.008))
            m.add(cycle * 3.0 + on, burst)
    return m


def piece_pbx(rate):
    """Old PBX warble: 1000/1250 Hz alternating 16 times a second, 0.9 s bursts, twice per 3 s."""
    m = Mix(rate, 6.0)
    for cycle in range(2):
        for on in (0.0, 1.2):
            n = int(0.9 * rate)
            out, phase = [0.0] * n, 0.0
            for i in range(n):
                f = 1000.0 if (i * 32 // rate) % 2 == 0 else 1250.0
                s = 0.0
                for k, a in ((1, 1.0), (2, 0.25), (3, 0.30)):
                    if k * f < 0.45 * rate:
                        s += a * math.sin(k * phase)
                out[i] = s
                phase += 2.0 * math.pi * f / rate
            shape(out, rate, 0.005, (0.895, 0.005))
            m.add(cycle * 3.0 + on, out)
    return m


PIECES = {
    # name: (function, stereo?, peak dBFS)
    "chime": (piece_chime, True, -3.0),
    "melody": (piece_melody, True, -4.0),
    "chords": (piece_chords, True, -5.0),
    "marimba": (piece_marimba, True, -3.5),
    "double-ring": (piece_double_ring, False, -6.0),
    "pbx": (piece_pbx, False, -3.0),
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("piece", nargs="?", choices=sorted(PIECES))
    ap.add_argument("out", nargs="?")
    ap.add_argument("--rate", type=int, default=48000)
    ap.add_argument("--bits", type=int, choices=(16, 24), default=24)
    ap.add_argument("--list", action="store_true")
    a = ap.parse_args()
    if a.list or not a.piece or not a.out:
        for name, (fn, stereo, peak) in PIECES.items():
            print(f"{name:12} {'stereo' if stereo else 'mono  '} peak {peak:+.1f} dBFS  {fn.__doc__}")
        return
    fn, stereo, peak_db = PIECES[a.piece]
    m = fn(a.rate)
    chans = [m.left, m.right] if stereo else [[(l + r) / math.sqrt(2.0) for l, r in zip(m.left, m.right)]]
    peak = max(max(abs(x) for x in c) for c in chans)
    g = 10.0 ** (peak_db / 20.0) / peak
    full = 1 << (a.bits - 1)
    frames = bytearray()
    width = a.bits // 8
    for i in range(m.n):
        for c in chans:
            v = max(-full, min(full - 1, round(c[i] * g * full)))
            frames += v.to_bytes(width, "little", signed=True)
    with wave.open(a.out, "wb") as w:
        w.setnchannels(len(chans))
        w.setsampwidth(width)
        w.setframerate(a.rate)
        w.writeframes(bytes(frames))


if __name__ == "__main__":
    main()
