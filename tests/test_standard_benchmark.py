"""The standard matrix-completion benchmark: the protocol (linrfm.data.standard_problem) and
MatrixIRLS (linrfm.baselines.matrix_irls) against an independent dense weighted least squares,
its recovery where the paper says it recovers, and its bad input."""

import numpy as np
import pytest
import torch

import linrfm
from linrfm.baselines import matrix_irls
from linrfm.baselines.matrix_irls import Iterate, Omega, Tangent, top_svd, weights, wls_step
from linrfm.data import (
    degrees_of_freedom,
    haar_orthonormal,
    n_from_factor,
    oversampling_ratio,
    standard_problem,
)

CPU, F64 = torch.device("cpu"), torch.float64


# --- the protocol -------------------------------------------------------------------------------


def test_haar_orthonormal_columns_and_sign_fix():
    Q = haar_orthonormal(50, 7, seed=3)
    assert Q.shape == (50, 7)
    np.testing.assert_allclose(Q.T @ Q, np.eye(7), atol=1e-13)
    # the sign fix: Q is the QR factor whose R has a positive diagonal, so Qᵀ G is upper
    # triangular with a positive diagonal for the same Gaussian G
    G = np.random.default_rng(3).standard_normal((50, 7))
    R = Q.T @ G
    assert np.all(np.diag(R) > 0)
    np.testing.assert_allclose(np.tril(R, -1), 0, atol=1e-12)


def test_haar_first_column_is_uniform_on_the_sphere():
    """Haar: the first coordinate of the first column has mean 0 and variance 1/d."""
    d = 20
    x = np.array([haar_orthonormal(d, 2, seed=s)[0, 0] for s in range(4000)])
    assert abs(x.mean()) < 4 / np.sqrt(4000 * d)
    assert abs(x.var() * d - 1) < 0.1


def test_standard_problem_draw():
    p = standard_problem(60, 80, 4, 2.5, 1e3, seed=11)
    X0 = p.Y_true
    np.testing.assert_allclose(p.U.T @ p.U, np.eye(4), atol=1e-13)
    np.testing.assert_allclose(p.V.T @ p.V, np.eye(4), atol=1e-13)
    np.testing.assert_allclose(p.sigma, [1e3, 1e2, 1e1, 1.0], rtol=1e-12)
    s = np.linalg.svd(X0, compute_uv=False)
    np.testing.assert_allclose(s[:4], p.sigma, rtol=1e-10)
    assert s[4] < 1e-10
    assert p.mask.sum() == round(2.5 * 4 * (60 + 80 - 4)) == 1360
    assert p.mask.sum(1).min() >= 5 and p.mask.sum(0).min() >= 5
    assert np.isnan(p.Y_obs[~p.mask]).all()
    np.testing.assert_array_equal(p.Y_obs[p.mask], X0[p.mask])
    assert p.rank == 4 and p.kappa == 1e3 and p.rho == 2.5 and p.tries >= 1


def test_same_seed_same_draw_other_seed_other_draw():
    a, b = standard_problem(40, 40, 3, 2.0, 10, seed=5), standard_problem(40, 40, 3, 2.0, 10, 5)
    np.testing.assert_array_equal(a.Y_true, b.Y_true)
    np.testing.assert_array_equal(a.mask, b.mask)
    c = standard_problem(40, 40, 3, 2.0, 10, seed=6)
    assert not np.array_equal(a.mask, c.mask)


def test_redraws_until_every_line_has_r_plus_1_entries():
    # 30 × 30 rank 2 at ρ = 1.6: n = 365, 3 per line needed; a single uniform draw often misses
    tries = [standard_problem(30, 30, 2, 1.6, 1, seed=s).tries for s in range(20)]
    assert max(tries) > 1
    for s in range(20):
        p = standard_problem(30, 30, 2, 1.6, 1, seed=s)
        assert p.mask.sum(1).min() >= 3 and p.mask.sum(0).min() >= 3


def test_rho_and_n():
    d1, d2, r = 1000, 1000, 5
    assert degrees_of_freedom(d1, d2, r) == 9975
    assert n_from_factor(d1, d2, r, 1.8) == 17955
    assert oversampling_ratio(d1, d2, r, 17955) == pytest.approx(1.8)
    for rho in (1.05, 1.5, 2.0, 3.3):
        n = n_from_factor(d1, d2, r, rho)
        assert abs(oversampling_ratio(d1, d2, r, n) - rho) <= 0.5 / 9975


