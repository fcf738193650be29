#!/usr/bin/env python3
"""Draws the first images of an exported split with their ground-truth boxes into one PNG.

Usage: python3 tools/contact_sheet.py EXPORT_DIR OUT.png [COUNT] [COLUMNS] [SHRINK]
EXPORT_DIR is a `DatasetExporter` PNG export (annotations.json + images/). Boxes: 1-px outlines
in a colour per category; crowd boxes dashed; SHRINK (default 1) averages SHRINK×SHRINK blocks.
Needs numpy (for the pixel arrays) only.
"""
import json, os, struct, sys, zlib
import numpy as np

def read_png(path):
    d = open(path, "rb").read(); pos = 8; idat = b""
    while pos < len(d):
        n, = struct.unpack(">I", d[pos:pos + 4]); t = d[pos + 4:pos + 8]
        if t == b"IHDR": w, h = struct.unpack(">II", d[pos + 8:pos + 16])
        if t == b"IDAT": idat += d[pos + 8:pos + 8 + n]
        pos += 12 + n
    return np.frombuffer(zlib.decompress(idat), np.uint8).reshape(h, 3 * w + 1)[:, 1:].reshape(h, w, 3).copy()

def write_png(path, a):
    h, w, _ = a.shape
    raw = b"".join(b"\x00" + a[y].tobytes() for y in range(h))
    chunk = lambda t, c: struct.pack(">I", len(c)) + t + c + struct.pack(">I", zlib.crc32(t + c) & 0xFFFFFFFF)
    open(path, "wb").write(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0))
                           + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b""))

def main(root, out, count=12, columns=4, shrink=1):
    gt = json.load(open(os.path.join(root, "annotations.json")))
    palette = [(255, 255, 255), (255, 0, 0), (0, 255, 0), (0, 128, 255), (255, 255, 0), (255, 0, 255), (0, 255, 255),
               (255, 128, 0), (128, 0, 255), (0, 0, 0), (255, 128, 192), (128, 255, 128), (64, 64, 255)]
    tiles = []
    for img in gt["images"][:count]:
        a = read_png(os.path.join(root, "images", img["file_name"]))
        for ann in (x for x in gt["annotations"] if x["image_id"] == img["id"]):
            x, y, w, h = ann["bbox"]
            x0, y0 = int(round(x)), int(round(y)); x1, y1 = min(a.shape[1] - 1, int(round(x + w)) - 1), min(a.shape[0] - 1, int(round(y + h)) - 1)
            c = palette[ann["category_id"] % len(palette)]
            step = 2 if ann["iscrowd"] else 1
            a[y0, x0:x1 + 1:step] = c; a[y1, x0:x1 + 1:step] = c; a[y0:y1 + 1:step, x0] = c; a[y0:y1 + 1:step, x1] = c
        if shrink > 1:
            hh, ww = a.shape[0] // shrink * shrink, a.shape[1] // shrink * shrink
            a = a[:hh, :ww].reshape(hh // shrink, shrink, ww // shrink, shrink, 3).mean(axis=(1, 3)).round().astype(np.uint8)
        tiles.append(a)
    h, w, _ = tiles[0].shape; rows = (len(tiles) + columns - 1) // columns
    sheet = np.full((rows * (h + 4), columns * (w + 4), 3), 255, np.uint8)
    for i, t in enumerate(tiles):
        r, c = divmod(i, columns)
        sheet[r * (h + 4):r * (h + 4) + h, c * (w + 4):c * (w + 4) + w] = t
    write_png(out, sheet)

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], *(int(v) for v in sys.argv[3:6]))
