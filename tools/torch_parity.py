#!/usr/bin/env python3
"""Builds a tiny RetinaNet in plain torch.nn that mirrors the Swift engine layer for layer
(names included), runs one training forward/backward with fixed weights, labels and box
targets, and saves input, weights, outputs, losses and all gradients as safetensors fixtures
for Tests/EngineTests/EngineParityTests.swift.

Regenerate (needs only `pip install "torch==2.13.0+cpu"`):
    python3 tools/torch_parity.py Tests/EngineTests/Fixtures

Conventions shared with the engine (see docs/ENGINE.md):
- head outputs are NHWC: [N][H][W][A*K] and [N][H][W][A*4];
- labels per anchor: k >= 0 foreground class k, -1 background, -2 ignore (stored as F32);
- focal loss summed over non-ignored anchors x classes / normalizer; smooth L1 (beta) over
  foreground anchors / normalizer; total = focal + smooth L1.
"""
import json
import math
import struct
import sys
from pathlib import Path

import torch
import torch.nn as nn
import torch.nn.functional as F


class BasicBlock(nn.Module):
    def __init__(self, cin, planes, stride, norm):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, planes, 3, stride, 1, bias=False)
        self.bn1 = norm(planes)
        self.conv2 = nn.Conv2d(planes, planes, 3, 1, 1, bias=False)
        self.bn2 = norm(planes)
        self.downsample = None
        if stride != 1 or cin != planes:
            self.downsample = nn.Sequential(nn.Conv2d(cin, planes, 1, stride, bias=False), norm(planes))

    def forward(self, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        sc = x if self.downsample is None else self.downsample(x)
        return F.relu(out + sc)


class FrozenBN(nn.Module):
    """y = w (x - rm) / sqrt(rv + eps) + b with fixed statistics (engine BatchNorm .frozen)."""
    def __init__(self, c):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(c))
        self.bias = nn.Parameter(torch.zeros(c))
        self.register_buffer("running_mean", torch.zeros(c))
        self.register_buffer("running_var", torch.ones(c))

    def forward(self, x):
        scale = self.weight / torch.sqrt(self.running_var + 1e-5)
        shift = self.bias - self.running_mean * scale
        return x * scale[None, :, None, None] + shift[None, :, None, None]


class Backbone(nn.Module):
    def __init__(self, width, blocks, norm):
        super().__init__()
        self.conv1 = nn.Conv2d(3, width, 7, 2, 3, bias=False)
        self.bn1 = norm(width)
        cin = width
        for i, n in enumerate(blocks):
            layer = []
            for b in range(n):
                layer.append(BasicBlock(cin, width << i, 2 if (b == 0 and i > 0) else 1, norm))
                cin = width << i
            setattr(self, f"layer{i + 1}", nn.Sequential(*layer))

    def forward(self, x):
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 3, 2, 1)
        c2 = self.layer1(x); c3 = self.layer2(c2); c4 = self.layer3(c3); c5 = self.layer4(c4)
        return c3, c4, c5


class FPN(nn.Module):
    def __init__(self, cins, ch):
        super().__init__()
        for i, c in zip((3, 4, 5), cins):
            setattr(self, f"lateral{i}", nn.Conv2d(c, ch, 1))
            setattr(self, f"output{i}", nn.Conv2d(ch, ch, 3, 1, 1))
        self.p6 = nn.Conv2d(cins[2], ch, 3, 2, 1)
        self.p7 = nn.Conv2d(ch, ch, 3, 2, 1)

    def forward(self, c3, c4, c5):
        i5 = self.lateral5(c5)
        i4 = self.lateral4(c4) + F.interpolate(i5, size=c4.shape[-2:], mode="nearest")
        i3 = self.lateral3(c3) + F.interpolate(i4, size=c3.shape[-2:], mode="nearest")
        p6 = self.p6(c5)
        return [self.output3(i3), self.output4(i4), self.output5(i5), p6, self.p7(F.relu(p6))]


class Branch(nn.Module):
    def __init__(self, cin, ch, n, out, final, gn):
        super().__init__()
        self.conv = nn.ModuleList([nn.Conv2d(cin if i == 0 else ch, ch, 3, 1, 1) for i in range(n)])
        self.norm = nn.ModuleList([nn.GroupNorm(gn, ch) for _ in range(n)]) if gn else None
        self.final_name = final
        setattr(self, final, nn.Conv2d(ch if n else cin, out, 3, 1, 1))

    def forward(self, x):
        for i, c in enumerate(self.conv):
            x = c(x)
            if self.norm is not None:
                x = self.norm[i](x)
            x = F.relu(x)
        y = getattr(self, self.final_name)(x)
        return y.permute(0, 2, 3, 1).contiguous()  # NHWC


