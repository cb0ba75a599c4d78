"""Tests of the baselines: convex programs (CVXPY) and linear networks (torch)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.optimize import linprog

from linrfm.baselines import (
    deep_linear_completion,
    diagonal_net_regression,
    l1_regression,
    nuclear_norm_completion,
)
from linrfm.data import completion_problem, sparse_regression_problem
from linrfm.validation import NonFiniteIterateError

# ---------------------------------------------------------------------------------------------
# minimum nuclear norm
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rank2_problem():
    # 30 x 40 rank 2, 720 of 1200 entries (60 %) observed; NaN off Ω.
    return completion_problem(30, 40, 2, 720, seed=0)


@pytest.fixture(scope="module")
def rank2_exact(rank2_problem):
    return nuclear_norm_completion(rank2_problem.Y_obs, rank2_problem.mask)


def test_nuclear_norm_recovers_rank2(rank2_problem, rank2_exact):
    p, res = rank2_problem, rank2_exact
    assert np.isnan(p.Y_obs[~p.mask]).all()  # unobserved entries are NaN and must not be read
    assert res.Z.shape == (30, 40)
    assert res.converged
    assert res.n_iter > 0
    rel = np.linalg.norm(res.Z - p.Y_true) / np.linalg.norm(p.Y_true)
    assert rel < 1e-4
    assert len(res.history.residual) == 1 and res.history.residual[0] < 1e-6
    assert np.isnan(res.history.rel_change[0]) and res.history.seconds[0] > 0
    assert float(res.extras["objective"]) == pytest.approx(np.linalg.norm(res.Z, "nuc"), rel=1e-5)


@pytest.mark.parametrize("solver", [None, "SCS", "CLARABEL"])
def test_nuclear_norm_appendix_f_example(solver):
    # Appendix F: Y = ones(3, 3), first row and column observed; the minimum nuclear norm solution
    # has 1/2 in the unobserved block and ||Y_nn||_* = sqrt(3 − 2√2) + sqrt(3 + 2√2) = 2√2.
    # The paper calls Y_nn "rank 3"; its last two rows are equal, so it has rank 2 (singular values
    # √2 ± 1, the two terms of the printed norm) -- still not the rank-1 truth.
    Y = np.full((3, 3), np.nan)
    Y[0, :] = 1.0
    Y[:, 0] = 1.0
    mask = ~np.isnan(Y)
    res = nuclear_norm_completion(Y, mask, solver=solver)
    expected = np.array([[1, 1, 1], [1, 0.5, 0.5], [1, 0.5, 0.5]], dtype=float)
    np.testing.assert_allclose(res.Z, expected, atol=1e-4)
    nuc = np.sqrt(3 - 2 * np.sqrt(2)) + np.sqrt(3 + 2 * np.sqrt(2))
    assert nuc == pytest.approx(2.83, abs=5e-3)
    assert np.linalg.norm(res.Z, "nuc") == pytest.approx(nuc, abs=1e-4)
    assert float(res.extras["objective"]) == pytest.approx(nuc, abs=1e-4)
    assert np.linalg.matrix_rank(res.Z, tol=1e-3) == 2
    np.testing.assert_allclose(
        np.linalg.svd(res.Z, compute_uv=False), [np.sqrt(2) + 1, np.sqrt(2) - 1, 0], atol=1e-4
    )


def test_nuclear_norm_noisy_form(rank2_exact):
    sigma = 0.1
    p = completion_problem(30, 40, 2, 720, seed=0, noise_std=sigma)
    delta = sigma * np.sqrt(p.mask.sum())
    exact = nuclear_norm_completion(p.Y_obs, p.mask)
    noisy = nuclear_norm_completion(p.Y_obs, p.mask, noise=delta)
    assert noisy.converged
    misfit = np.linalg.norm(noisy.Z[p.mask] - p.Y_obs[p.mask])
    assert misfit <= delta * (1 + 1e-4)
    assert misfit == pytest.approx(delta, rel=1e-3)  # the bound is active at the optimum
    nuc_noisy = np.linalg.norm(noisy.Z, "nuc")
    nuc_exact = np.linalg.norm(exact.Z, "nuc")
    assert nuc_noisy <= nuc_exact + 1e-6
    assert nuc_noisy < 0.99 * nuc_exact
    # noise=0 is the exact form
    zero = nuclear_norm_completion(p.Y_obs, p.mask, noise=0.0)
    np.testing.assert_allclose(zero.Z, exact.Z, atol=1e-8)
    assert noisy.history.residual[0] == pytest.approx(
        misfit / np.linalg.norm(p.Y_obs[p.mask]), rel=1e-9
    )


def test_nuclear_norm_never_reads_unobserved(rank2_problem, rank2_exact):
    p = rank2_problem
    garbage = p.Y_obs.copy()
    garbage[~p.mask] = np.random.default_rng(1).standard_normal((~p.mask).sum()) * 1e6
    res = nuclear_norm_completion(garbage, p.mask)
    np.testing.assert_allclose(res.Z, rank2_exact.Z, atol=1e-9)


# ---------------------------------------------------------------------------------------------
# minimum l1 norm
# ---------------------------------------------------------------------------------------------


def _l1_linprog(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """min 1ᵀ(u + v) s.t. X(u − v) = y, u, v ≥ 0 with scipy's HiGHS (independent formulation)."""
    n, d = X.shape
    out = linprog(np.ones(2 * d), A_eq=np.hstack([X, -X]), b_eq=y, bounds=(0, None), method="highs")
    assert out.status == 0
    return out.x[:d] - out.x[d:]


