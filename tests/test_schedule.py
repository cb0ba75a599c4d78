"""Ridge schedules of `complete`: default SpectralRidge (+ Anderson), RidgeDecay, fixed ridge."""

import numpy as np
import pytest
import torch

import linrfm
from linrfm.data import completion_problem, degrees_of_freedom, standard_problem
from linrfm.solvers.anderson import Anderson
from linrfm.solvers.kernels import RitzTracker
from linrfm.solvers.schedule import (
    RidgeDecay,
    SpectralRidge,
    SpectralRule,
    identifiable_rank,
)


@pytest.fixture(scope="module")
def small():
    """60×80 rank 3 from 2.5× its degrees of freedom (the default recovers it in ~95 steps)."""
    return completion_problem(60, 80, 3, int(2.5 * degrees_of_freedom(60, 80, 3)), seed=0)


@pytest.fixture(scope="module")
def small_default(small):
    return linrfm.complete(small.Y_obs, small.mask)


def test_default_recovers_in_few_iterations_and_certifies(small, small_default):
    res = small_default
    assert res.converged
    assert res.n_iter <= 200  # measured 95; RidgeDecay() does not converge in 1500
    assert small.relative_test_error(res.Z) < 1e-4  # measured 1.2e-6
    assert res.extras["rank"][-1] == 3  # the largest spectral gap is the true rank
    assert res.extras["tail"][-1] <= SpectralRidge().tail_tol  # the stopping certificate


def test_default_ridge_is_monotone_after_the_first_agop(small_default):
    lam = small_default.extras["ridge"]
    assert lam.size == small_default.n_iter + 1
    assert np.all(np.diff(lam[1:]) <= 0)  # λ_t ≤ λ_{t−1} for t ≥ 2
    assert lam[-1] < 1e-6 * lam[1]


def test_never_reads_unobserved_entries(small, small_default):
    """Y_obs is NaN off the mask (a read would poison Z); filling those entries changes nothing."""
    assert np.isnan(small.Y_obs[~small.mask]).all()
    assert np.all(np.isfinite(small_default.Z))
    filled = linrfm.complete(small.Y_true, small.mask)  # the truth off the mask: must be ignored
    np.testing.assert_array_equal(filled.Z, small_default.Z)
    np.testing.assert_array_equal(filled.extras["ridge"], small_default.extras["ridge"])


def test_anderson_cuts_iterations(small, small_default):
    cap = 5 * small_default.n_iter
    plain = linrfm.complete(small.Y_obs, small.mask, anderson=0, max_iter=cap)
    assert not plain.converged  # measured: the plain iteration stops after 1159, Anderson 95
    assert small.relative_test_error(plain.Z) > small.relative_test_error(small_default.Z)


def test_minimum_decay_escapes_an_underestimated_rank():
    """100×100 rank 5 from 1500 observations (1.54× the degrees of freedom), draw 0: with the
    min-rule alone λ sits on the third singular value (r̂ = 2) for good; the default recovers."""
    p = completion_problem(100, 100, 5, 1500, seed=0)
    stuck = linrfm.complete(p.Y_obs, p.mask, ridge=SpectralRidge(min_decay=0.0), max_iter=300)
    assert p.test_mse(stuck.Z) > 0.1  # measured 0.62
    res = linrfm.complete(p.Y_obs, p.mask, max_iter=600)
    assert res.converged and p.test_mse(res.Z) < 1e-8  # measured 3e-11 after 331 iterations
    assert res.extras["rank"][-1] == 5


