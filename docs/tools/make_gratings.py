#!/usr/bin/env python3
"""Writes a toy identity dataset for trying 'facenet train' and 'facenet evaluate' (standard library only).

Each identity is a grating with its own orientation and frequency; each image of it has a random phase, a strong
random colour cast, a brightness ramp and pixel noise. Layout:

  <out>/train/<id>/<id>_0001.png ...   training identities
  <out>/test/<id>/<id>_0001.png ...    other identities, for evaluation
  <out>/pairs.txt                      LFW pairs.txt format over test/: "10<TAB>30", then per fold 30 matched, 30 mismatched

Usage: python3 make_gratings.py <out> [--seed 1]
"""
import math, os, random, struct, sys, zlib

SIZE, IMAGES = 32, 8

def write_png(path, rows):
    raw = b"".join(b"\x00" + bytes(r) for r in rows)
    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", SIZE, SIZE, 8, 2, 0, 0, 0)
    with open(path, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

def identity(folder, name, rng):
    theta, freq = math.pi * rng.random(), 2 + 4 * rng.random()
    os.makedirs(os.path.join(folder, name), exist_ok=True)
    for k in range(1, IMAGES + 1):
        phase = 2 * math.pi * rng.random()
        cast = [(2 * rng.random() - 1) * 0.6 for _ in range(3)]
        ramp = (2 * rng.random() - 1) * 0.5
        rows = []
        for y in range(SIZE):
            row = []
            for x in range(SIZE):
                u, v = x / (SIZE - 1) - 0.5, y / (SIZE - 1) - 0.5
                g = 0.35 * math.sin(2 * math.pi * freq * (u * math.cos(theta) + v * math.sin(theta)) + phase) + ramp * 2 * u
                for c in range(3):
                    value = max(-1.0, min(1.0, g + cast[c] + rng.gauss(0, 0.1)))
                    row.append(max(0, min(255, round(127.5 + 128 * value))))
            rows.append(row)
        write_png(os.path.join(folder, name, f"{name}_{k:04d}.png"), rows)

def main():
    out = sys.argv[1]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1
    rng = random.Random(seed)
    for i in range(40):
        identity(os.path.join(out, "train"), f"train_{i:02d}", rng)
    test = [f"test_{i:02d}" for i in range(20)]
    for name in test:
        identity(os.path.join(out, "test"), name, rng)
    lines = ["10\t30"]
    for fold in range(10):
        a, b = test[2 * fold], test[2 * fold + 1]
        same = [(n, i, j) for n in (a, b) for i in range(1, IMAGES + 1) for j in range(i + 1, IMAGES + 1)]
        diff = [(i, j) for i in range(1, IMAGES + 1) for j in range(1, IMAGES + 1)]
        lines += [f"{n}\t{i}\t{j}" for n, i, j in rng.sample(same, 30)]
        lines += [f"{a}\t{i}\t{b}\t{j}" for i, j in rng.sample(diff, 30)]
    with open(os.path.join(out, "pairs.txt"), "w") as f:
        f.write("\n".join(lines) + "\n")

if __name__ == "__main__":
    main()