def test_l1_matches_linprog():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((8, 30))
    y = X @ rng.standard_normal(30)  # dense w: the l1 solution is not the generating vector
    res = l1_regression(X, y)
    ref = _l1_linprog(X, y)
    assert res.w.shape == (30,)
    np.testing.assert_allclose(res.w, ref, atol=1e-5)
    np.testing.assert_allclose(X @ res.w, y, atol=1e-7)
    assert float(res.extras["objective"]) == pytest.approx(np.abs(ref).sum(), rel=1e-6)
    assert res.history.residual[0] < 1e-8


def test_l1_recovers_sparse_vector():
    p = sparse_regression_problem(40, 100, 3, seed=0)
    res = l1_regression(p.X, p.y)
    np.testing.assert_allclose(res.w, p.w_true, atol=1e-6)
    assert p.test_mse(res.w) < 1e-10


def test_l1_infeasible_names_status():
    rng = np.random.default_rng(0)
    X, y = rng.standard_normal((10, 3)), rng.standard_normal(10)  # no exact solution
    with pytest.raises(ValueError, match="infeasible"):
        l1_regression(X, y)


# ---------------------------------------------------------------------------------------------
# deep linear networks
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def rank1_problem():
    return completion_problem(20, 20, 1, 200, seed=0)  # 20 x 20 rank 1, 50 % observed


@pytest.mark.parametrize("depth", [2, 3])
def test_deep_linear_fits_and_generalises(rank1_problem, depth):
    p = rank1_problem
    res = deep_linear_completion(
        p.Y_obs, p.mask, depth=depth, lr=1e-2, max_iter=2000, log_every=200
    )
    assert res.Z.shape == (20, 20)
    assert res.n_iter == 2000 and not res.converged
    assert list(res.extras["check_steps"]) == list(range(0, 2001, 200))
    h = res.history
    assert len(h.residual) == 11 and h.residual[0] > 0.99  # tiny init: Z_0 ≈ 0
    assert np.isnan(h.rel_change[0]) and np.all(np.diff(h.seconds) >= 0)
    train = np.linalg.norm(res.Z[p.mask] - p.Y_obs[p.mask]) / np.linalg.norm(p.Y_obs[p.mask])
    assert train == pytest.approx(h.residual[-1], rel=1e-9)
    assert train < 1e-2
    assert p.relative_test_error(res.Z) < 0.1
    assert float(res.extras["train_loss"]) == pytest.approx(
        np.mean((res.Z[p.mask] - p.Y_obs[p.mask]) ** 2), rel=1e-9
    )