class RetinaNet(nn.Module):
    def __init__(self, width, blocks, fpn, head_convs, head_ch, classes, anchors, gn, frozen):
        super().__init__()
        norm = FrozenBN if frozen else nn.BatchNorm2d
        self.backbone = Backbone(width, blocks, norm)
        self.fpn = FPN([width * 2, width * 4, width * 8], fpn)
        self.head = nn.Module()
        self.head.cls = Branch(fpn, head_ch, head_convs, anchors * classes, "logits", gn)
        self.head.box = Branch(fpn, head_ch, head_convs, anchors * 4, "deltas", gn)

    def forward(self, x):
        p = self.fpn(*self.backbone(x))
        return [self.head.cls(t) for t in p], [self.head.box(t) for t in p]


def focal(x, labels, k, alpha, gamma, norm):
    lab = labels.reshape(-1, 1)
    t = (torch.arange(k)[None, :] == lab).float()
    valid = (lab != -2).float()
    x = x.reshape(-1, k)
    p = torch.sigmoid(x)
    ce = F.binary_cross_entropy_with_logits(x, t, reduction="none")
    pt = p * t + (1 - p) * (1 - t)
    at = alpha * t + (1 - alpha) * (1 - t)
    return (at * (1 - pt) ** gamma * ce * valid).sum() / norm


def smooth_l1(pred, target, labels, beta, norm):
    pos = labels.reshape(-1) >= 0
    return F.smooth_l1_loss(pred.reshape(-1, 4)[pos], target.reshape(-1, 4)[pos], beta=beta, reduction="sum") / norm


def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs, off = [], 0
    for name, t in tensors.items():
        b = t.detach().to(torch.float32).contiguous().numpy().tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header, sort_keys=True).encode()
    h += b" " * ((8 - (8 + len(h)) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def make(out_dir, name, gn, frozen, seed):
    torch.manual_seed(seed)
    cfg = dict(width=8, blocks=[1, 1, 1, 1], fpn=16, head_convs=2, head_ch=16, classes=3, anchors=2)
    net = RetinaNet(**cfg, gn=gn, frozen=frozen)
    with torch.no_grad():
        for pname, p in net.named_parameters():
            if p.dim() == 4:
                fan_in = p.shape[1] * p.shape[2] * p.shape[3]
                p.normal_(0, math.sqrt(2.0 / fan_in))
            elif pname.endswith("weight"):
                p.uniform_(0.5, 1.5)
            else:
                p.normal_(0, 0.1)
        for bname, b in net.named_buffers():
            if bname.endswith("running_mean"):
                b.normal_(0, 0.1)
            elif bname.endswith("running_var"):
                b.uniform_(0.5, 1.5)
    net.train()
    n, h, w = 2, 45, 38
    x = torch.randn(n, 3, h, w)
    weights = {k: v.clone() for k, v in net.state_dict().items() if "num_batches_tracked" not in k}
    cls, box = net(x)
    tensors = {"input": x}
    for k, v in weights.items():
        tensors["param." + k] = v
    total = 0.0
    loss = 0
    alpha, gamma, beta, normalizer = 0.25, 2.0, 0.11, 5.0
    g = torch.Generator().manual_seed(seed + 1)
    for l, (c, b) in enumerate(zip(cls, box)):
        anchors = c.shape[0] * c.shape[1] * c.shape[2] * cfg["anchors"]
        u = torch.rand(anchors, generator=g)
        labels = torch.full((anchors,), -1.0)
        labels[u < 0.15] = -2.0
        fg = u < 0.1
        labels[fg] = torch.randint(0, cfg["classes"], (int(fg.sum()),), generator=g).float()
        target = torch.randn(anchors, 4, generator=g) * 0.5
        fl = focal(c, labels, cfg["classes"], alpha, gamma, normalizer)
        sl = smooth_l1(b, target, labels, beta, normalizer)
        loss = loss + fl + sl
        tensors[f"labels.{l}"] = labels
        tensors[f"targets.{l}"] = target
        tensors[f"out.cls.{l}"] = c
        tensors[f"out.box.{l}"] = b
        tensors[f"loss.focal.{l}"] = fl.reshape(1)
        tensors[f"loss.box.{l}"] = sl.reshape(1)
    loss.backward()
    tensors["loss.total"] = loss.reshape(1)
    for k, p in net.named_parameters():
        tensors["grad." + k] = p.grad
    for k, v in net.state_dict().items():
        if "running" in k:
            tensors["after." + k] = v
    meta = {"generator": "tools/torch_parity.py", "torch": torch.__version__, "config": json.dumps(cfg),
            "groupnorm": str(gn or 0), "frozen_bn": str(frozen), "alpha": str(alpha), "gamma": str(gamma),
            "beta": str(beta), "normalizer": str(normalizer), "image": f"{n}x3x{h}x{w}"}
    write_safetensors(Path(out_dir) / name, tensors, meta)
    print(f"wrote {name}: loss {loss.item():.6f}")


if __name__ == "__main__":
    out = sys.argv[1] if len(sys.argv) > 1 else "Tests/EngineTests/Fixtures"
    make(out, "parity_bn_train.safetensors", gn=None, frozen=False, seed=0)
    make(out, "parity_gn_frozen.safetensors", gn=4, frozen=True, seed=1)
