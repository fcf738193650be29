#!/usr/bin/env python3
"""cocoeval against hotcoco, faster-coco-eval and pycocotools: whole processes, one run.

    swift build -c release
    pip install pycocotools faster-coco-eval hotcoco
    python3 bench/cocoeval_bench.py                    # 5k and 20k images, 5 repeats (slow tools once)
    python3 bench/cocoeval_bench.py --sizes 5000 --repeats 3 --skip pycocotools
    python3 bench/cocoeval_bench.py --sizes 5000 --string-ids   # also cocoeval on a string-id copy
    python3 bench/cocoeval_bench.py --sizes 5000 --baseline /tmp/main/.build/release/cocoeval  # before/after

Generates the benchmark data deterministically if missing (bench/make_cocoeval_bench.py, into
bench/out/cocoNk/), then times each tool as a separate process (load both files, evaluate,
accumulate, summarize), round-robin so background load hits all tools alike. Wall time is the
median over repeats; peak RSS is the child's ru_maxrss. Also checks that every tool printed the
same 12 stats as cocoeval. Prints `uptime` before and after: run it on an idle machine.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

PY_TOOLS = {
    "hotcoco": """
import sys, json
from hotcoco import COCO, COCOeval
gt = COCO(sys.argv[1]); dt = gt.loadRes(sys.argv[2])
e = COCOeval(gt, dt, "bbox"); e.evaluate(); e.accumulate(); e.summarize()
print("STATS " + json.dumps([float(x) for x in e.stats]))
""",
    "faster-coco-eval": """
import sys, json
from faster_coco_eval import COCO, COCOeval_faster
gt = COCO(sys.argv[1]); dt = gt.loadRes(sys.argv[2])
e = COCOeval_faster(gt, dt, "bbox"); e.evaluate(); e.accumulate(); e.summarize()
print("STATS " + json.dumps([float(x) for x in e.stats[:12]]))
""",
    "pycocotools": """
import sys, json
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval
gt = COCO(sys.argv[1]); dt = gt.loadRes(sys.argv[2])
e = COCOeval(gt, dt, "bbox"); e.evaluate(); e.accumulate(); e.summarize()
print("STATS " + json.dumps([float(x) for x in e.stats]))
""",
}


def command(tool, gt, preds, cocoeval, threads, baseline=None):
    if tool == "cocoeval":
        return [cocoeval, preds, "--gt", gt, "--json", "--threads", str(threads)]
    if tool == "cocoeval-baseline":
        return [baseline, preds, "--gt", gt, "--json", "--threads", str(threads)]
    if tool == "cocoeval-string-ids":
        d = os.path.dirname(gt) + "-strings"
        return [cocoeval, os.path.join(d, "preds.json"), "--gt", os.path.join(d, "gt.json"), "--json", "--threads", str(threads)]
    return [sys.executable, "-c", PY_TOOLS[tool], gt, preds]


def run_once(cmd):
    """Runs cmd; returns (wall seconds, peak RSS MiB, stdout)."""
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    out = p.stdout.read()
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    p.returncode = os.waitstatus_to_exitcode(status)
    if p.returncode != 0:
        raise SystemExit("failed (%d): %s" % (p.returncode, " ".join(cmd[:3])))
    rss = ru.ru_maxrss / 1024.0 if sys.platform.startswith("linux") else ru.ru_maxrss / 2**20
    return wall, rss, out.decode()


def stats_of(tool, out):
    if tool.startswith("cocoeval"):
        d = json.loads(out)
        return [d[k] for k in ["AP", "AP50", "AP75", "APs", "APm", "APl", "AR1", "AR10", "AR100", "ARs", "ARm", "ARl"]]
    line = [l for l in out.splitlines() if l.startswith("STATS ")][-1]
    return json.loads(line[6:])


def ensure_data(images):
    d = os.path.join(HERE, "out", "coco%dk" % (images // 1000))
    if not (os.path.exists(os.path.join(d, "gt.json")) and os.path.exists(os.path.join(d, "preds.json"))):
        subprocess.check_call([sys.executable, os.path.join(HERE, "make_cocoeval_bench.py"), "--images", str(images), "--out", d])
    return os.path.join(d, "gt.json"), os.path.join(d, "preds.json")


def ensure_string_id_copy(gt, preds):
    """The same data with image and category ids as strings ("000000123", "cat-018"), which
    pycocotools accepts and hotcoco does not: shows what string ids cost cocoeval. Zero-padded,
    so Python's string order is the numeric order and the 12 stats must be bit-identical to the
    integer run (other orders legitimately change the last bits of the means). Written by a
    child process: Linux carries a process's peak RSS across fork/exec into the children's
    ru_maxrss, so loading 80 MiB of JSON here would inflate every tool's measured peak."""
    d = os.path.dirname(gt) + "-strings"
    if os.path.exists(os.path.join(d, "preds.json")):
        return
    subprocess.check_call([sys.executable, os.path.abspath(__file__), "--write-string-id-copy", gt, preds])


