# SPDX-License-Identifier: MIT
"""Soundstyle's own PyTorch reference of the published model, for parity tests.

Written from /work/shared/reference/avstyle-facts.md (the facts of the
published implementation), independently of the C++ engine, so the two can
check each other. Parameter names equal the engine's (and the published
state dicts'): "model.N" Sequentials for G and D, torchvision's ResNet-18
names for the audio encoder, "mlp_K" for the PatchSample MLPs.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F

IN_EPS = 1e-5


def spectrogram(wave):
    """[B, 48000] -> [B, 1, 257, 301] STFT magnitude."""
    window = torch.hann_window(400, periodic=True, dtype=wave.dtype, device=wave.device)
    spec = torch.stft(wave, n_fft=512, hop_length=160, win_length=400, window=window,
                      center=True, pad_mode="reflect", normalized=False,
                      onesided=True, return_complex=True)
    return spec.abs().unsqueeze(1)


def _norm(c):
    return nn.InstanceNorm2d(c, eps=IN_EPS, affine=False, track_running_stats=False)


def _taps(values, channels, scale):
    row = torch.tensor(values, dtype=torch.float32)
    k = row[:, None] * row[None, :]
    k = k / k.sum() * scale
    return k[None, None].repeat(channels, 1, 1, 1)


class BlurDown(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.channels = channels
        self.register_buffer("filt", _taps([1.0, 2.0, 1.0], channels, 1.0))

    def forward(self, x):
        x = F.pad(x, (1, 1, 1, 1), mode="reflect")
        return F.conv2d(x, self.filt, stride=2, groups=self.channels)


class BlurUp(nn.Module):
    def __init__(self, channels):
        super().__init__()
        self.channels = channels
        self.register_buffer("filt", _taps([1.0, 3.0, 3.0, 1.0], channels, 4.0))

    def forward(self, x):
        x = F.pad(x, (1, 1, 1, 1), mode="replicate")
        y = F.conv_transpose2d(x, self.filt, stride=2, padding=2, groups=self.channels)
        return y[:, :, 1:-1, 1:-1]


class ResBlock(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), _norm(dim), nn.ReLU(),
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3), _norm(dim))

    def forward(self, x):
        return x + self.conv_block(x)


class GridGuide(nn.Module):
    """Per-pixel guide: colour matrix, piecewise-linear curve per channel
    (knots at k / K), 1x1 mix, sigmoid. Identity start."""

    def __init__(self, knots):
        super().__init__()
        self.knots = knots
        self.ccm = nn.Parameter(torch.eye(3))
        self.ccm_bias = nn.Parameter(torch.zeros(3))
        slopes = torch.zeros(3, knots)
        slopes[:, 0] = 1.0
        self.slopes = nn.Parameter(slopes)
        self.mix = nn.Parameter(torch.full((3,), 4.0 / 3.0))
        self.mix_bias = nn.Parameter(torch.full((1,), -2.0))

    def forward(self, x):
        u = (x + 1) / 2
        v = torch.einsum("oi,bihw->bohw", self.ccm, u) + self.ccm_bias[None, :, None, None]
        t = torch.arange(self.knots, dtype=x.dtype, device=x.device) / self.knots
        # [B, 3, K, H, W]: every knot's hinge, weighted by its slope
        hinges = F.relu(v[:, :, None] - t[None, None, :, None, None])
        curve = (hinges * self.slopes[None, :, :, None, None]).sum(2)
        return torch.sigmoid((curve * self.mix[None, :, None, None]).sum(1, keepdim=True) + self.mix_bias)


def slice_grid(grid, guide, bins):
    """Trilinear sample of grid [B, 12 bins, gh, gw] at every pixel's
    position and guide depth -> [B, 12, H, W]."""
    b, _, h, w = guide.shape
    grid5 = grid.reshape(b, 12, bins, grid.shape[2], grid.shape[3])
    xs = (torch.arange(w, dtype=guide.dtype) + 0.5) / w * 2 - 1
    ys = (torch.arange(h, dtype=guide.dtype) + 0.5) / h * 2 - 1
    yy, xx = torch.meshgrid(ys, xs, indexing="ij")
    where = torch.stack([xx.expand(b, 1, h, w), yy.expand(b, 1, h, w), guide * 2 - 1], -1)
    return F.grid_sample(grid5, where, mode="bilinear", padding_mode="border",
                         align_corners=False).squeeze(2)


class GridHead(nn.Module):
    """Soundstyle's resolution-free head: a bilateral grid of affine colour
    transforms and an RGBA overlay, predicted at the working size and
    applied to the photo's own pixels."""

    def __init__(self, cfg):
        super().__init__()
        c0 = 4 * cfg["ngf"] + cfg["embed_dim"]
        c1, c2 = c0 // 2, c0 // 4
        head = cfg["head"]
        self.bins = head["bins"]
        halvings = {8: 1, 16: 2, 32: 3}[head["grid_cell"]]
        doublings = {2: 1, 4: 0}[head["overlay_cell"]]
        self.trunk = nn.Conv2d(c0, c1, 3, padding=1)
        self.grid_down = nn.ModuleList([BlurDown(c1) for _ in range(halvings)])
        self.grid_convs = nn.ModuleList([nn.Conv2d(c1, c1, 3, padding=1) for _ in range(halvings)])
        self.coeffs = nn.Conv2d(c1, 12 * self.bins, 1)
        self.overlay_up = nn.ModuleList([BlurUp(c1) for _ in range(doublings)])
        self.overlay_conv = nn.Conv2d(c1, c2, 3, padding=1)
        self.overlay_out = nn.Conv2d(c2, 4, 3, padding=1)
        self.guide = GridGuide(head["guide_knots"])

    @staticmethod
    def _norm(h):
        return F.instance_norm(h, eps=IN_EPS)

    def look(self, fused):
        t = F.relu(self._norm(self.trunk(fused)))
        g = t
        for down, conv in zip(self.grid_down, self.grid_convs):
            g = F.relu(self._norm(conv(down(g))))
        grid = self.coeffs(g)
        o = t
        for up in self.overlay_up:
            o = up(o)
        o = self.overlay_out(F.relu(self._norm(self.overlay_conv(o))))
        alpha = torch.sigmoid(o[:, 3:4])
        return grid, torch.cat([torch.tanh(o[:, :3]) * alpha, alpha], 1)

    def apply(self, grid, overlay, photo):
        b, _, h, w = photo.shape
        a = slice_grid(grid, self.guide(photo), self.bins).view(b, 3, 4, h, w)
        y = (a[:, :, :3] * photo[:, None]).sum(2) + a[:, :, 3]
        over = F.interpolate(overlay, size=(h, w), mode="bilinear", align_corners=False)
        return y * (1 - over[:, 3:4]) + over[:, :3]


