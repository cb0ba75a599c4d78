"""Deep linear networks, balancedness and the Neural Feature Ansatz (Theorem 2, Appendix C).

The network (Section 3) is f(A) = ⟨A, W^(L) ⋯ W^(1)⟩ with square d × d layers, for matrix sensing
(y_i = ⟨A_i, Y#⟩; completion is the case of indicator matrices A_i, see
:func:`linrfm_paper.theory.indicator_sensing`). Training is plain full-batch gradient descent with
step size η on the mean square loss

    ℒ(W) = (1/n) Σ_i (f(A_i) − y_i)²,  ∂ℒ/∂W^(ℓ) = (2/n) (W^(L)⋯W^(ℓ+1))ᵀ R (W^(ℓ−1)⋯W^(1))ᵀ,

R = Σ_i (f(A_i) − y_i) A_i (the gradient of Appendix C up to the factor 2/n). Weights are plain
numpy float64 arrays, a list ``Ws = [W^(1), …, W^(L)]`` (so ``Ws[l - 1]`` is layer l).

*Balancedness* (Appendix C, from Arora et al. 2018): W^(ℓ)W^(ℓ)ᵀ = W^(ℓ+1)ᵀW^(ℓ+1) for ℓ < L. It is
preserved by gradient flow; one gradient-descent step changes D_ℓ = W^(ℓ)W^(ℓ)ᵀ −
W^(ℓ+1)ᵀW^(ℓ+1) by exactly η²(G_ℓG_ℓᵀ − G_{ℓ+1}ᵀG_{ℓ+1}) (G_ℓ = ∂ℒ/∂W^(ℓ)), because the O(η) term
G_ℓW^(ℓ)ᵀ − W^(ℓ+1)ᵀG_{ℓ+1} vanishes identically.

*AGOP with respect to the input of layer ℓ.* The rows of A are the data factors (Section 2.2): the
forward pass is H_0 = A, H_ℓ = H_{ℓ−1} W^(ℓ)ᵀ (each row a ↦ W^(ℓ) a), and f(A) = Tr(H_L) =
⟨A, W^(L)⋯W^(1)⟩. The input of layer ℓ is H_{ℓ−1}(A), whose d1 rows are the factors of Eq. (1):

    AGOP_ℓ = 1/(n d1) Σ_i Σ_k ∇_k f(A_i) ∇_k f(A_i)ᵀ   (d × d),

∇_k the gradient with respect to row k of H_{ℓ−1}. :func:`agop` computes it by automatic
differentiation (torch) of the forward pass from layer ℓ on, never from the closed form. The closed
form is AGOP_ℓ = (1/d1) W^(ℓ)ᵀ⋯W^(L)ᵀW^(L)⋯W^(ℓ); the paper (Eq. 9, and "= ZᵀZ" in Section 2.2)
drops the 1/d1, i.e. it sums over the factors instead of averaging (``factor_average=False``).
Theorem 2 (Eq. 10): under balancedness W^(ℓ)ᵀW^(ℓ) = (d1·AGOP_ℓ)^{1/(L−ℓ+1)}.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from .theory import sym_power

Weights = list[np.ndarray]


# --------------------------------------------------------------------------------------------------
# initialisations


def balanced_init(
    d: int, depth: int, rng: np.random.Generator, *, scale: float = 1.0, spread: float = 0.5
) -> Weights:
    """Exactly balanced weights W^(ℓ) = U_{ℓ+1} S U_ℓᵀ (ℓ = 1..L).

    U_1, …, U_{L+1} are Haar-random orthogonal d × d matrices and S = scale · diag(s_j) with s_j
    uniform on [1 − spread, 1]. Then W^(ℓ)W^(ℓ)ᵀ = U_{ℓ+1}S²U_{ℓ+1}ᵀ = W^(ℓ+1)ᵀW^(ℓ+1) (the common
    orthogonal factor U_{ℓ+1}), and the end-to-end matrix is U_{L+1} S^L U_1ᵀ."""
    if depth < 1 or d < 1:
        raise ValueError(f"need depth ≥ 1 and d ≥ 1, got depth={depth}, d={d}")
    if not 0 <= spread < 1:
        raise ValueError(f"spread must lie in [0, 1), got {spread}")
    Us = [_haar_orthogonal(d, rng) for _ in range(depth + 1)]
    s = scale * rng.uniform(1 - spread, 1.0, size=d)
    return [(Us[l + 1] * s) @ Us[l].T for l in range(depth)]


def gaussian_init(d: int, depth: int, rng: np.random.Generator, *, scale: float = 1.0) -> Weights:
    """Unbalanced weights: i.i.d. N(0, scale²/d) entries (so each ‖W^(ℓ)‖_F ≈ scale·√d)."""
    return [scale / np.sqrt(d) * rng.standard_normal((d, d)) for _ in range(depth)]


def _haar_orthogonal(d: int, rng: np.random.Generator) -> np.ndarray:
    Q, R = np.linalg.qr(rng.standard_normal((d, d)))
    return Q * np.sign(np.diag(R))


# --------------------------------------------------------------------------------------------------
# the network and gradient descent


def end_to_end(Ws: Sequence[np.ndarray]) -> np.ndarray:
    """The end-to-end matrix W^(L) ⋯ W^(1)."""
    P = Ws[0]
    for W in Ws[1:]:
        P = W @ P
    return P


def predict(A: np.ndarray, Ws: Sequence[np.ndarray]) -> np.ndarray:
    """f(A_i) = ⟨A_i, W^(L)⋯W^(1)⟩ for A (n, d1, d2)."""
    return np.einsum("nij,ij->n", A, end_to_end(Ws))


def loss(A: np.ndarray, y: np.ndarray, Ws: Sequence[np.ndarray]) -> float:
    """Mean square loss ℒ = (1/n) Σ_i (f(A_i) − y_i)²."""
    r = predict(A, Ws) - y
    return float(r @ r / len(y))


def gradients(A: np.ndarray, y: np.ndarray, Ws: Sequence[np.ndarray]) -> Weights:
    """∂ℒ/∂W^(ℓ) = (2/n) (W^(L)⋯W^(ℓ+1))ᵀ R (W^(ℓ−1)⋯W^(1))ᵀ, R = Σ_i (f(A_i) − y_i) A_i."""
    L, d = len(Ws), Ws[0].shape[0]
    r = predict(A, Ws) - y
    R = (2.0 / len(y)) * np.einsum("n,nij->ij", r, A)
    below = [np.eye(d)]  # below[l] = W^(l)⋯W^(1) (below[0] = I)
    for W in Ws:
        below.append(W @ below[-1])
    above = [np.eye(d)]  # above[k] = W^(L)⋯W^(L−k+1)
    for W in reversed(Ws):
        above.append(above[-1] @ W)
    return [above[L - 1 - l].T @ R @ below[l].T for l in range(L)]


def gd_step(A: np.ndarray, y: np.ndarray, Ws: Sequence[np.ndarray], lr: float) -> Weights:
    """One full-batch gradient-descent step W^(ℓ) ← W^(ℓ) − η ∂ℒ/∂W^(ℓ) (all layers at once)."""
    return [W - lr * G for W, G in zip(Ws, gradients(A, y, Ws), strict=True)]


def train_gd(
    A: np.ndarray, y: np.ndarray, Ws: Sequence[np.ndarray], lr: float, steps: int
) -> Weights:
    """``steps`` gradient-descent steps of size η = ``lr``: the gradient flow at time T = η·steps
    as η → 0 (Appendix C)."""
    if lr <= 0 or steps < 0:
        raise ValueError(f"need lr > 0 and steps ≥ 0, got lr={lr}, steps={steps}")
    Ws = [np.array(W, dtype=np.float64) for W in Ws]
    for t in range(steps):
        try:
            with np.errstate(over="raise", invalid="raise"):
                Ws = gd_step(A, y, Ws, lr)
        except FloatingPointError as err:
            raise FloatingPointError(
                f"gradient descent diverged at step {t} (η = {lr}): lower the step size"
            ) from err
    return Ws


# --------------------------------------------------------------------------------------------------
# balancedness, AGOP and the NFA


def balancedness(Ws: Sequence[np.ndarray]) -> float:
    """max_ℓ ‖W^(ℓ+1)ᵀW^(ℓ+1) − W^(ℓ)W^(ℓ)ᵀ‖_F / max_ℓ ‖W^(ℓ)ᵀW^(ℓ)‖_F  (ℓ = 1..L−1; 0 for L = 1).

    Relative to the size of the weight Grams, so it is scale free; 0 means exactly balanced."""
    scale = max(np.linalg.norm(W.T @ W) for W in Ws)
    gaps = [np.linalg.norm(Ws[l + 1].T @ Ws[l + 1] - Ws[l] @ Ws[l].T) for l in range(len(Ws) - 1)]
    return float(max(gaps, default=0.0) / scale)


def layer_input(A: np.ndarray, Ws: Sequence[np.ndarray], layer: int) -> np.ndarray:
    """H_{ℓ−1}(A_i) = A_i W^(1)ᵀ⋯W^(ℓ−1)ᵀ for every i: the input of layer ℓ (1-based).

    Returns (n, d1, d); ``layer = L + 1`` gives the network's output rows H_L."""
    H = np.asarray(A, dtype=np.float64)
    for W in Ws[: layer - 1]:
        H = H @ W.T
    return H


