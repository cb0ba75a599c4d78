"""Soft-Impute (linrfm.baselines.soft_impute): one SVT step in closed form, the optimality
condition of its fixed point, recovery on the standard protocol, the path, bad input."""

import numpy as np
import pytest

import linrfm
from linrfm.baselines import soft_impute
from linrfm.data import standard_problem


def _svt(X, lam):
    U, s, Vt = np.linalg.svd(X, full_matrices=False)
    return (U * np.maximum(s - lam, 0)) @ Vt


def test_fully_observed_is_one_svt_step():
    rng = np.random.default_rng(0)
    Y = rng.standard_normal((30, 20))
    mask = np.ones_like(Y, dtype=bool)
    res = soft_impute(Y, mask, lam=2.0, device="cpu")
    np.testing.assert_allclose(res.Z, _svt(Y, 2.0), atol=1e-12)
    assert res.n_iter == 2  # the SVT step, then one that changes nothing
    assert res.status is linrfm.Status.TOLERANCE


def test_default_lambda_is_fancyimpute_shrinkage():
    rng = np.random.default_rng(1)
    Y = rng.standard_normal((15, 12))
    mask = np.ones_like(Y, dtype=bool)
    res = soft_impute(Y, mask, device="cpu")
    lam = np.linalg.norm(Y, 2) / 50
    assert res.extras["lam"][0] == pytest.approx(lam)
    np.testing.assert_allclose(res.Z, _svt(Y, lam), atol=1e-12)


def test_fixed_point_satisfies_the_nuclear_norm_optimality_condition():
    """Z minimises ½‖P_Ω(Y − Z)‖² + λ‖Z‖_* iff G = P_Ω(Y − Z)/λ is a subgradient of ‖·‖_* at Z:
    G = U Vᵀ + W with Uᵀ W = 0, W V = 0, ‖W‖_2 ≤ 1 (U, V: Z's singular vectors)."""
    p = standard_problem(40, 30, 3, 3.0, 10, seed=0)
    lam = 0.05
    res = soft_impute(p.Y_obs, p.mask, lam=lam, tol=1e-16, max_iter=20000, device="cpu")
    Z = res.Z
    G = np.where(p.mask, p.Y_true - Z, 0.0) / lam
    U, s, Vt = np.linalg.svd(Z)
    k = int((s > 1e-8 * s[0]).sum())
    U, V = U[:, :k], Vt[:k].T
    np.testing.assert_allclose(U.T @ G @ V, np.eye(k), atol=1e-5)
    W = G - U @ V.T
    assert np.abs(U.T @ W).max() < 1e-5 and np.abs(W @ V).max() < 1e-5
    assert np.linalg.norm(W, 2) <= 1 + 1e-6
    assert res.status is linrfm.Status.TOLERANCE


def test_recovers_with_a_path_at_generous_sampling():
    """Nuclear norm recovery (a path down to λ_max · 1e-6) at 100 × 100 rank 5, κ = 1, ρ = 5."""
    for seed in range(2):
        p = standard_problem(100, 100, 5, 5.0, 1, seed=seed)
        lmax = np.linalg.norm(np.where(p.mask, p.Y_obs, 0), 2)
        path = np.geomspace(1.0001 * lmax, lmax * 1e-6, 20)
        res = soft_impute(p.Y_obs, p.mask, lam=path, tol=1e-10, max_iter=500, device="cpu")
        assert p.relative_error(res.Z) < 1e-3, (seed, p.relative_error(res.Z))
        assert len(res.extras["path"]) == 20
        assert res.extras["path"][0]["rank"] == 0  # λ > λ_max: the solution is 0
        s = np.linalg.svd(res.Z, compute_uv=False)
        assert (s > 1e-3 * s[0]).sum() == 5 and s[5] < 1e-3
        assert res.n_iter == sum(q["n_iter"] + 1 for q in res.extras["path"])
        assert len(res.history.residual) == res.n_iter


def test_rank_cap_and_callback():
    p = standard_problem(30, 30, 2, 4.0, 1, seed=3)
    seen = []

    def cb(state):
        seen.append((state.t, state.ridge, state.rank))
        return state.t == 4

    res = soft_impute(p.Y_obs, p.mask, lam=[1.0, 0.1], rank=1, callback=cb, device="cpu")
    assert res.status is linrfm.Status.CALLBACK
    assert np.linalg.matrix_rank(res.Z, tol=1e-9) <= 1
    assert all(r <= 1 for _, _, r in seen)
    assert [t for t, _, _ in seen] == list(range(len(seen)))


def test_bad_input():
    p = standard_problem(20, 20, 2, 3.0, 1, seed=0)
    Y, mask = p.Y_obs, p.mask
    Yb = Y.copy()
    Yb[tuple(np.argwhere(mask)[0])] = np.inf
    with pytest.raises(ValueError, match="NaN/inf"):
        soft_impute(Yb, mask, lam=1.0)
    with pytest.raises(ValueError, match="mask shape"):
        soft_impute(Y, mask[:-1], lam=1.0)
    with pytest.raises(ValueError, match="mask is empty"):
        soft_impute(Y, np.zeros_like(mask), lam=1.0)
    with pytest.raises(ValueError, match="lam must be a finite number > 0"):
        soft_impute(Y, mask, lam=0.0)
    with pytest.raises(ValueError, match="decreasing"):
        soft_impute(Y, mask, lam=[0.1, 1.0])
    with pytest.raises(ValueError, match="rank must be an integer >= 1"):
        soft_impute(Y, mask, lam=1.0, rank=0)
    with pytest.raises(ValueError, match="rank = 21 must be <="):
        soft_impute(Y, mask, lam=1.0, rank=21)
