r"""Data parallelism: ring all-reduce simulated, and a real two-process DDP run on the CPU.

Implements the post ``ddp-quickstart`` (from the second blog's "PyTorch DDP quick start",
2026-01-11).

Ring all-reduce (:func:`ring_allreduce`) sums one array per rank so that every rank ends with the
total. Each array of :math:`M` elements is cut into :math:`N` segments; in :math:`N-1`
*reduce-scatter* steps every rank passes one segment to its right neighbour, which adds it to its
own, after which rank :math:`r` owns the complete sum of segment :math:`r+1`; in :math:`N-1`
*all-gather* steps the complete segments travel once more around the ring. Every rank sends
:math:`2(N-1)` segments, i.e. :math:`2(N-1)M/N` elements when :math:`N` divides :math:`M`.

:func:`ddp_train` runs ``torch.nn.parallel.DistributedDataParallel`` with the ``gloo`` backend in
``world_size`` processes on the loopback interface, and :func:`single_process_train` the same
training on the whole batch in one process; with the loss a mean over each rank's equal shard the
two give the same parameters.
"""

from __future__ import annotations

import datetime
import itertools
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

__all__ = [
    "ddp_train",
    "ring_allreduce",
    "ring_trace",
    "single_process_train",
    "toy_problem",
]


def _segments(m: int, n: int) -> list[slice]:
    # N pieces as numpy.array_split makes them: the first M mod N have one element more
    q, extra = divmod(m, n)
    bounds = [0]
    for k in range(n):
        bounds.append(bounds[-1] + q + (1 if k < extra else 0))
    return [slice(a, b) for a, b in itertools.pairwise(bounds)]


def _ring(chunks: Sequence[ArrayLike], trace: list[NDArray[np.int64]] | None = None
          ) -> tuple[list[NDArray], list[int]]:
    bufs = [np.array(c, copy=True) for c in chunks]
    n = len(bufs)
    if n == 0 or any(b.shape != bufs[0].shape for b in bufs):
        raise ValueError("one array per rank, all of the same shape")
    flat = [b.reshape(-1) for b in bufs]
    segs = _segments(flat[0].size, n)
    sent = [0] * n
    # contributions[r][s] = set of ranks whose data segment s of rank r already includes
    have = [[{r} for _ in range(n)] for r in range(n)]
    if trace is not None:
        trace.append(np.array([[len(h) for h in row] for row in have]))
    # reduce-scatter: at step t rank r sends segment (r − t) mod N to rank r + 1, which adds it
    for t in range(n - 1):
        msgs = [(r, (r - t) % n, flat[r][segs[(r - t) % n]].copy()) for r in range(n)]
        for r, s, payload in msgs:
            dst = (r + 1) % n
            flat[dst][segs[s]] += payload
            have[dst][s] = have[dst][s] | have[r][s]
            sent[r] += payload.size
        if trace is not None:
            trace.append(np.array([[len(h) for h in row] for row in have]))
    # rank r now holds the full sum of segment (r + 1) mod N
    # all-gather: at step t rank r sends segment (r + 1 − t) mod N to rank r + 1, which copies it
    for t in range(n - 1):
        msgs = [(r, (r + 1 - t) % n, flat[r][segs[(r + 1 - t) % n]].copy()) for r in range(n)]
        for r, s, payload in msgs:
            dst = (r + 1) % n
            flat[dst][segs[s]] = payload
            have[dst][s] = set(have[r][s])
            sent[r] += payload.size
        if trace is not None:
            trace.append(np.array([[len(h) for h in row] for row in have]))
    return [f.reshape(bufs[0].shape) for f in flat], sent


def ring_allreduce(chunks: Sequence[ArrayLike]) -> tuple[list[NDArray], list[int]]:
    r"""Sum ``chunks`` (one array per rank, equal shapes) by ring all-reduce.

    Implements Eq. (eq:ddp-quickstart-traffic) of the post ddp-quickstart. Returns
    ``(reduced, sent)``: ``reduced[r]`` is rank ``r``'s array after the all-reduce (every one equals
    the elementwise sum, up to the order of the additions) and ``sent[r]`` the number of elements
    rank ``r`` sent. With segment sizes :math:`|S_0|,\dots,|S_{N-1}|` (``M`` split as evenly as
    possible), rank :math:`r` sends every segment but :math:`S_{r+1}` in the first phase and every
    one but :math:`S_{r+2}` in the second:

    .. math:: \text{sent}_r = 2M - |S_{(r+1)\bmod N}| - |S_{(r+2)\bmod N}|
        \;=\; \frac{2(N-1)M}{N}\quad\text{when } N \mid M.
    """
    return _ring(chunks)


def ring_trace(n: int) -> list[NDArray[np.int64]]:
    """How many ranks' data each (rank, segment) holds, before the first step and after each of
    the :math:`2(N-1)` steps of :func:`ring_allreduce` with ``n`` ranks: a list of ``n × n``
    integer matrices (rows ranks, columns segments); ``n`` everywhere at the end."""
    trace: list[NDArray[np.int64]] = []
    _ring([np.zeros(n) for _ in range(n)], trace)
    return trace


# -- a real DDP run ------------------------------------------------------------------------------


def toy_problem(n: int = 64, d: int = 5, seed: int = 0):
    """A linear regression batch ``(x, y)`` (float64) and a freshly initialised ``nn.Linear(d, 1)``
    (float64, seeded), the same in every process."""
    import torch

    g = torch.Generator().manual_seed(seed)
    x = torch.randn(n, d, generator=g, dtype=torch.float64)
    w = torch.randn(d, 1, generator=g, dtype=torch.float64)
    y = x @ w + 0.1 * torch.randn(n, 1, generator=g, dtype=torch.float64)
    torch.manual_seed(seed)
    model = torch.nn.Linear(d, 1).double()
    return x, y, model


