"""Parity cases for ids of every kind and for results read through each `loadRes` branch.

Imported by tools/make_coco_fixtures.py (run that). Three kinds of output:
  corner/<name>/      inputs + pycocotools' expected record (ParityTests evaluates them)
  refusals/<name>/    inputs pycocotools fails on (or silently mangles) + what it raised
                      (CocoevalRefusalTests checks cocoeval refuses each with a clear message)
  rle/cases.json      compressed RLE strings with pycocotools' maskUtils.area / toBbox
"""
import json
import os
import random
import subprocess
import sys

import numpy as np
import pycocotools.mask as mu


def _img(i):
    return {"id": i, "width": 640, "height": 480, "file_name": "%s.jpg" % (i,)}


def _ann(aid, img, cat, box, area=None, crowd=0):
    return {"id": aid, "image_id": img, "category_id": cat, "bbox": box,
            "area": box[2] * box[3] if area is None else area, "iscrowd": crowd}


def _det(img, cat, box, score, **extra):
    d = {"image_id": img, "category_id": cat, "bbox": box, "score": score}
    d.update(extra)
    return d


def _jit(rng, box, s=0.08):
    x, y, w, h = box
    return [round(x + rng.gauss(0, s * w), 2), round(y + rng.gauss(0, s * h), 2),
            round(max(0.0, w * (1 + rng.gauss(0, s))), 2), round(max(0.0, h * (1 + rng.gauss(0, s))), 2)]


def _scene(rng, image_ids, cat_ids, ann_id, n_ann=(1, 6), tie_digits=1, extra_det=3):
    """Random GT and detections over the given ids; coarse scores so ties cross images."""
    anns, dts = [], []
    for img in image_ids:
        mine = []
        for _ in range(rng.randint(*n_ann)):
            s = rng.choice([20, 31, 32, 33, 60, 95, 97, 150])
            box = [round(rng.uniform(0, 450), 1), round(rng.uniform(0, 330), 1), s, round(s * rng.uniform(0.6, 1.4), 1)]
            a = _ann(ann_id(), img, rng.choice(cat_ids), box, crowd=1 if rng.random() < 0.08 else 0)
            anns.append(a)
            mine.append(a)
        for a in mine:
            if rng.random() < 0.8:
                dts.append(_det(img, a["category_id"], _jit(rng, a["bbox"]), round(rng.random(), tie_digits)))
        for _ in range(extra_det):
            box = [round(rng.uniform(0, 500), 1), round(rng.uniform(0, 380), 1), round(rng.uniform(5, 120), 1), round(rng.uniform(5, 120), 1)]
            dts.append(_det(img, rng.choice(cat_ids), box, round(rng.random(), tie_digits)))
    return anns, dts


def _counter(start=1, fmt=None):
    n = [start - 1]

    def nxt():
        n[0] += 1
        return fmt(n[0]) if fmt else n[0]
    return nxt


