"""Every bad input of issue section 5 gets a ValueError that names the problem."""

import numpy as np
import pytest

import linrfm


@pytest.fixture
def small():
    p = linrfm.completion_problem(6, 5, 1, 15, seed=0)
    return p.Y_obs, p.mask


def test_nan_or_inf_in_observed_entry(small):
    Y, mask = small
    i, j = np.argwhere(mask)[0]
    for bad in (np.nan, np.inf):
        Yb = Y.copy()
        Yb[i, j] = bad
        with pytest.raises(ValueError, match=r"NaN/inf.*index"):
            linrfm.complete(Yb, mask)


def test_nan_in_unobserved_entries_is_fine(small):
    Y, mask = small
    assert np.isnan(Y[~mask]).all()
    assert np.isfinite(linrfm.complete(Y, mask, max_iter=3).Z).all()


def test_shape_mismatches(small):
    Y, mask = small
    with pytest.raises(ValueError, match="mask shape"):
        linrfm.complete(Y, mask[:, :-1])
    A = np.zeros((4, 3, 3))
    with pytest.raises(ValueError, match=r"y must have shape \(4,\)"):
        linrfm.sense(A, np.zeros(5), alpha=0.5)
    with pytest.raises(ValueError, match=r"y must have shape \(4,\)"):
        linrfm.irls(A, np.zeros(3), p=1.0)
    with pytest.raises(ValueError, match=r"y must have shape \(7,\)"):
        linrfm.sparse_regression(np.zeros((7, 3)), np.zeros(6))
    with pytest.raises(ValueError, match="A must be a 3-D array"):
        linrfm.sense(np.zeros((4, 3)), np.zeros(4), alpha=0.5)
    with pytest.raises(ValueError, match=r"M0 must have shape \(5, 5\)"):
        linrfm.complete(Y, mask, M0=np.eye(4), features="columns")


def test_one_dimensional_Y():
    with pytest.raises(ValueError, match="Y must be a 2-D array"):
        linrfm.complete(np.ones(5), np.ones(5, dtype=bool))


def test_empty_mask(small):
    Y, mask = small
    with pytest.raises(ValueError, match="mask is empty"):
        linrfm.complete(Y, np.zeros_like(mask))


def test_non_boolean_mask(small):
    Y, mask = small
    with pytest.raises(ValueError, match="mask must be boolean"):
        linrfm.complete(Y, mask * 2.5)


@pytest.mark.parametrize("alpha", [0.0, -0.5, np.nan])
def test_alpha_not_positive(small, alpha):
    Y, mask = small
    with pytest.raises(ValueError, match="alpha must be a finite number > 0"):
        linrfm.complete(Y, mask, alpha=alpha)
    with pytest.raises(ValueError, match="alpha"):
        linrfm.sparse_regression(np.ones((3, 4)), np.ones(3), alpha=alpha)
    with pytest.raises(ValueError, match=r"alphas\[1\]"):
        linrfm.deep_complete(Y, mask, alphas=[0.5, alpha])


def test_negative_ridge_or_eps(small):
    Y, mask = small
    with pytest.raises(ValueError, match="ridge must be a finite number >= 0"):
        linrfm.complete(Y, mask, ridge=-1e-3)
    with pytest.raises(ValueError, match="eps must be a finite number >= 0"):
        linrfm.complete(Y, mask, eps=-1.0)
    with pytest.raises(ValueError, match="ridge must be a number >= 0, 'auto'"):
        linrfm.complete(Y, mask, ridge="big")
    with pytest.raises(ValueError, match="eps"):
        linrfm.sense(np.ones((2, 2, 2)), np.ones(2), alpha=0.5, eps=-1)
    with pytest.raises(ValueError, match="RidgeDecay.factor"):
        linrfm.RidgeDecay(factor=1.5)


def test_bad_iteration_settings_and_options(small):
    Y, mask = small
    with pytest.raises(ValueError, match="max_iter must be an integer >= 0"):
        linrfm.complete(Y, mask, max_iter=-1)
    with pytest.raises(ValueError, match="max_iter"):
        linrfm.complete(Y, mask, max_iter=2.5)
    with pytest.raises(ValueError, match="method must be"):
        linrfm.complete(Y, mask, method="svd")
    with pytest.raises(ValueError, match="features must be"):
        linrfm.complete(Y, mask, features="both")
    with pytest.raises(ValueError, match="dtype must be float64 or float32"):
        linrfm.complete(Y, mask, dtype="float16")
    with pytest.raises(ValueError, match="p must be a finite number < 2"):
        linrfm.irls(np.ones((2, 2, 2)), np.ones(2), p=2.5)


def test_non_finite_sensing_and_regression_inputs():
    A = np.ones((2, 2, 2))
    A[0, 0, 0] = np.nan
    with pytest.raises(ValueError, match="A holds 1 NaN/inf"):
        linrfm.sense(A, np.ones(2), alpha=0.5)
    with pytest.raises(ValueError, match="y holds 1 NaN/inf"):
        linrfm.sparse_regression(np.ones((2, 3)), np.array([1.0, np.inf]))


def test_data_generators_reject_bad_arguments():
    with pytest.raises(ValueError, match="exceeds the number of entries"):
        linrfm.completion_problem(3, 3, 1, 10, seed=0)
    with pytest.raises(ValueError, match="seed is required"):
        linrfm.completion_problem(3, 3, 1, 4, seed=None)
    with pytest.raises(ValueError, match="r = 5 exceeds d = 3"):
        linrfm.sparse_regression_problem(4, 3, 5, seed=0)
