"""Batched deep linear networks (issue 14): each member of deep_linear_completion_batched is the
single deep_linear_completion run with its seed and mask, to round-off; bad input."""

from __future__ import annotations

import numpy as np
import pytest

from linrfm import completion_problem
from linrfm.baselines import deep_linear_completion, deep_linear_completion_batched
from linrfm.validation import NonFiniteIterateError

SEEDS = (0, 5, 7)


@pytest.fixture(scope="module")
def batch():
    # 3 members, 20 x 20 rank 2: different matrices, masks (200, 160, 240 observed) and seeds.
    ps = [
        completion_problem(20, 20, 2, n, seed=s)
        for s, n in zip(SEEDS, (200, 160, 240), strict=True)
    ]
    return np.stack([p.Y_obs for p in ps]), np.stack([p.mask for p in ps]), ps


def assert_same(single, member):
    """The member's Result is the single run's to round-off."""
    scale = np.abs(single.Z).max()
    np.testing.assert_allclose(member.Z, single.Z, rtol=0, atol=1e-10 * scale)
    assert member.n_iter == single.n_iter
    assert member.status == single.status
    assert member.message == single.message
    np.testing.assert_allclose(member.history.residual, single.history.residual, rtol=1e-10)
    np.testing.assert_allclose(member.history.rel_change, single.history.rel_change, rtol=1e-8)
    assert len(member.history.seconds) == len(single.history.seconds)
    np.testing.assert_array_equal(member.extras["check_steps"], single.extras["check_steps"])
    assert bool(member.extras["stopped_by_callback"]) == bool(single.extras["stopped_by_callback"])
    assert float(member.extras["train_loss"]) == pytest.approx(
        float(single.extras["train_loss"]), rel=1e-9
    )


@pytest.mark.parametrize("depth", [2, 3])
def test_members_equal_single_runs(batch, depth):
    Y, masks, _ = batch
    kw = dict(depth=depth, lr=1e-2, max_iter=600, log_every=100, dtype="float64", device="cpu")
    results = deep_linear_completion_batched(Y, masks, seeds=SEEDS, **kw)
    assert len(results) == 3
    for b, seed in enumerate(SEEDS):
        single = deep_linear_completion(Y[b], masks[b], seed=seed, **kw)
        assert_same(single, results[b])
        assert results[b].history.residual[-1] < 0.9 * results[b].history.residual[0]  # it trained


def test_shared_Y_and_width():
    p = completion_problem(15, 25, 1, 250, seed=2)
    rng = np.random.default_rng(0)
    masks = np.stack([p.mask, p.mask & (rng.random(p.mask.shape) < 0.8)])
    kw = dict(depth=3, width=7, lr=1e-2, max_iter=200, log_every=50, device="cpu")
    results = deep_linear_completion_batched(p.Y_obs, masks, seeds=(3, 4), **kw)
    for b, seed in enumerate((3, 4)):
        assert results[b].Z.shape == (15, 25)
        assert_same(deep_linear_completion(p.Y_obs, masks[b], seed=seed, **kw), results[b])


def test_members_stop_at_different_times(batch):
    Y, masks, _ = batch
    seen: dict[int, list[int]] = {0: [], 1: [], 2: []}

    def watcher(b, stop_at=None):
        def callback(state) -> bool:
            assert state.Z.shape == (20, 20)
            seen[b].append(state.t)
            return stop_at is not None and state.t >= stop_at

        return callback

    # member 1 is stopped by its callback at step 200, members 2 and 0 meet tol at steps 1100 and
    # 1200: the batch shrinks twice, and each member still gets its single run's result.
    kw = dict(depth=2, lr=1e-2, max_iter=1500, log_every=50, tol=3e-2, device="cpu")
    stops = [None, 200, None]
    results = deep_linear_completion_batched(
        Y, masks, seeds=SEEDS, callbacks=[watcher(b, stops[b]) for b in range(3)], **kw
    )
    seen_batched = {b: list(v) for b, v in seen.items()}
    for b in range(3):
        seen[b].clear()
    singles = [
        deep_linear_completion(Y[b], masks[b], seed=SEEDS[b], callback=watcher(b, stops[b]), **kw)
        for b in range(3)
    ]
    for b in range(3):
        assert_same(singles[b], results[b])
    assert seen_batched == seen
    assert results[1].status == "callback" and results[1].n_iter == 200
    assert bool(results[1].extras["stopped_by_callback"])
    assert [r.status for r in results] == ["tolerance", "callback", "tolerance"]
    assert len({r.n_iter for r in results}) == 3  # three different stopping steps


