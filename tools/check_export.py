#!/usr/bin/env python3
"""Checks an exported built-in dataset with independent tools (Python zlib/struct, pycocotools).

Usage: tools/check_export.sh  (exports the val split, then runs this on it), or
       python3 tools/check_export.py EXPORT_DIR   where EXPORT_DIR holds png/ and ppm/ exports.

For every image: the PNG's signature, chunk CRCs, IHDR and zlib stream are valid and its pixels
equal the PPM export's. Then pycocotools loads annotations.json, and evaluating the ground truth
as detections (score 1) gives AP = 1.0 (crowd regions excluded from the detections, as
pycocotools ignores them), which shows the file is well-formed COCO.
"""
import json, os, struct, sys, zlib

def read_png(path):
    d = open(path, "rb").read()
    assert d[:8] == b"\x89PNG\r\n\x1a\n", f"{path}: bad signature"
    pos, idat, ihdr = 8, b"", None
    while pos < len(d):
        n, = struct.unpack(">I", d[pos:pos + 4])
        t, body = d[pos + 4:pos + 8], d[pos + 8:pos + 8 + n]
        crc, = struct.unpack(">I", d[pos + 8 + n:pos + 12 + n])
        assert crc == zlib.crc32(t + body) & 0xFFFFFFFF, f"{path}: CRC mismatch in {t}"
        if t == b"IHDR": ihdr = struct.unpack(">IIBBBBB", body)
        if t == b"IDAT": idat += body
        pos += 12 + n
    w, h, depth, ctype, comp, filt, inter = ihdr
    assert (depth, ctype, comp, filt, inter) == (8, 2, 0, 0, 0), f"{path}: unexpected IHDR {ihdr}"
    raw = zlib.decompress(idat)                      # also checks the Adler-32
    assert len(raw) == h * (3 * w + 1), f"{path}: wrong data size"
    rows = [raw[y * (3 * w + 1):(y + 1) * (3 * w + 1)] for y in range(h)]
    assert all(r[0] == 0 for r in rows), f"{path}: expected filter 0 on every row"
    return w, h, b"".join(r[1:] for r in rows)

def read_ppm(path):
    d = open(path, "rb").read()
    header = d.split(b"\n", 3)
    assert header[0] == b"P6" and header[2] == b"255", f"{path}: expected P6 maxval 255"
    w, h = map(int, header[1].split())
    return w, h, header[3]

def main(root):
    png_dir, ppm_dir = os.path.join(root, "png"), os.path.join(root, "ppm")
    gt = json.load(open(os.path.join(png_dir, "annotations.json")))
    for img in gt["images"]:
        w, h, a = read_png(os.path.join(png_dir, "images", img["file_name"]))
        w2, h2, b = read_ppm(os.path.join(ppm_dir, "images", img["file_name"].replace(".png", ".ppm")))
        assert (w, h) == (w2, h2) == (img["width"], img["height"]), f"{img['file_name']}: size mismatch"
        assert a == b, f"{img['file_name']}: PNG and PPM pixels differ"
    print(f"{len(gt['images'])} PNG files valid (CRC, zlib, Adler-32) and equal to the PPM export")

    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    import contextlib, io
    with contextlib.redirect_stdout(io.StringIO()):
        coco = COCO(os.path.join(png_dir, "annotations.json"))
        dets = [{"image_id": a["image_id"], "category_id": a["category_id"], "bbox": a["bbox"], "score": 1.0}
                for a in gt["annotations"] if not a["iscrowd"]]
        e = COCOeval(coco, coco.loadRes(dets), "bbox")
        e.evaluate(); e.accumulate(); e.summarize()
    crowd = sum(a["iscrowd"] for a in gt["annotations"])
    print(f"pycocotools: {len(gt['images'])} images, {len(gt['annotations']) - crowd} boxes + {crowd} crowd, "
          f"{len(gt['categories'])} categories; ground truth as detections: AP = {e.stats[0]:.3f}, "
          f"APs/APm/APl = {e.stats[3]:.3f}/{e.stats[4]:.3f}/{e.stats[5]:.3f}")
    assert abs(e.stats[0] - 1) < 1e-9, "AP of the ground truth against itself must be 1"

if __name__ == "__main__":
    main(sys.argv[1])
