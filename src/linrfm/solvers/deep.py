"""Depth-L lin-RFM (Algorithm 2): f(A) = ⟨A, W M^(L) ⋯ M^(1)⟩ with layer-wise AGOP updates.

With P_t = M_t^(L) ⋯ M_t^(1) (d2, d2):

    Step 1:  W_t = argmin ||W||_F  s.t.  ⟨A_i, W P_t⟩ = y_i,     Z_t = W_t P_t
    Step 2:  Q_ℓ = W_t M_t^(L) ⋯ M_t^(ℓ)   (Q_1 = Z_t),
             M_{t+1}^(ℓ) = φ_ℓ(Q_ℓᵀ Q_ℓ / d1),  φ_ℓ(s) = (s + ε)^{α_ℓ},   ℓ = 1..L (all from
             step t).

L = 1 is Algorithm 1. Theorem 3 / Corollary 2 relate the fixed points to shallow lin-RFM.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from .._backend import as_tensor, resolve_device, resolve_dtype, to_numpy
from ..matfun import sym_power
from ..result import Callback, Result
from ..validation import (
    check_alphas,
    check_completion_input,
    check_params,
    check_sensing_input,
)
from . import _driver
from ._driver import PlainMap, check_finite
from .rowsolve import RowSolver
from .sensing import min_norm_sensing


def _layer_updates(
    W: torch.Tensor, Ms: list[torch.Tensor], alphas: list[float], eps: float, Z: torch.Tensor
) -> list[torch.Tensor]:
    """M^(ℓ) ← φ_ℓ(Q_ℓᵀQ_ℓ / d1) with Q_ℓ = W M^(L)⋯M^(ℓ); Q_1 is taken as ``Z``."""
    d1 = W.shape[0]
    L = len(Ms)
    new: list[torch.Tensor] = [None] * L  # type: ignore[list-item]
    Q = W
    for ell in range(L - 1, -1, -1):  # ℓ = L, …, 1 (0-based index)
        Q = Q @ Ms[ell] if ell > 0 else Z
        new[ell] = sym_power(Q.T @ Q / d1, alphas[ell], eps)
    return new


def _product(Ms: list[torch.Tensor]) -> torch.Tensor:
    """P = M^(L) ⋯ M^(1)."""
    P = Ms[0]
    for M in Ms[1:]:
        P = M @ P
    return P


Regression = Callable[[list[torch.Tensor], int], tuple[torch.Tensor, torch.Tensor, float]]


def _run(
    name: str,
    regression: Regression,
    Ms: list[torch.Tensor],
    alphas: list[float],
    eps: float,
    max_iter: int,
    tol: float,
    callback: Callback | None,
    log_every: int,
) -> Result:
    """Alternate Step 1 (``regression(Ms, t)`` → W_t, Z_t, residual) and Step 2 (layer updates)."""
    state: dict[str, object] = {"Ms": Ms}

    def first() -> tuple[torch.Tensor, float]:
        state["W"], Z, res = regression(Ms, 0)
        return Z, res

    def step(t: int, Z: torch.Tensor) -> tuple[torch.Tensor, float]:
        state["Ms"] = _layer_updates(state["W"], state["Ms"], alphas, eps, Z)
        state["W"], Z, res = regression(state["Ms"], t)
        return Z, res

    f = PlainMap(name, first, step)
    out = _driver.run(name, f, max_iter=max_iter, tol=tol, callback=callback, log_every=log_every)
    extras = {f"M{ell + 1}": to_numpy(M) for ell, M in enumerate(state["Ms"])}
    return _driver.result(out, to_numpy(f.x), extras)


def deep_sense(
    A: np.ndarray,
    y: np.ndarray,
    *,
    alphas: list[float],
    eps: float = 0.0,
    ridge: float = 0.0,
    max_iter: int = 100,
    tol: float = 1e-8,
    device: str | torch.device | None = None,
    dtype: object = None,
    callback: Callback | None = None,
    log_every: int = 0,
) -> Result:
    """Algorithm 2 for matrix sensing. A (n, d1, d2), y (n,); ``alphas`` = (α_1, …, α_L).


    Returns ``Result`` with ``Z`` = W P and ``extras["M1"] … extras["ML"]``
    (final layer matrices)."""
    A, y = check_sensing_input(A, y)
    alphas = check_alphas(alphas)
    eps, ridge, max_iter, tol, log_every = check_params(
        eps=eps, ridge=ridge, max_iter=max_iter, tol=tol, log_every=log_every
    )
    n, d1, d2 = A.shape
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    At, yt = as_tensor(A, dev, dt), as_tensor(y, dev, dt)
    Ms = [torch.eye(d2, dtype=dt, device=dev) for _ in alphas]
    y_norm = float(torch.linalg.norm(yt)) or 1.0
    name = "linrfm.deep_sense"

    def regression(Ms: list[torch.Tensor], t: int) -> tuple[torch.Tensor, torch.Tensor, float]:
        P = _product(Ms)
        W, _ = min_norm_sensing(At, yt, P.T, ridge)  # ⟨A_i, W P⟩ = ⟨A_i Pᵀ, W⟩
        check_finite(name, t, W)
        Z = W @ P
        res = float(torch.linalg.norm(torch.einsum("nij,ij->n", At, Z) - yt)) / y_norm
        return W, Z, res

    return _run(name, regression, Ms, alphas, eps, max_iter, tol, callback, log_every)


def deep_complete(
    Y: np.ndarray,
    mask: np.ndarray,
    *,
    alphas: list[float],
    eps: float = 0.0,
    ridge: float = 1e-8,
    max_iter: int = 1000,
    tol: float = 1e-8,
    replace: bool = True,
    device: str | torch.device | None = None,
    dtype: object = None,
    callback: Callback | None = None,
    log_every: int = 0,
) -> Result:
    """Algorithm 2 for matrix completion with batched row solves (as ``complete``).

    Row i: γ_i = (K[S_i,S_i] + λI)^{-1} y_i with K = PᵀP; W = C Pᵀ and Z = C K (C sparse).
    ``ridge`` is a fixed absolute λ ≥ 0. ``replace`` re-imposes Z_Ω = Y_Ω in Z (= Q_1) only.
    A row with no observations is predicted as zero."""
    Y, mask = check_completion_input(Y, mask)
    alphas = check_alphas(alphas)
    eps, ridge, max_iter, tol, log_every = check_params(
        eps=eps, ridge=ridge, max_iter=max_iter, tol=tol, log_every=log_every
    )
    d1, d2 = Y.shape
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    rs = RowSolver(mask, dev, dt)
    yt = as_tensor(Y[mask], dev, dt)
    y_norm = float(torch.linalg.norm(yt)) or 1.0
    Ms = [torch.eye(d2, dtype=dt, device=dev) for _ in alphas]
    name = "linrfm.deep_complete"

    def regression(Ms: list[torch.Tensor], t: int) -> tuple[torch.Tensor, torch.Tensor, float]:
        P = _product(Ms)
        K = P.T @ P
        gamma = rs.solve(K, yt, ridge)
        check_finite(name, t, gamma)
        C = rs.coefficients(gamma)
        W = C @ P.T
        Z = C @ K
        res = float(torch.linalg.norm(rs.observed(Z) - yt)) / y_norm
        if replace:
            Z[rs.rows, rs.cols] = yt
        return W, Z, res

    return _run(name, regression, Ms, alphas, eps, max_iter, tol, callback, log_every)
