"""The rank-r least-squares refit (``refit.py``, ``complete(refit=...)``) against closed forms."""

import numpy as np
import pytest
import torch

import linrfm
from linrfm.data import completion_problem, degrees_of_freedom
from linrfm.solvers.refit import rank_refit


def _t(x):
    return torch.as_tensor(x, dtype=torch.float64)


def test_fully_observed_refit_is_the_truncated_svd():
    # Eckart–Young: with Ω everything, argmin_{rank ≤ r} ‖Z − Y‖_F is the truncated SVD of Y
    rng = np.random.default_rng(0)
    Y = rng.standard_normal((30, 4)) @ rng.standard_normal((4, 20)) + 0.3 * rng.standard_normal(
        (30, 20)
    )
    P, s, Qt = np.linalg.svd(Y, full_matrices=False)
    best = (P[:, :4] * s[:4]) @ Qt[:4]
    start = best + 0.1 * rng.standard_normal(Y.shape)
    fit = rank_refit(_t(Y), torch.ones(Y.shape, dtype=torch.bool), _t(start), 4, tol=1e-15)
    assert np.linalg.norm(fit.Z.numpy() - best) / np.linalg.norm(best) < 1e-8
    assert fit.misfit == pytest.approx(np.sqrt(np.sum(s[4:] ** 2) / np.sum(s**2)), rel=1e-8)


def test_partial_refit_is_stationary_and_fits_better_than_the_truth():
    # the fit is a stationary point of ‖P_Ω(U Vᵀ − Y)‖²: P_Ω(residual) ⟂ its row and column spaces;
    # and no worse on Ω than the clean rank-r matrix, which is one of the candidates
    d, r = 50, 3
    p = completion_problem(d, d, r, 3 * degrees_of_freedom(d, d, r), seed=1, noise_std=0.1)
    start = p.Y_true + 0.05 * np.random.default_rng(1).standard_normal(p.Y_true.shape)
    fit = rank_refit(_t(p.Y_obs), torch.as_tensor(p.mask), _t(start), r, tol=1e-15)
    Z = fit.Z.numpy()
    assert np.linalg.matrix_rank(Z, tol=1e-8 * np.linalg.norm(Z, 2)) == r
    R = np.where(p.mask, Z - np.nan_to_num(p.Y_obs), 0.0)
    P, _, Qt = np.linalg.svd(Z, full_matrices=False)
    U, V = P[:, :r], Qt[:r].T
    scale = np.linalg.norm(R)
    assert np.linalg.norm(R @ V) / scale < 1e-7 and np.linalg.norm(R.T @ U) / scale < 1e-7
    truth = np.linalg.norm(np.where(p.mask, p.Y_true - np.nan_to_num(p.Y_obs), 0.0))
    assert np.linalg.norm(R) <= truth


def test_complete_with_refit_returns_a_rank_r_fit_and_says_so():
    d, r = 60, 3
    p = completion_problem(d, d, r, 3 * degrees_of_freedom(d, d, r), seed=0, noise_std=0.1)
    plain = linrfm.complete(p.Y_obs, p.mask)
    res = linrfm.complete(p.Y_obs, p.mask, refit=True)
    assert res.extras["refit_rank"] == r
    assert np.linalg.matrix_rank(res.Z, tol=1e-8 * np.linalg.norm(res.Z, 2)) == r
    assert "refit: rank-3 least squares" in res.message
    assert res.status == plain.status and res.n_iter == plain.n_iter
    # the refit no longer interpolates the noise, and is closer to the clean matrix
    assert res.extras["refit_misfit"] > 0.05
    assert p.test_mse(res.Z) < p.test_mse(plain.Z)
    # an explicit rank, and on a wide matrix (features on the rows) the estimate keeps its shape
    wide = completion_problem(40, 70, 2, 3 * degrees_of_freedom(40, 70, 2), seed=2, noise_std=0.05)
    w = linrfm.complete(wide.Y_obs, wide.mask, refit=2, max_iter=300)
    assert w.Z.shape == (40, 70) and w.extras["refit_rank"] == 2


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"refit": True, "ridge": 1e-3}, "refit=True takes the rank"),
        ({"refit": 0}, "refit must be an integer >= 1"),
        ({"refit": 11}, "refit must be a rank <= min"),
        ({"refit": 2.5}, "refit must be an integer"),
    ],
)
def test_bad_refit_is_rejected_before_solving(kwargs, match):
    p = completion_problem(10, 12, 2, 60, seed=0)
    with pytest.raises(ValueError, match=match):
        linrfm.complete(p.Y_obs, p.mask, **kwargs)
