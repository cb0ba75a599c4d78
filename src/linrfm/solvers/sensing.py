"""lin-RFM for general matrix sensing with dense sensing matrices (Algorithm 1 as written).

    Step 1:  W_t = argmin ||W||_F  s.t.  ⟨A_i M_t, W⟩ = y_i   (i = 1..n)
             = Σ_j γ_j A_j M_t  with  (H_t + λI) γ = y,  H_t[i, j] = ⟨A_i M_t, A_j M_t⟩,
             Z_t = W_t M_t
    Step 2:  M_{t+1} = φ(M_tᵀ W_tᵀ W_t M_t) = φ(Z_tᵀ Z_t / d1),  φ(s) = (s + ε)^α.

The AGOP is averaged over the d1 row factors (as in ``complete``). With ε = 0 the scale of M
does not
change Z_{t+1}, so ridge = ε = 0 reproduces Algorithm 1 exactly. Cost per iteration O(n² d1 d2):
meant for small problems and for checking the theory; use ``complete`` for completion.
"""

from __future__ import annotations

import numpy as np
import torch

from .._backend import as_tensor, resolve_device, resolve_dtype, to_numpy
from ..matfun import min_norm_solve, sym_power
from ..result import Callback, Result
from ..validation import (
    check_params,
    check_sensing_input,
    check_square_init,
)
from . import _driver
from ._driver import PlainMap, check_finite


def min_norm_sensing(
    A: torch.Tensor, y: torch.Tensor, M: torch.Tensor, ridge: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """W = argmin ||W||_F s.t. ⟨A_i M, W⟩ = y_i (ridge λ ≥ 0 on the n × n Gram).

    Returns (W, Z = W M).

    A (n, d1, d2), y (n,), M (d2, d2)."""
    n = A.shape[0]
    B = (A @ M).reshape(n, -1)  # rows vec(A_i M)
    if ridge:
        H = B @ B.T
        gamma = torch.linalg.solve(H + ridge * torch.eye(n, dtype=H.dtype, device=H.device), y)
        W = (gamma @ B).reshape(A.shape[1], A.shape[2])
    else:  # exact constraints: vec W = B⁺ y (minimum norm, also when M is singular)
        W = min_norm_solve(B, y).reshape(A.shape[1], A.shape[2])
    return W, W @ M


def sense(
    A: np.ndarray,
    y: np.ndarray,
    *,
    alpha: float = 0.5,
    ridge: float = 0.0,
    eps: float = 0.0,
    max_iter: int = 100,
    tol: float = 1e-8,
    M0: np.ndarray | None = None,
    device: str | torch.device | None = None,
    dtype: object = None,
    callback: Callback | None = None,
    log_every: int = 0,
) -> Result:
    """Algorithm 1 for matrix sensing: recover Z (d1, d2) from y_i = ⟨A_i, Z⟩.

    A : (n, d1, d2) sensing matrices. y : (n,) measurements.
    alpha, eps : φ(s) = (s + eps)^alpha applied through a symmetric eigendecomposition.
    ridge : λ ≥ 0 on the n × n system; 0 is the exact constrained problem (minimum-norm least
        squares when that system is singular).
    max_iter : number of AGOP updates; the returned Z is the regression on M_{max_iter}.
    tol : stop when the relative change of Z falls below tol; 0 runs exactly ``max_iter``.
    M0 : (d2, d2) initial M; identity when None.

    Returns ``Result`` with ``Z``, ``extras["M"]`` (final M) and ``extras["iterates"]``
    (t+1, d1, d2),
    every Z_t, so the iterates can be compared with IRLS-p step by step (Appendix A).
    """
    A, y = check_sensing_input(A, y)
    alpha, ridge, eps, max_iter, tol, log_every = check_params(
        alpha=alpha, ridge=ridge, eps=eps, max_iter=max_iter, tol=tol, log_every=log_every
    )
    n, d1, d2 = A.shape
    M0 = check_square_init("M0", M0, d2)
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    At, yt = as_tensor(A, dev, dt), as_tensor(y, dev, dt)
    M = torch.eye(d2, dtype=dt, device=dev) if M0 is None else as_tensor(M0, dev, dt)
    y_norm = float(torch.linalg.norm(yt)) or 1.0
    name = "linrfm.sense"
    iterates: list[torch.Tensor] = []
    Ms = [M]

    def regression(M: torch.Tensor, t: int) -> tuple[torch.Tensor, float]:
        """Step 1: W_t = argmin ‖W‖_F s.t. ⟨A_i M_t, W⟩ = y_i; Z_t = W_t M_t."""
        W, Z = min_norm_sensing(At, yt, M, ridge)
        check_finite(name, t, W)
        iterates.append(Z)
        res = float(torch.linalg.norm(torch.einsum("nij,ij->n", At, Z) - yt)) / y_norm
        return Z, res

    def step(t: int, Z: torch.Tensor) -> tuple[torch.Tensor, float]:
        """Step 2: M_t = φ(Z_{t−1}ᵀ Z_{t−1} / d1), then Step 1."""
        Ms[0] = sym_power(Z.T @ Z / d1, alpha, eps)
        check_finite(name, t, Ms[0])
        return regression(Ms[0], t)

    f = PlainMap(name, lambda: regression(M, 0), step)
    out = _driver.run(name, f, max_iter=max_iter, tol=tol, callback=callback, log_every=log_every)
    extras = {"M": to_numpy(Ms[0]), "iterates": to_numpy(torch.stack(iterates))}
    return _driver.result(out, to_numpy(f.x), extras)
