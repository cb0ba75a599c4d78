"""Algorithm 4 (sparse lin-RFM) against an independent ℓ1 solution from cvxpy."""

import cvxpy as cp
import numpy as np
import pytest

import linrfm


def _l1_cvxpy(X: np.ndarray, y: np.ndarray) -> np.ndarray:
    w = cp.Variable(X.shape[1])
    cp.Problem(cp.Minimize(cp.norm1(w)), [X @ w == y]).solve(solver=cp.CLARABEL)
    return w.value


@pytest.mark.parametrize("n", [30, 40])
def test_alpha_quarter_is_l1_minimisation(n):
    """n below ℓ1's recovery threshold, so the ℓ1 solution is not the truth: a real comparison."""
    p = linrfm.sparse_regression_problem(n, 200, 10, seed=0, n_test=1000)
    w_l1 = _l1_cvxpy(p.X, p.y)
    assert np.linalg.norm(w_l1 - p.w_true) > 1.0  # ℓ1 fails here
    res = linrfm.sparse_regression(p.X, p.y, alpha=0.25, max_iter=3000)
    np.testing.assert_allclose(res.w, w_l1, atol=1e-5)
    assert np.abs(res.w).sum() == pytest.approx(np.abs(w_l1).sum(), rel=1e-7)


def test_sparse_regression_recovers_with_enough_samples_and_fits_data():
    p = linrfm.sparse_regression_problem(80, 300, 5, seed=1, n_test=2000)
    res = linrfm.sparse_regression(p.X, p.y, alpha=0.5)
    assert p.test_mse(res.w) < 1e-8
    assert res.n_iter == 1000  # paper default: 1000 iterations, no early stop
    np.testing.assert_allclose(p.X @ res.w, p.y, atol=1e-6)


def test_sparse_regression_tol_stops_early():
    p = linrfm.sparse_regression_problem(80, 300, 5, seed=1, n_test=10)
    res = linrfm.sparse_regression(p.X, p.y, alpha=0.5, tol=1e-10)
    assert res.converged and res.n_iter < 1000
