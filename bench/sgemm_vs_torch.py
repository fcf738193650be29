#!/usr/bin/env python3
"""The engine's plain SGEMM beside PyTorch's (MKL here) on the issue's goal shapes, 1 thread.

    python3 bench/sgemm_vs_torch.py [--ablate .build/release/ablate] [--rounds 4] [--reps 10]

Per round: `ablate bench conv --threads 1 --json` (the engine: best of REPS per shape, divided by
that run's measured FMA peak), then `torch.mm` on the same dense row-major operands (A M×K,
B K×N, C M×N, fresh random values; best of REPS thread-CPU times, divided by the same peak).
Prints each round and, per shape, the median and maximum over the rounds of % of peak, so both
sides see the same machine state. The shapes are the 3×3 convolutions' GEMMs (M = C_out,
K = 9·C_in, N = 8·H·W). Needs `pip install "torch==2.13.0+cpu"` and a release build of ablate.
"""
import argparse
import statistics
import time
from pathlib import Path

from ab_conv import run as conv_bench  # `ablate bench conv --json`, parsed

ROOT = Path(__file__).resolve().parent.parent


def torch_gflops(torch, m, n, k, reps):
    a, b, c = torch.randn(m, k), torch.randn(k, n), torch.empty(m, n)
    best = float("inf")
    for _ in range(reps):
        t = time.thread_time()
        torch.mm(a, b, out=c)
        best = min(best, time.thread_time() - t)
    return 2 * m * n * k / best / 1e9


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ablate", default=str(ROOT / ".build/release/ablate"))
    ap.add_argument("--rounds", type=int, default=4)
    ap.add_argument("--reps", type=int, default=10)
    a = ap.parse_args()
    import torch
    torch.set_num_threads(1)
    blas = "MKL" if torch.backends.mkl.is_available() else "PyTorch's BLAS"
    rows = {}
    for r in range(a.rounds):
        e = conv_bench(a.ablate, [], a.reps, 1)
        peak = e["peak"]
        line = []
        for s in e["shapes"]:
            t = torch_gflops(torch, s["m"], s["n"], s["k"], a.reps)
            rows.setdefault(s["shape"], {"m": s["m"], "n": s["n"], "k": s["k"], "engine": [], "torch": []})
            rows[s["shape"]]["engine"].append(100 * s["gemm"] / peak)
            rows[s["shape"]]["torch"].append(100 * t / peak)
            line.append(f"{100 * s['gemm'] / peak:.1f}/{100 * t / peak:.1f}")
        print(f"round {r + 1}: peak {peak} GFLOP/s; engine/{blas} % of peak: " + " ".join(line), flush=True)
    print(f"\n| shape | M×N×K | engine SGEMM % of peak, median / max | {blas} (torch.mm) |")
    print("| --- | --- | --- | --- |")
    for shape, v in rows.items():
        fmt = lambda x: f"{statistics.median(x):.1f} / {max(x):.1f}"
        print(f"| {shape} | {v['m']}×{v['n']}×{v['k']} | {fmt(v['engine'])} | {fmt(v['torch'])} |")


if __name__ == "__main__":
    main()
