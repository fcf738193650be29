#!/usr/bin/env python3
"""Writes the PNG reader's test fixtures into Tests/EngineTests/Fixtures/png/.

Each NAME.png is a zlib-compressed (level 9, so fixed/dynamic Huffman blocks) PNG exercising a
colour type, bit depth and the row filters; NAME.ppm / NAME.pgm holds the pixels the reader must
return (8-bit, alpha dropped, palette expanded, samples scaled as round(v*255/maxval), i.e.
(v*255 + maxval//2) // maxval). Standard library only: python3 tools/make_png_fixtures.py
"""
import os, random, struct, zlib

OUT = os.path.join(os.path.dirname(__file__), "..", "Tests", "EngineTests", "Fixtures", "png")

def chunk(t, data):
    return struct.pack(">I", len(data)) + t + data + struct.pack(">I", zlib.crc32(t + data) & 0xFFFFFFFF)

def paeth(a, b, c):
    p = a + b - c
    pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
    return a if pa <= pb and pa <= pc else (b if pb <= pc else c)

def filter_row(f, row, prev, bpp):
    out = bytearray()
    for i, x in enumerate(row):
        a = row[i - bpp] if i >= bpp else 0
        b = prev[i] if prev is not None else 0
        c = prev[i - bpp] if (prev is not None and i >= bpp) else 0
        pred = [0, a, b, (a + b) // 2, paeth(a, b, c)][f]
        out.append((x - pred) & 0xFF)
    return bytes([f]) + bytes(out)

def png(width, height, depth, color_type, rows, filters, palette=None):
    samples = {0: 1, 2: 3, 3: 1, 4: 2, 6: 4}[color_type]
    bpp = max(1, samples * depth // 8)
    raw, prev = b"", None
    for y, row in enumerate(rows):
        raw += filter_row(filters[y % len(filters)], row, prev, bpp)
        prev = row
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, color_type, 0, 0, 0))
    if palette is not None:
        data += chunk(b"PLTE", bytes(palette))
    z = zlib.compress(raw, 9)
    data += chunk(b"IDAT", z[: len(z) // 2]) + chunk(b"IDAT", z[len(z) // 2:])   # two IDAT chunks
    return data + chunk(b"IEND", b"")

def pack(values, depth):
    if depth == 8:
        return bytes(values)
    if depth == 16:
        return b"".join(struct.pack(">H", v) for v in values)
    out, acc, n = bytearray(), 0, 0
    for v in values:
        acc = (acc << depth) | v; n += depth
        if n == 8:
            out.append(acc); acc, n = 0, 0
    if n:
        out.append(acc << (8 - n))
    return bytes(out)

def scale(v, depth):
    m = (1 << depth) - 1
    return v if m == 255 else (v * 255 + m // 2) // m

def write(name, width, height, depth, color_type, pixels, filters, palette=None):
    """pixels: list of rows, each a list of per-pixel tuples of samples."""
    rows = [pack([s for p in row for s in p], depth) for row in pixels]
    open(os.path.join(OUT, name + ".png"), "wb").write(png(width, height, depth, color_type, rows, filters, palette))
    if color_type == 3:
        out = [palette[3 * p[0] + c] for row in pixels for p in row for c in range(3)]; magic, ch = b"P6", 3
    elif color_type in (2, 6):
        out = [scale(p[c], depth) for row in pixels for p in row for c in range(3)]; magic, ch = b"P6", 3
    else:
        out = [scale(p[0], depth) for row in pixels for p in row]; magic, ch = b"P5", 1
    ext = ".ppm" if ch == 3 else ".pgm"
    open(os.path.join(OUT, name + ext), "wb").write(magic + b"\n%d %d\n255\n" % (width, height) + bytes(out))

def main():
    os.makedirs(OUT, exist_ok=True)
    r = random.Random(7)
    grid = lambda w, h, f: [[f(x, y) for x in range(w)] for y in range(h)]
    # Smooth-ish content so the filters matter, plus noise so the Huffman codes are dynamic.
    write("rgb8_filters", 23, 10, 8, 2, grid(23, 10, lambda x, y: ((x * 11 + r.randrange(8)) % 256, (y * 25) % 256, (x * y) % 256)),
          filters=[0, 1, 2, 3, 4])
    write("grey16_paeth", 9, 7, 16, 0, grid(9, 7, lambda x, y: (r.randrange(65536),)), filters=[4])
    write("grey1", 13, 5, 1, 0, grid(13, 5, lambda x, y: ((x + y) % 2,)), filters=[0, 2])
    write("grey4_sub", 11, 4, 4, 0, grid(11, 4, lambda x, y: ((x + 3 * y) % 16,)), filters=[1])
    palette = [r.randrange(256) for _ in range(3 * 16)]
    write("palette4", 9, 6, 4, 3, grid(9, 6, lambda x, y: ((x * 7 + y) % 16,)), filters=[0, 1], palette=palette)
    write("rgba8_average", 8, 8, 8, 6, grid(8, 8, lambda x, y: (r.randrange(256), x * 30, y * 30, r.randrange(256))), filters=[3])
    write("greyalpha16", 5, 5, 16, 4, grid(5, 5, lambda x, y: (x * 10000 + y, 65535 - x)), filters=[2, 4])
    write("rgb16_up", 6, 3, 16, 2, grid(6, 3, lambda x, y: (x * 9000, y * 20000, 65535)), filters=[2])
    # Larger random image: many stored/fixed/dynamic decisions and long back-references.
    write("rgb8_large", 160, 90, 8, 2, grid(160, 90, lambda x, y: ((x // 8) * 16 % 256, (y // 8) * 20 % 256, r.randrange(4) * 60)),
          filters=[0, 1, 2, 3, 4])
    # A corrupt copy (one byte of IDAT data flipped: the chunk CRC no longer matches).
    good = bytearray(open(os.path.join(OUT, "rgb8_filters.png"), "rb").read())
    idat = good.index(b"IDAT")
    good[idat + 10] ^= 0x55
    open(os.path.join(OUT, "corrupt_crc.png"), "wb").write(bytes(good))

def bomb():
    """A 1×1 RGB image whose IDAT inflates to 200 kB: the reader must stop, not allocate."""
    data = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0))
    data += chunk(b"IDAT", zlib.compress(bytes(200_000), 9)) + chunk(b"IEND", b"")
    open(os.path.join(OUT, "oversized_idat.png"), "wb").write(data)

if __name__ == "__main__":
    bomb()
    main()
