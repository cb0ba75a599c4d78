"""R2RILS (Bauch, Nadler & Zilber, "Rank 2r iterative least squares: efficient recovery of
ill-conditioned low rank matrices from few entries", SIAM J. Math. Data Sci. 2021), written from
the paper.

Given the rank r, from (U_0, V_0) the r leading singular vectors of P_Ω(Y) (zero-filled), each
iteration t

1. solves the rank-2r least squares problem (its minimal-norm solution)

       (A_t, B_t) = argmin_{A ∈ R^{d1×r}, B ∈ R^{d2×r}} ‖P_Ω(U_t Bᵀ + A V_tᵀ) − y‖²,

   an over-parametrised linearisation (the solution is unique up to A + U_t M, B − V_t Mᵀ; the
   minimal norm picks one) solved by LSQR from 0, with tolerance min(1e-5, misfit_{t−1}²) as the
   authors' "smart" LSQR tolerance, the misfit measured relative to ‖y‖;
2. forms the rank-2r estimate X̃_t = U_t B_tᵀ + A_t V_tᵀ and its best rank-r approximation
   X̂_t = [X̃_t]_r (QR of the two (d·, 2r) factors and an SVD of a 2r × 2r core; no d1 × d2 SVD);
3. updates the column spaces by averaging with the normalised solution,

       U_{t+1} = ColNorm(U_t + ColNorm(A_t)),     V_{t+1} = ColNorm(V_t + ColNorm(B_t)),

   ColNorm scaling each column to unit norm.

The estimate returned is the X̂_t of smallest observed misfit ‖P_Ω(X̂_t) − y‖ / ‖y‖ (the authors
keep the best observed RMSE too; observed data only). Stops (``linrfm.Status``): ``CERTIFIED``
when that misfit is below ``misfit_tol`` (the authors' rule, an observed RMSE below 5e-14, made
scale-free); ``TOLERANCE`` when ‖X̂_t − X̂_{t−1}‖_F / ‖X̂_{t−1}‖_F < ``tol``; ``CALLBACK``;
``MAX_ITER``. Every product is on Ω's index lists (gathers and scatters of (|Ω|, r) arrays), on
CPU or CUDA.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from .._backend import as_tensor, resolve_device, resolve_dtype, to_numpy
from ..result import Callback, IterationState, Result
from ..solvers import _driver
from ..validation import check_completion_input, check_int, check_params, check_positive
from .matrix_irls import Iterate, Omega, top_svd

#: the authors' LSQR settings: tolerance min(LSQR_TOL_MAX, misfit²), floored, and an iteration cap
LSQR_TOL_MAX = 1e-5
LSQR_TOL_MIN = 1e-15


def lsqr(
    A: Callable[[torch.Tensor], torch.Tensor],
    At: Callable[[torch.Tensor], torch.Tensor],
    b: torch.Tensor,
    n: int,
    *,
    atol: float,
    btol: float,
    max_iter: int,
) -> tuple[torch.Tensor, int]:
    """LSQR (Paige & Saunders 1982) for min ‖A x − b‖ from x = 0 (hence the minimal-norm
    solution), x of length n; A and At apply the operator and its adjoint. Stops as scipy's
    ``lsqr``: ‖r‖ ≤ btol ‖b‖ + atol ‖A‖ ‖x‖ (a consistent system) or ‖Aᵀr‖ ≤ atol ‖A‖ ‖r‖ (a
    least-squares solution), ‖A‖ estimated along the bidiagonalisation. Returns (x, iterations)."""
    x = b.new_zeros(n)
    beta = float(torch.linalg.norm(b))
    if beta == 0.0:
        return x, 0
    u = b / beta
    v = At(u)
    alpha = float(torch.linalg.norm(v))
    if alpha == 0.0:
        return x, 0
    v = v / alpha
    w = v.clone()
    phibar, rhobar, bnorm = beta, alpha, beta
    anorm2 = 0.0
    for it in range(1, max_iter + 1):
        u = A(v) - alpha * u
        beta = float(torch.linalg.norm(u))
        if beta > 0:
            u = u / beta
        anorm2 += alpha * alpha + beta * beta
        v = At(u) - beta * v
        alpha = float(torch.linalg.norm(v))
        if alpha > 0:
            v = v / alpha
        rho = float(np.hypot(rhobar, beta))
        c, s = rhobar / rho, beta / rho
        theta, rhobar = s * alpha, -c * alpha
        phi, phibar = c * phibar, s * phibar
        x.add_(w, alpha=phi / rho)
        w = v - (theta / rho) * w
        rnorm, anorm = phibar, np.sqrt(anorm2)
        arnorm = alpha * abs(c) * phibar
        if rnorm <= btol * bnorm + atol * anorm * float(torch.linalg.norm(x)):
            return x, it
        if arnorm <= atol * anorm * rnorm:
            return x, it
    return x, max_iter


def colnorm(M: torch.Tensor) -> torch.Tensor:
    """Each column scaled to unit norm (a zero column stays zero)."""
    norms = torch.linalg.norm(M, dim=0)
    return M / torch.where(norms > 0, norms, torch.ones_like(norms))


def truncate(
    L: torch.Tensor, R: torch.Tensor, r: int
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The best rank-r approximation of L Rᵀ (L (d1, q), R (d2, q), q ≥ r) as (P, σ, Q) with
    P (d1, r), Q (d2, r) orthonormal: L Rᵀ = Q_L (R_L R_Rᵀ) Q_Rᵀ, an SVD of the q × q core."""
    QL, RL = torch.linalg.qr(L)
    QR, RR = torch.linalg.qr(R)
    W, s, Xh = torch.linalg.svd(RL @ RR.T)
    return QL @ W[:, :r], s[:r], QR @ Xh[:r].T