def single_process_train(steps: int = 5, lr: float = 0.1, n: int = 64, d: int = 5):
    """SGD on the mean squared error of the whole batch in one process. Returns the first step's
    gradients and the final parameters, as lists of tensors."""
    import torch

    x, y, model = toy_problem(n, d)
    opt = torch.optim.SGD(model.parameters(), lr=lr)
    first = None
    for _ in range(steps):
        opt.zero_grad()
        torch.nn.functional.mse_loss(model(x), y).backward()
        if first is None:
            first = [p.grad.detach().clone() for p in model.parameters()]
        opt.step()
    return first, [p.detach().clone() for p in model.parameters()]


_INIT_TIMEOUT_S = 120


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _worker(rank: int, world: int, port: int, steps: int, lr: float, n: int, d: int, out: str) -> None:
    import torch
    import torch.distributed as dist
    from torch.nn.parallel import DistributedDataParallel as DDP

    os.environ.update(MASTER_ADDR="127.0.0.1", MASTER_PORT=str(port), GLOO_SOCKET_IFNAME="lo")
    torch.set_num_threads(1)
    # a rank that never shows up is an error after _INIT_TIMEOUT_S, not a 30-minute wait
    dist.init_process_group("gloo", rank=rank, world_size=world,
                            timeout=datetime.timedelta(seconds=_INIT_TIMEOUT_S))
    try:
        x, y, model = toy_problem(n, d)
        ddp = DDP(model)
        shard = slice(rank * n // world, (rank + 1) * n // world)  # this rank's part of the batch
        opt = torch.optim.SGD(ddp.parameters(), lr=lr)
        first = None
        for _ in range(steps):
            opt.zero_grad()
            # the loss of the local shard; DDP averages the gradients over the ranks
            torch.nn.functional.mse_loss(ddp(x[shard]), y[shard]).backward()
            if first is None:
                first = [p.grad.detach().clone() for p in model.parameters()]
            opt.step()
        torch.save({"first": first, "final": [p.detach().clone() for p in model.parameters()]},
                   Path(out) / f"rank{rank}.pt")
        # rank 0 hosts the rendezvous store: nobody leaves before all are done with it
        dist.barrier()
    finally:
        dist.destroy_process_group()


def _launch(rank: int, world: int, port: int, steps: int, lr: float, n: int, d: int, out: str,
            log: Path) -> subprocess.Popen[bytes]:
    """Start rank ``rank`` as a fresh interpreter (``python -c``): nothing is forked from the
    caller, whose threads could hold locks, and the caller's ``__main__`` is never re-imported, so
    a script without an ``if __name__ == "__main__"`` guard may call :func:`ddp_train`."""
    args = json.dumps([rank, world, port, steps, lr, n, d, out])
    code = f"import json; from blogkit.distributed import _worker; _worker(*json.loads({args!r}))"
    env = dict(os.environ)
    # the package this module was imported from, whether installed or on PYTHONPATH
    env["PYTHONPATH"] = os.pathsep.join(
        [str(Path(__file__).resolve().parents[1]), *filter(None, [env.get("PYTHONPATH")])])
    with open(log, "wb") as err:
        return subprocess.Popen([sys.executable, "-c", code], env=env, stdin=subprocess.DEVNULL,
                                stdout=err, stderr=subprocess.STDOUT)


def ddp_train(world_size: int = 2, steps: int = 5, lr: float = 0.1, n: int = 64, d: int = 5,
              timeout_s: float = 300.0) -> list[dict[str, list]]:
    """Train :func:`toy_problem` with DistributedDataParallel in ``world_size`` CPU processes
    (gloo, 127.0.0.1), each on its ``n / world_size`` rows of the batch. Returns, per rank, the
    gradients after the first all-reduce and the final parameters.

    Each rank is a new Python process. A rank that fails raises :class:`RuntimeError` with the
    end of its output; if the ranks have not all finished after ``timeout_s`` seconds they are
    killed and :class:`TimeoutError` is raised."""
    import torch

    if n % world_size:
        raise ValueError("the batch must split into equal shards")
    with tempfile.TemporaryDirectory() as tmp:
        port = _free_port()
        logs = [Path(tmp) / f"rank{r}.log" for r in range(world_size)]
        procs = [_launch(r, world_size, port, steps, lr, n, d, tmp, logs[r])
                 for r in range(world_size)]
        deadline = time.monotonic() + timeout_s
        try:
            while any(p.poll() is None for p in procs):
                failed = [r for r, p in enumerate(procs) if p.returncode not in (None, 0)]
                if failed:
                    break  # the others would wait for the failed rank until their own timeout
                if time.monotonic() >= deadline:
                    raise TimeoutError(f"ddp_train: the {world_size} gloo workers did not "
                                       f"finish within {timeout_s:g} s (killed)")
                time.sleep(0.05)
        finally:
            for p in procs:
                if p.poll() is None:
                    p.kill()
                p.wait()
        for r, p in enumerate(procs):
            if p.returncode != 0:
                tail = logs[r].read_text(errors="replace")[-3000:]
                raise RuntimeError(f"ddp_train: rank {r} exited with status {p.returncode}:\n"
                                   f"{tail}")
        return [torch.load(Path(tmp) / f"rank{r}.pt") for r in range(world_size)]
