"""Algorithm 1 for dense sensing against IRLS-p (Appendix A), and depth-L lin-RFM with L = 1."""

import numpy as np
import pytest

import linrfm


def _sensing_problem(seed: int, d: int = 6, rank: int = 2, n: int = 24):
    rng = np.random.default_rng(seed)
    Y = rng.standard_normal((d, rank)) @ rng.standard_normal((rank, d))
    A = rng.standard_normal((n, d, d))
    return A, np.einsum("nij,ij->n", A, Y), Y


@pytest.mark.parametrize(("alpha", "T"), [(0.25, 6), (0.5, 2), (1.0, 1)])
def test_sense_iterates_equal_irls_p_exact(alpha, T):
    """ridge = eps = 0, tol = 0: Z_t = X_t with p = 2 − 4α (X_t = W_t M_t, P_t = M_t^{-2}).

    With eps = 0 the iterates turn numerically singular fast for α ≥ 1/2 (σ_min(Z_t) falls
    superlinearly), after which IRLS's weight P_t = (XᵀX)^{p/2−1} is not defined to round-off. So
    each α runs for as many steps as Z_t stays well conditioned; the smoothed test below runs 15."""
    A, y, _ = _sensing_problem(1)
    rfm = linrfm.sense(A, y, alpha=alpha, ridge=0.0, eps=0.0, tol=0, max_iter=T)
    ref = linrfm.irls(A, y, p=2 - 4 * alpha, eps=0.0, tol=0, max_iter=T)
    Zs, Xs = rfm.extras["iterates"], ref.extras["iterates"]
    assert Zs.shape == Xs.shape == (T + 1, 6, 6)
    for Z, X in zip(Zs, Xs, strict=True):
        assert np.linalg.norm(Z - X) / np.linalg.norm(X) < 1e-9


@pytest.mark.parametrize("alpha", [0.25, 0.5, 1.0])
def test_sense_iterates_equal_irls_p_smoothed(alpha):
    """With eps > 0: lin-RFM's φ acts on ZᵀZ/d1, so its eps equals IRLS's ε / d1."""
    A, y, _ = _sensing_problem(2)
    d1 = A.shape[1]
    T = 15
    rfm = linrfm.sense(A, y, alpha=alpha, eps=0.1, tol=0, max_iter=T)
    ref = linrfm.irls(A, y, p=2 - 4 * alpha, eps=0.1 * d1, tol=0, max_iter=T)
    for Z, X in zip(rfm.extras["iterates"], ref.extras["iterates"], strict=True):
        assert np.linalg.norm(Z - X) / np.linalg.norm(X) < 1e-9


def test_sense_interpolates_and_tol_zero_runs_max_iter():
    A, y, _ = _sensing_problem(3)
    res = linrfm.sense(A, y, alpha=0.5, eps=1e-3, tol=0, max_iter=9)
    assert res.n_iter == 9 and len(res.history.residual) == 10
    np.testing.assert_allclose(np.einsum("nij,ij->n", A, res.Z), y, atol=1e-9)
    assert max(res.history.residual) < 1e-9


def test_sense_recovers_low_rank_matrix():
    A, y, Y = _sensing_problem(4, d=8, rank=1, n=40)
    res = linrfm.sense(A, y, alpha=0.5, eps=1e-4, max_iter=200, tol=1e-12)
    assert np.linalg.norm(res.Z - Y) / np.linalg.norm(Y) < 1e-4
    # plain minimum-norm interpolation (M = I, zero iterations) does not recover it
    res0 = linrfm.sense(A, y, alpha=0.5, max_iter=0)
    assert np.linalg.norm(res0.Z - Y) / np.linalg.norm(Y) > 0.1


def test_deep_sense_with_one_layer_is_sense():
    A, y, _ = _sensing_problem(5)
    a = linrfm.sense(A, y, alpha=0.5, eps=0.1, tol=0, max_iter=10)
    b = linrfm.deep_sense(A, y, alphas=[0.5], eps=0.1, tol=0, max_iter=10)
    np.testing.assert_allclose(a.Z, b.Z, atol=1e-12)