def agop(
    A: np.ndarray, Ws: Sequence[np.ndarray], layer: int, *, factor_average: bool = True
) -> np.ndarray:
    """AGOP of f with respect to the input of layer ``layer`` (1-based), by autograd.

    For each data point, the gradient of f = Tr(H_{ℓ−1} W^(ℓ)ᵀ ⋯ W^(L)ᵀ) with respect to the input
    H_{ℓ−1} (d1 × d; its rows are the factors of Eq. (1)) is taken by ``torch.func.grad`` of that
    forward pass, and AGOP = Σ_i Σ_k ∇_k ∇_kᵀ / (n d1) (Eq. 1; ``factor_average=False`` divides by
    n only, the normalisation under which Eq. (9)–(10) are printed)."""
    L = len(Ws)
    if not 1 <= layer <= L:
        raise ValueError(f"layer must lie in 1..{L}, got {layer}")
    H = torch.as_tensor(layer_input(A, Ws, layer))
    Wt = [torch.as_tensor(np.asarray(W, dtype=np.float64)) for W in Ws[layer - 1 :]]

    def f_from_layer(h: torch.Tensor) -> torch.Tensor:
        for W in Wt:
            h = h @ W.T
        return torch.trace(h)

    grads = torch.func.vmap(torch.func.grad(f_from_layer))(H)  # (n, d1, d)
    n, d1 = grads.shape[0], grads.shape[1]
    G = torch.einsum("nki,nkj->ij", grads, grads) / (n * d1 if factor_average else n)
    return G.numpy()


