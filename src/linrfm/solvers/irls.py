"""IRLS-p of Mohan & Fazel (2012), Algorithm 3 of the paper, written independently of lin-RFM.

    Step 1:  X_t = argmin Tr(P_t XᵀX)  s.t.  ⟨A_i, X⟩ = y_i,    P_0 = I
    Step 2:  P_{t+1} = (X_tᵀ X_t + ε_t I)^{p/2 − 1}
    Step 3:  ε_{t+1} ∈ (0, ε_t]  (here: fixed ε, or ε_{t+1} = max(eps_min, eps_decay · ε_t)).

Step 1 in closed form: with Q = P^{-1}, X = Σ_j μ_j A_j Q where Σ_j ⟨A_i, A_j Q⟩ μ_j = y_i.
Plain numpy (float64): this is the independent reference that lin-RFM is checked against
(Appendix A: X_t = W_t M_t, P_t = M_t^{-2}, p = 2 − 4α).
"""

from __future__ import annotations

import time

import numpy as np

from ..result import History, Result, Status
from ..validation import (
    NonFiniteIterateError,
    check_params,
    check_sensing_input,
)


def _weight(X: np.ndarray, p: float, eps: float) -> np.ndarray:
    """P = (XᵀX + εI)^{p/2 − 1} by an eigendecomposition of the symmetric XᵀX."""
    lam, V = np.linalg.eigh(X.T @ X)
    lam = np.clip(lam, 0.0, None) + eps
    if p / 2 - 1 < 0 and np.any(lam <= 0):
        raise ValueError("IRLS weight (XᵀX + εI)^{p/2−1} is singular: use eps > 0")
    return (V * lam ** (p / 2 - 1)) @ V.T


def irls(
    A: np.ndarray,
    y: np.ndarray,
    *,
    p: float,
    eps: float = 0.0,
    max_iter: int = 100,
    tol: float = 1e-8,
    eps_decay: float = 1.0,
    eps_min: float = 0.0,
) -> Result:
    """IRLS-p for matrix sensing. A (n, d1, d2), y (n,). Returns ``Result`` with ``Z`` = X_final and
    ``extras["iterates"]`` (t+1, d1, d2) holding X_0 … X_t."""
    A, y = check_sensing_input(A, y)
    if not np.isfinite(p) or p >= 2:
        raise ValueError(f"p must be a finite number < 2, got {p!r}")
    eps, max_iter, tol = check_params(eps=eps, max_iter=max_iter, tol=tol)
    if not 0 < eps_decay <= 1:
        raise ValueError(f"eps_decay must lie in (0, 1], got {eps_decay!r}")
    n, d1, d2 = A.shape
    Aflat = A.reshape(n, -1)
    history = History()
    t0 = time.perf_counter()
    Q = np.eye(d2)  # Q_t = P_t^{-1}
    iterates: list[np.ndarray] = []
    X_prev = None
    t = 0
    converged = False
    while True:
        AQ = (A @ Q).reshape(n, -1)
        H = Aflat @ AQ.T  # H[i, j] = ⟨A_i, A_j Q⟩
        mu = np.linalg.lstsq(H, y, rcond=None)[0]
        X = (mu @ AQ).reshape(d1, d2)
        if not np.all(np.isfinite(X)):
            raise NonFiniteIterateError(f"irls: non-finite values (NaN/inf) at iteration {t}")
        iterates.append(X)
        change = np.inf if X_prev is None else np.linalg.norm(X - X_prev) / np.linalg.norm(X_prev)
        history.residual.append(float(np.linalg.norm(Aflat @ X.ravel() - y) / np.linalg.norm(y)))
        history.rel_change.append(float(change))
        history.seconds.append(time.perf_counter() - t0)
        if tol > 0 and change < tol:
            converged = True
            break
        if t >= max_iter:
            break
        t += 1
        P = _weight(X, p, eps)
        Q = np.linalg.inv(P)
        Q = 0.5 * (Q + Q.T)
        eps = max(eps_min, eps * eps_decay)
        X_prev = X
    status = Status.TOLERANCE if converged else Status.MAX_ITER
    why = f"relative change < tol = {tol:.1e}" if converged else "max_iter reached"
    return Result(
        x=X,
        n_iter=t,
        status=status,
        message=f"irls: {why} after {t} iterations",
        history=history,
        extras={"iterates": np.stack(iterates)},
    )
