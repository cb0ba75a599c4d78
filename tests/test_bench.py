"""The benchmark's baselines compute what they claim (correctness only; no timing asserted)."""

import numpy as np

import linrfm
from linrfm.experiments import bench


def test_published_loop_equals_complete_at_the_same_fixed_ridge():
    """The per-row numpy loop and the batched solver (both K = ZᵀZ/d1) give the same iterates at
    the same fixed ridge."""
    p = linrfm.completion_problem(30, 40, 2, 500, seed=0)
    lam = 1e-2
    out = bench.published_loop(p, ridge=lam, ridge_low=lam, target_mse=0.0, max_iter=6)
    res = linrfm.complete(
        p.Y_obs, p.mask, alpha=0.5, ridge=lam, max_iter=5, tol=0.0, features="columns"
    )
    np.testing.assert_allclose(out["Z"], res.Z, rtol=1e-8, atol=1e-8)
    assert out["iterations"] == 6


def test_iteration_flops_and_gemm_rate_are_sane():
    mask = np.ones((4, 6), dtype=bool)
    # Gram 2·4·36 + C·K 2·24·6 + rows 4·(6³/3 + 2·36)
    assert bench.iteration_flops(mask) == 2 * 4 * 36 + 2 * 24 * 6 + 4 * (72 + 72)
    assert bench.gemm_rate(d=64, repeats=1) > 1e6


def test_timed_complete_watches_without_steering():
    p = linrfm.completion_problem(40, 40, 2, 600, seed=1)
    row = bench.timed_complete(p, max_iter=50)
    plain = linrfm.complete(p.Y_obs, p.mask, max_iter=50)
    assert row["iterations_total"] == plain.n_iter
    assert abs(row["test_mse"] - p.test_mse(plain.Z)) <= 1e-12


def test_timed_complete_on_the_lowrank_kernel_matches_complete():
    p = linrfm.completion_problem(60, 60, 2, 900, seed=3)
    row = bench.timed_complete(p, kernel="lowrank", max_iter=40)
    plain = linrfm.complete(p.Y_obs, p.mask, kernel="lowrank", max_iter=40)
    assert row["kernel"] == "lowrank"
    assert row["iterations_total"] == plain.n_iter
    assert abs(row["test_mse"] - p.test_mse(plain.Z)) <= 1e-12
