#!/usr/bin/env python3
"""Interleaved A/B of `ablate bench conv` (1 thread): GEMM and convolution % of peak per shape.

    python3 bench/ab_conv.py OLD/.build/release/ablate NEW/.build/release/ablate --rounds 6 --reps 10
    python3 bench/ab_conv.py B B --env-a FOCAL_GEMM_PREFETCH=0 --rounds 6 --reps 10

Runs `ablate bench conv --json` alternately with each side, round by round, so machine noise hits
both alike. Each run keeps the best of --reps repetitions per shape and divides by that run's
measured FMA peak; the table gives, per shape and side, the median and the maximum over the rounds
of plain SGEMM / conv forward / weight gradient / input gradient as % of peak. `--env-a K=V` and
`--env-b K=V` (repeatable) set environment variables for one side only.
"""
import argparse
import json
import os
import statistics
import subprocess


def run(binary, env_pairs, reps, threads):
    env = dict(os.environ, **dict(p.split("=", 1) for p in env_pairs))
    out = subprocess.run([binary, "bench", "conv", "--threads", str(threads), "--reps", str(reps), "--json"],
                         env=env, capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--rounds", type=int, default=6)
    ap.add_argument("--reps", type=int, default=10)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--env-a", action="append", default=[])
    ap.add_argument("--env-b", action="append", default=[])
    a = ap.parse_args()
    sides = [("A", a.a, a.env_a), ("B", a.b, a.env_b)]
    results = {"A": [], "B": []}
    for r in range(a.rounds):
        for name, binary, env in sides:
            j = run(binary, env, a.reps, a.threads)
            results[name].append(j)
            print(f"round {r + 1} {name}: peak {j['peak']} GFLOP/s, SGEMM % " +
                  " ".join(f'{100 * s["gemm"] / j["peak"]:.1f}' for s in j["shapes"]), flush=True)
    for name, binary, env in sides:
        print(f"{name}: {binary} {' '.join(env)}  (peak median {statistics.median(j['peak'] for j in results[name])} GFLOP/s)")
    keys = ["gemm", "forward", "weight_grad", "input_grad"]
    print("\n| shape | side | SGEMM med / max | forward | weight grad | input grad |")
    print("| --- | --- | --- | --- | --- | --- |")
    shapes = [s["shape"] for s in results["A"][0]["shapes"]]
    for i, shape in enumerate(shapes):
        for name in ("A", "B"):
            cells = []
            for k in keys:
                v = [100 * j["shapes"][i][k] / j["peak"] for j in results[name]]
                cells.append(f"{statistics.median(v):.1f} / {max(v):.1f}")
            print(f"| {shape} | {name} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