def test_fixed_ridge_is_plain_algorithm_1(rng):
    """A number keeps the paper's iteration: no schedule, no Anderson mixing (numpy reference)."""
    p = completion_problem(20, 25, 2, 250, seed=3)
    lam, T = 1e-3, 8
    res = linrfm.complete(p.Y_obs, p.mask, ridge=lam, max_iter=T, tol=0, features="columns")
    Y, mask = p.Y_obs, p.mask
    K = np.eye(25)
    for _ in range(T + 1):
        Z = np.zeros(mask.shape)
        for i in range(20):
            S = np.flatnonzero(mask[i])
            if S.size:
                g = np.linalg.solve(K[np.ix_(S, S)] + lam * np.eye(S.size), Y[i, S])
                Z[i] = g @ K[S, :]
                Z[i, S] = Y[i, S]
        K = Z.T @ Z / 20
    np.testing.assert_allclose(res.Z, Z, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(res.extras["ridge"], np.full(T + 1, lam))
    assert "rank" not in res.extras


def test_ridge_decay_still_available():
    """RidgeDecay: λ_t = max(floor, start · factor^t) · mean(diag K_t); plain iteration."""
    p = completion_problem(20, 20, 2, 250, seed=6)
    sched = RidgeDecay(start=1e-2, factor=0.9, floor=1e-6)
    res = linrfm.complete(p.Y_obs, p.mask, ridge=sched, max_iter=20, tol=0)
    last_scale = float(np.mean(np.diag(res.extras["K"])))
    assert res.extras["ridge"][0] == pytest.approx(1e-2)  # K_0 = I
    assert res.extras["ridge"][-1] == pytest.approx(max(1e-6, 1e-2 * 0.9**20) * last_scale)
    plain = linrfm.complete(p.Y_obs, p.mask, ridge=sched, max_iter=20, tol=0, anderson=0)
    np.testing.assert_array_equal(res.Z, plain.Z)


@pytest.mark.parametrize(("d1", "d2", "n"), [(500, 500, 10_000), (100, 100, 1500), (60, 80, 1027)])
def test_identifiable_rank(d1, d2, n):
    r = identifiable_rank(d1, d2, n)
    assert degrees_of_freedom(d1, d2, r) <= n < degrees_of_freedom(d1, d2, r + 1)


def test_tracked_ritz_values_converge_to_the_top_eigenvalues(rng):
    d, q = 300, 12
    U = np.linalg.qr(rng.standard_normal((d, d)))[0]
    g = np.concatenate([[50, 40, 30, 20, 10], np.geomspace(1e-2, 1e-4, d - 5)])
    G = torch.as_tensor((U * g) @ U.T)
    rule = SpectralRule(SpectralRidge(max_rank=q - 9, oversample=8), d, d, 10**6, 0.5, 0.0)
    ritz = RitzTracker(d, rule.q)
    assert not ritz.dense
    for _ in range(15):  # one call per solver iteration, G fixed here
        theta, V = ritz.top(G)
    np.testing.assert_allclose(theta[:5].numpy(), g[:5], rtol=1e-10)  # the signal: exact
    assert 0.5 * g[5] <= theta[5] <= g[5]  # inside the bulk: a lower bound, rough
    np.testing.assert_allclose((V.T @ V).numpy(), np.eye(theta.numel()), atol=1e-12)


def test_anderson_solves_a_linear_fixed_point_exactly_in_few_steps(rng):
    """Affine F(x) = A x + b, m ≥ dim: type-II Anderson is GMRES, exact within dim + 1 steps."""
    n = 4
    A = 0.9 * np.linalg.qr(rng.standard_normal((n, n)))[0]
    b = rng.standard_normal(n)
    x_star = np.linalg.solve(np.eye(n) - A, b)
    At, bt = torch.as_tensor(A), torch.as_tensor(b)
    acc = Anderson(m=n, reg=0.0)
    x = torch.zeros(n, dtype=torch.float64)
    for _ in range(n + 2):
        x = acc.step(x, At @ x + bt)
    np.testing.assert_allclose(x.numpy(), x_star, atol=1e-8)


def test_bad_schedule_options():
    with pytest.raises(ValueError, match="min_decay"):
        SpectralRidge(min_decay=1.0)
    with pytest.raises(ValueError, match="tail_tol"):
        SpectralRidge(tail_tol=-1.0)
    with pytest.raises(ValueError, match="max_rank"):
        SpectralRidge(max_rank=0)
    p = completion_problem(10, 10, 1, 40, seed=0)
    with pytest.raises(ValueError, match="anderson"):
        linrfm.complete(p.Y_obs, p.mask, anderson="fast")
    with pytest.raises(ValueError, match="anderson"):
        linrfm.complete(p.Y_obs, p.mask, anderson=-1)


@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs CUDA")
def test_default_on_cuda_matches_cpu_accuracy(small):
    res = linrfm.complete(small.Y_obs, small.mask, device="cuda")
    assert res.converged and small.relative_test_error(res.Z) < 1e-4


@pytest.mark.parametrize(
    ("rate", "stops_at"), [(1.0, 500), (0.999, 500), (0.998, None), (float("nan"), None)]
)
def test_stall_watch_stops_when_progress_does_not_halve_in_a_window(rate, stops_at):
    from linrfm.solvers._driver import StallWatch

    watch = StallWatch(window=500, factor=0.5)
    stopped = next((t for t in range(3000) if watch.stalled(rate**t)), None)
    assert stopped == stops_at
    assert not any(StallWatch(window=0).stalled(1.0) for _ in range(1000))


def test_noisy_data_stop_at_a_fixed_point_with_a_diagnosis_instead_of_running_to_the_cap():
    # λ locks on g_{r+1} (the noise bulk), Z stops moving: a fixed point that fits the data only
    # to the noise level; no rank-r matrix interpolates noisy data at 3x its degrees of freedom
    d, r = 60, 3
    p = completion_problem(d, d, r, 3 * degrees_of_freedom(d, d, r), seed=0, noise_std=0.1)
    res = linrfm.complete(p.Y_obs, p.mask, max_iter=6000)
    assert res.status == "stalled" and not res.success
    assert res.n_iter < 200
    assert "fixed point" in res.message and "rank estimate r = 3" in res.message
    assert res.history.rel_change[-1] < 1e-9 and res.history.residual[-1] > 0.03
    # a denoised fit: test MSE 6.6e-3 < σ² = 1e-2, 2x the rank-r oracle σ² dof / n = 3.3e-3
    assert p.test_mse(res.Z) < 0.8 * 0.1**2


def test_the_stall_window_stops_a_run_whose_progress_does_not_halve():
    # 40 x 40 rank 2, κ = 10, ρ = 3 with the rank growth off: r̂ locks at 1; a 30-iteration
    # window stops it before it reaches its fixed point
    p = standard_problem(40, 40, 2, 3.0, 10.0, seed=0)
    ridge = linrfm.SpectralRidge(grow_window=0, stall_window=30)
    res = linrfm.complete(p.Y_obs, p.mask, ridge=ridge)
    assert res.status == "stalled" and res.n_iter < 60
    assert "no halving of the progress measure in 30 iterations" in res.message
    assert "tail energy" in res.message and "rank estimate r = 1" in res.message
    misfit = np.asarray(res.history.residual)[1:]
    tail = res.extras["tail"][1:]
    progress = np.minimum.accumulate(np.maximum(tail, misfit))
    assert progress[-1] > 0.5 * progress[-31]
    off = linrfm.complete(
        p.Y_obs, p.mask, max_iter=80, ridge=linrfm.SpectralRidge(grow_window=0, stall_window=0)
    )
    assert off.n_iter > res.n_iter


@pytest.mark.parametrize("seed", [0, 1, 2, 3])
def test_a_rank_estimate_locked_below_the_truth_grows(seed):
    # standard protocol, 40 x 40 rank 2, κ = 10, ρ = 3: r̂ locks at 1 (λ = g_2 on the missed
    # direction, λ and τ frozen, misfit 6e-2); growth on the lock recovers every draw
    p = standard_problem(40, 40, 2, 3.0, 10.0, seed=seed)
    res = linrfm.complete(p.Y_obs, p.mask)
    assert res.status == "certified" and res.extras["rank"][-1] == 2
    assert p.relative_error(res.Z) < 1e-5
    locked = linrfm.complete(p.Y_obs, p.mask, ridge=linrfm.SpectralRidge(grow_window=0))
    assert locked.status == "stalled" and locked.extras["rank"][-1] == 1
    assert p.relative_error(locked.Z) > 5e-2


def test_noise_at_the_true_rank_does_not_grow_the_rank_estimate():
    # noise freezes λ and τ too, but its bulk has no second gap
    for sigma in (0.1, 0.01):
        d, r = 60, 3
        p = completion_problem(d, d, r, 3 * degrees_of_freedom(d, d, r), seed=0, noise_std=sigma)
        res = linrfm.complete(p.Y_obs, p.mask)
        assert set(res.extras["rank"][10:]) == {r}
