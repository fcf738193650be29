#!/usr/bin/env python3
"""Differential check: random COCO cases through pycocotools and the built cocoeval binary.

    swift build -c release && python3 tools/fuzz_cocoeval_vs_pycocotools.py --cases 200

Each case mixes dense overlapping boxes, crowds, `ignore` keys, GT `area` unlike w·h, score ties
(coarse rounding), images without GT or detections, >maxDets detections, GT id 0 and repeated ids
now and then, and random parameters (maxDets, IoU thresholds, area ranges, useCats via the API
is not reachable from the CLI, so it is left to the committed fixtures). Then ids are rewritten
into another kind (strings, float literals, booleans, huge or negative integers) and results into
another form pycocotools' loadRes reads (segmentation RLE with or without bbox, keypoints,
caption, extra keys, integer boxes), with duplicated image entries now and then. Compares the
12 stats by Python repr; prints the first mismatching case's files and exits 1 on any difference.

    python3 tools/fuzz_cocoeval_vs_pycocotools.py --cases 300 --forms    # ids and result forms too
"""
import argparse
import copy
import json
import os
import random
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_coco_fixtures as m  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def random_case(rng):
    cats = rng.sample(range(1, 30), rng.randint(1, 6))
    n_img = rng.randint(1, 25)
    gt = m.base_gt(n_img, cats)
    dt = []
    tie = rng.choice([1, 2, 3, 6])
    for img in range(1, n_img + 1):
        anns = []
        for _ in range(rng.randint(0, 10)):
            s = rng.choice([4, 16, 31, 32, 33, 50, 95, 96, 97, 200])
            w = round(s * rng.uniform(0.5, 1.5), rng.choice([0, 1, 2])); h = round(s * s / max(w, 1), 1)
            box = [round(rng.uniform(0, 300), 1), round(rng.uniform(0, 300), 1), w, h]
            a = m.ann(gt, img, rng.choice(cats), box, area=rng.choice([w * h, round(w * h * rng.uniform(0.3, 1.2), 2), 1024, 9216]),
                      crowd=1 if rng.random() < 0.1 else 0, **({"ignore": 1} if rng.random() < 0.1 else {}))
            anns.append(a)
        for _ in range(rng.choice([0, 2, 8, 30, 120])):
            if anns and rng.random() < 0.7:
                g = rng.choice(anns)
                box = m.jitter(rng, g["bbox"], rng.choice([0.0, 0.05, 0.2, 0.5]))
                cat = g["category_id"] if rng.random() < 0.85 else rng.choice(cats)
            else:
                box = [round(rng.uniform(0, 350), 1), round(rng.uniform(0, 350), 1), round(rng.uniform(0, 120), 1), round(rng.uniform(0, 120), 1)]
                cat = rng.choice(cats)
            dt.append(m.det(img, cat, box, round(rng.random(), tie)))
    if gt["annotations"] and rng.random() < 0.1:
        gt["annotations"][0]["id"] = 0
    if len(gt["annotations"]) > 2 and rng.random() < 0.1:
        gt["annotations"][1]["id"] = gt["annotations"][2]["id"]
    params, args = {}, []
    if rng.random() < 0.3:
        md = sorted(rng.sample([1, 2, 3, 5, 10, 20, 50, 100, 300], 3))
        params["maxDets"] = md; args += ["--max-dets", ",".join(map(str, md))]
    if rng.random() < 0.3:
        thr = sorted(rng.sample([0.1, 0.3, 0.5, 0.6, 0.75, 0.8, 0.9, 0.95], rng.randint(1, 5)))
        params["iouThrs"] = thr; args += ["--iou-thrs", ",".join(map(repr, thr))]
    if rng.random() < 0.2:
        b1 = rng.choice([100, 500, 1024]); b2 = rng.choice([2000, 9216, 20000])
        params["areaRng"] = [[0, 1e10], [0, b1], [b1, b2], [b2, 1e10]]
        args += ["--area-ranges", "all=0:1e10,small=0:%d,medium=%d:%d,large=%d:1e10" % (b1, b1, b2, b2)]
    return gt, dt, params, args


ID_KINDS = ["int", "string", "float", "huge-int64", "huge-object", "uint64", "negative"]
FORMS = ["bbox", "bbox-extra-keys", "segmentation", "segmentation-some-bbox", "keypoints", "caption"]


def rewrite_ids(rng, gt, dt, kind):
    """The same case with ids of another kind, used consistently (as pycocotools requires)."""
    gt, dt = copy.deepcopy(gt), copy.deepcopy(dt)
    if kind == "int":
        return gt, dt
    if kind == "string":
        # Lexicographic order differs from numeric order ("10" < "9"); annotation ids stay numeric
        # strings (a matched non-numeric one makes pycocotools fail), "0" now and then.
        fi, fc, fa = str, (lambda c: "cat%d" % c), (lambda a: str(a) if a else "0")
    elif kind == "float":
        # Written as float literals in one place and integers in another: 3.0 == 3 in Python.
        fi, fc, fa = (lambda i: float(i) if rng.random() < 0.5 else i), (lambda c: float(c) if rng.random() < 0.5 else c), float
    elif kind == "huge-int64":
        fi, fc, fa = (lambda i: 2**62 + i * 2**40), (lambda c: -2**63 + c), (lambda a: 2**53 + a)
    elif kind == "huge-object":
        fi, fc, fa = (lambda i: 2**64 + i), (lambda c: -10**20 - c), (lambda a: 10**30 + a if a else 0)
    elif kind == "uint64":
        fi, fc, fa = (lambda i: 2**63 + i), (lambda c: 2**64 - c), (lambda a: 2**63 + a if a else 0)
    else:
        fi, fc, fa = (lambda i: -i), (lambda c: -c), (lambda a: -a)
    for im in gt["images"]:
        im["id"] = fi(im["id"])
    for c in gt["categories"]:
        c["id"] = fc(c["id"])
    for a in gt["annotations"]:
        a["id"], a["image_id"], a["category_id"] = fa(a["id"]), fi(a["image_id"]), fc(a["category_id"])
    for d in dt:
        d["image_id"], d["category_id"] = fi(d["image_id"]), fc(d["category_id"])
    if kind == "float" and rng.random() < 0.5:
        for d in dt:
            if d["image_id"] == 1:
                d["image_id"] = True  # True == 1 in Python
    return gt, dt


