"""lin-RFM for sparse linear regression (Algorithm 4, Appendix B): the diagonal case of Algorithm 1.

    Step 1:  w_t = argmin ||w||²  s.t.  X (w ⊙ m_t) = y
             β_t = w_t ⊙ m_t = m_t² ⊙ Xᵀ (X diag(m_t²) Xᵀ + λI)^{-1} y
    Step 2:  m_{t+1} = φ(w_t² ⊙ m_t²) = (β_t² + ε)^α       (element-wise)

Its fixed points are critical points of Σ_i ψ(|β_i|) s.t. Xβ = y (Corollary 1, diagonal case):
α = 1/4
is ℓ1 minimisation (IRLS-1), α = 1/2 the log penalty. The paper uses 1000 iterations and λ = 1e-10.
"""

from __future__ import annotations

import numpy as np
import torch

from .._backend import as_tensor, resolve_device, resolve_dtype, to_numpy
from ..matfun import min_norm_solve
from ..result import Callback, Result
from ..validation import (
    check_params,
    check_regression_input,
)
from . import _driver
from ._driver import PlainMap


def sparse_regression(
    X: np.ndarray,
    y: np.ndarray,
    *,
    alpha: float = 0.25,
    ridge: float = 1e-10,
    eps: float = 0.0,
    max_iter: int = 1000,
    tol: float = 0.0,
    device: str | torch.device | None = None,
    dtype: object = None,
    callback: Callback | None = None,
    log_every: int = 0,
) -> Result:
    """Algorithm 4. X (n, d), y (n,). Returns ``Result`` with ``w`` = β (d,), the
    predictor's weights.

    Defaults are the paper's (Appendix E): 1000 iterations, ridge 1e-10, no early stop (tol = 0).
    ``tol > 0`` stops when ||β_t − β_{t−1}|| / ||β_{t−1}|| < tol.
    """
    X, y = check_regression_input(X, y)
    alpha, ridge, eps, max_iter, tol, log_every = check_params(
        alpha=alpha, ridge=ridge, eps=eps, max_iter=max_iter, tol=tol, log_every=log_every
    )
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    Xt, yt = as_tensor(X, dev, dt), as_tensor(y, dev, dt)
    n, d = X.shape
    eye = torch.eye(n, dtype=dt, device=dev)
    y_norm = float(torch.linalg.norm(yt)) or 1.0
    m2 = torch.ones(d, dtype=dt, device=dev)  # m_0 = 1
    m2s = [m2]

    def regression(m2: torch.Tensor) -> tuple[torch.Tensor, float]:
        """Step 1: β = m² ⊙ Xᵀ (X diag(m²) Xᵀ + λI)^{-1} y."""
        H = (Xt * m2) @ Xt.T + ridge * eye
        L, info = torch.linalg.cholesky_ex(H)
        if int(info) == 0:
            c = torch.cholesky_solve(yt.unsqueeze(1), L).squeeze(1)
        else:  # singular system (ridge 0): minimum-norm least squares
            c = min_norm_solve(H, yt)
        beta = m2 * (Xt.T @ c)
        return beta, float(torch.linalg.norm(Xt @ beta - yt)) / y_norm

    def step(t: int, beta: torch.Tensor) -> tuple[torch.Tensor, float]:
        """Step 2: m_t² = φ(β_{t−1}²)² = (β² + ε)^{2α}, then Step 1."""
        m2s[0] = (beta * beta + eps).pow(2 * alpha)
        return regression(m2s[0])

    name = "linrfm.sparse_regression"
    f = PlainMap(name, lambda: regression(m2), step)
    out = _driver.run(name, f, max_iter=max_iter, tol=tol, callback=callback, log_every=log_every)
    return _driver.result(out, to_numpy(f.x), {"m": to_numpy(m2s[0].sqrt())})