def test_deep_complete_with_one_layer_is_complete():
    p = linrfm.completion_problem(30, 30, 2, 400, seed=0)
    kw = dict(ridge=1e-3, tol=0, max_iter=20)
    a = linrfm.complete(p.Y_obs, p.mask, features="columns", **kw)
    b = linrfm.deep_complete(p.Y_obs, p.mask, alphas=[0.5], **kw)
    np.testing.assert_allclose(a.Z, b.Z, atol=1e-10)


def test_deep_sense_layers_match_a_hand_computed_step():
    """One step of Algorithm 2 with L = 2 computed by hand in numpy."""
    A, y, _ = _sensing_problem(6)
    alphas, eps = [0.25, 0.5], 0.1
    res = linrfm.deep_sense(A, y, alphas=alphas, eps=eps, tol=0, max_iter=1)
    n, d1, d2 = A.shape
    Af = A.reshape(n, -1)
    w0 = Af.T @ np.linalg.solve(Af @ Af.T, y)  # M = I: plain minimum-norm W_0
    W = w0.reshape(d1, d2)

    def phi(S, a):
        lam, V = np.linalg.eigh(S)
        return (V * (np.clip(lam, 0, None) + eps) ** a) @ V.T

    M2 = phi(W.T @ W / d1, alphas[1])  # Q_2 = W M^(2)_0 = W
    M1 = phi(W.T @ W / d1, alphas[0])  # Q_1 = W M^(2)_0 M^(1)_0 = W
    P = M2 @ M1
    B = (A @ P.T).reshape(n, -1)
    W1 = (B.T @ np.linalg.solve(B @ B.T, y)).reshape(d1, d2)
    np.testing.assert_allclose(res.extras["M1"], M1, atol=1e-10)
    np.testing.assert_allclose(res.extras["M2"], M2, atol=1e-10)
    np.testing.assert_allclose(res.Z, W1 @ P, atol=1e-9)


def test_min_norm_solve_fits_a_consistent_singular_system():
    """The singular systems of Appendix F (ε = 0, M_t of low rank): H⁺y, as numpy's SVD lstsq."""
    import torch

    from linrfm.matfun import min_norm_solve

    rng = np.random.default_rng(0)
    B = rng.standard_normal((5, 2)) @ rng.standard_normal((2, 7))  # rank 2
    H = B @ B.T  # (5, 5) PSD, rank 2
    y = H @ rng.standard_normal(5)  # consistent
    got = min_norm_solve(torch.as_tensor(H), torch.as_tensor(y)).numpy()
    want = np.linalg.lstsq(H, y, rcond=None)[0]
    np.testing.assert_allclose(H @ got, y, atol=1e-10)
    np.testing.assert_allclose(got, want, atol=1e-10)


def test_sense_fits_appendix_f_3x3_example_at_eps_zero():
    """Appendix F, Lemma 1: lin-RFM (α = 1, ε = 0) on the 3 × 3 example interpolates every step and
    recovers the rank-1 all-ones matrix although M_t becomes singular."""
    from linrfm_paper.theory import lin_rfm_direct  # independent numpy Algorithm 1

    mask = np.array([[1, 1, 1], [1, 0, 0], [1, 0, 0]], dtype=bool)
    A = np.stack([np.eye(9)[k].reshape(3, 3) for k in np.flatnonzero(mask.ravel())])
    y = np.ones(A.shape[0])
    res = linrfm.sense(A, y, alpha=1.0, eps=0.0, max_iter=50, tol=0.0)
    np.testing.assert_allclose(res.Z[mask], 1.0, atol=1e-8)
    np.testing.assert_allclose(res.Z, np.ones((3, 3)), atol=1e-6)
    np.testing.assert_allclose(res.Z, lin_rfm_direct(A, y, alpha=1.0, n_steps=50)[-1], atol=1e-8)
