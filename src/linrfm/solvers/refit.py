"""Rank-r least-squares refit on the observed entries (a post-step for noisy data).

lin-RFM with ``replace`` interpolates: (Z)_Ω = Y_Ω, noise included. When the observations are
noisy, the estimate the rank-r model calls for is

    Ẑ = argmin_{rank Z ≤ r} ‖P_Ω(Z − Y)‖²_F,

which this module computes by alternating least squares on Z = U Vᵀ (U: (d1, r), V: (d2, r)),
started from the truncated SVD of the lin-RFM iterate (so the search starts in the right basin):

    v_j = (Σ_{i ∈ Ω^j} u_i u_iᵀ + δ I)^{-1} Σ_{i ∈ Ω^j} y_ij u_i      for every column j,
    u_i = (Σ_{j ∈ Ω_i} v_j v_jᵀ + δ I)^{-1} Σ_{j ∈ Ω_i} y_ij v_j      for every row i,

every column's (and row's) r × r system solved in one batch; δ = 1e-12 × the mean diagonal keeps
lines with fewer than r observations finite. Each half-sweep cannot increase the misfit. Observed
data only.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

#: sweeps and the relative-decrease stop of the alternating least squares
REFIT_MAX_SWEEPS = 200
REFIT_TOL = 1e-10


@dataclass
class Refit:
    Z: torch.Tensor  # (d1, d2), rank ≤ r
    rank: int
    sweeps: int
    misfit: float  # ‖P_Ω(Z − Y)‖ / ‖P_Ω Y‖


def _solve_lines(W: torch.Tensor, B: torch.Tensor, F: torch.Tensor) -> torch.Tensor:
    """Per line j (a row of the 0/1 mask ``W``, (n_lines, n_other)): the least-squares
    coefficients of the masked data ``B[j]`` on the factor ``F`` (n_other, r),
    (Fᵀ diag(W_j) F + δI)^{-1} Fᵀ diag(W_j) B_j; shape (n_lines, r)."""
    r = F.shape[1]
    outer = (F[:, :, None] * F[:, None, :]).reshape(F.shape[0], r * r)
    A = (W @ outer).reshape(-1, r, r)
    delta = 1e-12 * torch.diagonal(A, dim1=1, dim2=2).mean().clamp_min(1e-300)
    A = A + delta * torch.eye(r, dtype=F.dtype, device=F.device)
    return torch.linalg.solve(A, (B @ F)[:, :, None])[:, :, 0]


def rank_refit(
    Y: torch.Tensor,
    mask: torch.Tensor,
    Z0: torch.Tensor,
    rank: int,
    max_sweeps: int = REFIT_MAX_SWEEPS,
    tol: float = REFIT_TOL,
) -> Refit:
    """argmin_{rank ≤ ``rank``} ‖P_Ω(Z − Y)‖²_F by alternating least squares from [Z0]_rank.

    Y, Z0 : (d1, d2) tensors (Y read only on ``mask``); mask : (d1, d2) bool, Ω. Stops when a
    sweep lowers the squared misfit by less than ``tol`` relative, or after ``max_sweeps``."""
    W = mask.to(Y.dtype)
    YW = torch.where(mask, Y, torch.zeros((), dtype=Y.dtype, device=Y.device))
    norm_y = float(torch.linalg.norm(YW)) or 1.0
    P, s, Qh = torch.linalg.svd(Z0, full_matrices=False)
    root = s[:rank].sqrt()
    U, V = P[:, :rank] * root, Qh[:rank].T * root
    prev = float("inf")
    sweeps = 0
    for sweeps in range(1, max_sweeps + 1):
        V = _solve_lines(W.T, YW.T, U)
        U = _solve_lines(W, YW, V)
        misfit2 = float(torch.sum((W * (U @ V.T) - YW) ** 2))
        if sweeps > 1 and prev - misfit2 <= tol * prev:
            break
        prev = misfit2
    misfit = float(torch.linalg.norm(W * (U @ V.T) - YW)) / norm_y
    return Refit(U @ V.T, rank, sweeps, misfit)
