"""The batched ridge grid (linrfm.solvers.grid) against one ``complete`` call per ridge."""

import numpy as np
import pytest

import linrfm
from linrfm.protocols import TestErrorWatch, honest_protocol, paper_protocol
from linrfm.solvers.grid import complete_grid, grid_applies
from linrfm.solvers.observed import PAD_MIN_SLOTS, row_chunks

GRID = [1e-1, 1e-2, 1e-3, 1e-4]


@pytest.fixture(scope="module")
def problem():
    return linrfm.completion_problem(40, 40, 2, 560, seed=5)


def _close(a: np.ndarray, b: np.ndarray, rtol: float = 1e-9) -> bool:
    return float(np.abs(a - b).max()) <= rtol * float(np.abs(b).max())


@pytest.mark.parametrize("alpha", [0.5, 1.0, 0.75])  # products (2α = 1, 2) and eigh (0.75)
def test_each_run_of_the_grid_is_complete_with_its_ridge(problem, alpha):
    p = problem
    kw = dict(alpha=alpha, max_iter=150, tol=1e-6)
    grid = complete_grid(p.Y_obs, p.mask, ridges=GRID, **kw)
    assert len(grid) == len(GRID)
    for ridge, g in zip(GRID, grid, strict=True):
        one = linrfm.complete(p.Y_obs, p.mask, ridge=ridge, **kw)
        assert (g.n_iter, g.status) == (one.n_iter, one.status)
        assert _close(g.Z, one.Z)
        assert _close(g.extras["K"], one.extras["K"])
        np.testing.assert_allclose(g.history.residual, one.history.residual, rtol=1e-8)
        np.testing.assert_array_equal(g.extras["ridge"], one.extras["ridge"])
    # the runs stopped at different iterations: members left the batch one by one
    assert len({g.n_iter for g in grid}) > 1


def test_callbacks_stop_their_own_run_only(problem):
    p = problem
    stops = {1e-1: 3, 1e-3: 40}  # stop these two runs at these iterations; the others go on

    def stopper(ridge):
        k = stops.get(ridge)
        return None if k is None else (lambda state: state.t >= k)

    grid = complete_grid(
        p.Y_obs, p.mask, ridges=GRID, alpha=1.0, max_iter=60, tol=0,
        callbacks=[stopper(r) for r in GRID],
    )  # fmt: skip
    got = {r: (g.n_iter, g.status) for r, g in zip(GRID, grid, strict=True)}
    assert got == {
        1e-1: (3, linrfm.Status.CALLBACK),
        1e-2: (60, linrfm.Status.MAX_ITER),
        1e-3: (40, linrfm.Status.CALLBACK),
        1e-4: (60, linrfm.Status.MAX_ITER),
    }
    one = linrfm.complete(
        p.Y_obs, p.mask, ridge=1e-3, alpha=1.0, max_iter=60, tol=0, callback=stopper(1e-3)
    )
    assert _close(grid[2].Z, one.Z)


def test_a_wide_matrix_runs_on_its_rows_as_complete_does():
    p = linrfm.completion_problem(20, 45, 2, 500, seed=2)
    watch_grid = [TestErrorWatch.on_unobserved(p.Y_true, p.mask, keep_history=True) for _ in GRID]
    grid = complete_grid(
        p.Y_obs, p.mask, ridges=GRID, alpha=1.0, max_iter=40, tol=0, callbacks=watch_grid
    )
    for ridge, g, w in zip(GRID, grid, watch_grid, strict=True):
        watch = TestErrorWatch.on_unobserved(p.Y_true, p.mask, keep_history=True)
        one = linrfm.complete(
            p.Y_obs, p.mask, ridge=ridge, alpha=1.0, max_iter=40, tol=0, callback=watch
        )
        assert g.extras["features"] == one.extras["features"] == "rows"
        assert g.Z.shape == (20, 45) and _close(g.Z, one.Z)
        np.testing.assert_allclose(w.history, watch.history, rtol=1e-8)  # same test MSE per t


