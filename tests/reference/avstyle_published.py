# SPDX-License-Identifier: MIT
"""The published avstyle networks' module structure, for the import test.

Soundstyle's own reference (avstyle_ref.py) names its tensors the way the
engine does. The checkpoints that avstyle publishes are saved from networks
laid out differently, so this file builds networks with the published
structure and parameter names, written from
/work/shared/reference/avstyle-facts.md ("Checkpoint files"):

- the generator's Sequential is split in two: "model_down" (the input conv
  through the residual blocks) and "model_up" (the upsampling half that runs
  on the encoder's output concatenated with the tiled audio embedding);
- the audio network has "AudioInconv" (stem conv, its BatchNorm, ReLU,
  max-pool), "AudioLayer1".."AudioLayer4" (torchvision's ResNet-18 stages,
  torchvision's block names inside), "AudioAvgpool", "proj" (the Linear to
  the embedding) and "stft", nnAudio's fixed STFT whose kernels are buffers
  named "wsin", "wcos" and "window_mask";
- state_dict() (an OrderedDict) goes through torch.save as it is.

The published widths tie the embedding to the generator: the decoder's input
is 8 ngf channels, so the embedding has 4 ngf (256 for ngf 64). Soundstyle's
"tiny" preset (ngf 8, embedding 32) has the same proportions, so the test runs
these networks at tiny's sizes.

    avstyle_published.py OUT_DIR     writes the files test-import-published.c reads
"""

import math
import os
import struct
import sys
import wave

import torch
import torch.nn as nn
import torch.nn.functional as F

# The published test path's inputs
SQUARE = 256           # images are squashed to SQUARE x SQUARE
PEAK_HEADROOM = 1.1    # wav / (1.1 max|wav|)
N_FFT, WIN_LENGTH, HOP = 512, 400, 160


def _binomial(taps, channels, scale):
    row = torch.tensor(taps, dtype=torch.float32)
    k = row[:, None] * row[None, :]
    return (k / k.sum() * scale)[None, None].repeat(channels, 1, 1, 1)


class Downsample(nn.Module):
    """Reflect-pad 1, depthwise [1,2,1]x[1,2,1]/16 at stride 2 (buffer "filt")."""

    def __init__(self, channels):
        super().__init__()
        self.register_buffer("filt", _binomial([1.0, 2.0, 1.0], channels, 1.0))

    def forward(self, x):
        return F.conv2d(F.pad(x, (1, 1, 1, 1), mode="reflect"), self.filt, stride=2, groups=x.shape[1])


class Upsample(nn.Module):
    """Replicate-pad 1, depthwise transposed [1,3,3,1]x[1,3,3,1]/64*4 at
    stride 2, padding 2, the outer row and column dropped (buffer "filt")."""

    def __init__(self, channels):
        super().__init__()
        self.register_buffer("filt", _binomial([1.0, 3.0, 3.0, 1.0], channels, 4.0))

    def forward(self, x):
        y = F.conv_transpose2d(F.pad(x, (1, 1, 1, 1), mode="replicate"), self.filt,
                               stride=2, padding=2, groups=x.shape[1])
        return y[:, :, 1:-1, 1:-1]


def _instance_norm(c):
    return nn.InstanceNorm2d(c, affine=False, track_running_stats=False)


class ResnetBlock(nn.Module):
    """x + conv_block(x); conv_block's convs sit at indices 1 and 5."""

    def __init__(self, dim):
        super().__init__()
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=True), _instance_norm(dim), nn.ReLU(True),
            nn.ReflectionPad2d(1), nn.Conv2d(dim, dim, 3, bias=True), _instance_norm(dim))

    def forward(self, x):
        return x + self.conv_block(x)


def _down_layers(ngf, n_blocks):
    layers = [nn.ReflectionPad2d(3), nn.Conv2d(3, ngf, 7, bias=True), _instance_norm(ngf), nn.ReLU(True)]
    for mult in (1, 2):
        layers += [nn.Conv2d(ngf * mult, ngf * mult * 2, 3, stride=1, padding=1, bias=True),
                   _instance_norm(ngf * mult * 2), nn.ReLU(True), Downsample(ngf * mult * 2)]
    layers += [ResnetBlock(4 * ngf) for _ in range(n_blocks)]
    return layers


