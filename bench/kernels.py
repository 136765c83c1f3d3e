#!/usr/bin/env python3
"""Kernel benchmark: blogkit against peer packages on the CPU (or $BLOGKIT_DEVICE).

Usage: python bench/kernels.py [--pairs N] [--lion-pairs N] [--only rope|lion]

* RoPE against rotary-embedding-torch: shape (batch 8, heads 8, seq 1024, d 64), float32.
* ``Lion.step`` against lion-pytorch: a 10-million-parameter MLP (five 1414 × 1414 linear
  layers, float32, fixed gradients, lr 1e-4, betas (0.9, 0.99), weight decay 0.1), one
  optimiser step per sample.

Ours and the peer are timed interleaved (A B, B A, …, see bench/_timing.py); each pair gives a
ratio peer time / ours (≥ 1 means blogkit is at least as fast) and the table reports the median
of those ratios with its 10–90 % range, next to the median time of each side. Both sides are
checked to agree before timing. Threads: 2 (``torch.set_num_threads``), unless --threads.
"""

from __future__ import annotations

import argparse
import sys

import torch
from _timing import Paired, paired


def bench_rope(dev: torch.device, pairs: int) -> list[tuple[str, Paired]]:
    from rotary_embedding_torch import RotaryEmbedding, apply_rotary_emb

    from blogkit.rope import apply_rope, apply_rope_2d

    torch.manual_seed(0)
    B, H, S, D = 8, 8, 1024, 64
    x = torch.randn(B, H, S, D, device=dev)  # (B, H, S, d)
    pos = torch.arange(S, device=dev)
    peer = RotaryEmbedding(dim=D).to(dev)
    rows = []
    with torch.inference_mode():
        err = (apply_rope(x, pos) - peer.rotate_queries_or_keys(x)).abs().max().item()
        assert err < 1e-4, f"implementations disagree: {err}"
        rows.append(("`apply_rope` (interleaved)",
                     paired(lambda: apply_rope(x, pos), lambda: peer.rotate_queries_or_keys(x),
                            pairs)))
        side = 32
        rr = torch.arange(S, device=dev) // side
        cc = torch.arange(S, device=dev) % side
        # The peer's 2-D form: axial frequencies for (row, col) positions.
        peer2 = RotaryEmbedding(dim=D // 2, freqs_for="pixel", max_freq=S)
        freqs = peer2.get_axial_freqs(side, side).to(dev)  # (side, side, D)
        x2 = x.reshape(B, H, side, side, D)
        rows.append(("`apply_rope_2d` (32 × 32 grid)",
                     paired(lambda: apply_rope_2d(x, rr, cc), lambda: apply_rotary_emb(freqs, x2),
                            pairs)))
    return rows


def lion_model(dev: torch.device) -> torch.nn.Module:
    """An MLP of 10,004,050 parameters: five 1414 × 1414 linear layers with biases, GELU between."""
    torch.manual_seed(0)
    width, depth = 1414, 5
    layers: list[torch.nn.Module] = []
    for i in range(depth):
        layers.append(torch.nn.Linear(width, width))
        if i < depth - 1:
            layers.append(torch.nn.GELU())
    return torch.nn.Sequential(*layers).to(dev)


def bench_lion(dev: torch.device, pairs: int) -> tuple[int, Paired]:
    import copy

    from lion_pytorch import Lion as PeerLion

    from blogkit.optim import Lion

    hp = {"lr": 1e-4, "betas": (0.9, 0.99), "weight_decay": 0.1}
    ours_model = lion_model(dev)
    peer_model = copy.deepcopy(ours_model)
    n_params = sum(p.numel() for p in ours_model.parameters())
    gen = torch.Generator(device=dev).manual_seed(1)
    for p, q in zip(ours_model.parameters(), peer_model.parameters(), strict=True):
        p.grad = torch.randn(p.shape, generator=gen, device=dev)  # fixed gradients
        q.grad = p.grad.clone()
    ours, peer = Lion(ours_model.parameters(), **hp), PeerLion(peer_model.parameters(), **hp)
    for _ in range(3):
        ours.step()
        peer.step()
    # Same update up to rounding of the decay (the peer decays first): compare after 3 steps.
    for p, q in zip(ours_model.parameters(), peer_model.parameters(), strict=True):
        torch.testing.assert_close(p, q, rtol=1e-5, atol=1e-6)
    return n_params, paired(ours.step, peer.step, pairs)


def table(title: str, peer_name: str, rows: list[tuple[str, Paired]]) -> None:
    print(title)
    print(f"| {'kernel'} | blogkit (ms) | {peer_name} (ms) | ratio peer/ours, median [10–90 %] |")
    print("|:--|--:|--:|--:|")
    for name, r in rows:
        print(f"| {name} | {r.median_a * 1e3:.2f} | {r.median_b * 1e3:.2f} | {r.ratio_text()} |")
    print()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pairs", type=int, default=40, help="interleaved pairs per RoPE kernel")
    ap.add_argument("--lion-pairs", type=int, default=40, help="interleaved pairs of Lion steps")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--only", choices=("rope", "lion"))
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    from blogkit.device import default_device

    dev = default_device()
    print(f"device: {dev}, torch {torch.__version__}, threads {torch.get_num_threads()}\n")
    if args.only in (None, "rope"):
        table(f"RoPE, shape (8, 8, 1024, 64) float32, {args.pairs} interleaved pairs",
              "rotary-embedding-torch", bench_rope(dev, args.pairs))
    if args.only in (None, "lion"):
        n, r = bench_lion(dev, args.lion_pairs)
        table(f"Lion.step, {n:,} float32 parameters, {args.lion_pairs} interleaved pairs",
              "lion-pytorch", [("`Lion.step`", r)])
    return 0


if __name__ == "__main__":
    sys.exit(main())
