#!/usr/bin/env python3
"""tinypng: write a small deterministic RGB PNG (default 16x16), for MP3 cover-art fixtures.

Needs: Python 3 standard library only (zlib, struct).
Usage: python3 scripts/tinypng.py OUT.png [SIZE]
The picture is a fixed colour gradient: pixel (x, y) = (16*x mod 256, 16*y mod 256, 128).
"""

import struct
import sys
import zlib


def png_chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def main():
    out = sys.argv[1]
    size = int(sys.argv[2]) if len(sys.argv) > 2 else 16
    raw = bytearray()
    for y in range(size):
        raw.append(0)  # filter type: none
        for x in range(size):
            raw += bytes(((16 * x) % 256, (16 * y) % 256, 128))
    png = b"\x89PNG\r\n\x1a\n"
    png += png_chunk(b"IHDR", struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0))
    png += png_chunk(b"IDAT", zlib.compress(bytes(raw), 9))
    png += png_chunk(b"IEND", b"")
    with open(out, "wb") as f:
        f.write(png)


if __name__ == "__main__":
    main()