def id_cases(rng):
    """{name: (gt, dt, params)} — ids of every kind pycocotools evaluates."""
    cases = {}

    # String image, category and annotation ids; lexicographic order ("10" < "9" < "B" < "a")
    # differs from numeric order, and score ties across images make the image order matter.
    images = ["10", "9", "100", "B", "a", "é", "img 2"]
    cats = ["dog", "cat", "Zebra", "10", "9"]
    anns, dts = _scene(rng, images, cats, _counter(fmt=lambda i: "ann-%d" % i if i % 3 else str(100 + i)))
    # Detections matching the non-numeric annotation ids would make pycocotools fail (it stores
    # a matched annotation's id in a float array): give those GT no detection that overlaps.
    keep = []
    for a in anns:
        if not str(a["id"]).isdigit():
            a["bbox"] = [900 + rng.uniform(0, 50), 900, 10, 10]
            a["area"] = 100
        keep.append(a)
    gt = {"images": [_img(i) for i in images], "annotations": keep,
          "categories": [{"id": c, "name": "name-%s" % c} for c in cats]}
    cases["string-ids"] = (gt, dts, None)
    cases["string-ids-subsets"] = (gt, dts, {"imgIds": ["9", "a", "10", "nope"], "catIds": ["cat", "9", "Zebra"]})

    # String annotation ids that Python's float() converts: "0", "-0.0", "1e-400" read as
    # unmatched (like id 0); " 7 ", "1_0", "nan", "+inf" as matched.
    gt = {"images": [_img(i) for i in (1, 2)], "annotations": [], "categories": [{"id": 1, "name": "a"}]}
    dts = []
    for k, aid in enumerate(["0", " 7 ", "1_0", "-0.0", "1e-400", "nan", "+inf", "12", ".5", "5."]):
        img = 1 + k % 2
        box = [10 + 60 * k, 10 + 30 * (k % 3), 40, 40]
        gt["annotations"].append(_ann(aid, img, 1, box))
        dts.append(_det(img, 1, [box[0] + 1, box[1], 40, 40], round(0.9 - 0.05 * k, 2)))
    cases["string-annotation-ids"] = (gt, dts, None)

    # Floats and booleans: 1.0 == 1 == True in Python; a non-integral id 2.5; ids written as
    # floats in the GT and as integers in the results (and back).
    gt = {"images": [_img(1.0), _img(2), _img(2.5), _img(-3.0)], "annotations": [],
          "categories": [{"id": 1.0, "name": "one"}, {"id": 7, "name": "seven"}, {"id": 0.5, "name": "half"}]}
    aid = _counter()
    anns, dts = _scene(rng, [1.0, 2, 2.5, -3.0], [1.0, 7, 0.5], lambda: aid() + 0.5)
    gt["annotations"] = anns
    for d in dts:
        d["image_id"] = {1.0: True, 2: 2.0, 2.5: 2.5, -3.0: -3}[d["image_id"]]
        d["category_id"] = {1.0: 1, 7: 7.0, 0.5: 0.5}[d["category_id"]]
    cases["float-and-bool-ids"] = (gt, dts, None)

    # Huge and negative integers that NumPy keeps exactly: int64 (incl. beyond 2^53 and below
    # 0), uint64 (all of 2^63…2^64), object (beyond 2^64); annotation ids beyond 2^64.
    for name, images, cats in [
        ("huge-ids-int64", [2**62 + 1, 2**63 - 1, -2**63, -5, 0, 2**53 + 1], [2**53 + 1, 3, -1]),
        ("huge-ids-uint64", [2**63, 2**63 + 1, 2**64 - 1], [2**63 + 7, 2**64 - 2]),
        ("huge-ids-object", [2**64 + 5, 10**25, -10**20, 1, 2**63 + 1], [10**30, -2**70, 4]),
    ]:
        aid = _counter()
        anns, dts = _scene(rng, images, cats, lambda: 2**64 + aid() if name != "huge-ids-int64" else -aid())
        gt = {"images": [_img(i) for i in images], "annotations": anns, "categories": [{"id": c, "name": "c%d" % i} for i, c in enumerate(cats)]}
        cases[name] = (gt, dts, None)

    # Images and categories listed twice (pycocotools keeps one; a category's last name wins),
    # annotations of unlisted images/categories without bbox or area (never read), iscrowd as
    # booleans and as 2, boxes and scores as integers, extra keys in results.
    gt = {"images": [_img(1), _img(2), _img(1), _img(3)], "categories": [{"id": 1, "name": "first"}, {"id": 2, "name": "b"}, {"id": 1, "name": "last"}],
          "annotations": [_ann(1, 1, 1, [10, 10, 50, 50]), _ann(2, 1, 2, [100, 100, 30, 30], crowd=True),
                          _ann(3, 2, 1, [200, 50, 96, 96], crowd=2), _ann(4, 3, 2, [5, 5, 20, 20], crowd=False),
                          {"id": 5, "image_id": 99, "category_id": 1}, {"id": 6, "image_id": 1, "category_id": 42, "bbox": [1, 2, 3, 4]}]}
    dts = [_det(1, 1, [11, 10, 50, 50], 1, id=77, area=5, segmentation=[[1, 2, 3, 4, 5, 6]], attributes={"x": None}),
           _det(1, 2, [100, 100, 20, 20], 0), _det(2, 1, [200, 52, 96, 96], 0.5, caption_like="no"),
           _det(3, 2, [5, 5, 20, 20], 0.75), _det(3, 1, [5, 5, 20, 20], 0.75), _det(2, 42, [1, 2, 3, 4], 0.9)]
    cases["duplicates-and-extra-keys"] = (gt, dts, None)
    return cases