def write_string_id_copy(gt, preds):
    d = os.path.dirname(gt) + "-strings"
    os.makedirs(d, exist_ok=True)
    with open(gt) as f:
        g = json.load(f)
    for im in g["images"]:
        im["id"] = "%09d" % im["id"]
    for c in g["categories"]:
        c["id"] = "cat-%03d" % c["id"]
    for a in g["annotations"]:
        a["image_id"], a["category_id"] = "%09d" % a["image_id"], "cat-%03d" % a["category_id"]
    with open(os.path.join(d, "gt.json"), "w") as f:
        json.dump(g, f)
    with open(preds) as f:
        p = json.load(f)
    for r in p:
        r["image_id"], r["category_id"] = "%09d" % r["image_id"], "cat-%03d" % r["category_id"]
    with open(os.path.join(d, "preds.json"), "w") as f:
        json.dump(p, f)


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="5000,20000", help="image counts, comma-separated")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--threads", type=int, default=2, help="cocoeval --threads")
    ap.add_argument("--skip", default="", help="tools to skip, comma-separated")
    ap.add_argument("--pycocotools-repeats", type=int, default=1, help="pycocotools takes minutes; 0 skips it")
    ap.add_argument("--fce-repeats", type=int, default=1, help="faster-coco-eval runs per size (it is ~10x slower than hotcoco)")
    ap.add_argument("--pycocotools-max-images", type=int, default=5000, help="skip pycocotools above this size")
    ap.add_argument("--cocoeval", default=os.path.join(ROOT, ".build", "release", "cocoeval"))
    ap.add_argument("--string-ids", action="store_true", help="also time cocoeval on a copy with string image and category ids")
    ap.add_argument("--baseline", help="another cocoeval binary (e.g. built from main) timed in the same run as cocoeval-baseline")
    ap.add_argument("--write-string-id-copy", nargs=2, metavar=("GT", "PREDS"), help=argparse.SUPPRESS)
    a = ap.parse_args()
    if a.write_string_id_copy:
        return write_string_id_copy(*a.write_string_id_copy)
    if not os.path.exists(a.cocoeval):
        sys.exit("build first: swift build -c release (looked for %s)" % a.cocoeval)
    skip = set(filter(None, a.skip.split(",")))
    print("uptime before:", subprocess.check_output(["uptime"]).decode().strip())
    print("cocoeval: %s --threads %d; python: %s" % (a.cocoeval, a.threads, sys.version.split()[0]))
    for images in [int(s) for s in a.sizes.split(",")]:
        gt, preds = ensure_data(images)
        size_mb = (os.path.getsize(gt) + os.path.getsize(preds)) / 2**20
        tools = [t for t in ["cocoeval", "hotcoco", "faster-coco-eval", "pycocotools"] if t not in skip]
        if a.string_ids:
            ensure_string_id_copy(gt, preds)
            tools.insert(1, "cocoeval-string-ids")
        if a.baseline:
            tools.insert(1, "cocoeval-baseline")
        if images > a.pycocotools_max_images or a.pycocotools_repeats == 0:
            tools = [t for t in tools if t != "pycocotools"]
        walls = {t: [] for t in tools}
        rss = {t: 0.0 for t in tools}
        stats = {}
        for r in range(a.repeats):
            order = tools[r % len(tools):] + tools[:r % len(tools)]
            for t in order:
                if t == "pycocotools" and len(walls[t]) >= a.pycocotools_repeats:
                    continue
                if t == "faster-coco-eval" and len(walls[t]) >= a.fce_repeats:
                    continue
                w, m, out = run_once(command(t, gt, preds, a.cocoeval, a.threads, a.baseline))
                walls[t].append(w)
                rss[t] = max(rss[t], m)
                stats[t] = stats_of(t, out)
        print("\n%d images (%.0f MiB of JSON: %s)" % (images, size_mb, os.path.relpath(os.path.dirname(gt), ROOT)))
        print("%-19s %9s %9s %10s %11s %10s %12s" % ("tool", "median s", "min s", "peak MiB", "time/hotco", "RSS/hotco", "max|Δstats|"))
        hw = statistics.median(walls["hotcoco"]) if walls.get("hotcoco") else None
        hr = rss.get("hotcoco")
        for t in tools:
            med = statistics.median(walls[t])
            diff = max(abs(x - y) for x, y in zip(stats[t], stats["cocoeval"])) if "cocoeval" in stats else float("nan")
            print("%-19s %9.3f %9.3f %10.1f %11s %10s %12.3g" % (
                t, med, min(walls[t]), rss[t],
                "%.3f" % (med / hw) if hw else "-", "%.3f" % (rss[t] / hr) if hr else "-", diff))
    print("\nuptime after:", subprocess.check_output(["uptime"]).decode().strip())


if __name__ == "__main__":
    main()
