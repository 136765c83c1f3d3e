"""blogkit.distributed: ring all-reduce against numpy sums and its traffic in closed form, a slow
step-by-step message log, and a real two-process DDP run (gloo, loopback) against one process."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch

from blogkit import distributed as dd


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5, 8])
@pytest.mark.parametrize("m", [1, 7, 12, 100, 1001])
def test_eqn_ddp_quickstart_traffic(n: int, m: int) -> None:
    rng = np.random.default_rng(n * 1000 + m)
    chunks = [rng.normal(size=m) for _ in range(n)]
    reduced, sent = dd.ring_allreduce(chunks)
    total = np.sum(chunks, axis=0)
    for r in reduced:
        np.testing.assert_allclose(r, total, rtol=1e-12, atol=1e-12)
    # closed form per rank: 2M − |S_{r+1}| − |S_{r+2}|, segment sizes as numpy splits them evenly
    sizes = [len(s) for s in np.array_split(np.arange(m), n)]
    if n > 1:
        assert sorted(sent) == sorted(2 * m - sizes[(r + 1) % n] - sizes[(r + 2) % n] for r in range(n))
    else:
        assert sent == [0]
    assert sum(sent) == 2 * (n - 1) * m
    if m % n == 0:
        assert sent == [2 * (n - 1) * m // n] * n


def test_ring_allreduce_keeps_shapes_and_inputs() -> None:
    chunks = [np.arange(12.0).reshape(3, 4) * (k + 1) for k in range(3)]
    copies = [c.copy() for c in chunks]
    reduced, _ = dd.ring_allreduce(chunks)
    assert all(r.shape == (3, 4) for r in reduced)
    assert all(np.array_equal(a, b) for a, b in zip(chunks, copies, strict=True))
    np.testing.assert_array_equal(reduced[0], np.arange(12.0).reshape(3, 4) * 6)
    with pytest.raises(ValueError):
        dd.ring_allreduce([np.zeros(3), np.zeros(4)])
    with pytest.raises(ValueError):
        dd.ring_allreduce([])


def test_integer_data_is_reduced_exactly() -> None:
    rng = np.random.default_rng(0)
    chunks = [rng.integers(-1000, 1000, size=37) for _ in range(6)]
    reduced, _ = dd.ring_allreduce(chunks)
    assert all(np.array_equal(r, np.sum(chunks, axis=0)) for r in reduced)


def test_ring_trace_phases() -> None:
    for n in (2, 3, 4, 7):
        trace = dd.ring_trace(n)
        assert len(trace) == 2 * (n - 1) + 1
        assert (trace[0] == 1).all() and (trace[-1] == n).all()
        mid = trace[n - 1]  # after reduce-scatter: rank r owns the full segment r + 1
        assert all(mid[r, (r + 1) % n] == n for r in range(n))
        # counts never decrease
        assert all((b >= a).all() for a, b in itertools.pairwise(trace))


def slow_ring(chunks: list[list[float]]) -> tuple[list[list[float]], list[int]]:
    """Oracle: the textbook schedule on Python lists, one message at a time, sending the values
    as they were at the start of the step."""
    n, m = len(chunks), len(chunks[0])
    buf = [list(c) for c in chunks]
    segs = np.array_split(np.arange(m), n)
    sent = [0] * n
    for phase in ("reduce", "gather"):
        for t in range(n - 1):
            snapshot = [list(b) for b in buf]
            for r in range(n):
                s = (r - t) % n if phase == "reduce" else (r + 1 - t) % n
                dst = (r + 1) % n
                for i in segs[s]:
                    buf[dst][i] = buf[dst][i] + snapshot[r][i] if phase == "reduce" else snapshot[r][i]
                sent[r] += len(segs[s])
    return buf, sent


def test_matches_slow_oracle() -> None:
    rng = np.random.default_rng(3)
    for n, m in [(3, 10), (4, 9), (5, 23)]:
        chunks = [rng.normal(size=m).tolist() for _ in range(n)]
        reduced, sent = dd.ring_allreduce([np.array(c) for c in chunks])
        ref, ref_sent = slow_ring(chunks)
        assert sent == ref_sent
        for a, b in zip(reduced, ref, strict=True):
            np.testing.assert_array_equal(a, np.array(b))


def test_eqn_ddp_quickstart_avg_two_processes_equal_one() -> None:
    """A real DDP run (two processes, gloo on 127.0.0.1) against torch training in one process."""
    ranks = dd.ddp_train(world_size=2, steps=3, n=32)
    first, final = dd.single_process_train(steps=3, n=32)
    for res in ranks:
        for a, b in zip(res["first"], first, strict=True):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-13)
        for a, b in zip(res["final"], final, strict=True):
            torch.testing.assert_close(a, b, rtol=1e-12, atol=1e-13)
    # the local gradient alone is not the full-batch gradient: the average is needed
    x, y, model = dd.toy_problem(32, 5)
    torch.nn.functional.mse_loss(model(x[:16]), y[:16]).backward()
    assert (model.weight.grad - first[0]).abs().max() > 1e-3


def test_ddp_train_rejects_unequal_shards() -> None:
    with pytest.raises(ValueError):
        dd.ddp_train(world_size=3, n=32)


def test_ddp_train_kills_workers_that_overrun_the_deadline() -> None:
    """A run that cannot finish in time is an error that names the deadline, never a hang."""
    with pytest.raises(TimeoutError, match=r"did not finish within 0\.01 s"):
        dd.ddp_train(world_size=2, steps=1, n=8, timeout_s=0.01)


def test_ddp_train_reports_a_failing_rank_with_its_output() -> None:
    """d = -1 makes the data unbuildable: the error names the rank and carries its traceback."""
    with pytest.raises(RuntimeError, match=r"rank \d exited with status 1:[\s\S]*negative"):
        dd.ddp_train(world_size=2, steps=1, n=8, d=-1, timeout_s=120)
