#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Golden data for test-eval's colour layout and detail figures, computed with
torch alone and differently from the engine: CIELAB by a matrix product over
whole planes, the 16 x 16 grid by slicing, the Laplacian of Gaussian as one
9 x 9 two-dimensional kernel through conv2d (the engine runs two separable
passes), and the correlation by torch.corrcoef. Everything in float64.

Usage: layout-reference.py OUTDIR  (writes layout.safetensors)
"""

import os
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "reference"))
import st  # noqa: E402

WIDTH, HEIGHT = 53, 37   # not multiples of 16: uneven cells
CELLS = 16


def lab(planes):
    """[3, H, W] in [-1, 1] (sRGB) -> [3, H, W] L*, a*, b* (D65)"""
    c = ((planes + 1.0) * 0.5).clamp(0.0, 1.0)
    linear = torch.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)
    matrix = torch.tensor([[0.4124564, 0.3575761, 0.1804375],
                           [0.2126729, 0.7151522, 0.0721750],
                           [0.0193339, 0.1191920, 0.9503041]], dtype=torch.float64)
    xyz = torch.einsum("ij,jhw->ihw", matrix, linear)
    t = xyz / torch.tensor([0.95047, 1.0, 1.08883], dtype=torch.float64).view(3, 1, 1)
    delta = 6.0 / 29.0
    f = torch.where(t > delta ** 3, t.clamp(min=0.0) ** (1.0 / 3.0), t / (3 * delta * delta) + 4.0 / 29.0)
    return torch.stack([116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])])


def grid(planes):
    image = lab(planes)
    out = torch.zeros(CELLS, CELLS, 3, dtype=torch.float64)
    for cy in range(CELLS):
        for cx in range(CELLS):
            y0, y1 = cy * HEIGHT // CELLS, (cy + 1) * HEIGHT // CELLS
            x0, x1 = cx * WIDTH // CELLS, (cx + 1) * WIDTH // CELLS
            out[cy, cx] = image[:, y0:y1, x0:x1].mean(dim=(1, 2))
    return out


def log_kernel():
    x = torch.arange(-4, 5, dtype=torch.float64)
    g = torch.exp(-0.5 * x * x)
    g = g / g.sum()
    g2 = (x * x - 1) * g
    # kernel[y][x] = g''(x) g(y) + g(x) g''(y)
    return torch.outer(g, g2) + torch.outer(g2, g)


def detail(a, b):
    kernel = log_kernel().view(1, 1, 9, 9)
    la = torch.nn.functional.conv2d(lab(a)[0].view(1, 1, HEIGHT, WIDTH), kernel).flatten()
    lb = torch.nn.functional.conv2d(lab(b)[0].view(1, 1, HEIGHT, WIDTH), kernel).flatten()
    return float(torch.corrcoef(torch.stack([la, lb]))[0, 1])


def main():
    generator = torch.Generator().manual_seed(3)
    smooth = torch.nn.functional.avg_pool2d(
        torch.rand(1, 3, HEIGHT + 4, WIDTH + 4, generator=generator, dtype=torch.float64), 5, stride=1)[0]
    a = (smooth * 2 - 1) * 0.8 + 0.1 * (torch.rand(3, HEIGHT, WIDTH, generator=generator, dtype=torch.float64) - 0.5)
    # b: a darker, bluer, partly blurred a with noise of its own
    blurred = torch.nn.functional.avg_pool2d(a.unsqueeze(0), 3, stride=1, padding=1,
                                             count_include_pad=False)[0]
    b = 0.5 * a + 0.4 * blurred + torch.tensor([-0.2, -0.1, 0.15], dtype=torch.float64).view(3, 1, 1)
    b = b + 0.15 * (torch.rand(3, HEIGHT, WIDTH, generator=generator, dtype=torch.float64) - 0.5)
    # The engine gets float32 planes: compute on exactly those values
    a = a.clamp(-1, 1).float().double()
    b = b.clamp(-1, 1).float().double()

    grid_a, grid_b = grid(a), grid(b)
    distance = float((grid_a - grid_b).pow(2).sum(dim=2).sqrt().mean())
    st.write(os.path.join(sys.argv[1], "layout.safetensors"),
             {"a": a.float(), "b": b.float(), "grid_a": grid_a.float(), "grid_b": grid_b.float()},
             metadata={"distance": repr(distance), "detail": repr(detail(a, b))})


if __name__ == "__main__":
    main()
