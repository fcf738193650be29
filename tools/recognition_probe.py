#!/usr/bin/env python3
"""How recognisable are the built-in categories at a scale? Trains a small CNN on object-centred
crops of images rendered at that scale and reports accuracy on the val split per COCO size class.

Usage: tools/recognition_probe.sh [SCALE]   (default 256; needs `pip install "torch==2.13.0+cpu"`)
       python3 tools/recognition_probe.py DIR [EPOCHS]   on crops written by
       `FOCAL_CROPS_DIR=DIR swift test -c release --disable-swift-testing --filter ImbalanceReportTests.testExportRecognitionCrops`

Crops (RecognitionCrops.swift): 32×32, centred on each object (objects larger than the window
are shrunk to fit, smaller ones keep their input resolution), plus "no object" windows (label 12).
This is a probe of the data, not of the detector: it says whether the pixels at that scale carry
the category, not how well RetinaNet will do.
"""
import sys, time
import numpy as np
import torch, torch.nn as nn

def load(path, size=32):
    raw = np.fromfile(path, np.uint8)
    rec = 2 + size * size * 3
    raw = raw.reshape(-1, rec)
    x = raw[:, 2:].reshape(-1, size, size, 3).transpose(0, 3, 1, 2).astype(np.float32) / 255.0
    return torch.from_numpy((x - 0.5) / 0.2), torch.from_numpy(raw[:, 0].astype(np.int64)), raw[:, 1]

def main(d, epochs=8):
    torch.manual_seed(0); torch.set_num_threads(1)
    xt, yt, _ = load(f"{d}/train.bin"); xv, yv, sv = load(f"{d}/val.bin")
    def block(i, o): return [nn.Conv2d(i, o, 3, padding=1, bias=False), nn.BatchNorm2d(o), nn.ReLU()]
    net = nn.Sequential(*block(3, 32), *block(32, 32), nn.MaxPool2d(2), *block(32, 64), *block(64, 64), nn.MaxPool2d(2),
                        *block(64, 128), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(128, 13))
    opt = torch.optim.Adam(net.parameters(), 2e-3)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, epochs)
    t0 = time.time()
    for _ in range(epochs):
        net.train()
        perm = torch.randperm(len(xt))
        for k in range(0, len(xt), 128):
            i = perm[k:k + 128]
            xb = xt[i]
            flip = torch.rand(len(i)) < 0.5            # horizontal flip, as in training
            xb[flip] = xb[flip].flip(3)
            loss = nn.functional.cross_entropy(net(xb), yt[i])
            opt.zero_grad(); loss.backward(); opt.step()
        sched.step()
    net.eval()
    with torch.no_grad():
        pred = torch.cat([net(xv[k:k + 512]).argmax(1) for k in range(0, len(xv), 512)])
    ok = (pred == yv).numpy()
    print(f"{len(xt)} train / {len(xv)} val crops, {epochs} epochs, {time.time() - t0:.0f} s")
    print(f"val accuracy {ok.mean():.3f} (chance {1 / 13:.3f})")
    for c, name in enumerate(["small (<32²)", "medium", "large (≥96²)", "no object"]):
        m = sv == c
        if m.any(): print(f"  {name:>14}: {ok[m].mean():.3f} over {m.sum()} crops")
    names = ["disc", "ring", "square", "frame", "triangle", "diamond", "cross", "star", "hexagon", "crescent", "checker", "bar", "none"]
    small = sv == 0
    per = [f"{names[c]} {ok[small & (yv.numpy() == c)].mean():.2f}" for c in range(12) if (small & (yv.numpy() == c)).any()]
    print("  small objects per category: " + ", ".join(per))

if __name__ == "__main__":
    main(sys.argv[1], *(int(v) for v in sys.argv[2:3]))
