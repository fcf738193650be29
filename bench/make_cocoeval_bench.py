#!/usr/bin/env python3
"""Deterministic COCO-val2017-scale benchmark data for cocoeval (no dependencies but the stdlib).

    python3 bench/make_cocoeval_bench.py --images 5000 --out bench/out/coco5k

writes OUT/gt.json (instances: images, ~7.4 GT per image with COCO's size mix of about 41% small,
34% medium, 25% large, ~1% crowd, 80 categories with COCO's sparse ids, polygon segmentations)
and OUT/preds.json (~96 detections per image, at most 100, written like detectron2 writes them:
float32 boxes and scores printed as Python floats). Same arguments give byte-identical files.
"""
import argparse
import json
import math
import os
import random
import struct

COCO_CAT_IDS = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25,
                27, 28, 31, 32, 33, 34, 35, 36, 37, 38, 39, 40, 41, 42, 43, 44, 46, 47, 48, 49, 50, 51,
                52, 53, 54, 55, 56, 57, 58, 59, 60, 61, 62, 63, 64, 65, 67, 70, 72, 73, 74, 75, 76, 77,
                78, 79, 80, 81, 82, 84, 85, 86, 87, 88, 89, 90]


def f32(x):
    """The double nearest the float32 nearest x (what a float32 tensor's .tolist() gives)."""
    return struct.unpack("f", struct.pack("f", x))[0]


def sample_area(rng):
    u = rng.random()
    if u < 0.41:
        return rng.uniform(16, 1024)          # small
    if u < 0.75:
        return rng.uniform(1024, 9216)        # medium
    return rng.uniform(9216, 200_000)         # large


def make(images, seed):
    rng = random.Random(seed)
    # Category frequencies: person dominates, then a long tail (like COCO).
    weights = [30.0] + [rng.uniform(0.3, 3.0) for _ in COCO_CAT_IDS[1:]]
    imgs, anns, preds = [], [], []
    ann_id = 1
    for i in range(images):
        img_id = 100000 + i * 7  # sparse, like COCO's ids
        W, H = rng.choice([(640, 480), (480, 640), (640, 427), (500, 375), (640, 640)])
        imgs.append({"id": img_id, "width": W, "height": H, "file_name": "%012d.jpg" % img_id,
                     "license": 1, "coco_url": "", "date_captured": "2013-11-14 16:03:19"})
        n_gt = min(40, max(0, int(rng.expovariate(1 / 7.9))))
        gts = []
        for _ in range(n_gt):
            cat = rng.choices(COCO_CAT_IDS, weights)[0]
            area = min(sample_area(rng), W * H * 0.9)
            ar = math.exp(rng.uniform(-1.0, 1.0))
            w = min(W - 1.0, math.sqrt(area * ar)); h = min(H - 1.0, area / max(w, 1.0))
            x = rng.uniform(0, W - w); y = rng.uniform(0, H - h)
            box = [round(x, 2), round(y, 2), round(w, 2), round(h, 2)]
            crowd = 1 if rng.random() < 0.01 else 0
            seg_area = round(box[2] * box[3] * rng.uniform(0.5, 0.9), 4)
            if crowd:
                seg = {"counts": [int(rng.random() * 1000) for _ in range(12)], "size": [H, W]}
            else:
                x0, y0, x1, y1 = box[0], box[1], box[0] + box[2], box[1] + box[3]
                seg = [[x0, y0, x1, y0 + 0.3 * box[3], x1, y1, x0 + 0.5 * box[2], y1, x0, y0 + 0.7 * box[3]]]
                seg = [[round(v, 2) for v in seg[0]]]
            anns.append({"segmentation": seg, "area": seg_area, "iscrowd": crowd, "image_id": img_id,
                         "bbox": box, "category_id": cat, "id": ann_id})
            gts.append((cat, box))
            ann_id += 1
        # Detections: jittered copies of most GT (true positives of varying quality) plus clutter,
        # up to 100 per image, scores from float32 like a network's.
        n_dt = min(100, max(1, int(rng.gauss(96, 6))))
        dts = []
        for cat, (x, y, w, h) in gts:
            for _ in range(rng.choice([1, 1, 2, 3])):
                if len(dts) >= n_dt:
                    break
                j = rng.uniform(0.0, 0.25)
                dts.append((cat if rng.random() < 0.9 else rng.choice(COCO_CAT_IDS),
                            [x + rng.gauss(0, j * w), y + rng.gauss(0, j * h),
                             w * math.exp(rng.gauss(0, j)), h * math.exp(rng.gauss(0, j))],
                            rng.betavariate(5, 2)))
        while len(dts) < n_dt:
            area = sample_area(rng)
            w = min(W - 1.0, math.sqrt(area)); h = min(H - 1.0, area / max(w, 1.0))
            dts.append((rng.choices(COCO_CAT_IDS, weights)[0],
                        [rng.uniform(0, W - w), rng.uniform(0, H - h), w, h], rng.betavariate(1, 6)))
        for cat, (x, y, w, h), s in dts:
            x = max(0.0, x); y = max(0.0, y)
            preds.append({"image_id": img_id, "category_id": cat,
                          "bbox": [f32(x), f32(y), f32(max(0.0, w)), f32(max(0.0, h))], "score": f32(s)})
    cats = [{"supercategory": "thing", "id": c, "name": "class_%d" % c} for c in COCO_CAT_IDS]
    gt = {"info": {"description": "cocoeval benchmark (synthetic)", "year": 2017}, "licenses": [{"id": 1, "name": "x"}],
          "images": imgs, "annotations": anns, "categories": cats}
    return gt, preds


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--images", type=int, default=5000)
    ap.add_argument("--seed", type=int, default=2017)
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    gt, preds = make(a.images, a.seed)
    with open(os.path.join(a.out, "gt.json"), "w") as f:
        json.dump(gt, f)
    with open(os.path.join(a.out, "preds.json"), "w") as f:
        json.dump(preds, f)
    print("%s: %d images, %d GT (%d crowd), %d detections" % (
        a.out, len(gt["images"]), len(gt["annotations"]),
        sum(x["iscrowd"] for x in gt["annotations"]), len(preds)))


if __name__ == "__main__":
    main()