def rewrite_form(rng, dt, form):
    """The same detections in another form loadRes reads (first result decides the branch)."""
    import numpy as np
    import pycocotools.mask as mu
    dt = copy.deepcopy(dt)
    if form == "bbox":
        return dt
    if form == "bbox-extra-keys":
        for i, d in enumerate(dt):
            d.update({"id": -i, "area": 3.5, "segmentation": [[1, 2, 3, 4, 5, 6]], "note": {"x": [None]}})
            if rng.random() < 0.3:
                d["bbox"] = [int(round(v)) for v in d["bbox"]]
        return dt
    if form.startswith("segmentation"):
        for i, d in enumerate(dt):
            x, y, w, h = d["bbox"]
            m = np.zeros((400, 400), np.uint8)
            m[int(y):int(y + h) + 1, int(x + 0.5):int(x + w)] = 1
            if rng.random() < 0.3:
                m[int(y):int(y + h / 2), int(x):int(x + w)] = 0
            r = mu.encode(np.asfortranarray(m))
            d["segmentation"] = {"size": [400, 400], "counts": r["counts"].decode("ascii")}
            if i == 0 or form == "segmentation" or rng.random() < 0.5:
                del d["bbox"]
        return dt
    if form == "keypoints":
        for d in dt:
            x, y, w, h = d.pop("bbox")
            d["keypoints"] = [round(x, 1), round(y + h / 3, 1), 2, round(x + w, 1), round(y + h, 1), 1, round(x + w / 2, 1), round(y, 1), 2]
            if rng.random() < 0.2:
                d["bbox"] = [0, 0, 1, 1]  # ignored in this branch (on the first result it would pick the bbox branch)
        return dt
    for d in dt:  # caption: areas taken from the file
        d["area"] = round(d["bbox"][2] * d["bbox"][3] * rng.choice([1, 0.5, 2]), 2)
    dt[0]["caption"] = "x"
    return dt


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--seed", type=int, default=5)
    ap.add_argument("--cocoeval", default=os.path.join(ROOT, ".build", "release", "cocoeval"))
    ap.add_argument("--forms", action="store_true", help="also rewrite ids and result forms (see the module doc)")
    a = ap.parse_args()
    rng = random.Random(a.seed)
    tmp = tempfile.mkdtemp(prefix="cocofuzz-")
    skipped = 0
    refused = {}
    counts = {}
    kind = form = None
    for i in range(a.cases):
        gt, dt, params, args = random_case(rng)
        if not dt:
            skipped += 1  # pycocotools cannot load an empty list (covered by the fixtures)
            continue
        if a.forms:
            kind, form = rng.choice(ID_KINDS), rng.choice(FORMS)
            gt, dt = rewrite_ids(rng, gt, dt, kind)
            dt = rewrite_form(rng, dt, form)
            if rng.random() < 0.2:
                gt["images"] = gt["images"] + gt["images"][:2]  # duplicated image entries
            counts[kind, form] = counts.get((kind, form), 0) + 1
        g, d = os.path.join(tmp, "gt.json"), os.path.join(tmp, "dt.json")
        m.write(g, gt); m.write(d, dt)
        try:
            want = m.evaluate(gt, dt, params)["stats_repr"]
        except Exception as e:  # pycocotools refuses: cocoeval must refuse too (exit 1, one line)
            out = subprocess.run([a.cocoeval, d, "--gt", g, "--json", "--threads", "2"] + args, capture_output=True, text=True)
            if out.returncode != 1 or out.stdout or out.stderr.count("\n") != 1:
                print("case %d: pycocotools raised %s: %s, cocoeval exited %d: %s" % (i, type(e).__name__, e, out.returncode, out.stderr))
                sys.exit(1)
            why = "%s/%s: pycocotools %s: %s" % (kind, form, type(e).__name__, str(e)[:60])
            refused[why] = refused.get(why, 0) + 1
            continue
        out = subprocess.run([a.cocoeval, d, "--gt", g, "--json", "--threads", "2"] + args, capture_output=True, text=True)
        if out.returncode != 0:
            print("case %d: cocoeval failed: %s" % (i, out.stderr)); sys.exit(1)
        got = [repr(float(x)) for x in json.loads(out.stdout).values()]
        if got != want:
            keep = os.path.join(tmp, "fail-%d" % i); os.makedirs(keep)
            os.rename(g, os.path.join(keep, "gt.json")); os.rename(d, os.path.join(keep, "dt.json"))
            print("case %d differs (args %s)\n  pycocotools %s\n  cocoeval    %s\n  files in %s" % (i, args, want, got, keep))
            sys.exit(1)
    print("%d random cases: all 12 stats identical to pycocotools (%d empty ones skipped); %d refused by both"
          % (a.cases - skipped - sum(refused.values()), skipped, sum(refused.values())))
    for why, n in sorted(refused.items()):
        print("  refused %dx (%s)" % (n, why))
    if counts:
        print("id kinds x result forms:", ", ".join("%s/%s %d" % (k, f, n) for (k, f), n in sorted(counts.items())))


if __name__ == "__main__":
    main()
