"""lin-RFM with the features on both sides in turn (``features="alternating"``): a plain numpy loop
of Algorithm 1's half steps, recovery where one side alone stalls, the stop, bad input."""

import numpy as np
import pytest

import linrfm
from linrfm.data import standard_problem

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _half_step(X: np.ndarray, mask: np.ndarray, Y: np.ndarray, ridge: float, alpha: float):
    """Algorithm 1's iteration with the features on the columns, by a plain loop over the rows:
    G = XᵀX/d1, K = G^{2α} (by an eigendecomposition), z_i = K[:, S_i](K[S_i, S_i] + λI)^{-1} y_i,
    then Z_Ω = Y_Ω."""
    g, V = np.linalg.eigh(X.T @ X / X.shape[0])
    K = (V * np.clip(g, 0, None) ** (2 * alpha)) @ V.T
    Z = np.zeros(X.shape)
    for i in range(X.shape[0]):
        S = np.flatnonzero(mask[i])
        if S.size:
            Z[i] = np.linalg.solve(K[np.ix_(S, S)] + ridge * np.eye(S.size), Y[i, S]) @ K[S, :]
    return np.where(mask, Y, Z)


@pytest.mark.parametrize("alpha", [0.5, 1.0])
def test_alternating_matches_a_plain_loop_of_half_steps(rng, alpha):
    d1, d2, ridge, iters = 30, 24, 1e-2, 3
    U, V = rng.standard_normal((d1, 2)), rng.standard_normal((d2, 2))
    Y_true = U @ V.T
    mask = rng.random((d1, d2)) < 0.5
    Y = np.where(mask, Y_true, 0.0)
    X = Y.copy()  # t = 0: the regression on M_0 = I, observed entries re-imposed
    for _ in range(iters):
        X = _half_step(X, mask, Y, ridge, alpha)  # features on the columns
        X = _half_step(X.T, mask.T, Y.T, ridge, alpha).T  # then on the rows
    res = linrfm.complete(
        np.where(mask, Y_true, np.nan),
        mask,
        alpha=alpha,
        ridge=ridge,
        features="alternating",
        anderson=0,
        max_iter=iters,
        tol=0,
    )
    assert res.n_iter == iters
    assert res.extras["features"] == "alternating"
    np.testing.assert_allclose(res.Z, X, rtol=1e-9, atol=1e-9)
    # the first half alone (one iteration on the columns) is not the whole iteration
    assert not np.allclose(_half_step(Y, mask, Y, ridge, alpha), X, atol=1e-3)


def test_alternating_recovers_the_standard_problem_and_certifies():
    # 200 x 200 rank 5, κ = 10, ρ = 2 (the field's protocol): certified, relative error < 1e-3
    p = standard_problem(200, 200, 5, 2.0, 10.0, seed=0)
    res = linrfm.complete(p.Y_obs, p.mask, features="alternating")
    assert res.status == "certified", res.message
    assert p.relative_error(res.Z) < 1e-4
    assert res.extras["rank"][-1] == res.extras["rank_rows"][-1] == 5
    assert res.n_iter < 100
    np.testing.assert_array_equal(res.Z[p.mask], p.Y_obs[p.mask])


def test_alternating_wide_matrix_and_callback():
    p = standard_problem(60, 150, 3, 2.5, 10.0, seed=1)
    seen = []
    res = linrfm.complete(
        p.Y_obs, p.mask, features="alternating", callback=lambda s: seen.append(s.Z.shape) or False
    )
    assert res.Z.shape == (60, 150) and set(seen) == {(60, 150)}
    assert p.relative_error(res.Z) < 1e-4, res.message


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        ({"M0": np.eye(6)}, "M0=None"),
        ({"kernel": "lowrank"}, "dense kernel"),
        ({"features": "both"}, "features must be one of"),
    ],
)
def test_alternating_bad_options_name_the_problem(kwargs, words):
    mask = np.ones((6, 6), dtype=bool)
    mask[0, 0] = False
    with pytest.raises(ValueError, match=words):
        linrfm.complete(np.ones((6, 6)), mask, **{"features": "alternating", **kwargs})


def test_alternating_stops_on_noisy_data_near_the_tangent_space_oracle():
    # 120 x 120 rank 3 from 3x the degrees of freedom, noise σ = 0.05 on Ω: the run stops on its
    # own ("stalled at a fixed point", within a few dozen iterations) at the true rank, and its
    # test MSE is within 1.3x that of least squares on the true tangent space (which knows U, V)
    from linrfm.data import completion_problem, degrees_of_freedom
    from linrfm_paper.experiments.bench import tangent_space_oracle

    d, r, sigma = 120, 3, 0.05
    p = completion_problem(d, d, r, 3 * degrees_of_freedom(d, d, r), seed=0, noise_std=sigma)
    res = linrfm.complete(p.Y_obs, p.mask, features="alternating")
    assert res.status == "stalled" and res.n_iter < 100, res.message
    assert res.extras["rank"][-1] == r
    oracle = tangent_space_oracle(p, r)
    assert p.test_mse(res.Z) < 1.3 * p.test_mse(oracle)
    fit = linrfm.complete(p.Y_obs, p.mask, features="alternating", refit=True)
    halves = (fit.extras["rank"][-1], fit.extras["rank_rows"][-1])
    assert fit.extras["refit_rank"] == min(halves)  # the less generous half's estimate
    assert p.test_mse(fit.Z) < 1.3 * p.test_mse(oracle)
