#!/usr/bin/env python3
"""Draws the package icon (docs/nuget/icon.png, 128x128 RGBA) with the standard library only: a face outline with two
eyes and a smile on a blue rounded square, and four corner marks of a face detector's box. Run: python3 build/make-icon.py"""
import math, struct, zlib, pathlib

N = 128
BLUE, WHITE, CYAN, CLEAR = (31, 78, 121, 255), (255, 255, 255, 255), (127, 209, 255, 255), (0, 0, 0, 0)

def pixel(x, y):
    cx, cy = x + 0.5, y + 0.5
    r = 22  # rounded corners of the background
    qx, qy = max(r - cx, 0, cx - (N - r)), max(r - cy, 0, cy - (N - r))
    if qx * qx + qy * qy > r * r:
        return CLEAR
    for (x0, y0, x1, y1) in [(16, 14, 21, 38), (16, 14, 40, 19), (107, 14, 112, 38), (88, 14, 112, 19),
                             (16, 90, 21, 114), (16, 109, 40, 114), (107, 90, 112, 114), (88, 109, 112, 114)]:
        if x0 <= cx <= x1 and y0 <= cy <= y1:
            return CYAN
    e = ((cx - 64) / 30) ** 2 + ((cy - 64) / 38) ** 2  # the face
    if 0.80 <= e <= 1.0:
        return WHITE
    if (cx - 53) ** 2 + (cy - 56) ** 2 <= 25 or (cx - 75) ** 2 + (cy - 56) ** 2 <= 25:  # eyes
        return WHITE
    d = math.hypot(cx - 64, cy - 70)  # smile: the lower part of a ring
    if 12 <= d <= 16 and cy > 74:
        return WHITE
    return BLUE

rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(N)) for y in range(N))
def chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", N, N, 8, 6, 0, 0, 0)) + chunk(b"IDAT", zlib.compress(rows, 9)) + chunk(b"IEND", b"")
out = pathlib.Path(__file__).resolve().parent.parent / "docs" / "nuget" / "icon.png"
out.write_bytes(png)
print(out, len(png), "bytes")