def test_relative_error_and_paper_mse():
    p = standard_problem(30, 40, 2, 3.0, 10, seed=0)
    assert p.relative_error(p.Y_true) == 0 and p.success(p.Y_true)
    assert p.relative_error(np.zeros((30, 40))) == pytest.approx(1.0)
    Z = p.Y_true + 1e-2 * np.linalg.norm(p.Y_true) / np.sqrt(1200) * np.ones((30, 40))
    assert p.relative_error(Z) == pytest.approx(1e-2)
    assert not p.success(Z)
    # c X0 has entries of mean square 1, so an error of 0.01 in every scaled entry is MSE 1e-4
    assert np.mean((p.paper_scale * p.Y_true) ** 2) == pytest.approx(1.0)
    assert p.paper_mse(Z) == pytest.approx(1e-4)
    assert p.paper_success(Z)


def test_protocol_bad_input():
    with pytest.raises(ValueError, match="kappa must be >= 1"):
        standard_problem(20, 20, 2, 3.0, 0.5, seed=0)
    with pytest.raises(ValueError, match="rank = 20 must be < min"):
        standard_problem(20, 30, 20, 3.0, 1, seed=0)
    with pytest.raises(ValueError, match="rank must be an integer >= 1"):
        standard_problem(20, 30, 0, 3.0, 1, seed=0)
    with pytest.raises(ValueError, match="fewer than"):
        standard_problem(100, 100, 5, 0.5, 1, seed=0)
    with pytest.raises(ValueError, match="max_tries = 2"):  # n = 240 needs exactly 6 per line
        standard_problem(40, 40, 5, 240 / 375, 1, seed=0, max_tries=2)
    with pytest.raises(ValueError, match="seed is required"):
        standard_problem(20, 20, 2, 3.0, 1, seed=None)


# --- MatrixIRLS: the weighted least squares against a dense reference ---------------------------


def _dense_weight_operator(X: np.ndarray, eps: float, mean: str) -> np.ndarray:
    """W as a (d1 d2, d1 d2) matrix on vec_row(Z): W(Z) = U [H ∘ (Uᵀ Z V)] Vᵀ with the full
    singular bases of X, H_ij = 1/h(max(σ_i, ε), max(σ_j, ε)) (σ_i = 0 beyond min(d1, d2))."""
    d1, d2 = X.shape
    U, s, Vt = np.linalg.svd(X)
    s1 = np.maximum(np.concatenate([s, np.zeros(d1 - s.size)]), eps)
    s2 = np.maximum(np.concatenate([s, np.zeros(d2 - s.size)]), eps)
    h = np.outer(s1, s2) if mean == "geometric" else (s1[:, None] ** 2 + s2[None, :] ** 2) / 2
    H = 1.0 / h
    W = np.empty((d1 * d2, d1 * d2))
    for k in range(d1 * d2):
        E = np.zeros(d1 * d2)
        E[k] = 1.0
        E = E.reshape(d1, d2)
        W[:, k] = (U @ (H * (U.T @ E @ Vt.T)) @ Vt).reshape(-1)
    return W


def _dense_wls(W: np.ndarray, mask: np.ndarray, y: np.ndarray) -> np.ndarray:
    """argmin ⟨x, W x⟩ s.t. x_Ω = y by the KKT system (no Woodbury, no tangent space)."""
    n = W.shape[0]
    idx = np.flatnonzero(mask.reshape(-1))
    A = np.zeros((idx.size, n))
    A[np.arange(idx.size), idx] = 1.0
    K = np.block([[2 * W, A.T], [A, np.zeros((idx.size, idx.size))]])
    sol = np.linalg.solve(K, np.concatenate([np.zeros(n), y]))
    return sol[:n].reshape(mask.shape)


def _tiny(seed=0, d1=7, d2=6, n=26):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((d1, 2)) @ rng.standard_normal((2, d2))
    X += 0.3 * rng.standard_normal((d1, d2))
    mask = np.zeros(d1 * d2, bool)
    mask[rng.choice(d1 * d2, n, replace=False)] = True
    mask = mask.reshape(d1, d2)
    y_full = rng.standard_normal((d1, d2))
    return X, mask, y_full


@pytest.mark.parametrize("mean", ["geometric", "harmonic"])
def test_wls_step_matches_dense_weighted_least_squares(mean):
    X, mask, y_full = _tiny()
    s = np.linalg.svd(X, compute_uv=False)
    eps = 0.5 * (s[2] + s[3])  # R = 3 singular values above ε
    ref = _dense_wls(_dense_weight_operator(X, eps, mean), mask, y_full[mask])
    assert np.allclose(ref[mask], y_full[mask])

    rows, cols = np.nonzero(mask)
    om = Omega(rows, cols, X.shape, CPU, F64)
    U, sv, Vt = np.linalg.svd(X)
    t = lambda a: torch.as_tensor(np.ascontiguousarray(a))  # noqa: E731
    start = Iterate(om, t(X), t(np.eye(6)), torch.zeros(om.m, dtype=F64))
    Xn, n_cg, rel = wls_step(
        om,
        t(y_full[om.rows_np, om.cols_np]),
        t(U[:, :3]),
        t(Vt[:3].T),
        t(sv[:3]),
        eps,
        mean=mean,
        start=start,
        cg_tol=1e-14,
        cg_max_iter=1000,
    )
    got = Xn.dense().numpy()
    np.testing.assert_allclose(got, ref, atol=1e-9 * np.abs(ref).max())
    assert n_cg > 0 and rel <= 1e-12


