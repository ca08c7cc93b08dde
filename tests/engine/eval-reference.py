#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden data for test-eval's FID and KID: a small TorchScript feature
network, two sets of 299 x 299 images, their features, and the FID and KID
computed here independently of the engine, with torch alone (no NumPy or
SciPy): the matrix square root's trace from the eigenvalues of the
covariance product, where the engine uses two symmetric eigendecompositions.

Usage: eval-reference.py OUTDIR  (writes features.pt and sets.safetensors)
"""

import math
import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import st  # noqa: E402

N_IMAGES = 24
SIZE = 299


class Features(torch.nn.Module):
    """Inception's calling convention at a thousandth of its size: floats
    0..255 in, [N, D, 1, 1] pooled features out, clean-fid's flag accepted."""

    def __init__(self):
        super().__init__()
        self.conv1 = torch.nn.Conv2d(3, 8, 7, stride=4)
        self.conv2 = torch.nn.Conv2d(8, 16, 3, stride=2)

    def forward(self, x, return_features: bool = True):
        x = (x - 128.0) / 128.0
        x = torch.relu(self.conv1(x))
        x = torch.relu(self.conv2(x))
        x = torch.nn.functional.adaptive_avg_pool2d(x, 1)
        if return_features:
            return x
        return x.flatten(1)


def make_set(generator, noise, low, high):
    yy, xx = torch.meshgrid(torch.linspace(0, 1, SIZE), torch.linspace(0, 1, SIZE), indexing="ij")
    images = []
    for _ in range(N_IMAGES):
        base = torch.rand(3, 1, 1, generator=generator) * (high - low) + low
        freq = torch.rand(1, generator=generator) * 8 + 1
        wave = 50 * torch.sin(freq * (xx + 2 * yy) * math.pi)
        image = base + wave[None] + noise * torch.randn(3, SIZE, SIZE, generator=generator)
        images.append(image.clamp(0, 255).round().to(torch.uint8))
    return torch.stack(images)


def engine_input(images):
    # The engine holds pixels as v / 127.5 - 1 and feeds (p + 1) * 127.5:
    # the same float32 steps here, so the inputs match bit for bit
    planes = images.float() / 127.5 - 1.0
    return (planes + 1.0) * 127.5


def fid(a, b):
    a, b = a.double(), b.double()
    sa, sb = torch.cov(a.T), torch.cov(b.T)
    eigenvalues = torch.linalg.eigvals(sa @ sb)
    trace_sqrt = eigenvalues.sqrt().real.sum()
    return float(((a.mean(0) - b.mean(0)) ** 2).sum() + sa.trace() + sb.trace() - 2 * trace_sqrt)


def kid_all_rows(a, b):
    # With m equal to both set sizes every subset is the whole set
    a, b = a.double(), b.double()
    d, m = a.shape[1], a.shape[0]
    kxx = (a @ a.T / d + 1) ** 3
    kyy = (b @ b.T / d + 1) ** 3
    kxy = (a @ b.T / d + 1) ** 3
    within = (kxx.sum() - kxx.diagonal().sum() + kyy.sum() - kyy.diagonal().sum()) / (m - 1)
    return float((within - 2 * kxy.sum() / m) / m)


def main():
    out = sys.argv[1]
    torch.manual_seed(0)
    generator = torch.Generator().manual_seed(1)
    net = torch.jit.script(Features().eval())
    net.save(os.path.join(out, "features.pt"))

    set_a = make_set(generator, noise=4.0, low=50, high=200)
    set_b = make_set(generator, noise=30.0, low=20, high=120)
    with torch.no_grad():
        features_a = net(engine_input(set_a)).flatten(1)
        features_b = net(engine_input(set_b)).flatten(1)

    st.write(os.path.join(out, "sets.safetensors"),
             {"a": set_a, "b": set_b, "features_a": features_a, "features_b": features_b},
             metadata={"fid": repr(fid(features_a, features_b)),
                       "kid": repr(kid_all_rows(features_a, features_b))})


if __name__ == "__main__":
    main()