def least_squares_step(
    om: Omega,
    y: torch.Tensor,
    U: torch.Tensor,
    V: torch.Tensor,
    *,
    tol: float,
    max_iter: int,
) -> tuple[torch.Tensor, torch.Tensor, int]:
    """Step 1: the minimal-norm (A, B) = argmin ‖P_Ω(U Bᵀ + A Vᵀ) − y‖ (U (d1, r), V (d2, r)),
    by :func:`lsqr` on x = (vec A, vec B). Returns (A, B, LSQR iterations)."""
    d1, d2, r = om.d1, om.d2, U.shape[1]
    Ui, Vj = U[om.rows], V[om.cols]  # (|Ω|, r): the rows of U and V each entry multiplies

    def forward(x: torch.Tensor) -> torch.Tensor:
        A, B = x[: d1 * r].view(d1, r), x[d1 * r :].view(d2, r)
        return (A[om.rows] * Vj).sum(1) + (Ui * B[om.cols]).sum(1)

    def adjoint(e: torch.Tensor) -> torch.Tensor:
        A = y.new_zeros(d1, r).index_add_(0, om.rows, e[:, None] * Vj)
        B = y.new_zeros(d2, r).index_add_(0, om.cols, e[:, None] * Ui)
        return torch.cat([A.reshape(-1), B.reshape(-1)])

    x, it = lsqr(forward, adjoint, y, (d1 + d2) * r, atol=tol, btol=tol, max_iter=max_iter)
    return x[: d1 * r].view(d1, r), x[d1 * r :].view(d2, r), it


class _R2RILSMap:
    """R2RILS as a driver map: t = 0 is the spectral start X̂_0 = [P_Ω(Y)]_r, step t one rank-2r
    least squares solve (module docstring)."""

    name = "r2rils"

    def __init__(self, om, y, rank, misfit_tol, lsqr_max_iter, gen):
        self.om, self.y, self.r = om, y, rank
        self.misfit_tol, self.lsqr_max_iter = misfit_tol, lsqr_max_iter
        self.ynorm = max(float(torch.linalg.norm(y)), 1e-300)
        empty = y.new_zeros(om.d1, 0)
        P, s, Q = top_svd(Iterate(om, empty, y.new_zeros(om.d2, 0), y), rank, None, gen)
        self.U, self.V = P, Q
        self.L, self.R = P * s, Q  # X̂_t = L Rᵀ
        self.best: tuple[float, torch.Tensor, torch.Tensor, int] | None = None
        self.trace: dict[str, list[Any]] = {"lsqr_iter": [], "misfit": []}

    def _record(self, t: int, L: torch.Tensor, R: torch.Tensor, n_lsqr: int) -> _driver.Step:
        _driver.check_finite(self.name, t, L, R)
        old_L, old_R = self.L, self.R
        self.L, self.R = L, R
        misfit = float(torch.linalg.norm(self.om.gather(L, R) - self.y)) / self.ynorm
        if self.best is None or misfit < self.best[0]:
            self.best = (misfit, L, R, t)
        self.trace["lsqr_iter"].append(n_lsqr)
        self.trace["misfit"].append(misfit)
        if t == 0:
            change = float("inf")
        else:  # ‖L Rᵀ − L' R'ᵀ‖_F / ‖L' R'ᵀ‖_F from r × r Gram products
            diff = _fro(torch.cat([L, -old_L], 1), torch.cat([R, old_R], 1))
            change = diff / max(_fro(old_L, old_R), 1e-300)
        return _driver.Step(misfit, float(change), certified=misfit < self.misfit_tol)

    def first(self) -> _driver.Step:
        return self._record(0, self.L, self.R, 0)

    def step(self, t: int) -> _driver.Step:
        last = self.trace["misfit"][-1]
        tol = max(min(LSQR_TOL_MAX, last * last), LSQR_TOL_MIN)
        A, B, n_lsqr = least_squares_step(
            self.om, self.y, self.U, self.V, tol=tol, max_iter=self.lsqr_max_iter
        )
        P, s, Q = truncate(torch.cat([self.U, A], 1), torch.cat([B, self.V], 1), self.r)
        self.U = colnorm(self.U + colnorm(A))
        self.V = colnorm(self.V + colnorm(B))
        return self._record(t, P * s, Q, n_lsqr)

    def advance(self) -> None:
        pass

    def state(self, t: int, step: _driver.Step) -> IterationState:
        L, R = self.L, self.R

        def entries(i: np.ndarray, j: np.ndarray) -> np.ndarray:
            return np.einsum("...k,...k->...", to_numpy(L)[i], to_numpy(R)[j])

        return IterationState(
            t,
            step.residual,
            step.rel_change,
            lambda: to_numpy(L @ R.T),
            rank=self.r,
            entries=entries,
        )