def test_tangent_system_direct_solve_and_cg_agree():
    """The (ε² D⁻¹ + P_T P_Ωᵗ P_Ω P_Tᵗ) γ = P_T P_Ωᵗ y system, assembled densely column by column
    and solved by least squares, gives the dense reference; CG gives the same γ's matrix."""
    X, mask, y_full = _tiny(seed=1, d1=8, d2=9, n=40)
    s = np.linalg.svd(X, compute_uv=False)
    eps = 0.5 * (s[1] + s[2])  # R = 2
    ref = _dense_wls(_dense_weight_operator(X, eps, "geometric"), mask, y_full[mask])
    rows, cols = np.nonzero(mask)
    om = Omega(rows, cols, X.shape, CPU, F64)
    U, sv, Vt = np.linalg.svd(X)
    T = Tangent(om, torch.as_tensor(U[:, :2].copy()), torch.as_tensor(Vt[:2].T.copy()))
    W1, w = weights(torch.as_tensor(sv[:2].copy()), eps, "geometric")
    wvec = T.weight_vector(W1, w)
    n = wvec.numel()
    I = torch.eye(n, dtype=F64)
    M = torch.stack(
        [T.adjoint_sample(T.sample(I[:, k])) + wvec * T.constrain(I[:, k]) for k in range(n)], 1
    ).numpy()
    np.testing.assert_allclose(M, M.T, atol=1e-14)
    y = torch.as_tensor(y_full[om.rows_np, om.cols_np])
    rhs = T.adjoint_sample(y).numpy()
    g = torch.as_tensor(np.linalg.lstsq(M, rhs, rcond=None)[0])
    g = T.constrain(g)
    L, R = T.factors(g)
    direct = Iterate(om, L, R, y - T.sample(g)).dense().numpy()
    np.testing.assert_allclose(direct, ref, atol=1e-9 * np.abs(ref).max())
    Xcg, _, _ = wls_step(
        om, y, T.U, T.V, torch.as_tensor(sv[:2].copy()), eps, cg_tol=1e-14, cg_max_iter=2000
    )
    np.testing.assert_allclose(Xcg.dense().numpy(), direct, atol=1e-9 * np.abs(ref).max())


def test_weights_formulae():
    sigma, eps = torch.tensor([4.0, 2.0], dtype=F64), 0.5
    W1, w = weights(sigma, eps, "geometric")
    np.testing.assert_allclose(W1.numpy(), 0.25 / (np.outer([4, 2], [4, 2]) - 0.25))
    np.testing.assert_allclose(w.numpy(), 0.25 / (np.array([4, 2]) * 0.5 - 0.25))
    W1, w = weights(sigma, eps, "harmonic")
    h = (np.array([16, 4])[:, None] + np.array([16, 4])[None, :]) / 2
    np.testing.assert_allclose(W1.numpy(), 0.25 / (h - 0.25))
    np.testing.assert_allclose(w.numpy(), 0.25 / ((np.array([16, 4]) + 0.25) / 2 - 0.25))


