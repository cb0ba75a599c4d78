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
from ..result import Callback, Result, Tracker
from ..validation import (
    check_int,
    check_nonnegative,
    check_positive,
    check_regression_input,
)


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
    alpha = check_positive("alpha", alpha)
    ridge = check_nonnegative("ridge", ridge)
    eps = check_nonnegative("eps", eps)
    max_iter = check_int("max_iter", max_iter)
    tol = check_nonnegative("tol", tol)
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    Xt, yt = as_tensor(X, dev, dt), as_tensor(y, dev, dt)
    n, d = X.shape
    eye = torch.eye(n, dtype=dt, device=dev)
    y_norm = float(torch.linalg.norm(yt)) or 1.0
    m2 = torch.ones(d, dtype=dt, device=dev)  # m_0 = 1
    tracker = Tracker("linrfm.sparse_regression", tol, callback, log_every)

    def regression(m2: torch.Tensor, t: int) -> tuple[torch.Tensor, float]:
        H = (Xt * m2) @ Xt.T + ridge * eye
        L, info = torch.linalg.cholesky_ex(H)
        if int(info) == 0:
            c = torch.cholesky_solve(yt.unsqueeze(1), L).squeeze(1)
        else:  # singular system (ridge 0): minimum-norm least squares
            c = min_norm_solve(H, yt)
        beta = m2 * (Xt.T @ c)
        tracker.check_finite(t, beta)
        return beta, float(torch.linalg.norm(Xt @ beta - yt)) / y_norm

    beta, res = regression(m2, 0)
    stop = tracker.step(0, beta, res)
    t = 0
    while not stop and t < max_iter:
        t += 1
        m2 = (beta * beta + eps).pow(2 * alpha)
        beta, res = regression(m2, t)
        stop = tracker.step(t, beta, res)
    return Result(
        w=to_numpy(beta),
        n_iter=t,
        converged=tracker.converged,
        history=tracker.history,
        extras={"m": to_numpy(m2.sqrt())},
    )
