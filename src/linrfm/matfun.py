"""Spectral functions of symmetric matrices: φ(G) = (G + εI)^α (Section 2.3 convention).

The one place for φ and its powers: lin-RFM's row solves need K = M² = φ(G)² = (G + εI)^{2α},
as a matrix (:func:`feature_kernel`) or on eigenvalues (:func:`kernel_eigenvalues`)."""

from __future__ import annotations

from fractions import Fraction

import torch


def half_integer_power(alpha: float) -> int | None:
    """Return k when ``2·alpha = k`` is a positive integer (the SVD-free case of Section 4)."""
    frac = Fraction(alpha).limit_denominator(1000)
    if abs(float(frac) - alpha) > 1e-12:
        return None
    k = 2 * frac
    return int(k) if k.denominator == 1 and k > 0 else None


def sym_power(G: torch.Tensor, power: float, eps: float = 0.0) -> torch.Tensor:
    """(G + εI)^power for symmetric PSD ``G`` (d, d) by a symmetric eigendecomposition.

    Eigenvalues below zero (round-off) are clipped to zero before the shift."""
    G = 0.5 * (G + G.transpose(-1, -2))
    lam, V = torch.linalg.eigh(G)
    lam = lam.clamp_min(0.0) + eps
    if power < 0 and bool((lam <= 0).any()):
        raise ValueError("negative power of a singular matrix: use eps > 0")
    return (V * lam.pow(power).unsqueeze(-2)) @ V.transpose(-1, -2)


def shifted_matrix_power(G: torch.Tensor, k: int, eps: float = 0.0) -> torch.Tensor:
    """(G + εI)^k for a positive integer k using products only (no eigendecomposition)."""
    if eps:
        G = G + eps * torch.eye(G.shape[-1], dtype=G.dtype, device=G.device)
    return torch.linalg.matrix_power(G, k)


def kernel_eigenvalues(g: torch.Tensor, alpha: float, eps: float) -> torch.Tensor:
    """φ(g)² = (g + ε)^{2α} for eigenvalues g of G (clipped at zero first: round-off)."""
    return (g.clamp_min(0) + eps).pow(2 * alpha)


def feature_kernel(G: torch.Tensor, alpha: float, eps: float, svd_free: bool) -> torch.Tensor:
    """K = M² = φ(G)² = (G + εI)^{2α}, the matrix the row solves of Eq. 12 need."""
    k = half_integer_power(alpha)
    if svd_free:
        if k is None:
            raise ValueError(
                f"the SVD-free path needs alpha a positive multiple of 1/2, got {alpha}"
            )
        return shifted_matrix_power(G, k, eps)
    return sym_power(G, 2.0 * alpha, eps)


def min_norm_solve(B: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    """Minimum-norm least-squares solution B⁺ y (SVD-based ``pinv``, on CPU and CUDA alike).

    Not ``torch.linalg.lstsq``: its default CPU driver (gelsy) returns a solution that does not
    fit a consistent singular system (found on Appendix F's 3 × 3 example, where M_t loses rank),
    and the only CUDA driver (gels) needs full rank. Apply it to the constraint matrix itself, not
    to its Gram B Bᵀ, whose condition number is the square."""
    return torch.linalg.pinv(B) @ y
