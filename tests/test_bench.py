"""The benchmark's baselines compute what they claim (correctness only; no timing asserted)."""

import numpy as np

import linrfm
from linrfm_paper.experiments import bench


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


def test_trajectory_records_every_iterate_and_matches_its_final_mse():
    p = linrfm.completion_problem(40, 40, 2, 600, seed=1)
    row = bench.timed_complete(p, trajectory=True, max_iter=30)
    assert len(row["mse_history"]) == row["iterations_total"] + 1  # t = 0 .. n_iter
    assert abs(row["mse_history"][-1] - row["test_mse"]) <= 1e-12
    assert row["iterations_to_target"] == bench.first_iteration_below(
        row["mse_history"], np.nextafter(1e-3, 0)
    )


def test_equal_accuracy_credits_the_fixed_ridge_generously():
    default = [1.0, 1e-2, 1e-4, 1e-6, 1e-8]
    fixed = [1.0, 1e-1, 1e-2, 4e-3, 3e-3, 2e-3, 1e-3]
    out = bench.equal_accuracy(default, fixed, slack=2.0)
    assert out["equal_accuracy_mse"] == 1e-3
    assert out["fixed_iterations_to_equal"] == 5.0  # first ≤ 2e-3
    assert out["default_iterations_to_equal"] == 2.0  # first ≤ 1e-3
    assert out["fewer_iterations_factor"] == 2.5
    assert np.isnan(bench.first_iteration_below([1.0, 0.5], 0.1))


def test_dense_phase_seconds_times_the_three_phases():
    p = linrfm.completion_problem(30, 30, 2, 400, seed=0)
    out = bench.dense_phase_seconds(p)
    assert set(out) == set(bench.DENSE_PHASES)
    assert all(v > 0 for v in out.values())


def test_tangent_space_oracle_is_exact_without_noise_and_fits_noise_on_the_tangent_space():
    p = linrfm.completion_problem(30, 24, 2, 400, seed=0)
    np.testing.assert_allclose(bench.tangent_space_oracle(p, 2), p.Y_true, atol=1e-9)
    q = linrfm.completion_problem(30, 24, 2, 400, seed=0, noise_std=0.1)
    X = bench.tangent_space_oracle(q, 2)
    assert np.linalg.matrix_rank(X, tol=1e-8) <= 4  # on the tangent space: rank at most 2r
    U, _, Vt = np.linalg.svd(q.Y_true)
    P_perp = np.eye(30) - U[:, :2] @ U[:, :2].T
    Q_perp = np.eye(24) - Vt[:2].T @ Vt[:2]
    assert np.abs(P_perp @ X @ Q_perp).max() < 1e-9  # no component off the tangent space
    assert 0 < q.test_mse(X) < 0.01  # the noise is averaged down, not zero