def test_deep_linear_deterministic(rank1_problem):
    p = rank1_problem
    kw = dict(depth=3, lr=1e-2, max_iter=300, seed=5)
    a = deep_linear_completion(p.Y_obs, p.mask, **kw)
    b = deep_linear_completion(p.Y_obs, p.mask, **kw)
    c = deep_linear_completion(p.Y_obs, p.mask, **{**kw, "seed": 6})
    np.testing.assert_array_equal(a.Z, b.Z)
    assert a.history.residual == b.history.residual
    assert not np.allclose(a.Z, c.Z)


def test_deep_linear_tol_and_stop(rank1_problem):
    p = rank1_problem
    res = deep_linear_completion(
        p.Y_obs, p.mask, depth=2, lr=1e-2, max_iter=5000, tol=1e-2, log_every=50
    )
    assert res.converged and res.n_iter < 5000 and res.n_iter % 50 == 0
    assert res.status == "tolerance"
    assert res.history.residual[-1] < 1e-2 <= res.history.residual[-2]
    assert not bool(res.extras["stopped_by_callback"])

    seen: list[int] = []

    def stop(state) -> bool:
        Z = state.Z
        assert Z.shape == (20, 20)
        seen.append(state.t)
        return p.relative_test_error(Z) < 0.3

    res = deep_linear_completion(
        p.Y_obs, p.mask, depth=2, lr=1e-2, max_iter=5000, callback=stop, log_every=50
    )
    assert bool(res.extras["stopped_by_callback"]) and not res.converged
    assert res.status == "callback"
    assert res.n_iter == seen[-1] < 5000 and seen == list(range(50, res.n_iter + 1, 50))
    assert p.relative_test_error(res.Z) < 0.3


@pytest.mark.parametrize("depth", [2, 3])
def test_deep_linear_default_init_scale(depth):
    # Arora et al.: per-layer std (1e-3)^{1/L} d^{-1/2} gives ||Z_0||_F ≈ 1e-3 sqrt(d).
    d = 100
    Y = np.ones((d, d))
    res = deep_linear_completion(Y, np.ones((d, d), bool), depth=depth, max_iter=0)
    assert res.n_iter == 0
    ratio = np.linalg.norm(res.Z) / (1e-3 * np.sqrt(d))
    assert 0.8 < ratio < 1.25
    big = deep_linear_completion(Y, np.ones((d, d), bool), depth=2, max_iter=0, init_scale=0.1)
    assert np.linalg.norm(big.Z) == pytest.approx(0.01 * d * np.sqrt(d), rel=0.2)


def test_deep_linear_rectangular_and_options():
    p = completion_problem(15, 25, 1, 250, seed=2)
    cases = [(1, None, "group_rmsprop", 0.1), (2, 7, "rmsprop", 1e-2), (3, 30, "rmsprop", 1e-2)]
    for depth, width, optimizer, lr in cases:
        res = deep_linear_completion(
            p.Y_obs, p.mask, depth=depth, width=width, optimizer=optimizer, lr=lr, max_iter=200
        )
        assert res.Z.shape == (15, 25)
        assert res.history.residual[-1] < 0.5 * res.history.residual[0]


def test_deep_linear_nonfinite_names_step():
    Y = np.full((4, 4), 1e300)
    with pytest.raises(NonFiniteIterateError, match="step 0"):
        deep_linear_completion(Y, np.ones((4, 4), bool), max_iter=10)


# ---------------------------------------------------------------------------------------------
# diagonal networks
# ---------------------------------------------------------------------------------------------


