# SPDX-License-Identifier: MIT
"""Makes a parity test's golden file with the PyTorch reference.

    make_golden.py --preset tiny --size 32 --batch 2 --out golden.safetensors

The file holds the config and training options (metadata "config",
"options"), the networks' weights ("G.*", "A.*", "D.*", "F.*"), the inputs
("in.*") and what the reference computes from them ("expect.*"). The engine
loads the same weights and inputs and must compute the same numbers.
"""

import argparse
import json
import math
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import avstyle_ref as ref  # noqa: E402
import st  # noqa: E402

# The model shapes of engine/model/adis-config.c's presets
PRESETS = {
    "paper": dict(ngf=64, ndf=64, n_blocks=9, audio_width=64, embed_dim=256, mlp_dim=256),
    "desktop": dict(ngf=32, ndf=64, n_blocks=6, audio_width=32, embed_dim=128, mlp_dim=256),
    "tiny": dict(ngf=8, ndf=8, n_blocks=2, audio_width=8, embed_dim=32, mlp_dim=32),
}

OPTIONS = dict(lr=2e-4, beta1=0.5, beta2=0.999, lambda_gan=1.0, lambda_nce=0.5,
               lambda_cycle=10.0, nce_temperature=0.07, nce_patches=256, identity=True)


def test_waves(batch, samples=48000):
    """Tones with noise: a spectrum with structure, different per item."""
    t = torch.arange(samples, dtype=torch.float32) / 16000.0
    waves = []
    for b in range(batch):
        f0 = 220.0 * (b + 1)
        w = 0.4 * torch.sin(2 * math.pi * f0 * t) + 0.2 * torch.sin(2 * math.pi * 3.1 * f0 * t)
        w = w * (0.5 + 0.5 * torch.sin(2 * math.pi * (b + 1) * t))
        waves.append(w + 0.05 * torch.randn(samples))
    return torch.stack(waves)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--preset", default="tiny", choices=sorted(PRESETS))
    parser.add_argument("--size", type=int, default=32)
    parser.add_argument("--batch", type=int, default=2)
    parser.add_argument("--steps", type=int, default=2)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--objective", default="nce", choices=["nce", "cycle"])
    parser.add_argument("--fusion", default="early", choices=["early", "late"])
    parser.add_argument("--head", default="pixels", choices=["pixels", "grid"])
    parser.add_argument("--out", required=True)
    args = parser.parse_args()

    torch.manual_seed(args.seed)
    torch.set_num_threads(max(1, min(2, os.cpu_count() or 1)))
    cfg = dict(preset=args.preset, conditioning="audio", **PRESETS[args.preset])
    if args.head == "grid":
        # 8-px cells so that a 32-px crop has a grid of 4 x 4
        cfg["head"] = dict(kind="grid", grid_cell=8, bins=4, overlay_cell=2, guide_knots=6,
                           working_size=256)
    opts = dict(OPTIONS, objective=args.objective, fusion=args.fusion)

    # The framework's default initialisation rather than the training one
    # (gain 0.02): larger activations make every layer's mistakes visible
    nets = ref.Nets(cfg, args.objective, args.fusion)
    with torch.no_grad():
        if nets.G.head is not None:
            # Away from the identity start, so every term of the guide matters
            for p in nets.G.head.guide.parameters():
                p.add_(0.3 * torch.randn_like(p))
        for m in nets.A.modules():
            if isinstance(m, torch.nn.BatchNorm2d):
                m.weight.uniform_(0.5, 1.5)
                m.bias.normal_(0.0, 0.1)
                m.running_mean.normal_(0.0, 0.1)
                m.running_var.uniform_(0.5, 1.5)

    out = {}
    for prefix, module in nets.named_networks():
        for name, t in module.state_dict().items():
            out["%s.%s" % (prefix, name)] = t.clone()

    b, s = args.batch, args.size
    x = torch.rand(b, 3, s, s) * 2 - 1
    y = torch.rand(b, 3, s, s) * 2 - 1
    wave_y = test_waves(b)
    wave_x = test_waves(b).flip(0) * 0.7
    layers = ref.nce_layers(cfg)
    with torch.no_grad():
        feats = nets.G.features(x, layers)
    ids = [torch.randperm(f.shape[2] * f.shape[3])[:opts["nce_patches"]] for f in feats]
    out["in.x"], out["in.y"], out["in.wave_y"], out["in.wave_x"] = x, y, wave_y, wave_x
    for k, pick in enumerate(ids):
        out["in.patch_ids.%d" % k] = pick

    # Inference-mode forwards
    nets.eval()
    with torch.no_grad():
        spec = ref.spectrogram(wave_y)
        emb = nets.A(spec)
        fake = nets.G(x, emb)
        out["expect.spec"] = spec
        out["expect.embed"] = emb
        out["expect.fake"] = fake
        out["expect.d_out"] = nets.D(fake, spec)
        out["expect.nce"] = torch.tensor(float(ref.nce_total(nets, opts, x, fake, ids)))

    # Training steps: the second one checks Adam's first update too
    optims = ref.make_optimizers(nets, opts)
    for step in range(1, args.steps + 1):
        result = ref.train_step(nets, optims, opts, x, y, wave_y, ids, wave_x)
        for key, value in result.items():
            out["expect.step%d.%s" % (step, key)] = torch.tensor(float(value))

    # After the steps: G's weights moved and A's running statistics too
    nets.eval()
    with torch.no_grad():
        out["expect.fake_after"] = nets.G(x, nets.A(ref.spectrogram(wave_y)))

    metadata = {"config": json.dumps(cfg), "options": json.dumps(opts),
                "steps": str(args.steps)}
    st.write(args.out, out, metadata)


if __name__ == "__main__":
    main()