def test_shared_callback_and_max_iter_zero(batch):
    Y, masks, _ = batch
    results = deep_linear_completion_batched(
        Y, masks, seeds=SEEDS, max_iter=0, callbacks=lambda state: True, device="cpu"
    )
    for b, r in enumerate(results):
        assert r.n_iter == 0 and r.status == "max_iter"
        single = deep_linear_completion(Y[b], masks[b], seed=SEEDS[b], max_iter=0, device="cpu")
        np.testing.assert_array_equal(r.Z, single.Z)  # the same initial weights, bit for bit


def test_nonfinite_names_member_and_step():
    Y = np.ones((2, 4, 4))
    Y[1] = 1e300
    with pytest.raises(NonFiniteIterateError, match=r"member 1 .*step 0"):
        deep_linear_completion_batched(
            Y, np.ones((2, 4, 4), bool), seeds=(0, 1), max_iter=10, device="cpu"
        )


_Y = np.ones((2, 4, 4))
_M = np.ones((2, 4, 4), bool)
_M_empty = _M.copy()
_M_empty[1] = False


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: deep_linear_completion_batched(_Y, _M[0], seeds=(0,)), "masks must be a 3-D"),
        (lambda: deep_linear_completion_batched(_Y, _M[:, :3], seeds=(0, 1)), "Y shape"),
        (lambda: deep_linear_completion_batched(_Y[0, :3], _M, seeds=(0, 1)), "Y shape"),
        (lambda: deep_linear_completion_batched(_Y, _M_empty, seeds=(0, 1)), "member 1.*empty"),
        (lambda: deep_linear_completion_batched(_Y, _M * 0.5, seeds=(0, 1)), "boolean"),
        (lambda: deep_linear_completion_batched(_Y, _M, seeds=(0,)), r"len\(seeds\) = 1"),
        (lambda: deep_linear_completion_batched(_Y, _M, seeds=(0, 1, 2)), r"B = 2"),
        (lambda: deep_linear_completion_batched(_Y, _M, seeds=3), "seeds must be a sequence"),
        (lambda: deep_linear_completion_batched(_Y, _M, seeds=(0, -1)), r"seeds\[1\]"),
        (lambda: deep_linear_completion_batched(_Y, _M[:0], seeds=()), "no member"),
        (
            lambda: deep_linear_completion_batched(_Y, _M, seeds=(0, 1), optimizer="rmsprop"),
            "group_rmsprop",
        ),
        (lambda: deep_linear_completion_batched(_Y, _M, seeds=(0, 1), callbacks=3), "callbacks"),
        (
            lambda: deep_linear_completion_batched(_Y, _M, seeds=(0, 1), callbacks=[None, 3]),
            r"callbacks\[1\]",
        ),
        (lambda: deep_linear_completion_batched(_Y, _M, seeds=(0, 1), depth=0), "depth"),
        (lambda: deep_linear_completion_batched(_Y, _M, seeds=(0, 1), lr=0.0), "lr"),
        (lambda: deep_linear_completion_batched(_Y, _M, seeds=(0, 1), log_every=0), "log_every"),
    ],
)
def test_bad_input(call, match):
    with pytest.raises(ValueError, match=match):
        call()
