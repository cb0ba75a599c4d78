"""R2RILS (linrfm.baselines.r2rils): its least-squares step against a dense minimal-norm solve,
its rank-r truncation against a dense SVD, one whole iteration against a plain numpy loop of the
paper's steps, recovery on the standard protocol, stops and bad input."""

import numpy as np
import pytest
import torch

import linrfm
from linrfm.baselines import r2rils
from linrfm.baselines.matrix_irls import Omega
from linrfm.baselines.r2rils import least_squares_step, truncate
from linrfm.data import standard_problem

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _design(mask, U, V):
    """The dense |Ω| × r(d1 + d2) matrix of (A, B) ↦ (U Bᵀ + A Vᵀ)_Ω, row-major Ω, x = (vec A,
    vec B) — built by a plain loop over the entries."""
    d1, d2 = mask.shape
    r = U.shape[1]
    rows = []
    for i in range(d1):
        for j in range(d2):
            if mask[i, j]:
                a = np.zeros((d1, r))
                b = np.zeros((d2, r))
                a[i] = V[j]
                b[j] = U[i]
                rows.append(np.concatenate([a.ravel(), b.ravel()]))
    return np.array(rows)


def _problem(seed=0, d1=9, d2=7, r=2, rho=2.0):
    return standard_problem(d1, d2, r, rho, 10, seed=seed)


def test_least_squares_step_is_the_minimal_norm_solution():
    p = _problem()
    rng = np.random.default_rng(1)
    U, V = rng.standard_normal((9, 2)), rng.standard_normal((7, 2))
    om = Omega(*np.nonzero(p.mask), p.mask.shape, "cpu", torch.float64)
    y = p.Y_obs[p.mask]  # row-major, as Omega
    A, B, _ = least_squares_step(
        om, torch.as_tensor(y), torch.as_tensor(U), torch.as_tensor(V), tol=1e-15, max_iter=5000
    )
    x = np.linalg.lstsq(_design(p.mask, U, V), y, rcond=None)[0]  # minimal norm
    np.testing.assert_allclose(A.numpy().ravel(), x[: 9 * 2], atol=1e-8)
    np.testing.assert_allclose(B.numpy().ravel(), x[9 * 2 :], atol=1e-8)


def test_truncate_is_the_best_rank_r_approximation():
    rng = np.random.default_rng(2)
    L, R = rng.standard_normal((12, 4)), rng.standard_normal((10, 4))
    P, s, Q = truncate(torch.as_tensor(L), torch.as_tensor(R), 2)
    u, sv, vt = np.linalg.svd(L @ R.T)
    np.testing.assert_allclose(s.numpy(), sv[:2], rtol=1e-12)
    np.testing.assert_allclose((P * s) @ Q.T, (u[:, :2] * sv[:2]) @ vt[:2], atol=1e-12)


def _colnorm(M):
    return M / np.linalg.norm(M, axis=0)


def test_first_iterations_match_a_plain_loop_of_the_papers_steps():
    """numpy: spectral start, dense minimal-norm least squares, rank-r SVD, column averaging."""
    p = _problem(seed=3, d1=10, d2=8, r=2, rho=2.5)
    Y0 = np.where(p.mask, p.Y_obs, 0.0)
    u, _, vt = np.linalg.svd(Y0)
    U, V = u[:, :2], vt[:2].T
    y = p.Y_obs[p.mask]
    Xhat = []
    for _ in range(3):
        x = np.linalg.lstsq(_design(p.mask, U, V), y, rcond=None)[0]
        A, B = x[:20].reshape(10, 2), x[20:].reshape(8, 2)
        uu, ss, vv = np.linalg.svd(U @ B.T + A @ V.T)
        Xhat.append((uu[:, :2] * ss[:2]) @ vv[:2])
        U, V = _colnorm(U + _colnorm(A)), _colnorm(V + _colnorm(B))
    seen = []
    r2rils(
        p.Y_obs,
        p.mask,
        rank=2,
        max_iter=3,
        device="cpu",
        callback=lambda st: seen.append(st.Z) and False,
    )
    for ours, ref in zip(seen[1:], Xhat, strict=True):
        np.testing.assert_allclose(ours, ref, atol=1e-7 * np.abs(ref).max())


def test_recovers_on_the_standard_protocol():
    """100 × 100 rank 3 at ρ = 2.5 (the authors report recovery from ρ ≈ 1.7 at 1000 × 1000,
    κ = 10): 3 draws at κ = 10 certified with relative error < 1e-3 over the whole matrix; at
    κ = 1e5, 2 draws under 1e-3 within 25 iterations (LSQR runs into its cap there and the error
    levels off at 1e-7 to 1e-5, so no certificate)."""
    for seed in range(3):
        p = standard_problem(100, 100, 3, 2.5, 10.0, seed=seed)
        res = r2rils(p.Y_obs, p.mask, rank=3, device="cpu")
        assert p.success(res.Z), (seed, p.relative_error(res.Z), res.message)
        assert res.status is linrfm.Status.CERTIFIED and "misfit" in res.message
    for seed in range(2):
        p = standard_problem(100, 100, 3, 2.5, 1e5, seed=seed)
        res = r2rils(p.Y_obs, p.mask, rank=3, max_iter=25, device="cpu")
        assert p.success(res.Z), (seed, p.relative_error(res.Z), res.message)
        assert res.status is linrfm.Status.MAX_ITER and "above misfit_tol" in res.message


def test_returns_the_iterate_of_smallest_observed_misfit():
    p = _problem(seed=4, d1=30, d2=30, r=2, rho=2.0)
    res = r2rils(p.Y_obs, p.mask, rank=2, max_iter=5, device="cpu")
    t = res.extras["best_iter"]
    assert res.extras["misfit"][t] == min(res.extras["misfit"])
    np.testing.assert_allclose(res.Z, res.extras["L"] @ res.extras["R"].T)
    assert res.status is linrfm.Status.MAX_ITER or res.success


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        (dict(rank=7), "rank"),
        (dict(rank=0), "rank"),
        (dict(rank=2, misfit_tol=0.0), "misfit_tol"),
        (dict(rank=2, lsqr_max_iter=0), "lsqr_max_iter"),
    ],
)
def test_bad_parameters_are_named(kwargs, match):
    p = _problem()
    with pytest.raises(ValueError, match=match):
        r2rils(p.Y_obs, p.mask, **kwargs)


def test_bad_input_is_named():
    p = _problem()
    Y = p.Y_obs.copy()
    Y[np.argwhere(p.mask)[0][0], np.argwhere(p.mask)[0][1]] = np.nan
    with pytest.raises(ValueError, match="NaN|finite"):
        r2rils(Y, p.mask, rank=2)
    with pytest.raises(ValueError, match="mask"):
        r2rils(p.Y_obs, np.zeros_like(p.mask), rank=2)
