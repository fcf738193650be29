#!/usr/bin/env python3
"""cocoeval vs pycocotools on a real `ablate train` output and on the exported val split.

Usage: python3 bench/run_parity.py RUN_DIR [EXPORT_DIR] [--cocoeval PATH]

RUN_DIR is what `ablate train --out RUN_DIR` wrote (gt.json, preds.json, metrics.json).
EXPORT_DIR, if given, is `ablate export-dataset EXPORT_DIR --split val --images N --data-seed S`
with the run's valImages and dataSeed: its annotations.json must describe the same images and
boxes as RUN_DIR/gt.json, and the predictions are scored against it too.

Checks, each printed and failing the script (exit 1) when violated:
  1. `cocoeval RUN_DIR/preds.json` (GT found beside the predictions) == pycocotools, 12 stats, |d| <= 1e-12;
  2. its summary text == pycocotools' summarize() output, character for character;
  3. metrics.json (what `ablate` stored) == pycocotools;
  4. with EXPORT_DIR: the export's annotations equal gt.json, and cocoeval --gt annotations.json
     == pycocotools on the export.
"""
import contextlib, io, json, os, subprocess, sys

KEYS = ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]


def pycoco(gt_path, preds_path):
    from pycocotools.coco import COCO
    from pycocotools.cocoeval import COCOeval
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        gt = COCO(gt_path)
        dt = gt.loadRes(preds_path)
        ev = COCOeval(gt, dt, "bbox")
        ev.evaluate()
        ev.accumulate()
    text = io.StringIO()
    with contextlib.redirect_stdout(text):
        ev.summarize()
    return [float(x) for x in ev.stats], text.getvalue()


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"{' '.join(cmd)} failed ({p.returncode}): {p.stderr.strip()}")
    return p.stdout


def compare(label, ours, ref):
    worst = max(abs(a - b) for a, b in zip(ours, ref))
    ok = worst <= 1e-12
    print(f"{'OK  ' if ok else 'FAIL'} {label}: max |d| = {worst:.3g}  (AP {ours[0]:.4f} vs {ref[0]:.4f})")
    return ok


def boxes(coco):
    anns = sorted((a["image_id"], a["category_id"], tuple(round(v, 6) for v in a["bbox"]), a.get("iscrowd", 0))
                  for a in coco["annotations"])
    imgs = sorted((i["id"], i["width"], i["height"]) for i in coco["images"])
    cats = sorted((c["id"], c["name"]) for c in coco["categories"])
    return imgs, cats, anns


def main():
    args = sys.argv[1:]
    exe = ".build/release/cocoeval"
    if "--cocoeval" in args:
        i = args.index("--cocoeval"); exe = args[i + 1]; del args[i:i + 2]
    if not args or args[0] in ("-h", "--help"):
        print(__doc__); return 0
    run_dir, export_dir = args[0], (args[1] if len(args) > 1 else None)
    gt, preds = os.path.join(run_dir, "gt.json"), os.path.join(run_dir, "preds.json")
    ref, ref_text = pycoco(gt, preds)
    ok = True

    ours = json.loads(run([exe, preds, "--json"]))
    ok &= compare("cocoeval --json (GT beside the predictions) vs pycocotools", [ours[k] for k in KEYS], ref)
    text = run([exe, preds])
    same = ref_text.strip("\n") in text
    print(f"{'OK  ' if same else 'FAIL'} summary text identical to pycocotools' summarize()")
    ok &= same
    stored = json.load(open(os.path.join(run_dir, "metrics.json")))
    stored = stored.get("metrics", stored)
    ok &= compare("metrics.json stored by ablate vs pycocotools", [stored[k] for k in KEYS], ref)

    if export_dir:
        ann = os.path.join(export_dir, "annotations.json")
        same_data = boxes(json.load(open(ann))) == boxes(json.load(open(gt)))
        print(f"{'OK  ' if same_data else 'FAIL'} exported val split == the run's gt.json (images, categories, boxes)")
        ok &= same_data
        ref2, _ = pycoco(ann, preds)
        ours2 = json.loads(run([exe, preds, "--gt", ann, "--json"]))
        ok &= compare("cocoeval --gt EXPORT/annotations.json vs pycocotools", [ours2[k] for k in KEYS], ref2)
    print("PASS" if ok else "FAILED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
