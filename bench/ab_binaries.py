#!/usr/bin/env python3
"""Interleaved A/B of two `ablate` builds on the benchmark network's training step.

    python3 bench/ab_binaries.py OLD/.build/release/ablate NEW/.build/release/ablate \
        --size 256 --threads 1,2 --reps 3 [--phase conv7x7/2.weightGrad]

Runs `ablate bench train-step --json` alternately with each binary (rep by rep, thread count by
thread count) so machine noise hits both alike, and prints every run and the medians: the step
time and the inference batch (thread CPU time at 1 thread, wall time otherwise), and the summed
milliseconds of the profiled phases whose names start with each --phase (training step) or
--inference-phase (inference batch). Build the old side in a
worktree: `git worktree add /tmp/old COMMIT && (cd /tmp/old && swift build -c release --product ablate)`.
`--env-a KEY=VALUE` / `--env-b KEY=VALUE` set environment variables for one side only, e.g. the
same binary twice with `--env-a FOCAL_MICROKERNEL=wide --env-b FOCAL_MICROKERNEL=narrow`.
"""
import argparse
import json
import os
import statistics
import subprocess


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("a")
    ap.add_argument("b")
    ap.add_argument("--size", type=int, default=256)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--iterations", type=int, default=4)
    ap.add_argument("--phase", action="append", default=[])
    ap.add_argument("--inference-phase", action="append", default=[],
                    help="also sum the inference profile's phases starting with this name")
    ap.add_argument("--env-a", action="append", default=[])
    ap.add_argument("--env-b", action="append", default=[])
    a = ap.parse_args()
    envs = {label: dict(os.environ, **dict(kv.split("=", 1) for kv in extra))
            for label, extra in (("A", a.env_a), ("B", a.env_b))}
    results = {}
    for rep in range(a.reps):
        for t in [int(x) for x in a.threads.split(",")]:
            for label, binary in (("A", a.a), ("B", a.b)):
                out = subprocess.run([binary, "bench", "train-step", "--size", str(a.size), "--batch", "8",
                                      "--threads", str(t), "--iterations", str(a.iterations), "--json"],
                                     capture_output=True, text=True, check=True, env=envs[label]).stdout
                d = json.loads(out)
                step = d["train_median_cpu_ms"] if t == 1 else d["train_median_ms"]
                infer = d["inference_median_cpu_ms"] if t == 1 else d["inference_median_ms"]
                phases = {p: sum(x["ms"] for x in d["phases"] if x["name"].strip().startswith(p)) for p in a.phase}
                phases.update({"inference " + p: sum(x["ms"] for x in d["inference_phases"] if x["name"].strip().startswith(p))
                               for p in a.inference_phase})
                results.setdefault((label, t), []).append((step, infer, phases))
                extra = " ".join(f"{p} {v:.1f}" for p, v in phases.items())
                print(f"rep {rep} {label} threads {t}: step {step:.1f} ms, inference {infer:.1f} ms {extra}",
                      flush=True)
    print()
    for (label, t), rows in sorted(results.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        med = lambda xs: statistics.median(xs)
        extra = " ".join(f"{p} {med([r[2][p] for r in rows]):.1f}" for p in rows[0][2])
        print(f"{label} ({a.a if label == 'A' else a.b}) threads {t}: median step {med([r[0] for r in rows]):.1f} ms, "
              f"inference {med([r[1] for r in rows]):.1f} ms {extra}")


if __name__ == "__main__":
    main()