def _fro(L: torch.Tensor, R: torch.Tensor) -> float:
    """‖L Rᵀ‖_F = ‖R_L R_Rᵀ‖_F (L = Q_L R_L, R = Q_R R_R): no cancellation when L Rᵀ is a small
    difference of two large products, unlike tr(LᵀL RᵀR)."""
    return float(torch.linalg.norm(torch.linalg.qr(L).R @ torch.linalg.qr(R).R.T))


def r2rils(
    Y: np.ndarray,
    mask: np.ndarray,
    *,
    rank: int,
    max_iter: int = 100,
    tol: float = 0.0,
    misfit_tol: float = 1e-12,
    lsqr_max_iter: int = 1000,
    seed: int = 0,
    callback: Callback | None = None,
    log_every: int = 0,
    device: str | torch.device | None = None,
    dtype: Any = None,
) -> Result:
    """R2RILS completion of the (d1, d2) matrix ``Y`` from its entries in Ω = ``mask``, given the
    rank r (module docstring for the iteration and its stops).

    Parameters
    ----------
    Y : (d1, d2) array; entries off ``mask`` are never read (NaN allowed there).
    mask : (d1, d2) bool, the observed set Ω (non-empty).
    rank : r, 1 ≤ r < min(d1, d2).
    max_iter : at most this many least-squares solves (the authors' code: 50; their experiments
        run until the misfit stop).
    tol : stop when ‖X̂_t − X̂_{t−1}‖_F / ‖X̂_{t−1}‖_F < tol (0, the authors' default: never).
    misfit_tol : stop (``CERTIFIED``) when ‖P_Ω(X̂_t) − y‖ / ‖y‖ < misfit_tol.
    lsqr_max_iter : LSQR iterations per solve (the authors': 1000).
    seed : seeds the Krylov method of the spectral start (drawn on the CPU).
    callback : ``callback(state) -> bool`` after every iteration (``state.entries(i, j)`` reads
        X̂_t without forming it); True stops.
    log_every, device, dtype : as the other solvers (float64 by default).

    Returns
    -------
    :class:`~linrfm.result.Result` with ``x`` = ``Z`` (d1, d2), the X̂_t of smallest observed
    misfit; ``history.residual`` is that misfit per iteration; ``extras``: ``lsqr_iter`` and
    ``misfit`` per iteration, ``best_iter`` (the t returned), ``L``, ``R`` (Z = L Rᵀ).
    """
    Y, mask = check_completion_input(Y, mask)
    d1, d2 = Y.shape
    rank = check_int("rank", rank, 1)
    if rank >= min(d1, d2):
        raise ValueError(f"rank = {rank} must be < min(d1, d2) = {min(d1, d2)}")
    max_iter, tol, log_every, seed = check_params(
        max_iter=max_iter, tol=tol, log_every=log_every, seed=seed
    )
    misfit_tol = check_positive("misfit_tol", misfit_tol)
    lsqr_max_iter = check_int("lsqr_max_iter", lsqr_max_iter, 1)
    dev, dt = resolve_device(device), resolve_dtype(dtype)

    rows, cols = np.nonzero(mask)
    om = Omega(rows, cols, (d1, d2), dev, dt)
    y = as_tensor(Y[om.rows_np, om.cols_np], dev, dt)
    gen = torch.Generator().manual_seed(seed)
    f = _R2RILSMap(om, y, rank, misfit_tol, lsqr_max_iter, gen)
    out = _driver.run(
        "r2rils",
        f,
        max_iter=max_iter,
        tol=max(tol, 1e-300),  # > 0 lets the misfit certificate stop; tol = 0 never meets it
        callback=callback,
        log_every=log_every,
        certificate=lambda: f"observed misfit {f.best[0]:.2e} < misfit_tol = {misfit_tol:.1e}",
    )
    misfit, L, R, t_best = f.best
    if tol == 0:  # the driver's tol was only a switch for the certificate: name the real test
        out.message = out.message.replace(
            f"without meeting tol = {max(tol, 1e-300):.1e}",
            f"with the observed misfit {misfit:.2e} above misfit_tol = {misfit_tol:.1e}",
        )
    extras = {k: np.asarray(v) for k, v in f.trace.items()}
    extras.update(best_iter=t_best, L=to_numpy(L), R=to_numpy(R))
    return _driver.result(out, to_numpy(L @ R.T), extras)