def nfa_discrepancy(
    A: np.ndarray,
    Ws: Sequence[np.ndarray],
    *,
    side: str = "right",
    powers: Sequence[float] | None = None,
) -> np.ndarray:
    """Per layer ℓ = 1..L: ‖G_ℓ − (d1·AGOP_ℓ)^{a_ℓ}‖_F / ‖G_ℓ‖_F.

    G_ℓ = W^(ℓ)ᵀW^(ℓ) (``side="right"``, Theorem 2) or W^(ℓ)W^(ℓ)ᵀ (``side="left"``); the AGOP is
    the autograd one of :func:`agop`, times d1 (the factor sum of Eq. 9–10), and its power is
    :func:`linrfm_paper.theory.sym_power`; the powers default to Theorem 2's a_ℓ = 1/(L − ℓ + 1)."""
    L = len(Ws)
    if powers is None:
        powers = [1.0 / (L - l + 1) for l in range(1, L + 1)]
    if side not in ("right", "left"):
        raise ValueError(f"side must be 'right' or 'left', got {side!r}")
    out = []
    for l, a in zip(range(1, L + 1), powers, strict=True):
        W = Ws[l - 1]
        G = W.T @ W if side == "right" else W @ W.T
        out.append(np.linalg.norm(G - sym_power(agop(A, Ws, l, factor_average=False), a)))
        out[-1] /= np.linalg.norm(G)
    return np.array(out)