def test_the_protocols_choose_the_same_with_and_without_the_batch(problem):
    p = problem
    kw = dict(ridges=GRID, alpha=0.5, max_iter=200, tol=1e-7)
    for protocol, args in ((paper_protocol, (p.Y_true,)), (honest_protocol, ())):
        batched = protocol(p.Y_obs, p.mask, *args, **kw)
        single = protocol(p.Y_obs, p.mask, *args, batch=False, **kw)
        assert batched.ridge == single.ridge and batched.n_iter == single.n_iter
        assert _close(batched.Z, single.Z, rtol=1e-8)
        for b, s in zip(batched.candidates, single.candidates, strict=True):
            keys = ("ridge", "n_iter", "best_iter")
            assert [b[k] for k in keys] == [s[k] for k in keys]
            assert b["selection_score"] == pytest.approx(s["selection_score"], rel=1e-8)


def test_grid_applies_to_the_papers_mode_only():
    assert grid_applies(alpha=0.5, max_iter=10000, tol=1e-7)
    assert grid_applies(alpha=1.0, anderson="auto", kernel="auto", features="auto", replace=True)
    assert not grid_applies(anderson=5)
    assert not grid_applies(kernel="lowrank")
    assert not grid_applies(M0=np.eye(3))
    assert not grid_applies(replace=False)
    assert not grid_applies(refit=2)
    assert not grid_applies(features="alternating")
    assert not grid_applies(some_new_option=1)  # unknown: not assumed reproducible


def test_bad_input_is_named(problem):
    p = problem
    with pytest.raises(ValueError, match="ridges must hold"):
        complete_grid(p.Y_obs, p.mask, ridges=[])
    with pytest.raises(ValueError, match="ridge"):
        complete_grid(p.Y_obs, p.mask, ridges=[1e-2, -1.0])
    with pytest.raises(ValueError, match="one entry per ridge"):
        complete_grid(p.Y_obs, p.mask, ridges=GRID, callbacks=[None])
    Y = p.Y_obs.copy()
    Y[np.argwhere(p.mask)[0][0], np.argwhere(p.mask)[0][1]] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        complete_grid(Y, p.mask, ridges=GRID)


def test_row_chunks_bound_the_padding_when_asked():
    counts = np.array([0, 3, 5, 7, 8, 9, 12, 20, 21, 30, 31, 33])
    loose = row_chunks(counts, 1 << 24)
    tight = row_chunks(counts, 1 << 24, pad=1.1)
    assert len(loose) == 1 and len(tight) > 1
    for chunks in (loose, tight):
        assert sorted(np.concatenate(chunks).tolist()) == list(range(1, 12))  # every row once
    for rows in tight:
        first, m = counts[rows].min(), counts[rows].max()
        assert m <= max(1.1 * first, first + PAD_MIN_SLOTS)


@pytest.mark.parametrize(
    "grid",
    [
        [3.0, 1e-3, 1e-2, 1e-4],  # 3.0 fails; 1e-2 gets there first in time, 1e-3 first in order
        [1e-2, 1e-3],  # the first ridge succeeds: nothing batched
        [3.0, 1e-4, 5.0],  # none succeeds: every ridge runs to its own stop
    ],
)
def test_first_success_search_batched_picks_as_one_after_another(problem, grid):
    p = problem
    kw = dict(ridges=grid, alpha=1.0, max_iter=150, tol=1e-7, stop_at_success=True)
    batched = paper_protocol(p.Y_obs, p.mask, p.Y_true, **kw)
    single = paper_protocol(p.Y_obs, p.mask, p.Y_true, batch=False, **kw)
    keys = ("ridge", "n_iter", "best_iter")
    assert [[c[k] for k in keys] for c in batched.candidates] == [
        [c[k] for k in keys] for c in single.candidates
    ]
    assert batched.ridge == single.ridge and _close(batched.Z, single.Z, rtol=1e-8)
    if grid[0] == 3.0 and len(grid) == 4:
        assert batched.ridge == 1e-3 and len(batched.candidates) == 2