def test_diagonal_net_recovers_sparse_and_matches_l1():
    p = sparse_regression_problem(30, 50, 3, seed=0)
    res = diagonal_net_regression(p.X, p.y, max_iter=20000, log_every=1000)
    l1 = l1_regression(p.X, p.y)
    assert res.w.shape == (50,) and res.n_iter == 20000
    np.testing.assert_allclose(res.w, res.extras["w1"] * res.extras["w2"], rtol=1e-12)
    assert p.test_mse(res.w) < 1e-4
    assert np.abs(res.w - l1.w).max() < 5e-3
    assert res.history.residual[0] > 0.99 and res.history.residual[-1] < 1e-3


def test_diagonal_net_implicit_l1_bias():
    # n = 10 < recovery threshold: min-l1 differs from w*, and from the min-l2 interpolant.
    p = sparse_regression_problem(10, 50, 3, seed=0)
    res = diagonal_net_regression(p.X, p.y, max_iter=50000, log_every=5000)
    w_l1 = l1_regression(p.X, p.y).w
    w_l2 = np.linalg.pinv(p.X) @ p.y
    assert res.history.residual[-1] < 1e-6  # interpolates
    assert np.linalg.norm(w_l1 - p.w_true) > 0.3
    assert np.abs(res.w).sum() <= 1.02 * np.abs(w_l1).sum()
    assert np.abs(w_l2).sum() > 1.5 * np.abs(w_l1).sum()
    assert np.linalg.norm(res.w - w_l1) < 0.3 * np.linalg.norm(res.w - w_l2)


