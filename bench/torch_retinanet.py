#!/usr/bin/env python3
"""PyTorch (plain torch.nn, CPU) timing of the benchmark RetinaNet, identical to the engine's
TrainStepBenchmark: ResNet-18 layout (widths 32/64/128/256, BN), FPN 64 with P6/P7, heads
4 x (3x3 conv 64 + ReLU), class 3x3 -> 10*9, box 3x3 -> 4*9; train step = forward + sigmoid focal
loss (alpha .25, gamma 2) + smooth L1 (beta .11) on fixed synthetic labels (1% foreground, 1%
ignored) + backward + SGD (momentum .9, wd 1e-4); inference = eval-mode forward under no_grad.

    python3 bench/torch_retinanet.py --sizes 128,256 --batch 8 --threads 2 --iters 10

Prints one JSON line per size: {"size", "train_median_ms", "inference_median_ms", ...}.
"""
import argparse
import json
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tools"))
from torch_parity import RetinaNet, focal, smooth_l1  # noqa: E402


def run(size, batch, iters, warmup):
    torch.manual_seed(1)
    net = RetinaNet(width=32, blocks=[2, 2, 2, 2], fpn=64, head_convs=4, head_ch=64, classes=10, anchors=9,
                    gn=None, frozen=False)
    opt = torch.optim.SGD(net.parameters(), lr=0.001, momentum=0.9, weight_decay=1e-4)
    x = torch.randn(batch, 3, size, size)
    net.train()
    with torch.no_grad():
        cls, _ = net(x)
    g = torch.Generator().manual_seed(2)
    labels, targets = [], []
    for c in cls:
        anchors = c.shape[0] * c.shape[1] * c.shape[2] * 9
        u = torch.rand(anchors, generator=g)
        lab = torch.full((anchors,), -1.0)
        lab[(u >= 0.01) & (u < 0.02)] = -2.0
        fg = u < 0.01
        lab[fg] = torch.randint(0, 10, (int(fg.sum()),), generator=g).float()
        labels.append(lab)
        targets.append(torch.randn(anchors, 4, generator=g) * 0.5)
    positives = max(1.0, float(sum(int((l >= 0).sum()) for l in labels)))

    def step():
        cls, box = net(x)
        opt.zero_grad(set_to_none=False)
        loss = 0
        for c, b, lab, tgt in zip(cls, box, labels, targets):
            loss = loss + focal(c, lab, 10, 0.25, 2.0, positives) + smooth_l1(b, tgt, lab, 0.11, positives)
        loss.backward()
        opt.step()

    for _ in range(warmup):
        step()
    train, train_cpu = [], []
    for _ in range(iters):
        t0, c0 = time.perf_counter(), time.thread_time()
        step()
        train.append((time.perf_counter() - t0) * 1000); train_cpu.append((time.thread_time() - c0) * 1000)
    net.eval()
    infer, infer_cpu = [], []
    with torch.no_grad():
        for _ in range(warmup):
            net(x)
        for _ in range(iters):
            t0, c0 = time.perf_counter(), time.thread_time()
            net(x)
            infer.append((time.perf_counter() - t0) * 1000); infer_cpu.append((time.thread_time() - c0) * 1000)
    one = torch.get_num_threads() == 1  # with 1 thread, ops run on this thread: its CPU time is the cost
    return {"size": size, "batch": batch, "threads": torch.get_num_threads(), "iterations": iters,
            "train_median_ms": statistics.median(train), "train_min_ms": min(train),
            "inference_median_ms": statistics.median(infer), "inference_min_ms": min(infer),
            "train_median_cpu_ms": statistics.median(train_cpu) if one else 0,
            "inference_median_cpu_ms": statistics.median(infer_cpu) if one else 0}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="128,256")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--iters", type=int, default=10)
    ap.add_argument("--warmup", type=int, default=2)
    a = ap.parse_args()
    torch.set_num_threads(a.threads)
    for s in [int(v) for v in a.sizes.split(",")]:
        print(json.dumps(run(s, a.batch, a.iters, a.warmup)), flush=True)


if __name__ == "__main__":
    main()
