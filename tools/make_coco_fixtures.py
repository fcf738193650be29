#!/usr/bin/env python3
"""Writes the COCOKit parity fixtures: inputs plus pycocotools' expected stats and summary text.

    pip install pycocotools==2.0.11
    python3 tools/make_coco_fixtures.py            # from the package root

Outputs under Tests/COCOKitTests/Fixtures/:
  coco-real/   the real COCO val2014 subset + official fake results (copied from ../shared/fixtures)
  edge/        faster-coco-eval's and mmdetection's edge files (same source) + generated detections
  corner/      generated corner cases, one folder each: gt.json, dt.json, expected.json (the
               id and results-form cases come from tools/coco_fixture_ids_results.py)
  refusals/    inputs pycocotools fails on or mangles, with what it did (pycocotools.json)
  rle/         compressed RLE strings with pycocotools' maskUtils.area and toBbox
Each expected.json holds pycocotools' 12 stats (as floats and as Python repr strings), the 12
printed summary lines, the parameters used, per-category AP (area all, maxDets 100, as
detectron2 computes it), and how pycocotools was driven. Deterministic: reruns give identical files.
"""
import contextlib
import importlib.metadata
import copy
import io
import json
import os
import random
import shutil
import sys

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import coco_fixture_ids_results  # noqa: E402  (ids of every kind, loadRes branches, refusals, RLE)

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "Tests", "COCOKitTests", "Fixtures")
SHARED = os.path.join(os.path.dirname(ROOT), "shared", "fixtures", "coco-real")


def coco_from_dict(d):
    c = COCO()
    c.dataset = copy.deepcopy(d)
    with contextlib.redirect_stdout(io.StringIO()):
        c.createIndex()
    return c


def evaluate(gt, dt, params=None, bypass_loadres=False):
    """pycocotools on in-memory dicts; returns the expected record."""
    cgt = coco_from_dict(gt)
    with contextlib.redirect_stdout(io.StringIO()):
        if bypass_loadres:
            # pycocotools' loadRes crashes on an empty list; build the result object by hand.
            cdt = coco_from_dict({"images": gt["images"], "categories": gt["categories"], "annotations": []})
        else:
            cdt = cgt.loadRes(copy.deepcopy(dt))
    e = COCOeval(cgt, cdt, "bbox")
    for k, v in (params or {}).items():
        setattr(e.params, k, np.array(v) if k in ("iouThrs", "recThrs") else v)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        e.evaluate()
        e.accumulate()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        e.summarize()
    prec = e.eval["precision"]

    def id_json(v):
        # The id as cocoeval prints it in JSON: NumPy scalars as Python values, integral floats as integers.
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, float) and v.is_integer():
            v = int(v)
        return json.dumps(v, ensure_ascii=False)
    per_cat = []
    a_all = e.params.areaRngLbl.index("all") if "all" in e.params.areaRngLbl else 0
    for k, cid in enumerate(e.params.catIds if e.params.useCats else [-1]):
        p = prec[:, :, k, a_all, -1]
        p = p[p > -1]
        ap = float(np.mean(p)) if p.size else -1.0
        per_cat.append({"id_json": id_json(cid), "ap": ap, "ap_repr": repr(ap)})
    return {
        "tool": "pycocotools %s, numpy %s" % (importlib.metadata.version("pycocotools"), np.__version__),
        "params": params or {},
        "loadres_bypassed": bypass_loadres,
        "stats": [float(x) for x in e.stats],
        "stats_repr": [repr(float(x)) for x in e.stats],
        "summary": out.getvalue().splitlines(),
        "per_category_ap_all_lastmaxdet": per_cat,
    }


