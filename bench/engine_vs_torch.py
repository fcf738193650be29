#!/usr/bin/env python3
"""Side-by-side timing of the Swift engine and PyTorch on the identical benchmark RetinaNet
(see bench/torch_retinanet.py and Sources/Engine/Bench/TrainStepBenchmark.swift), one command:

    python3 bench/engine_vs_torch.py                     # sizes 128,256; threads 2; batch 8
    python3 bench/engine_vs_torch.py --threads 1,2 --iters 10 --conv
    python3 bench/engine_vs_torch.py --threads 1 --ab    # also the engine without Winograd, same run
    python3 bench/engine_vs_torch.py --threads 1 --freeze 1    # also with stem + stage 1 frozen
    python3 bench/engine_vs_torch.py --threads 2 --rounds 4    # 4 alternating engine/PyTorch rounds

For every (threads, size) the engine and PyTorch run back to back, so both see the same machine
state (--rounds N repeats every pair N times, round-robin over the configs, and adds the medians:
a co-tenant state that flips within minutes then lands on both sides alike); the script prints the
load (`uptime`) before and after, per-config ratios engine/torch (one row per round), and (with
--conv) conv-GEMM GFLOP/s and % of the measured FMA peak. The engine side runs through
`swift test -c release --filter TrainStepBenchmarkTests/testBenchmark` with ENGINE_BENCH=1, which
also prints its profiled phases (`ablate bench train-step` gives the same step time alone) and the
"L1 ceiling" before and after (the GEMM microkernel's in-L1 rate / the register-only peak: how much
of the core a co-tenant leaves us at that moment). Needs: swift, `pip install "torch==2.13.0+cpu"`.
"""
import argparse
import json
import os
import subprocess
import tempfile
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))


def uptime():
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def engine(filter_, env_extra):
    # The test appends its tagged lines to ENGINE_BENCH_OUT: through `swift test` the ~6 KB
    # ENGINE_BENCH line was sometimes missing from stdout (with XCTest's pass line).
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "engine_bench.txt")
        env = dict(os.environ, ENGINE_BENCH="1", ENGINE_BENCH_OUT=path, **env_extra)
        out = subprocess.run(["swift", "test", "-c", "release", "--disable-swift-testing", "--filter", filter_],
                             cwd=ROOT, env=env, capture_output=True, text=True)
        text = open(path).read() if os.path.exists(path) else ""
    lines = {}
    for line in text.splitlines():
        for tag in ("ENGINE_BENCH", "ENGINE_PEAK", "ENGINE_CONV", "ENGINE_CEILING"):
            if line.startswith(tag + " "):
                lines.setdefault(tag, []).append(json.loads(line[len(tag) + 1:]))
    if "ENGINE_BENCH" not in lines and "ENGINE_CONV" not in lines:
        sys.stderr.write(out.stdout[-3000:] + out.stderr[-3000:])
        raise SystemExit("engine benchmark produced no result")
    return lines