def _rle(mask):
    r = mu.encode(np.asfortranarray(mask.astype(np.uint8)))
    return {"size": [int(x) for x in r["size"]], "counts": r["counts"].decode("ascii")}


def _random_mask(rng, h, w):
    m = np.zeros((h, w), np.uint8)
    kind = rng.random()
    if kind < 0.1:
        return m  # empty
    for _ in range(rng.randint(1, 3)):
        x0, y0 = rng.randint(0, w - 1), rng.randint(0, h - 1)
        x1, y1 = min(w, x0 + rng.randint(1, 70)), min(h, y0 + rng.randint(1, 70))
        m[y0:y1, x0:x1] = 1
    if kind > 0.8:
        m[rng.randint(0, h - 1), :] = 1  # a full row: runs cross columns
    return m


def results_cases(rng):
    """{name: (gt, dt, params)} — results read through loadRes's segmentation, keypoints and caption branches."""
    cases = {}
    h, w = 120, 160
    gt = {"images": [{"id": i, "width": w, "height": h} for i in range(1, 7)], "annotations": [],
          "categories": [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}]}
    aid = _counter()
    for img in range(1, 7):
        for _ in range(rng.randint(1, 4)):
            s = rng.choice([8, 20, 31, 32, 33, 40, 60, 96, 97])
            box = [rng.randint(0, w - s), rng.randint(0, h - min(s, h)), s, min(s, h)]
            gt["annotations"].append(_ann(aid(), img, rng.choice([1, 2]), box, area=box[2] * box[3] * rng.choice([1, 0.7, 1.3])))
    # Segmentation branch: the first result has an RLE and no bbox. Later results: RLE only
    # (bbox from the mask), RLE + own bbox (kept; area still the mask's), masks whose area and
    # box area fall in different ranges (32² and 96² borders), empty masks, full-row masks.
    dts = []
    for k, a in enumerate(gt["annotations"] * 2):
        m = np.zeros((h, w), np.uint8)
        x, y, bw, bh = [int(v) for v in a["bbox"]]
        if k % 7 == 3:
            m = _random_mask(rng, h, w)
        else:
            m[y:y + bh, x + (k % 3):x + bw] = 1
            if k % 5 == 0:
                m[y:y + bh // 2, x:x + bw] = 0  # box stays, mask area halves
        d = {"image_id": a["image_id"], "category_id": a["category_id"] if k % 9 else 3 - a["category_id"],
             "segmentation": _rle(m), "score": round(rng.random(), 1)}
        if k % 4 == 2 and k > 0:
            d["bbox"] = [x - 1, y, bw + 2, bh]
        dts.append(d)
    cases["results-segmentation-rle"] = (gt, dts, None)
    # Masks only (every box from its mask), with small maxDets.
    dts2 = [dict(d) for d in dts if "bbox" not in d]
    cases["results-segmentation-only"] = (gt, dts2, {"maxDets": [1, 3, 100]})
    # Keypoints branch: box and area from the keypoints' extent (x = kp[0::3], y = kp[1::3]),
    # later results' own bbox ignored; invisible keypoints (v=0) at (0, 0) still count.
    dts = []
    for k, a in enumerate(gt["annotations"]):
        x, y, bw, bh = a["bbox"]
        kp = []
        for j in range(rng.randint(1, 5)):
            kp += [round(x + rng.uniform(0, bw), 1), round(y + rng.uniform(0, bh), 1), 2]
        if k % 6 == 5:
            kp += [0, 0, 0]
        if k % 4 == 1:
            kp = kp[:-1]  # length not a multiple of 3
        d = {"image_id": a["image_id"], "category_id": a["category_id"], "keypoints": kp, "score": round(rng.random(), 2)}
        if k % 3 == 1:
            d["bbox"] = [0, 0, 1]  # ignored (and malformed)
        dts.append(d)
    cases["results-keypoints"] = (gt, dts, None)
    # Caption branch: boxes and areas taken from the file (area unlike w·h changes ranges).
    dts = []
    for k, a in enumerate(gt["annotations"] * 2):
        d = {"image_id": a["image_id"], "category_id": a["category_id"], "bbox": _jit(rng, a["bbox"], 0.1),
             "score": round(rng.random(), 2), "area": rng.choice([10, 1024, 5000, 9216, 20000, -1])}
        if k == 0:
            d["caption"] = "a cat"
        dts.append(d)
    cases["results-caption"] = (gt, dts, None)
    return cases


def refusal_cases(rng):
    """{name: (gt, dt)} — inputs pycocotools fails on, or silently mangles."""
    gt = {"images": [_img(1), _img(2)], "categories": [{"id": 1, "name": "a"}],
          "annotations": [_ann(1, 1, 1, [10, 10, 40, 40]), _ann(2, 2, 1, [50, 50, 30, 30])]}
    ok = [_det(1, 1, [10, 10, 40, 40], 0.9), _det(2, 1, [50, 50, 30, 30], 0.8)]
    rle = _rle(np.pad(np.ones((4, 5), np.uint8), ((3, 3), (2, 2))))
    out = {}
    out["results-polygon-segmentation"] = (gt, [{"image_id": 1, "category_id": 1, "segmentation": [[10, 10, 50, 10, 50, 50]], "score": 0.9}])
    out["results-uncompressed-rle"] = (gt, [{"image_id": 1, "category_id": 1, "segmentation": {"size": [10, 9], "counts": [30, 4, 6, 4, 46]}, "score": 0.9}])
    out["results-rle-then-polygon"] = (gt, [{"image_id": 1, "category_id": 1, "segmentation": rle, "score": 0.9},
                                            {"image_id": 2, "category_id": 1, "segmentation": [[1, 1, 5, 1, 5, 5]], "bbox": [1, 1, 4, 4], "score": 0.5}])
    # "bbox": [] does not count as a bbox when loadRes picks its branch, but it is kept, and
    # the IoU then fails on it.
    out["results-segmentation-first-empty-bbox"] = (gt, [{"image_id": 1, "category_id": 1, "segmentation": rle, "bbox": [], "score": 0.9}])
    out["results-rle-zero-height"] = (gt, [{"image_id": 1, "category_id": 1, "segmentation": dict(rle, size=[0, 9]), "score": 0.9}])
    out["results-first-without-box"] = (gt, [{"image_id": 1, "category_id": 1, "score": 0.9}] + ok)
    out["results-later-without-bbox"] = (gt, ok + [{"image_id": 1, "category_id": 1, "segmentation": rle, "score": 0.3}])
    out["results-empty-keypoints"] = (gt, [{"image_id": 1, "category_id": 1, "keypoints": [], "score": 0.9}])
    out["gt-mixed-string-and-integer-image-ids"] = (dict(gt, images=[_img(1), _img("2")]), [_det(1, 1, [10, 10, 40, 40], 0.9)])
    out["gt-matched-non-numeric-annotation-id"] = (dict(gt, annotations=[_ann("a1", 1, 1, [10, 10, 40, 40])]), ok[:1])
    out["gt-iscrowd-256"] = (dict(gt, annotations=[_ann(1, 1, 1, [10, 10, 40, 40], crowd=256)]), ok[:1])
    out["gt-evaluated-annotation-without-area"] = (dict(gt, annotations=[{"id": 1, "image_id": 1, "category_id": 1, "bbox": [10, 10, 40, 40], "iscrowd": 0}]), ok[:1])
    # pycocotools does not fail here: NumPy turns the image ids into float64, 2^63 + 1 becomes
    # 2^63, and image 2^63 + 1 silently loses its GT and detections.
    out["gt-image-ids-numpy-rounds"] = ({"images": [_img(1), _img(2**63 + 1)], "categories": [{"id": 1, "name": "a"}],
                                         "annotations": [_ann(1, 1, 1, [10, 10, 40, 40]), _ann(2, 2**63 + 1, 1, [5, 5, 40, 40])]},
                                        [_det(1, 1, [10, 10, 40, 40], 0.9), _det(2**63 + 1, 1, [50, 50, 40, 40], 0.95)])
    return out


def run_pycocotools_isolated(gt, dt):
    """pycocotools in a child process (some inputs kill it with a signal); returns what happened."""
    code = ("import json,sys,io,contextlib\n"
            "sys.path.insert(0, %r)\n"
            "import make_coco_fixtures as m\n"
            "gt, dt = json.load(sys.stdin)\n"
            "try:\n"
            "    r = m.evaluate(gt, dt)\n"
            "    print(json.dumps({'outcome': 'evaluated', 'stats_repr': r['stats_repr']}))\n"
            "except Exception as e:\n"
            "    print(json.dumps({'outcome': 'raised', 'exception': '%%s: %%s' %% (type(e).__name__, e)}))\n"
            % os.path.dirname(os.path.abspath(__file__)))
    p = subprocess.run([sys.executable, "-c", code], input=json.dumps([gt, dt]), capture_output=True, text=True)
    if p.returncode < 0:
        return {"outcome": "killed", "signal": -p.returncode}
    return json.loads(p.stdout.strip().splitlines()[-1])


def rle_cases(rng, n=600):
    """Compressed RLE strings with pycocotools' area and box: real masks, random valid strings,
    and strings with characters outside '0'…'o' and values longer than 32 bits."""
    cases = []
    for k in range(n):
        kind = k % 4
        if kind == 0:
            h, w = rng.randint(1, 40), rng.randint(1, 40)
            r = _rle(_random_mask(rng, h, w))
            counts, size = r["counts"], r["size"]
        else:
            length = rng.randint(0, 24)
            if kind == 1:
                chars = [chr(rng.randint(48, 111)) for _ in range(length)]
            elif kind == 2:
                chars = [chr(rng.randint(32, 126)) for _ in range(length)]
            else:
                chars = [chr(rng.choice([rng.randint(1, 126), rng.randint(0xA0, 0x7FF), rng.randint(0x800, 0xFFFF), rng.randint(48, 111)]))
                         for _ in range(length)]
                chars = [c for c in chars if not 0xD800 <= ord(c) <= 0xDFFF]
            counts = "".join(chars)
            size = [rng.choice([1, 3, 10, 480, 2**32 + 7, rng.randint(1, 2**20)]), rng.randint(0, 700)]
        if not _terminated(counts.encode("utf-8")):
            continue  # the C decoder would read past the end: cocoeval refuses those
        obj = {"size": size, "counts": counts}
        area = int(mu.area(obj))
        box = [repr(float(v)) for v in mu.toBbox(obj)]
        cases.append({"counts": counts, "size": size, "area": area, "bbox_repr": box})
    return cases


def _terminated(bs):
    """Whether maskApi.c's rleFrString ends every value inside the (NUL-truncated) string."""
    n = bs.index(0) if 0 in bs else len(bs)
    more = False
    for b in bs[:n]:
        c = ((b if b < 128 else b - 256) - 48) & 0xFF
        more = bool(c & 0x20)
    return not more


def write_all(out_dir, evaluate, write):
    rng = random.Random(4242)
    corner = os.path.join(out_dir, "corner")
    for name, (gt, dt, params) in list(id_cases(rng).items()) + list(results_cases(rng).items()):
        d = os.path.join(corner, name)
        write(os.path.join(d, "gt.json"), gt)
        write(os.path.join(d, "dt.json"), dt)
        write(os.path.join(d, "expected.json"), evaluate(gt, dt, params), indent=1)
    for name, (gt, dt) in refusal_cases(rng).items():
        d = os.path.join(out_dir, "refusals", name)
        write(os.path.join(d, "gt.json"), gt)
        write(os.path.join(d, "dt.json"), dt)
        write(os.path.join(d, "pycocotools.json"), run_pycocotools_isolated(gt, dt), indent=1)
    write(os.path.join(out_dir, "rle", "cases.json"), rle_cases(rng), indent=0)