def write(path, obj, indent=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        json.dump(obj, f, indent=indent)
        f.write("\n")


def load(path):
    with open(path) as f:
        return json.load(f)


# ---------------------------------------------------------------- generated corner cases

def base_gt(n_images, cats):
    return {"images": [{"id": i, "width": 640, "height": 480, "file_name": "%d.jpg" % i} for i in range(1, n_images + 1)],
            "annotations": [], "categories": [{"id": c, "name": "cat%d" % c, "supercategory": "s"} for c in cats]}


def ann(gt, img, cat, box, area=None, crowd=0, **extra):
    a = {"id": len(gt["annotations"]) + 1, "image_id": img, "category_id": cat, "bbox": box,
         "area": box[2] * box[3] if area is None else area, "iscrowd": crowd}
    a.update(extra)
    gt["annotations"].append(a)
    return a


def det(img, cat, box, score):
    return {"image_id": img, "category_id": cat, "bbox": box, "score": score}


def jitter(rng, box, s):
    x, y, w, h = box
    return [round(x + rng.gauss(0, s * w), 2), round(y + rng.gauss(0, s * h), 2),
            round(max(0.0, w * (1 + rng.gauss(0, s))), 2), round(max(0.0, h * (1 + rng.gauss(0, s))), 2)]


def corner_cases():
    cases = {}
    rng = random.Random(1234)

    # Crowd GT: detections inside crowd regions are ignored; a crowd match is not consumed.
    gt = base_gt(4, [1, 2])
    dt = []
    for img in range(1, 5):
        ann(gt, img, 1, [100, 100, 200, 150], crowd=1)
        ann(gt, img, 1, [120, 110, 50, 60])
        ann(gt, img, 2, [300, 200, 80, 80])
        for j in range(5):
            dt.append(det(img, 1, [110 + 15 * j, 105 + 10 * j, 40, 50], round(0.9 - 0.1 * j, 3)))
        dt.append(det(img, 1, [121, 111, 50, 60], 0.95))
        dt.append(det(img, 2, [298, 202, 82, 78], 0.8))
        dt.append(det(img, 2, [100, 100, 200, 150], 0.3))
    cases["crowd"] = (gt, dt, None)

    # GT and detection areas exactly at the range borders 32² and 96² (inclusive on both sides).
    gt = base_gt(3, [1])
    dt = []
    for img, side in [(1, 32), (2, 96), (3, 64)]:
        ann(gt, img, 1, [10, 10, side, side], area=side * side)
        ann(gt, img, 1, [200, 200, 16, 64], area=1024)
        ann(gt, img, 1, [300, 100, 96, 96], area=9216.0)
        ann(gt, img, 1, [400, 300, 33, 33], area=1024.0000001)
        dt.append(det(img, 1, [10, 10, side, side], 0.9))
        dt.append(det(img, 1, [201, 200, 16, 64], 0.8))
        dt.append(det(img, 1, [300, 101, 96, 96], 0.7))
        dt.append(det(img, 1, [500, 10, 32, 32], 0.6))      # unmatched, area exactly 1024
        dt.append(det(img, 1, [500, 100, 96, 96], 0.5))     # unmatched, area exactly 9216
        dt.append(det(img, 1, [400, 300, 32, 32], 0.4))
    cases["area-borders"] = (gt, dt, None)

    # GT `ignore` fields: pycocotools overwrites them with iscrowd, so they change nothing.
    gt = base_gt(3, [1, 2])
    dt = []
    for img in range(1, 4):
        ann(gt, img, 1, [50, 50, 100, 100], ignore=1)
        ann(gt, img, 1, [250, 50, 100, 100], ignore=0)
        ann(gt, img, 2, [50, 250, 60, 60], crowd=1, ignore=0)
        dt.append(det(img, 1, [52, 50, 100, 98], 0.7))
        dt.append(det(img, 1, [250, 55, 100, 100], 0.6))
        dt.append(det(img, 2, [50, 250, 30, 30], 0.5))
    cases["ignore-field"] = (gt, dt, None)

    # Score ties within and across images: stable ordering decides which detection matches.
    gt = base_gt(5, [1])
    dt = []
    for img in range(1, 6):
        ann(gt, img, 1, [100, 100, 50, 50])
        ann(gt, img, 1, [300, 300, 40, 40])
        dt.append(det(img, 1, [101, 100, 50, 50], 0.5))
        dt.append(det(img, 1, [100, 100, 50, 50], 0.5))
        dt.append(det(img, 1, [310, 305, 40, 40], 0.5))
        dt.append(det(img, 1, [500, 10, 20, 20], 0.5 if img % 2 else 0.25))
        dt.append(det(img, 1, [299, 301, 40, 40], 0.25))
    cases["score-ties"] = (gt, dt, None)

    # More than 100 detections per image: truncation at maxDets[-1] after the stable sort.
    gt = base_gt(2, [1, 2])
    dt = []
    for img in (1, 2):
        for j in range(30):
            ann(gt, img, 1 + j % 2, [(j % 6) * 100 + 5, (j // 6) * 90 + 5, 60 + j, 50 + j])
        for j in range(160):
            g = gt["annotations"][(img - 1) * 30 + j % 30]
            dt.append(det(img, g["category_id"], jitter(rng, g["bbox"], 0.15), round(rng.random(), 2)))
    cases["over-100-dets"] = (gt, dt, None)

    # Images without GT, images without detections, images with neither.
    gt = base_gt(6, [1])
    dt = []
    ann(gt, 1, 1, [10, 10, 100, 100]); ann(gt, 2, 1, [50, 50, 80, 80]); ann(gt, 3, 1, [5, 5, 300, 200])
    dt.append(det(1, 1, [12, 10, 100, 100], 0.9))
    dt.append(det(3, 1, [5, 5, 290, 210], 0.7))
    dt.append(det(4, 1, [100, 100, 50, 50], 0.95))      # image without GT
    dt.append(det(5, 1, [100, 100, 50, 50], 0.2))       # image without GT
    cases["images-without-gt-or-dets"] = (gt, dt, None)

    # Categories listed but without GT (−1 in their precision), with and without detections.
    gt = base_gt(3, [1, 2, 3, 4])
    dt = []
    for img in range(1, 4):
        ann(gt, img, 1, [10, 10, 100, 100]); ann(gt, img, 3, [200, 200, 30, 30])
        dt.append(det(img, 1, [12, 12, 100, 100], 0.9))
        dt.append(det(img, 2, [10, 10, 100, 100], 0.8))  # category 2 has no GT
        dt.append(det(img, 3, [205, 200, 30, 30], 0.4))
    cases["categories-without-gt"] = (gt, dt, None)

    # Zero-size boxes in GT and detections (IoU 0, area 0 = small).
    gt = base_gt(2, [1])
    dt = []
    for img in (1, 2):
        ann(gt, img, 1, [10, 10, 0, 50]); ann(gt, img, 1, [100, 100, 40, 0], area=0)
        ann(gt, img, 1, [200, 200, 40, 40])
        dt.append(det(img, 1, [10, 10, 0, 50], 0.9)); dt.append(det(img, 1, [100, 100, 40, 0], 0.8))
        dt.append(det(img, 1, [200, 200, 40, 40], 0.7)); dt.append(det(img, 1, [0, 0, 0, 0], 0.6))
    cases["zero-size-boxes"] = (gt, dt, None)

    # A GT annotation with id 0: pycocotools records matches by GT id, so a match to it counts
    # as unmatched (a false positive unless ignored). Reproduced, not "fixed".
    gt = base_gt(2, [1])
    dt = []
    a = ann(gt, 1, 1, [10, 10, 100, 100]); a["id"] = 0
    ann(gt, 1, 1, [300, 300, 50, 50]); ann(gt, 2, 1, [10, 10, 100, 100])
    dt += [det(1, 1, [10, 10, 100, 100], 0.9), det(1, 1, [300, 300, 50, 50], 0.8), det(2, 1, [10, 12, 100, 100], 0.7)]
    cases["gt-id-zero"] = (gt, dt, None)

    # Repeated annotation ids: pycocotools' index keeps the last one for every occurrence.
    gt = base_gt(2, [1, 2])
    dt = []
    ann(gt, 1, 1, [10, 10, 100, 100]); ann(gt, 1, 1, [300, 300, 50, 50])
    b = ann(gt, 2, 2, [20, 20, 60, 60]); b["id"] = 1
    ann(gt, 2, 1, [200, 200, 80, 80])
    dt += [det(1, 1, [10, 10, 100, 100], 0.9), det(1, 1, [300, 300, 50, 50], 0.8),
           det(2, 2, [20, 20, 60, 60], 0.7), det(2, 1, [200, 200, 80, 80], 0.6)]
    cases["repeated-ann-ids"] = (gt, dt, None)

    # Detections of a category the GT does not list (cocoeval warns; pycocotools skips them).
    gt = base_gt(2, [1])
    dt = []
    ann(gt, 1, 1, [10, 10, 100, 100]); ann(gt, 2, 1, [30, 30, 60, 60])
    dt += [det(1, 1, [10, 10, 100, 100], 0.9), det(1, 7, [10, 10, 100, 100], 0.95), det(2, 1, [30, 30, 60, 50], 0.5)]
    cases["unknown-category-dets"] = (gt, dt, None)

    cases["random-mix"] = random_mix(rng)
    gt, dt, _ = cases["random-mix"]
    cases["params-usecats0-custom"] = (gt, dt, {"useCats": 0, "maxDets": [1, 5, 300], "iouThrs": [0.3, 0.5, 0.75, 0.9]})
    cases["params-area-ranges"] = (gt, dt, {"areaRng": [[0, 1e10], [0, 2500], [2500, 20000], [20000, 1e10]]})
    # Evaluating a subset of images and categories (params.imgIds / params.catIds).
    cases["params-image-category-subsets"] = (gt, dt, {"imgIds": list(range(1, 61, 3)) + [999], "catIds": [2, 5, 13, 21]})
    # An empty result list: pycocotools' loadRes crashes (anns[0]); its evaluation math gives AP 0
    # where there is GT and −1 elsewhere, which cocoeval reports (with a warning).
    cases["empty-results"] = (base_with_some_gt(), [], "bypass")
    return cases


def base_with_some_gt():
    gt = base_gt(3, [1, 2, 3])
    ann(gt, 1, 1, [10, 10, 100, 100]); ann(gt, 2, 2, [10, 10, 20, 20]); ann(gt, 3, 1, [5, 5, 200, 300], crowd=1)
    return gt


def random_mix(rng):
    """A larger random case with every feature mixed: crowds, ignore fields, ties, sizes, >100 dets."""
    cats = [1, 2, 3, 5, 8, 13]
    gt = base_gt(60, cats)
    gt["categories"].append({"id": 21, "name": "never-annotated"})
    dt = []
    for img in range(1, 61):
        for _ in range(rng.randint(0, 12)):
            s = rng.choice([8, 20, 31, 32, 33, 60, 95, 96, 97, 150, 300])
            w = s * rng.uniform(0.6, 1.4); h = s * s / max(w, 1)
            box = [round(rng.uniform(0, 500), 1), round(rng.uniform(0, 380), 1), round(w, 1), round(h, 1)]
            ann(gt, img, rng.choice(cats), box, area=round(box[2] * box[3] * rng.uniform(0.5, 1.0), 3),
                crowd=1 if rng.random() < 0.05 else 0, **({"ignore": 1} if rng.random() < 0.05 else {}))
        mine = [a for a in gt["annotations"] if a["image_id"] == img]
        n = rng.choice([0, 3, 20, 60, 130]) if img % 7 else 0
        for j in range(n):
            if mine and rng.random() < 0.6:
                g = rng.choice(mine)
                cat = g["category_id"] if rng.random() < 0.9 else rng.choice(cats + [21])
                box = jitter(rng, g["bbox"], rng.choice([0.02, 0.1, 0.3]))
            else:
                cat = rng.choice(cats)
                box = [round(rng.uniform(0, 600), 2), round(rng.uniform(0, 440), 2), round(rng.uniform(0, 200), 2), round(rng.uniform(0, 200), 2)]
            dt.append(det(img, cat, box, round(rng.random(), 2)))
    return gt, dt, None


def edge_cases():
    """The shared edge files; returns {name: (gt, dt, params, note)} for those pycocotools evaluates."""
    edge = os.path.join(SHARED, "edge")
    out = {}
    out["fce-dataset"] = (load(os.path.join(edge, "gt_dataset.json")), load(os.path.join(edge, "dt_dataset.json")), None,
                          "faster-coco-eval tests/dataset gt_dataset.json + dt_dataset.json")
    # coco_sample.json has no iscrowd: pycocotools raises KeyError. cocoeval treats a missing
    # iscrowd as 0 (with a warning); the expected numbers are pycocotools' on a copy with iscrowd=0.
    sample = load(os.path.join(edge, "coco_sample.json"))
    fixed = copy.deepcopy(sample)
    for a in fixed["annotations"]:
        a.setdefault("iscrowd", 0)
    rng = random.Random(99)
    dts = []
    for a in sample["annotations"]:
        dts.append(det(a["image_id"], a["category_id"], jitter(rng, a["bbox"], 0.05), round(rng.random(), 3)))
    dts.append(det(sample["images"][0]["id"], sample["categories"][0]["id"], [1, 1, 5, 5], 0.5))
    out["mmdet-coco-sample"] = (fixed, dts, None, "mmdetection tests/data/coco_sample.json with iscrowd=0 added for pycocotools; detections generated here")
    return out, sample


JSON_TEXT_GT = r"""{ "info" : null, "licenses": [ {"id": 1, "name": "CC \u00e9\ud83d\ude00", "extra": {"a": [1, 2, {"b": []}], "c": NaN}} ],
  "categories" : [ {"name": "caf\u00e9 \"quoted\"", "id": 1}, {"supercategory": "x\/y", "id": 2, "name": "tab\tname"} ],
  "annotations": [
    {"segmentation": [[1.5e1, 2E1, 3e+1, 40, 50.25, 6.0e-1]], "bbox": [1.0e1, 1E1, 1.0E+2, 100], "area": 1.0e4, "iscrowd": 0, "category_id": 1, "image_id": 7, "id": 1},
    {"id": 2, "image_id": 7, "category_id": 2, "area": 2.5e3, "bbox": [200, 2.0e2, 5e1, 50.0], "iscrowd": false, "segmentation": {"counts": "a\\b]c", "size": [480, 640]}},
    {"iscrowd": 1, "area": 90000, "bbox": [300, 100, 300, 3e2], "category_id": 1, "image_id": 8, "id": 3, "unknown": {"deep": [[[[[]]]]]}},
    {"bbox": [310, 110, 80, 0.8e2], "image_id": 8, "id": 4, "category_id": 1, "area": 6.4e3, "iscrowd": 0}
  ],
  "images": [ {"file_name": "\u0041.jpg", "id": 7, "height": 480, "width": 640}, {"id": 8, "width": 6.4e2, "height": 480} ]
}
"""

JSON_TEXT_DT = r"""[
 {"score": 9.5e-1, "bbox": [1.1e1, 10, 1e2, 1.0e2], "category_id": 1, "image_id": 7, "id": 99, "area": 1, "segmentation": [[1, 2, 3, 4]]},
 {"image_id": 7, "category_id": 2, "bbox": [2.01e2, 200, 50, 50], "score": 0.5},
 {"image_id":8,"category_id":1,"bbox":[3.1e2,1.1e2,8e1,8e1],"score":7.5E-1},
 {"image_id": 8, "category_id": 1, "bbox": [400, 300, 1e1, 1e1], "score": 0.125e0},
 {"image_id": 8, "category_id": 1, "bbox": [305, 105, 70, 70], "score": 2.5e-1}
]
"""


def main():
    if not os.path.isdir(SHARED):
        sys.exit("expected the shared fixtures at %s" % SHARED)
    # (a) the real fixture, copied verbatim, and pycocotools' numbers for it.
    real = os.path.join(OUT, "coco-real")
    os.makedirs(real, exist_ok=True)
    for f in ("instances_val2014_100.json", "instances_val2014_fakebbox100_results.json", "PROVENANCE.md"):
        shutil.copyfile(os.path.join(SHARED, f), os.path.join(real, f))
    exp = evaluate(load(os.path.join(real, "instances_val2014_100.json")),
                   load(os.path.join(real, "instances_val2014_fakebbox100_results.json")))
    write(os.path.join(real, "expected.json"), exp, indent=1)

    # (b) edge fixtures.
    edge_dir = os.path.join(OUT, "edge")
    os.makedirs(edge_dir, exist_ok=True)
    for f in ("gt_dataset.json", "dt_dataset.json", "gt_ignore_test.json", "dt_ignore_test.json", "coco_sample.json"):
        shutil.copyfile(os.path.join(SHARED, "edge", f), os.path.join(edge_dir, f))
    cases, sample = edge_cases()
    for name, (gt, dt, params, note) in cases.items():
        d = os.path.join(edge_dir, name)
        if name == "mmdet-coco-sample":
            write(os.path.join(d, "dt.json"), dt)
        r = evaluate(gt, dt, params)
        r["note"] = note
        write(os.path.join(d, "expected.json"), r, indent=1)
    # What pycocotools does with the two refused edge inputs, recorded for the docs and tests.
    refusals = {}
    try:
        evaluate(load(os.path.join(edge_dir, "gt_ignore_test.json")), load(os.path.join(edge_dir, "dt_ignore_test.json")))
    except AssertionError as e:
        refusals["ignore-test-string-image-id"] = "AssertionError: %s" % e
    try:
        evaluate(sample, cases["mmdet-coco-sample"][1])
    except KeyError as e:
        refusals["coco-sample-without-iscrowd"] = "KeyError: %s" % e
    write(os.path.join(edge_dir, "pycocotools_refusals.json"), refusals, indent=1)

    # (c) generated corner cases.
    corner = os.path.join(OUT, "corner")
    for name, (gt, dt, params) in corner_cases().items():
        d = os.path.join(corner, name)
        write(os.path.join(d, "gt.json"), gt)
        write(os.path.join(d, "dt.json"), dt)
        r = evaluate(gt, dt, None if params == "bypass" else params, bypass_loadres=params == "bypass")
        write(os.path.join(d, "expected.json"), r, indent=1)
    # JSON text written by hand: exponents, unicode escapes, any key order, nested unknown keys,
    # NaN in a skipped field, a `null` info, whitespace everywhere.
    d = os.path.join(corner, "json-text")
    os.makedirs(d, exist_ok=True)
    gt_text = JSON_TEXT_GT
    dt_text = JSON_TEXT_DT
    with open(os.path.join(d, "gt.json"), "w") as f:
        f.write(gt_text)
    with open(os.path.join(d, "dt.json"), "w") as f:
        f.write(dt_text)
    write(os.path.join(d, "expected.json"), evaluate(json.loads(gt_text), json.loads(dt_text)), indent=1)
    # Ids of every kind, results through each loadRes branch, refusals, RLE decoding.
    coco_fixture_ids_results.write_all(OUT, evaluate, write)
    # The linspace thresholds pycocotools uses, to check them bit for bit.
    from pycocotools.cocoeval import Params
    p = Params(iouType="bbox")
    write(os.path.join(OUT, "thresholds.json"), {"iouThrs": [repr(float(x)) for x in p.iouThrs],
                                                 "recThrs": [repr(float(x)) for x in p.recThrs]}, indent=1)
    print("fixtures written under", OUT)


if __name__ == "__main__":
    main()
