"""Deep linear networks, balancedness and the NFA (Theorem 2, Appendix C): linrfm_paper.nfa."""

import numpy as np
import pytest
import torch

from linrfm_paper import nfa
from linrfm_paper.theory import indicator_sensing


def _problem(seed: int, d: int = 5, n: int = 12):
    rng = np.random.default_rng(seed)
    Y = rng.standard_normal((d, 2)) @ rng.standard_normal((2, d))
    A = rng.standard_normal((n, d, d)) / np.sqrt(d)
    return A, np.einsum("nij,ij->n", A, Y)


@pytest.mark.parametrize("depth", [2, 3, 4])
def test_balanced_init_is_balanced_and_gaussian_is_not(depth):
    rng = np.random.default_rng(depth)
    Ws = nfa.balanced_init(7, depth, rng, scale=1.3)
    assert len(Ws) == depth and all(W.shape == (7, 7) for W in Ws)
    assert nfa.balancedness(Ws) < 1e-12
    for lo, hi in zip(Ws[:-1], Ws[1:], strict=True):  # the definition, written out
        np.testing.assert_allclose(lo @ lo.T, hi.T @ hi, atol=1e-12)
    assert nfa.balancedness(nfa.gaussian_init(7, depth, rng)) > 0.1


def test_forward_pass_is_the_trace_inner_product():
    """f(A) = Tr(A W^(1)ᵀ⋯W^(L)ᵀ) = ⟨A, W^(L)⋯W^(1)⟩: the row-factor forward pass used by agop."""
    A, _ = _problem(0)
    Ws = nfa.gaussian_init(5, 3, np.random.default_rng(0))
    H = nfa.layer_input(A, Ws, 4)  # output of the last layer
    np.testing.assert_allclose(np.trace(H, axis1=1, axis2=2), nfa.predict(A, Ws), atol=1e-12)
    P = Ws[2] @ Ws[1] @ Ws[0]
    np.testing.assert_allclose(nfa.predict(A, Ws), [np.sum(a * P) for a in A], atol=1e-12)


def test_gradients_match_finite_differences_and_autograd():
    A, y = _problem(1)
    Ws = nfa.gaussian_init(5, 3, np.random.default_rng(1))
    G = nfa.gradients(A, y, Ws)
    h = 1e-6
    for l in range(3):
        fd = np.zeros_like(Ws[l])
        for i in range(5):
            for j in range(5):
                Wp = [W.copy() for W in Ws]
                Wm = [W.copy() for W in Ws]
                Wp[l][i, j] += h
                Wm[l][i, j] -= h
                fd[i, j] = (nfa.loss(A, y, Wp) - nfa.loss(A, y, Wm)) / (2 * h)
        np.testing.assert_allclose(G[l], fd, rtol=1e-6, atol=1e-8)
    Wt = [torch.tensor(W, requires_grad=True) for W in Ws]
    P = Wt[2] @ Wt[1] @ Wt[0]
    r = torch.einsum("nij,ij->n", torch.as_tensor(A), P) - torch.as_tensor(y)
    (r @ r / len(y)).backward()
    for Gl, W in zip(G, Wt, strict=True):
        np.testing.assert_allclose(Gl, W.grad.numpy(), atol=1e-12)


def test_one_step_changes_balancedness_by_exactly_eta_squared_term():
    """D_ℓ' − D_ℓ = η²(G_ℓG_ℓᵀ − G_{ℓ+1}ᵀG_{ℓ+1}): the O(η) term cancels (Appendix C, discrete)."""
    A, y = _problem(2)
    Ws = nfa.gaussian_init(5, 3, np.random.default_rng(2))
    lr = 0.05
    G = nfa.gradients(A, y, Ws)
    new = nfa.gd_step(A, y, Ws, lr)
    for l in range(2):
        D0 = Ws[l] @ Ws[l].T - Ws[l + 1].T @ Ws[l + 1]
        D1 = new[l] @ new[l].T - new[l + 1].T @ new[l + 1]
        expect = lr**2 * (G[l] @ G[l].T - G[l + 1].T @ G[l + 1])
        np.testing.assert_allclose(D1 - D0, expect, atol=1e-13)
        assert np.linalg.norm(expect) > 1e-6  # a real, non-zero drift


def test_balancedness_drift_is_first_order_in_the_step_size():
    A, y = _problem(3)
    W0 = nfa.balanced_init(5, 3, np.random.default_rng(3))
    T = 1.0
    drift = [nfa.balancedness(nfa.train_gd(A, y, W0, lr, round(T / lr))) for lr in (2e-3, 1e-3)]
    assert drift[1] < 1e-3
    assert 1.8 < drift[0] / drift[1] < 2.2  # O(η): halving η halves the drift
    assert nfa.loss(A, y, nfa.train_gd(A, y, W0, 1e-3, 1000)) < 0.5 * nfa.loss(A, y, W0)


@pytest.mark.parametrize("layer", [1, 2, 3])
def test_agop_autograd_equals_closed_form(layer):
    """Eq. (1) AGOP w.r.t. the input of layer ℓ = (1/d1) W^(ℓ)ᵀ⋯W^(L)ᵀW^(L)⋯W^(ℓ), any weights."""
    A, _ = _problem(4)
    Ws = nfa.gaussian_init(5, 3, np.random.default_rng(4))
    Q = np.eye(5)
    for W in Ws[layer - 1 :]:
        Q = W @ Q  # W^(L)⋯W^(ℓ)
    np.testing.assert_allclose(nfa.agop(A, Ws, layer), Q.T @ Q / 5, atol=1e-12)
    np.testing.assert_allclose(nfa.agop(A, Ws, layer, factor_average=False), Q.T @ Q, atol=1e-12)


def test_nfa_holds_at_balanced_weights_on_the_right_side_only():
    A, _ = _problem(5)
    Ws = nfa.balanced_init(5, 3, np.random.default_rng(5))
    assert nfa.nfa_discrepancy(A, Ws).max() < 1e-10
    assert nfa.nfa_discrepancy(A, Ws, side="left")[:2].min() > 1e-2
    assert nfa.nfa_discrepancy(A, Ws, powers=[1 / 4, 1 / 3, 1 / 2])[:2].min() > 1e-2
    unbalanced = nfa.gaussian_init(5, 3, np.random.default_rng(5))
    assert nfa.nfa_discrepancy(A, unbalanced)[:2].min() > 1e-2


def test_indicator_sensing_reads_observed_entries():
    mask = np.array([[True, False, True], [False, True, False]])
    A = indicator_sensing(mask)  # the network's completion problems (formerly nfa's own helper)
    Y = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(np.einsum("nij,ij->n", A, Y), Y[mask])


def test_bad_arguments_raise():
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="depth"):
        nfa.balanced_init(3, 0, rng)
    Ws = nfa.balanced_init(3, 2, rng)
    A, y = _problem(6, d=3, n=4)
    with pytest.raises(ValueError, match="layer"):
        nfa.agop(A, Ws, 3)
    with pytest.raises(ValueError, match="lr"):
        nfa.train_gd(A, y, Ws, 0.0, 1)
    with pytest.raises(ValueError, match="side"):
        nfa.nfa_discrepancy(A, Ws, side="middle")
    with pytest.raises(FloatingPointError):
        nfa.train_gd(A, 1e3 * y, Ws, 10.0, 200)