def _up_layers(ngf):
    layers = []
    for mult in (8, 4):
        layers += [Upsample(ngf * mult), nn.Conv2d(ngf * mult, ngf * mult // 2, 3, padding=1, bias=True),
                   _instance_norm(ngf * mult // 2), nn.ReLU(True)]
    layers += [nn.ReflectionPad2d(3), nn.Conv2d(2 * ngf, 3, 7), nn.Tanh()]
    return layers


class PublishedGenerator(nn.Module):
    """G as the published code builds it: model_down, then model_up on
    cat(bottleneck, tiled embedding)."""

    def __init__(self, ngf, n_blocks):
        super().__init__()
        self.model_down = nn.Sequential(*_down_layers(ngf, n_blocks))
        self.model_up = nn.Sequential(*_up_layers(ngf))

    def forward(self, x, tiled_embedding):
        return self.model_up(torch.cat([self.model_down(x), tiled_embedding], 1))


class FlatGenerator(nn.Module):
    """The same layers as CUT's single Sequential "model" (model_up.M at
    model.(len(model_down) + M)), the naming of checkpoints older than the
    published code."""

    def __init__(self, published):
        super().__init__()
        self.n_down = len(published.model_down)
        self.model = nn.Sequential(*published.model_down, *published.model_up)

    def forward(self, x, tiled_embedding):
        h = self.model[:self.n_down](x)
        return self.model[self.n_down:](torch.cat([h, tiled_embedding], 1))


class NnAudioStft(nn.Module):
    """nnAudio's STFT with fixed kernels, magnitude output: the windowed
    sine and cosine rows as conv1d kernels [bins, 1, n_fft] ("wsin",
    "wcos"), the window padded to n_fft as "window_mask" [1, n_fft, 1];
    reflect-padded by n_fft / 2, one frame every hop samples."""

    def __init__(self, n_fft=N_FFT, win_length=WIN_LENGTH, hop=HOP):
        super().__init__()
        self.hop = hop
        self.pad = n_fft // 2
        left = (n_fft - win_length) // 2
        window = F.pad(torch.hann_window(win_length, periodic=True, dtype=torch.float64),
                       (left, n_fft - win_length - left))
        k = torch.arange(n_fft // 2 + 1, dtype=torch.float64)[:, None]
        angle = 2.0 * math.pi * k * torch.arange(n_fft, dtype=torch.float64)[None, :] / n_fft
        self.register_buffer("wsin", (torch.sin(angle).float() * window.float())[:, None, :])
        self.register_buffer("wcos", (torch.cos(angle).float() * window.float())[:, None, :])
        self.register_buffer("window_mask", window.float()[None, :, None])

    def forward(self, wave):
        x = F.pad(wave[:, None, :], (self.pad, self.pad), mode="reflect")
        real = F.conv1d(x, self.wcos, stride=self.hop)
        imag = -F.conv1d(x, self.wsin, stride=self.hop)
        return torch.sqrt(real.pow(2) + imag.pow(2))


class BasicBlock(nn.Module):
    """torchvision's ResNet BasicBlock, with its parameter names."""

    def __init__(self, cin, cout, stride):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.bn1 = nn.BatchNorm2d(cout)
        self.relu = nn.ReLU(inplace=True)
        self.conv2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(cout)
        self.downsample = None
        if stride != 1 or cin != cout:
            self.downsample = nn.Sequential(nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        skip = x if self.downsample is None else self.downsample(x)
        h = self.relu(self.bn1(self.conv1(x)))
        return self.relu(self.bn2(self.conv2(h)) + skip)


def _stage(cin, cout, stride):
    return nn.Sequential(BasicBlock(cin, cout, stride), BasicBlock(cout, cout, 1))


class PublishedAudio(nn.Module):
    """The published audio network: STFT magnitude as a 1-channel image,
    ResNet-18 with a 7x7 stride-2 padding-1 stem, average pool, proj; the
    embedding tiled to the generator's fixed 64 x 64 bottleneck."""

    def __init__(self, width, embed_dim, stft=None):
        super().__init__()
        w = width
        self.AudioInconv = nn.Sequential(nn.Conv2d(1, w, 7, stride=2, padding=1, bias=False),
                                         nn.BatchNorm2d(w), nn.ReLU(inplace=True),
                                         nn.MaxPool2d(3, stride=2, padding=1))
        self.AudioLayer1 = _stage(w, w, 1)
        self.AudioLayer2 = _stage(w, 2 * w, 2)
        self.AudioLayer3 = _stage(2 * w, 4 * w, 2)
        self.AudioLayer4 = _stage(4 * w, 8 * w, 2)
        self.AudioAvgpool = nn.AdaptiveAvgPool2d(1)
        self.stft = stft if stft is not None else NnAudioStft()
        self.proj = nn.Linear(8 * w, embed_dim)

    def embed(self, wave):
        h = self.AudioInconv(self.stft(wave).unsqueeze(1))
        h = self.AudioLayer4(self.AudioLayer3(self.AudioLayer2(self.AudioLayer1(h))))
        return self.proj(self.AudioAvgpool(h).flatten(1))

    def forward(self, wave):
        return self.embed(wave)[:, :, None, None].repeat(1, 1, SQUARE // 4, SQUARE // 4)


def peak_normalise(wav):
    """The published data loader's wav / (1.1 max|wav|)."""
    return wav / (PEAK_HEADROOM * wav.abs().max())


def squash(rgb8):
    """The published test path's resize of a photo to SQUARE x SQUARE:
    bicubic with antialiasing, which is what torch's antialias mode
    reproduces of PIL's; then to [-1, 1]. rgb8: [H, W, 3] uint8."""
    x = rgb8.permute(2, 0, 1)[None].float()
    if x.shape[2:] != (SQUARE, SQUARE):
        x = F.interpolate(x, size=(SQUARE, SQUARE), mode="bicubic", align_corners=False, antialias=True)
    return x / 127.5 - 1.0


# --- the files the import test reads ----------------------------------------

def _write_f32(path, tensor):
    with open(path, "wb") as f:
        f.write(tensor.detach().contiguous().numpy().astype("<f4").tobytes())


def _write_wav16(path, samples):
    """Mono 16-kHz 16-bit PCM; returns the samples as a reader sees them."""
    ints = (samples * 32768.0).round().clamp(-32768, 32767).to(torch.int16)
    with wave.open(path, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(struct.pack("<%dh" % ints.numel(), *ints.tolist()))
    return ints.float() / 32768.0


def _save(path, state):
    """As the published code saves a network: its state dict, torch.save'd"""
    torch.save(state, path)


def _renamed(state, old, new):
    return type(state)((new if k == old else k, v) for k, v in state.items())


def main(out):
    torch.manual_seed(20)
    ngf, n_blocks, width, embed = 8, 2, 8, 32     # Soundstyle's "tiny" preset
    G = PublishedGenerator(ngf, n_blocks)
    A = PublishedAudio(width, embed)

    # A sound: tones and noise at a third of full scale, so that the peak
    # normalisation changes what the encoder sees
    t = torch.arange(48000, dtype=torch.float32) / 16000.0
    noise = torch.randn(48000, generator=torch.Generator().manual_seed(3))
    raw = 0.2 * torch.sin(2 * math.pi * 330.0 * t) + 0.05 * torch.sin(2 * math.pi * 2100.0 * t * (1 + t / 6))
    raw = raw + 0.03 * noise
    wav = _write_wav16(os.path.join(out, "sound.wav"), raw)[None]

    # Training-mode passes, so BatchNorm's running statistics are not the
    # identity; then eval, as the published test path runs
    with torch.no_grad():
        for s in range(3):
            A(peak_normalise(torch.randn(2, 48000) * (0.1 + s)))
    G.eval()
    A.eval()

    _save(os.path.join(out, "latest_net_G.pth"), G.state_dict())
    _save(os.path.join(out, "latest_net_Audio.pth"), A.state_dict())
    _save(os.path.join(out, "flat_net_G.pth"), FlatGenerator(G).state_dict())

    # Files that must be refused
    g_state = G.state_dict()
    _save(os.path.join(out, "renamed_net_G.pth"),
          _renamed(g_state, "model_up.1.weight", "model_up.1.conv.weight"))
    shortened = type(g_state)(list(g_state.items())[:-1])
    _save(os.path.join(out, "shortened_net_G.pth"), shortened)
    with open(os.path.join(out, "latest_net_G.pth"), "rb") as f:
        whole = f.read()
    with open(os.path.join(out, "truncated_net_G.pth"), "wb") as f:
        f.write(whole[:len(whole) // 2])
    _save(os.path.join(out, "blocks3_net_G.pth"), PublishedGenerator(ngf, 3).state_dict())
    other_stft = PublishedAudio(width, embed, NnAudioStft(win_length=N_FFT))
    other_stft.load_state_dict({k: v for k, v in A.state_dict().items() if not k.startswith("stft.")},
                               strict=False)
    _save(os.path.join(out, "window512_net_Audio.pth"), other_stft.state_dict())

    # Two photos: a 256 x 256 one, used as it is, and a 384 x 256 one whose
    # rows are each one colour, so that squashing it to 256 x 256 gives
    # the same pixels whatever the resampling filter (every filter's
    # weights sum to 1), Soundstyle's as well as PIL's
    pix = torch.Generator().manual_seed(5)
    square = torch.randint(0, 256, (SQUARE, SQUARE, 3), generator=pix, dtype=torch.uint8)
    rows = torch.randint(0, 256, (SQUARE, 1, 3), generator=pix, dtype=torch.uint8).repeat(1, 384, 1)
    for name, rgb in (("square", square), ("wide", rows)):
        with open(os.path.join(out, name + ".rgb"), "wb") as f:
            f.write(rgb.contiguous().numpy().tobytes())

    with torch.no_grad():
        emb = A.embed(peak_normalise(wav))
        emb_raw = A.embed(wav)
        tiled = A(peak_normalise(wav))
        tiled_half = A(0.5 * peak_normalise(wav))
        _write_f32(os.path.join(out, "emb.f32"), emb)
        _write_f32(os.path.join(out, "emb_raw.f32"), emb_raw)
        _write_f32(os.path.join(out, "y_square.f32"), G(squash(square), tiled))
        _write_f32(os.path.join(out, "y_wide.f32"), G(squash(rows), tiled))
        _write_f32(os.path.join(out, "y_square_half.f32"), G(squash(square), tiled_half))


if __name__ == "__main__":
    main(sys.argv[1])
