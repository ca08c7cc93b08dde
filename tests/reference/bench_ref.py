# SPDX-License-Identifier: MIT
"""The reference architecture's side of `soundstyle bench --reference`.

Times the same work as the engine's benchmark, on the PyTorch reference
(avstyle_ref.py, the published model written in plain PyTorch) in this
process, and prints one JSON object on stdout. Weights are random: they do
not change the time. The reference has no folded decoder, so its slider
update is the best that architecture allows: the audio encoder and the
whole decoder on a cached encoder output.

    python3 bench_ref.py --config '{"ngf": 32, ...}' --sizes 256,512 \
        --preview 256 --repeat 3 --warmup 1 --train-size 128 --train-batch 4
"""

import argparse
import json
import math
import os
import resource
import statistics
import sys
import time

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import avstyle_ref as R  # noqa: E402

CLIP_SAMPLES = 48000

# --clock cpu: the process's CPU time (all threads), as the engine's bench
clock = time.perf_counter


def median_ms(work, repeat, warmup):
    for _ in range(warmup):
        work()
    times = []
    for _ in range(repeat):
        start = clock()
        work()
        times.append((clock() - start) * 1000.0)
    return round(statistics.median(times), 2)


def tone(gain):
    t = torch.arange(CLIP_SAMPLES, dtype=torch.float32) / 16000.0
    return (gain * 0.3 * torch.sin(2 * math.pi * 440.0 * t))[None]


def decode(G, code, emb):
    """The reference's forward after the encoder (what a slider redoes)."""
    e = emb[:, :, None, None].expand(-1, -1, code.shape[2], code.shape[3])
    h = torch.cat([code, e], 1)
    for layer in G.model[G.n_enc:]:
        h = layer(h)
    return h


def encode(G, x):
    for layer in G.model[:G.n_enc]:
        x = layer(x)
    return x


def bench_inference(cfg, args, progress):
    G = R.Generator(cfg).eval()
    A = R.AudioEncoder(cfg["audio_width"], cfg["embed_dim"]).eval()
    full, slider = {}, {}
    sizes = sorted(set(args.sizes + [args.preview]))
    with torch.no_grad():
        gains = iter([1.0 + 0.01 * i for i in range(10000)])
        audio = median_ms(lambda: A(R.spectrogram(tone(next(gains)))), args.repeat, args.warmup)
        progress("audio")
        for size in sizes:
            x = torch.rand(1, 3, size, size) * 2 - 1
            wave = tone(1.0)
            if size in args.sizes:
                full[str(size)] = median_ms(lambda: G(x, A(R.spectrogram(wave))).clamp(-1, 1),
                                            args.repeat, args.warmup)
                progress("full %d" % size)
            code = encode(G, x)
            slider[str(size)] = median_ms(
                lambda: decode(G, code, A(R.spectrogram(tone(next(gains))))).clamp(-1, 1),
                args.repeat, args.warmup)
            progress("slider %d" % size)
    return audio, full, slider


def bench_training(cfg, args):
    opts = {"nce_patches": 256, "nce_temperature": 0.07, "identity": True,
            "lambda_gan": 1.0, "lambda_nce": 0.5, "lr": 2e-4, "beta1": 0.5, "beta2": 0.999}
    nets = R.Nets(cfg)
    optims = R.make_optimizers(nets, opts)
    b, s = args.train_batch, args.train_size
    x = torch.rand(b, 3, s, s) * 2 - 1
    y = torch.rand(b, 3, s, s) * 2 - 1
    wave_y = torch.randn(b, CLIP_SAMPLES) * 0.1
    ms = median_ms(lambda: R.train_step(nets, optims, opts, x, y, wave_y, None),
                   args.repeat, args.warmup)
    return {"size": s, "batch": b, "step_ms": ms,
            "images_per_second": round(b * 1000.0 / ms, 3)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--config", required=True, help="the model config as JSON")
    parser.add_argument("--sizes", required=True)
    parser.add_argument("--preview", type=int, required=True)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--warmup", type=int, default=1)
    parser.add_argument("--train-size", type=int, default=0, help="0: no training figure")
    parser.add_argument("--train-batch", type=int, default=4)
    parser.add_argument("--threads", type=int, default=0)
    parser.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = parser.parse_args()
    global clock
    if args.clock == "cpu":
        clock = time.process_time
    args.sizes = [int(v) for v in args.sizes.split(",") if v]

    cfg = json.loads(args.config)
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)

    def progress(what):
        print("reference: %s done" % what, file=sys.stderr, flush=True)

    audio, full, slider = bench_inference(cfg, args, progress)
    result = {
        "python": sys.executable,
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "audio_ms": audio,
        "full_ms": full,
        "slider_ms": slider,
    }
    if args.train_size > 0:
        result["train"] = bench_training(cfg, args)
        progress("training")
    # ru_maxrss is in KiB on Linux
    result["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0, 1)
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