def test_krylov_truncated_svd_matches_dense():
    """top_svd's block Krylov path (min(d) = 150 > its basis) against numpy's SVD."""
    rng = np.random.default_rng(0)
    d1, d2, m = 150, 160, 3000
    lin = rng.choice(d1 * d2, m, replace=False)
    om = Omega(lin // d2, lin % d2, (d1, d2), CPU, F64)
    L = torch.as_tensor(rng.standard_normal((d1, 4)) * [30, 10, 5, 2])
    R = torch.as_tensor(rng.standard_normal((d2, 4)))
    X = Iterate(om, L, R, torch.as_tensor(rng.standard_normal(m)))
    U, s, V = top_svd(X, 6, None, torch.Generator().manual_seed(0))
    s_ref = np.linalg.svd(X.dense().numpy(), compute_uv=False)
    # the four separated ones to rounding; σ_5, σ_6 sit in the sparse part's bulk (gap 1%),
    # where Krylov is approximate: that is what ε = σ_{r+1} reads
    np.testing.assert_allclose(s.numpy()[:4], s_ref[:4], rtol=1e-12)
    np.testing.assert_allclose(s.numpy()[4:], s_ref[4:6], rtol=1e-4)
    Xd = X.dense().numpy()
    np.testing.assert_allclose(
        np.abs(np.sum(U.numpy()[:, :4] * (Xd @ V.numpy()[:, :4]), 0)), s_ref[:4], rtol=1e-12
    )
    Ud = np.linalg.svd(Xd)[0][:, :4]
    np.testing.assert_allclose(np.linalg.svd(Ud.T @ U.numpy()[:, :4])[1], 1, atol=1e-10)


# --- MatrixIRLS: recovery -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "d, kappa, rho, seeds",
    [(100, 10, 2.0, range(5)), (100, 1e5, 2.0, range(3)), (200, 10, 1.8, range(2))],
)
def test_matrix_irls_recovers_on_the_standard_protocol(d, kappa, rho, seeds):
    for seed in seeds:
        p = standard_problem(d, d, 5, rho, kappa, seed=seed)
        res = matrix_irls(p.Y_obs, p.mask, rank=5, device="cpu")
        err = p.relative_error(res.x)
        assert err < 1e-3, (seed, err, res.message)
        assert res.success, res.message
        assert p.paper_success(res.x.dense())
        assert res.n_iter < 60


def test_matrix_irls_result_and_callback():
    p = standard_problem(60, 50, 3, 2.5, 10, seed=2)
    test = np.argwhere(~p.mask)[:50]
    seen = []

    def cb(state):
        got = state.entries(test[:, 0], test[:, 1])
        np.testing.assert_allclose(got, state.Z[test[:, 0], test[:, 1]], atol=1e-12)
        obs = np.argwhere(p.mask)[:20]
        np.testing.assert_allclose(state.entries(obs[:, 0], obs[:, 1]), p.Y_true[p.mask][:20])
        seen.append((state.t, state.rank))
        return state.t == 3

    res = matrix_irls(p.Y_obs, p.mask, rank=3, callback=cb, device="cpu")
    assert res.status is linrfm.Status.CALLBACK and res.n_iter == 3
    assert [t for t, _ in seen] == [0, 1, 2, 3]
    assert all(r >= 3 for _, r in seen)
    full = matrix_irls(p.Y_obs, p.mask, rank=3, device="cpu")
    Z = full.x.dense()
    np.testing.assert_array_equal(Z[p.mask], p.Y_true[p.mask])
    np.testing.assert_allclose(full.x.entries(test[:, 0], test[:, 1]), Z[test[:, 0], test[:, 1]])
    assert full.status in (linrfm.Status.TOLERANCE, linrfm.Status.CERTIFIED)
    assert "matrix_irls" in full.message
    e = full.extras
    assert len(e["eps"]) == full.n_iter + 1 == len(full.history.residual)
    assert np.all(np.diff(e["eps"]) <= 0)  # ε_k = min(ε_{k−1}, σ_{r+1}(X_k))
    assert full.history.residual[-1] < 1e-10


def test_matrix_irls_max_iter_status():
    p = standard_problem(40, 40, 2, 2.0, 10, seed=0)
    res = matrix_irls(p.Y_obs, p.mask, rank=2, max_iter=2, device="cpu")
    assert res.status is linrfm.Status.MAX_ITER and res.n_iter == 2
    assert "max_iter" in res.message


def test_matrix_irls_bad_input():
    p = standard_problem(20, 25, 2, 3.0, 10, seed=0)
    Y, mask = p.Y_obs, p.mask
    Yb = Y.copy()
    Yb[tuple(np.argwhere(mask)[0])] = np.nan
    with pytest.raises(ValueError, match="NaN/inf"):
        matrix_irls(Yb, mask, rank=2)
    with pytest.raises(ValueError, match="mask shape"):
        matrix_irls(Y, mask[:, :-1], rank=2)
    with pytest.raises(ValueError, match="mask is empty"):
        matrix_irls(Y, np.zeros_like(mask), rank=2)
    for bad in (0, -1):
        with pytest.raises(ValueError, match="rank must be an integer >= 1"):
            matrix_irls(Y, mask, rank=bad)
    with pytest.raises(ValueError, match=r"rank = 20 must be < min\(d1, d2\) = 20"):
        matrix_irls(Y, mask, rank=20)
    with pytest.raises(ValueError, match="mean must be one of"):
        matrix_irls(Y, mask, rank=2, mean="arithmetic")
    with pytest.raises(ValueError, match="tol must be"):
        matrix_irls(Y, mask, rank=2, tol=-1)
    with pytest.raises(ValueError, match="cg_tol must be"):
        matrix_irls(Y, mask, rank=2, cg_tol=0)
    with pytest.raises(ValueError, match="dtype must be"):
        matrix_irls(Y, mask, rank=2, dtype="int8")
