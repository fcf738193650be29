#!/usr/bin/env python3
"""Interleaved single-thread timing of engine variants (no PyTorch), for lever-by-lever figures on a
shared machine: back-to-back runs of one variant drift by 30% and more with the load, so every
repetition runs all variants in turn and the summary gives the median over repetitions of each
variant's median thread-CPU step time.

    python3 bench/engine_variants.py                          # sizes 128,256; 3 / 2 repetitions
    python3 bench/engine_variants.py --other /tmp/old-checkout --other-label "commit abc1234"

Variants (--only-default: the first and last only): default; stem + stage 1 frozen (ENGINE_BENCH_FREEZE=1); Winograd off
(ENGINE_BENCH_WINOGRAD=0); inference without BN folding (ENGINE_BENCH_FOLD=0, --fold); with --other, the default
engine of another checkout of this package (built by `swift test` there). --threads 2 times with two threads
(wall-clock medians; thread CPU time only measures one thread). Engine runs go through TrainStepBenchmarkTests/testBenchmark as in
bench/engine_vs_torch.py.
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def run(root, size, iters, extra, threads=1):
    # The test also appends its ENGINE_BENCH line to ENGINE_BENCH_OUT (trees from before that
    # only print it): through `swift test` the ~6 KB line was sometimes missing from stdout.
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "engine_bench.txt")
        env = dict(os.environ, ENGINE_BENCH="1", ENGINE_BENCH_SIZES=str(size), ENGINE_BENCH_THREADS=str(threads),
                   ENGINE_BENCH_ITERS=str(iters), ENGINE_BENCH_BATCH="8", ENGINE_BENCH_PEAK="0",
                   ENGINE_BENCH_OUT=path, **extra)
        out = subprocess.run(["swift", "test", "-c", "release", "--disable-swift-testing", "--filter",
                              "TrainStepBenchmarkTests/testBenchmark"], cwd=root, env=env, capture_output=True, text=True)
        text = open(path).read() if os.path.exists(path) else out.stdout
    for line in text.splitlines():
        if line.startswith("ENGINE_BENCH "):
            return json.loads(line[len("ENGINE_BENCH "):])
    raise SystemExit(f"no result from {root}:\n{out.stdout[-2000:]}{out.stderr[-2000:]}")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="128,256")
    ap.add_argument("--reps", default="3,2", help="repetitions per size (one value or one per size)")
    ap.add_argument("--iters", type=int, default=5)
    ap.add_argument("--other", help="another checkout of this package to time as a variant")
    ap.add_argument("--other-label", default="other checkout")
    ap.add_argument("--only-default", action="store_true", help="skip the frozen and Winograd-off variants")
    ap.add_argument("--fold", action="store_true", help="add inference without BN folding (ENGINE_BENCH_FOLD=0)")
    ap.add_argument("--threads", type=int, default=1, help="engine threads (2: wall-clock medians)")
    ap.add_argument("--variant", action="append", default=[],
                    help="extra variant of this checkout, 'label:KEY=VALUE[,KEY=VALUE]' (ENGINE_BENCH_* settings)")
    a = ap.parse_args()
    tk, ik = ("train_median_cpu_ms", "inference_median_cpu_ms") if a.threads == 1 else ("train_median_ms", "inference_median_ms")
    clock = "thread CPU" if a.threads == 1 else f"wall, {a.threads} threads"
    sizes = [int(s) for s in a.sizes.split(",")]
    reps = [int(r) for r in a.reps.split(",")]
    reps = reps + [reps[-1]] * (len(sizes) - len(reps))
    variants = []
    if a.other:
        variants.append((a.other_label, a.other, {}))
    variants.append(("default", ROOT, {}))
    if not a.only_default:
        variants += [("stem + stage 1 frozen", ROOT, {"ENGINE_BENCH_FREEZE": "1"}),
                     ("Winograd off", ROOT, {"ENGINE_BENCH_WINOGRAD": "0"})]
    if a.fold:
        variants.append(("no BN folding at inference", ROOT, {"ENGINE_BENCH_FOLD": "0"}))
    for v in a.variant:
        label, _, kvs = v.partition(":")
        variants.append((label, ROOT, dict(kv.split("=", 1) for kv in kvs.split(",") if kv)))
    print(f"load before: {uptime()}", flush=True)
    table = []
    for size, n in zip(sizes, reps):
        res = {v[0]: [] for v in variants}
        for r in range(n):
            for label, root, extra in variants:
                e = run(root, size, a.iters, extra, a.threads)
                res[label].append((e[tk], e[ik]))
                print(f"{size} rep {r} {label}: train {e[tk]:.1f} ms, inference {e[ik]:.1f} ms ({clock})", flush=True)
        base = statistics.median(t for t, _ in res["default"])
        base_i = statistics.median(i for _, i in res["default"])
        for label, xs in res.items():
            t = statistics.median(x[0] for x in xs)
            i = statistics.median(x[1] for x in xs)
            table.append((size, label, [x[0] for x in xs], t, t / base, [x[1] for x in xs], i, i / base_i))
    print()
    print(f"Medians of per-run medians ({clock}):")
    print("| size | variant | train ms per rep | median | / default | inference ms per rep | median | / default |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for size, label, ts, t, rt, is_, i, ri in table:
        print(f"| {size} | {label} | {' / '.join(f'{x:.0f}' for x in ts)} | {t:.1f} | {rt:.2f} "
              f"| {' / '.join(f'{x:.0f}' for x in is_)} | {i:.1f} | {ri:.2f} |")
    print(f"\nload after: {uptime()}")


if __name__ == "__main__":
    main()