def torch_run(size, batch, threads, iters):
    import torch
    import torch_retinanet
    torch.set_num_threads(threads)
    return torch_retinanet.run(size, batch, iters, warmup=2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="128,256")
    ap.add_argument("--threads", default="2")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--conv", action="store_true", help="also run the conv-GEMM throughput table")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--ab", action="store_true",
                    help="also run the engine with Winograd disabled (ENGINE_BENCH_WINOGRAD=0) in the same run")
    ap.add_argument("--freeze", type=int, default=None,
                    help="also run the engine with the stem and stages 1..K frozen (ENGINE_BENCH_FREEZE=K)")
    ap.add_argument("--rounds", type=int, default=1,
                    help="measure every (threads, size) engine/PyTorch pair this many times, round-robin")
    a = ap.parse_args()
    print(f"load before: {uptime()}")
    # Build the way `swift test` builds (a plain `swift build` uses other flags, so the first
    # measured `swift test` would rebuild everything); the tiny test only checks the bench path.
    subprocess.run(["swift", "test", "-c", "release", "--disable-swift-testing", "--filter",
                    "TrainStepBenchmarkTests/testBenchmarkRunsOnTinyInput"], cwd=ROOT, capture_output=True)
    rows = []
    ab_rows = []
    configs = [(t, s) for t in [int(v) for v in a.threads.split(",")] for s in [int(v) for v in a.sizes.split(",")]]
    for _round in range(a.rounds):
        for t, s in configs:
            lines = engine("TrainStepBenchmarkTests/testBenchmark",
                           {"ENGINE_BENCH_SIZES": str(s), "ENGINE_BENCH_THREADS": str(t), "ENGINE_BENCH_ITERS": str(a.iters),
                            "ENGINE_BENCH_BATCH": str(a.batch), "ENGINE_BENCH_PEAK": "0"})
            e = lines["ENGINE_BENCH"][0]
            e["ceiling"] = lines.get("ENGINE_CEILING", [{}])[0]
            variants = []
            if a.ab:
                variants.append(("Winograd off (ENGINE_BENCH_WINOGRAD=0)", {"ENGINE_BENCH_WINOGRAD": "0"}))
            if a.freeze is not None:
                variants.append((f"stem + stages 1..{a.freeze} frozen (ENGINE_BENCH_FREEZE={a.freeze})",
                                 {"ENGINE_BENCH_FREEZE": str(a.freeze)}))
            for label, extra in variants:
                e0 = engine("TrainStepBenchmarkTests/testBenchmark",
                            {"ENGINE_BENCH_SIZES": str(s), "ENGINE_BENCH_THREADS": str(t), "ENGINE_BENCH_ITERS": str(a.iters),
                             "ENGINE_BENCH_BATCH": str(a.batch), "ENGINE_BENCH_PEAK": "0", **extra})["ENGINE_BENCH"][0]
                ab_rows.append((label, e, e0))
                print(json.dumps({"variant": label, "engine": e0}), flush=True)
            tr = None if a.no_torch else torch_run(s, a.batch, t, a.iters)
            rows.append((e, tr))
            print(json.dumps({"engine": e, "torch": tr}), flush=True)
    print()
    print("L1 ceiling: the engine's GEMM microkernel with its operands in L1 as a fraction of the register-only FMA")
    print("peak, 1 thread, just before → after the engine's measurement. On a shared VM it drops from ~0.9 to ~0.5")
    print("while a co-tenant loads the same physical core; the engine's times move with it (docs/BENCHMARKS.md).")
    print("| size | threads | engine train ms | torch train ms | ratio | engine infer ms | torch infer ms | ratio | L1 ceiling |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- | --- |")
    def ceiling(e):
        c = e.get("ceiling") or {}
        return f"{c['before']:.2f} → {c['after']:.2f}" if "before" in c else "—"

    for e, tr in rows:
        def ratio(x, y):
            return f"{x / y:.2f}" if y else "—"
        tt = tr["train_median_ms"] if tr else None
        ti = tr["inference_median_ms"] if tr else None
        print(f"| {e['size']} | {e['threads']} | {e['train_median_ms']:.1f} | {tt and f'{tt:.1f}' or '—'} | {ratio(e['train_median_ms'], tt)} "
              f"| {e['inference_median_ms']:.1f} | {ti and f'{ti:.1f}' or '—'} | {ratio(e['inference_median_ms'], ti)} "
              f"| {ceiling(e)} |")
    if a.rounds > 1 and not a.no_torch:
        import statistics
        print()
        print(f"Medians over {a.rounds} rounds (rounds with ratio ≤ 0.6 in brackets):")
        print("| size | threads | engine train ms | torch train ms | ratio | engine infer ms | torch infer ms | ratio |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for t, s in configs:
            rr = [(e, tr) for e, tr in rows if e["size"] == s and e["threads"] == t]
            def med(side, k):
                return statistics.median(x[side][k] for x in rr)
            def hits(k):
                return sum(1 for e, tr in rr if e[k] <= 0.6 * tr[k])
            et, tt = med(0, "train_median_ms"), med(1, "train_median_ms")
            ei, ti = med(0, "inference_median_ms"), med(1, "inference_median_ms")
            print(f"| {s} | {t} | {et:.1f} | {tt:.1f} | {et / tt:.2f} [{hits('train_median_ms')}/{len(rr)}] "
                  f"| {ei:.1f} | {ti:.1f} | {ei / ti:.2f} [{hits('inference_median_ms')}/{len(rr)}] |")
    cpu_rows = [(e, tr) for e, tr in rows if e.get("train_median_cpu_ms") and tr and tr.get("train_median_cpu_ms")]
    if cpu_rows:
        print()
        print("Single-thread CPU time (thread CPU clock; insensitive to other processes on the machine):")
        print("| size | engine train cpu ms | torch train cpu ms | ratio | engine infer cpu ms | torch infer cpu ms | ratio |")
        print("| --- | --- | --- | --- | --- | --- | --- |")
        for e, tr in cpu_rows:
            print(f"| {e['size']} | {e['train_median_cpu_ms']:.1f} | {tr['train_median_cpu_ms']:.1f} "
                  f"| {e['train_median_cpu_ms'] / tr['train_median_cpu_ms']:.2f} | {e['inference_median_cpu_ms']:.1f} "
                  f"| {tr['inference_median_cpu_ms']:.1f} | {e['inference_median_cpu_ms'] / tr['inference_median_cpu_ms']:.2f} |")
    if ab_rows:
        print()
        print("Engine default / engine variant, same run; cpu = thread CPU time (1 thread only):")
        print("| variant | size | threads | train ms default / variant | ratio | train cpu ms | ratio | infer ms | ratio "
              "| infer cpu ms | ratio |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |")
        for label, e, e0 in ab_rows:
            def pair(k):
                x, y = e.get(k) or 0, e0.get(k) or 0
                return (f"{x:.1f} / {y:.1f}", f"{x / y:.2f}" if y else "—")
            cells = [c for k in ("train_median_ms", "train_median_cpu_ms", "inference_median_ms", "inference_median_cpu_ms")
                     for c in pair(k)]
            print(f"| {label} | {e['size']} | {e['threads']} | " + " | ".join(cells) + " |")
    print()
    for e, _ in rows[:len(configs)]:  # the first round's profiles
        print(f"engine phases, size {e['size']}, {e['threads']} thread(s), one profiled step "
              f"({e['conv_gflop_per_step']:.2f} conv GFLOP/step):")
        for p in e["phases"]:
            g = f"{p['gflops']:.1f} GFLOP/s" if p["gflops"] else ""
            print(f"  {p['name']:<28} {p['ms']:8.1f} ms  {g}")
        if e.get("inference_phases"):
            print(f"engine inference phases, size {e['size']}, {e['threads']} thread(s), one profiled batch "
                  f"({e['inference_profiled_ms']:.1f} ms in all):")
            for p in e["inference_phases"]:
                g = f"{p['gflops']:.1f} GFLOP/s" if p["gflops"] else ""
                print(f"  {p['name']:<28} {p['ms']:8.1f} ms  {g}")
    if a.conv:
        c = engine("ConvBenchmarkTests", {"ENGINE_BENCH_THREADS": a.threads})
        peaks = {p["threads"]: p["gflops"] for p in c.get("ENGINE_PEAK", [])}
        print()
        print("| threads | shape (3×3, batch 8) | M×N×K | forward | weight grad | input grad | plain SGEMM | peak |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        for r in c.get("ENGINE_CONV", []):
            pk = peaks.get(r["threads"], 0)
            pct = lambda v: f"{v} ({100 * v / pk:.0f}%)" if pk else str(v)
            print(f"| {r['threads']} | {r['shape']} | {r['m']}×{r['n']}×{r['k']} | {pct(r['forward'])} | {pct(r['weight_grad'])} "
                  f"| {pct(r['input_grad'])} | {pct(r['gemm'])} | {pk:.0f} |")
    print()
    print(f"load after: {uptime()}")


if __name__ == "__main__":
    main()