@pytest.mark.parametrize("n", [10, 40])  # n = 10: mat-vecs with X; n = 40: Gram path
def test_diagonal_net_matches_reference_gd(n):
    p = sparse_regression_problem(n, 50, 3, seed=1)
    init = diagonal_net_regression(p.X, p.y, init_var=1e-2, max_iter=0, seed=3)
    u, v = init.extras["w1"].copy(), init.extras["w2"].copy()
    assert np.std(u) == pytest.approx(0.1, rel=0.5)
    lr = 0.05
    for _ in range(40):
        g = 2.0 / n * p.X.T @ (p.X @ (u * v) - p.y)
        u, v = u - lr * g * v, v - lr * g * u
    res = diagonal_net_regression(p.X, p.y, lr=lr, init_var=1e-2, max_iter=40, seed=3)
    np.testing.assert_allclose(res.extras["w1"], u, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(res.w, u * v, rtol=1e-9, atol=1e-12)
    train_loss = np.mean((p.X @ (u * v) - p.y) ** 2)
    assert float(res.extras["train_loss"]) == pytest.approx(train_loss, rel=1e-9)


def test_diagonal_net_deterministic_tol_and_stop():
    p = sparse_regression_problem(30, 50, 3, seed=0)
    a = diagonal_net_regression(p.X, p.y, max_iter=500, seed=4)
    b = diagonal_net_regression(p.X, p.y, max_iter=500, seed=4)
    np.testing.assert_array_equal(a.w, b.w)
    res = diagonal_net_regression(p.X, p.y, tol=1e-2, log_every=10)
    assert res.converged and res.n_iter < 100000 and res.history.residual[-1] < 1e-2
    res = diagonal_net_regression(
        p.X, p.y, callback=lambda state: p.test_mse(state.Z) < 1e-3, log_every=100
    )
    assert bool(res.extras["stopped_by_callback"]) and p.test_mse(res.w) < 1e-3
    assert res.n_iter % 100 == 0 and res.n_iter < 100000


def test_diagonal_net_nonfinite_names_step():
    p = sparse_regression_problem(30, 50, 3, seed=0)
    with pytest.raises(NonFiniteIterateError, match=r"step \d+"):
        diagonal_net_regression(p.X, p.y, lr=100.0, init_var=1.0, max_iter=1000)


# ---------------------------------------------------------------------------------------------
# bad inputs
# ---------------------------------------------------------------------------------------------

_Y = np.arange(12.0).reshape(3, 4)
_M = np.ones((3, 4), bool)
_X = np.arange(12.0).reshape(3, 4)
_y = np.ones(3)


def _nan_observed():
    Y = _Y.copy()
    Y[1, 2] = np.nan
    return Y


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: nuclear_norm_completion(_Y, np.ones((4, 3), bool)), "mask shape"),
        (lambda: nuclear_norm_completion(_nan_observed(), _M), "NaN"),
        (lambda: nuclear_norm_completion(_Y, np.zeros((3, 4), bool)), "mask is empty"),
        (lambda: nuclear_norm_completion(_Y, _M, noise=-1.0), "noise"),
        (lambda: nuclear_norm_completion(_Y, _M, solver="NOPE"), "solver"),
        (lambda: nuclear_norm_completion(np.ones(3), _M), "2-D"),
        (lambda: l1_regression(_X, np.ones(4)), "y must have shape"),
        (lambda: l1_regression(np.full((3, 4), np.nan), _y), "X holds"),
        (lambda: deep_linear_completion(_Y, _M, depth=0), "depth"),
        (lambda: deep_linear_completion(_Y, _M, depth=2.5), "depth"),
        (lambda: deep_linear_completion(_Y, _M, lr=0.0), "lr"),
        (lambda: deep_linear_completion(_Y, _M, lr=-1e-3), "lr"),
        (lambda: deep_linear_completion(_Y, _M, width=0), "width"),
        (lambda: deep_linear_completion(_Y, _M, init_scale=0.0), "init_scale"),
        (lambda: deep_linear_completion(_Y, _M, max_steps=-1), "max_steps"),
        (lambda: deep_linear_completion(_Y, _M, tol=-1.0), "tol"),
        (lambda: deep_linear_completion(_Y, _M, check_every=0), "check_every"),
        (lambda: deep_linear_completion(_Y, _M, stop=3), "stop"),
        (lambda: deep_linear_completion(_Y, _M, max_iter=-1), "max_iter"),
        (lambda: deep_linear_completion(_Y, _M, log_every=0), "log_every"),
        (lambda: deep_linear_completion(_Y, _M, callback=3), "callback"),
        (lambda: deep_linear_completion(_Y, _M, optimizer="adam"), "optimizer"),
        (lambda: deep_linear_completion(_Y, _M, dtype="float16"), "dtype"),
        (lambda: deep_linear_completion(_nan_observed(), _M), "NaN"),
        (lambda: deep_linear_completion(_Y, np.full((3, 4), 2)), "mask must be boolean"),
        (lambda: diagonal_net_regression(_X, _y, lr=0.0), "lr"),
        (lambda: diagonal_net_regression(_X, _y, init_var=-1.0), "init_var"),
        (lambda: diagonal_net_regression(np.ones(4), _y), "X must be a 2-D"),
        (lambda: diagonal_net_regression(_X, np.ones(5)), "y must have shape"),
        (lambda: diagonal_net_regression(_X, _y, seed=-1), "seed"),
    ],
)
@pytest.mark.filterwarnings("ignore::DeprecationWarning")
def test_bad_inputs(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_deprecated_baseline_names_warn_and_give_the_same_run(rank1_problem):
    """max_steps / stop(step, Z) / check_every still work for one release, with a warning."""
    p = rank1_problem
    kw = dict(depth=2, lr=1e-2, seed=1)
    with pytest.warns(DeprecationWarning, match="max_steps= is now max_iter="):
        old = deep_linear_completion(
            p.Y_obs, p.mask, max_steps=300, check_every=30, stop=lambda t, Z: t >= 120, **kw
        )
    new = deep_linear_completion(
        p.Y_obs, p.mask, max_iter=300, log_every=30, callback=lambda s: s.t >= 120, **kw
    )
    assert old.n_iter == new.n_iter == 120 and old.status == new.status == "callback"
    np.testing.assert_array_equal(old.Z, new.Z)