class Generator(nn.Module):
    def __init__(self, cfg):
        super().__init__()
        ngf, emb = cfg["ngf"], cfg["embed_dim"]
        c0 = 4 * ngf + emb
        layers = [
            nn.ReflectionPad2d(3), nn.Conv2d(3, ngf, 7), _norm(ngf), nn.ReLU(),
            nn.Conv2d(ngf, 2 * ngf, 3, padding=1), _norm(2 * ngf), nn.ReLU(), BlurDown(2 * ngf),
            nn.Conv2d(2 * ngf, 4 * ngf, 3, padding=1), _norm(4 * ngf), nn.ReLU(), BlurDown(4 * ngf),
        ]
        layers += [ResBlock(4 * ngf) for _ in range(cfg["n_blocks"])]
        self.n_enc = len(layers)
        self.head = None
        if cfg.get("head", {}).get("kind") == "grid":
            self.head = GridHead(cfg)
        else:
            layers += [
                BlurUp(c0), nn.Conv2d(c0, c0 // 2, 3, padding=1), _norm(c0 // 2), nn.ReLU(),
                BlurUp(c0 // 2), nn.Conv2d(c0 // 2, c0 // 4, 3, padding=1), _norm(c0 // 4), nn.ReLU(),
                nn.ReflectionPad2d(3), nn.Conv2d(c0 // 4, 3, 7), nn.Tanh(),
            ]
        self.model = nn.Sequential(*layers)

    def features(self, x, ids):
        out = []
        for i, layer in enumerate(self.model):
            x = layer(x)
            if i in ids:
                out.append(x)
            if i == max(ids):
                return out
        raise ValueError("layer beyond the encoder")

    def forward(self, x, emb):
        photo = x
        for layer in self.model[:self.n_enc]:
            x = layer(x)
        e = emb[:, :, None, None].expand(-1, -1, x.shape[2], x.shape[3])
        x = torch.cat([x, e], 1)
        if self.head is not None:
            return self.head.apply(*self.head.look(x), photo)
        for layer in self.model[self.n_enc:]:
            x = layer(x)
        return x


class BasicBlock(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False),
                                            nn.BatchNorm2d(cout))

    def forward(self, x):
        h = F.relu(self.bn1(self.conv1(x)))
        h = self.bn2(self.conv2(h))
        return F.relu(h + (self.downsample(x) if self.downsample is not None else x))


class AudioEncoder(nn.Module):
    def __init__(self, width, emb):
        super().__init__()
        w = width
        self.conv1 = nn.Conv2d(1, w, 7, 2, 1, bias=False)   # padding 1: the reference's stem
        self.bn1 = nn.BatchNorm2d(w)
        self.layer1 = nn.Sequential(BasicBlock(w, w, 1), BasicBlock(w, w, 1))
        self.layer2 = nn.Sequential(BasicBlock(w, 2 * w, 2), BasicBlock(2 * w, 2 * w, 1))
        self.layer3 = nn.Sequential(BasicBlock(2 * w, 4 * w, 2), BasicBlock(4 * w, 4 * w, 1))
        self.layer4 = nn.Sequential(BasicBlock(4 * w, 8 * w, 2), BasicBlock(8 * w, 8 * w, 1))
        self.fc = nn.Linear(8 * w, emb)

    def forward(self, spec):
        h = F.max_pool2d(F.relu(self.bn1(self.conv1(spec))), 3, 2, 1)
        h = self.layer4(self.layer3(self.layer2(self.layer1(h))))
        return self.fc(h.mean(dim=(2, 3)))


def audio_planes(spec, size):
    planes = spec.repeat(1, 3, 1, 1)[:, :, :256, :256]
    if size != 256:
        planes = F.interpolate(planes, size=(size, size), mode="bilinear", align_corners=False)
    return planes


class Discriminator(nn.Module):
    def __init__(self, ndf, cin=6):
        super().__init__()
        lrelu = lambda: nn.LeakyReLU(0.2)
        self.model = nn.Sequential(
            nn.Conv2d(cin, ndf, 4, 1, 1), lrelu(), BlurDown(ndf),
            nn.Conv2d(ndf, 2 * ndf, 4, 1, 1), _norm(2 * ndf), lrelu(), BlurDown(2 * ndf),
            nn.Conv2d(2 * ndf, 4 * ndf, 4, 1, 1), _norm(4 * ndf), lrelu(), BlurDown(4 * ndf),
            nn.Conv2d(4 * ndf, 8 * ndf, 4, 1, 1), _norm(8 * ndf), lrelu(),
            nn.Conv2d(8 * ndf, 1, 4, 1, 1))

    def forward(self, image, spec):
        return self.model(torch.cat([image, audio_planes(spec, image.shape[2])], 1))


class LateFusionDiscriminator(nn.Module):
    """Soundstyle's version of the paper's late-fusion ablation (the engine's
    design, mirrored here): a PatchGAN trunk on the image, a strided conv
    encoder on the spectrogram pooled to a vector, joined before a
    classifier."""

    def __init__(self, ndf):
        super().__init__()
        lrelu = lambda: nn.LeakyReLU(0.2)
        self.image = nn.Sequential(
            nn.Conv2d(3, ndf, 4, 1, 1), lrelu(), BlurDown(ndf),
            nn.Conv2d(ndf, 2 * ndf, 4, 1, 1), _norm(2 * ndf), lrelu(), BlurDown(2 * ndf),
            nn.Conv2d(2 * ndf, 4 * ndf, 4, 1, 1), _norm(4 * ndf), lrelu(), BlurDown(4 * ndf),
            nn.Conv2d(4 * ndf, 8 * ndf, 4, 1, 1), _norm(8 * ndf), lrelu())
        self.audio = nn.Sequential(
            nn.Conv2d(1, ndf, 4, 2, 1), lrelu(),
            nn.Conv2d(ndf, 2 * ndf, 4, 2, 1), lrelu(),
            nn.Conv2d(2 * ndf, 4 * ndf, 4, 2, 1), lrelu(),
            nn.Conv2d(4 * ndf, 8 * ndf, 4, 2, 1), lrelu())
        self.classifier = nn.Sequential(
            nn.Conv2d(16 * ndf, 8 * ndf, 4, 1, 1), lrelu(),
            nn.Conv2d(8 * ndf, 1, 4, 1, 1))

    def forward(self, image, spec):
        h = self.image(image)
        a = self.audio(spec).mean(dim=(2, 3), keepdim=True).expand(-1, -1, h.shape[2], h.shape[3])
        return self.classifier(torch.cat([h, a], 1))


class PatchMLP(nn.Module):
    def __init__(self, channels, dim):
        super().__init__()
        for k, c in enumerate(channels):
            setattr(self, "mlp_%d" % k, nn.Sequential(nn.Linear(c, dim), nn.ReLU(), nn.Linear(dim, dim)))
        self.n = len(channels)

    def forward(self, feats, n_patches, ids=None):
        out, used = [], []
        for k, feat in enumerate(feats):
            flat = feat.permute(0, 2, 3, 1).flatten(1, 2)
            if ids is None:
                pick = torch.randperm(flat.shape[1], device=feat.device)[:n_patches]
            else:
                pick = ids[k]
            x = getattr(self, "mlp_%d" % k)(flat[:, pick, :].flatten(0, 1))
            out.append(x / (x.pow(2).sum(1, keepdim=True).sqrt() + 1e-7))
            used.append(pick)
        return out, used


def nce_layers(cfg):
    last = min(cfg["n_blocks"], 5)
    layers = [0, 4, 8, 12]
    if last > 1:
        layers.append(12 + last - 1)
    return layers


def nce_channels(cfg):
    ngf = cfg["ngf"]
    return [3 if i == 0 else ngf if i < 4 else 2 * ngf if i < 8 else 4 * ngf for i in nce_layers(cfg)]


def lsgan(pred, real):
    return F.mse_loss(pred, torch.ones_like(pred) if real else torch.zeros_like(pred))


def patch_nce(q, k, batch, temperature):
    k = k.detach()
    rows, dim = q.shape
    p = rows // batch
    l_pos = (q * k).sum(1, keepdim=True)
    l_neg = torch.bmm(q.view(batch, p, dim), k.view(batch, p, dim).transpose(1, 2))
    eye = torch.eye(p, dtype=torch.bool, device=q.device)[None]
    l_neg = l_neg.masked_fill(eye, -10.0).view(rows, p)
    logits = torch.cat([l_pos, l_neg], 1) / temperature
    target = torch.zeros(rows, dtype=torch.long, device=q.device)
    return F.cross_entropy(logits, target, reduction="none").mean()


class Nets(nn.Module):
    def __init__(self, cfg, objective="nce", fusion="early"):
        super().__init__()
        self.cfg = cfg
        self.G = Generator(cfg)
        self.A = AudioEncoder(cfg["audio_width"], cfg["embed_dim"])
        self.D = LateFusionDiscriminator(cfg["ndf"]) if fusion == "late" else Discriminator(cfg["ndf"])
        self.F = PatchMLP(nce_channels(cfg), cfg["mlp_dim"])
        self.G_B = self.D_B = None
        if objective == "cycle":
            self.G_B = Generator(cfg)
            self.D_B = Discriminator(cfg["ndf"])

    def named_networks(self):
        nets = [("G", self.G), ("A", self.A), ("D", self.D), ("F", self.F)]
        if self.G_B is not None:
            nets += [("G_B", self.G_B), ("D_B", self.D_B)]
        return nets

    def g_params(self):
        extra = list(self.G_B.parameters()) if self.G_B is not None else []
        return list(self.G.parameters()) + extra + list(self.A.parameters())

    def d_params(self):
        extra = list(self.D_B.parameters()) if self.D_B is not None else []
        return list(self.D.parameters()) + extra


def nce_total(nets, opts, src, gen, ids):
    layers = nce_layers(nets.cfg)
    fk = nets.G.features(src, layers)
    keys, used = nets.F(fk, opts["nce_patches"], ids)
    fq = nets.G.features(gen, layers)
    queries, _ = nets.F(fq, opts["nce_patches"], used)
    total = 0.0
    for q, k in zip(queries, keys):
        total = total + patch_nce(q, k, src.shape[0], opts["nce_temperature"])
    return total / len(layers)


def grad_norm(params):
    s = 0.0
    for p in params:
        if p.grad is not None:
            s += p.grad.detach().double().pow(2).sum().item()
    return s ** 0.5


def make_optimizers(nets, opts):
    betas = (opts["beta1"], opts["beta2"])
    g = torch.optim.Adam(nets.g_params(), lr=opts["lr"], betas=betas)
    d = torch.optim.Adam(nets.d_params(), lr=opts["lr"], betas=betas)
    f = torch.optim.Adam(nets.F.parameters(), lr=opts["lr"], betas=betas)
    return g, d, f


def set_d_requires_grad(nets, flag):
    for p in nets.d_params():
        p.requires_grad_(flag)


def train_step(nets, optims, opts, x, y, wave_y, ids, wave_x=None):
    """One step in the reference's order; returns losses and gradient norms."""
    if nets.G_B is not None:
        return cycle_step(nets, optims, opts, x, y, wave_x, wave_y)
    opt_g, opt_d, opt_f = optims
    nets.train()
    spec_y = spectrogram(wave_y)
    e_y = nets.A(spec_y)
    fake = nets.G(x, e_y)
    idt = nets.G(y, e_y) if opts["identity"] else None

    for p in nets.D.parameters():
        p.requires_grad_(True)
    opt_d.zero_grad()
    loss_d = (lsgan(nets.D(fake.detach(), spec_y), False) + lsgan(nets.D(y, spec_y), True)) * 0.5
    loss_d.backward()
    gn_d = grad_norm(nets.D.parameters())
    opt_d.step()

    for p in nets.D.parameters():
        p.requires_grad_(False)
    opt_g.zero_grad()
    opt_f.zero_grad()
    loss_gan = lsgan(nets.D(fake, spec_y), True) * opts["lambda_gan"]
    loss_nce = nce_total(nets, opts, x, fake, ids)
    total = loss_gan + opts["lambda_nce"] * loss_nce
    loss_nce_y = torch.zeros(())
    if opts["identity"]:
        loss_nce_y = nce_total(nets, opts, y, idt, ids)
        total = total + opts["lambda_nce"] * loss_nce_y
    total.backward()
    gn_g = grad_norm(list(nets.G.parameters()) + list(nets.A.parameters()))
    opt_g.step()
    opt_f.step()
    for p in nets.D.parameters():
        p.requires_grad_(True)

    return {
        "loss_d": loss_d.item(), "loss_g_gan": loss_gan.item(),
        "loss_nce": loss_nce.item(), "loss_nce_y": loss_nce_y.item(),
        "loss_g_total": total.item(), "grad_norm_g": gn_g, "grad_norm_d": gn_d,
    }


def cycle_step(nets, optims, opts, x, y, wave_x, wave_y):
    """The cycle ablation: G takes x to y's style and G_B back with x's own
    clip (and y to x's); D judges with a_y, D_B with a_x; L1 cycle loss."""
    opt_g, opt_d, _ = optims
    nets.train()
    spec_x, spec_y = spectrogram(wave_x), spectrogram(wave_y)
    e_x, e_y = nets.A(spec_x), nets.A(spec_y)
    fake_y = nets.G(x, e_y)
    rec_x = nets.G_B(fake_y, e_x)
    fake_x = nets.G_B(y, e_x)
    rec_y = nets.G(fake_x, e_y)

    set_d_requires_grad(nets, True)
    opt_d.zero_grad()
    loss_d = (lsgan(nets.D(fake_y.detach(), spec_y), False) + lsgan(nets.D(y, spec_y), True)) * 0.5
    loss_d_b = (lsgan(nets.D_B(fake_x.detach(), spec_x), False) + lsgan(nets.D_B(x, spec_x), True)) * 0.5
    (loss_d + loss_d_b).backward()
    gn_d = grad_norm(nets.d_params())
    opt_d.step()

    set_d_requires_grad(nets, False)
    opt_g.zero_grad()
    loss_gan = (lsgan(nets.D(fake_y, spec_y), True) + lsgan(nets.D_B(fake_x, spec_x), True)) * opts["lambda_gan"]
    loss_cycle = F.l1_loss(rec_x, x) + F.l1_loss(rec_y, y)
    total = loss_gan + opts["lambda_cycle"] * loss_cycle
    total.backward()
    gn_g = grad_norm(nets.g_params())
    opt_g.step()
    set_d_requires_grad(nets, True)

    return {
        "loss_d": loss_d.item(), "loss_g_gan": loss_gan.item(),
        "loss_nce": loss_cycle.item(), "loss_nce_y": 0.0,
        "loss_g_total": total.item(), "grad_norm_g": gn_g, "grad_norm_d": gn_d,
    }
