"""Batched per-row solves of Eq. 12 for matrix completion.

For completion the constraints of row i touch only its observed columns S_i (|S_i| = n_i), so the
minimum-norm regression of Algorithm 1 splits into d1 independent problems (Section 4):

    γ_i = (K[S_i, S_i] + λ I)^{-1} y_i,        Z[i, :] = γ_iᵀ K[S_i, :],

with K = MᵀM. Writing C for the sparse (d1, d2) matrix with C[i, S_i] = γ_i, the prediction is the
sparse–dense product Z = C K and the interpolating weights are W = C Mᵀ.

Rows are sorted by n_i and cut into chunks whose padded blocks (b, m, m) stay under a memory budget;
each chunk is one batched Cholesky solve on the device. There is no Python loop over rows: the loop
runs over chunks (a handful per iteration).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from .observed import DEFAULT_CHUNK_ELEMENTS, Observed, PaddedRows, spd_solve

GATHER_CACHE_ENTRIES = 1 << 27  # gather positions kept across iterations (1 GiB of int64)
# Z = C K as a dense GEMM when C holds at least this fraction of nonzeros: a GEMM runs ~30× more
# flop/s than the sparse–dense product on CPU (docs/design.md); a fixed rule, so the same path,
# and numbers, everywhere.
DENSE_PREDICT_DENSITY = 1 / 30

__all__ = ["DEFAULT_CHUNK_ELEMENTS", "RowSolver"]


@dataclass
class _Chunk:
    idx: torch.Tensor  # (b, m) column indices, padded with d2 (the zero border of solve)
    lower: torch.Tensor  # (T,) positions a·m + c (a ≥ c) of the lower triangle of an (m, m) block
    source: torch.Tensor | None  # (b, T) their positions in the bordered K, or None (not cached)
    valid: torch.Tensor  # (b, m) bool
    pos: torch.Tensor  # (n_chunk,) positions of the valid slots in the flat observation order
    flat_slot: torch.Tensor  # (n_chunk,) positions of the valid slots in the flattened (b*m) block


class RowSolver:
    """The row solves of Eq. 12 with a dense K on the observed set Ω (an :class:`Observed`, or a
    (d1, d2) boolean mask), precomputed once. Observations are in row-major order
    (``np.nonzero(mask)``); ``y`` (n,) follows it."""

    def __init__(
        self,
        observed: Observed | np.ndarray,
        device: torch.device,
        dtype: torch.dtype,
        chunk_elements: int = DEFAULT_CHUNK_ELEMENTS,
        pad: float | None = None,
    ):
        obs = observed if isinstance(observed, Observed) else Observed.from_mask(observed, device)
        self.obs = obs
        self.shape = obs.shape
        self.device, self.dtype = device, dtype
        self.n = obs.n
        self.rows, self.cols = obs.rows, obs.cols
        self.chunks = [self._make_chunk(block) for block in obs.padded(chunk_elements, pad=pad)]
        if sum(ch.idx.shape[0] * ch.lower.numel() for ch in self.chunks) <= GATHER_CACHE_ENTRIES:
            for ch in self.chunks:
                ch.source = self._lower_sources(ch)

    def _make_chunk(self, block: PaddedRows) -> _Chunk:
        dev = self.device
        m = block.cols.shape[1]
        a, c = np.tril_indices(m)
        return _Chunk(
            idx=torch.as_tensor(block.cols, device=dev),
            lower=torch.as_tensor(a * m + c, device=dev),
            source=None,
            valid=torch.as_tensor(block.valid, device=dev),
            pos=torch.as_tensor(block.pos[block.valid], device=dev),
            flat_slot=torch.as_tensor(np.flatnonzero(block.valid.ravel()), device=dev),
        )

    def _lower_sources(self, ch: _Chunk) -> torch.Tensor:
        """(b, T) positions of K[S_i, S_i]'s lower triangle in the flattened bordered K."""
        m = ch.idx.shape[1]
        a, c = torch.div(ch.lower, m, rounding_mode="floor"), ch.lower % m
        return ch.idx[:, a] * (self.shape[1] + 1) + ch.idx[:, c]

    def solve(self, K: torch.Tensor, y: torch.Tensor, ridge: float) -> torch.Tensor:
        """γ (n,) in row-major observation order: γ_i = (K[S_i,S_i] + λI)^{-1} y_i for every row.

        Only the lower triangles of the blocks are gathered (the Cholesky factorisation reads
        nothing else), from K bordered by a zero row and column (padded slots point there), so
        padding needs no masking pass; λ (1 on padded slots, which keeps the padded blocks the
        identity there) is added to the diagonals in place. The gather positions are computed
        once when they fit in ``GATHER_CACHE_ENTRIES``, else per chunk."""
        d = K.shape[0]
        Kb = K.new_zeros((d + 1, d + 1))
        Kb[:d, :d] = K
        gamma = torch.zeros(self.n, dtype=K.dtype, device=K.device)
        lam = torch.tensor(ridge, dtype=K.dtype, device=K.device)
        one = torch.ones((), dtype=K.dtype, device=K.device)
        for ch in self.chunks:
            b, m = ch.idx.shape
            source = ch.source if ch.source is not None else self._lower_sources(ch)
            Kss = K.new_zeros((b, m * m))
            Kss[:, ch.lower] = torch.take(Kb, source)
            Kss = Kss.view(b, m, m)  # lower triangles of K[S_i, S_i]
            Kss.diagonal(dim1=1, dim2=2).add_(torch.where(ch.valid, lam, one))
            rhs = torch.zeros(b * m, dtype=K.dtype, device=K.device)
            rhs[ch.flat_slot] = y[ch.pos]
            sol = spd_solve(Kss, rhs.view(b, m, 1))
            gamma[ch.pos] = sol.reshape(-1)[ch.flat_slot]
        return gamma

    def solve_many(self, K: torch.Tensor, y: torch.Tensor, ridges: torch.Tensor) -> torch.Tensor:
        """:meth:`solve` for B kernels at once: K (B, d2, d2), ridges (B,) → γ (B, n), row b the
        solve with K[b] and ridges[b]; every chunk's B·b systems are one batched Cholesky solve."""
        B, d = K.shape[0], K.shape[-1]
        Kb = K.new_zeros((B, d + 1, d + 1))
        Kb[:, :d, :d] = K
        flat = Kb.view(B, -1)
        gamma = K.new_zeros((B, self.n))
        lam = ridges.to(K.dtype).view(B, 1, 1)
        one = torch.ones((), dtype=K.dtype, device=K.device)
        for ch in self.chunks:
            b, m = ch.idx.shape
            source = ch.source if ch.source is not None else self._lower_sources(ch)
            Kss = K.new_zeros((B, b, m * m))
            Kss[:, :, ch.lower] = flat[:, source]
            Kss = Kss.view(B, b, m, m)  # lower triangles of K[b][S_i, S_i]
            Kss.diagonal(dim1=-2, dim2=-1).add_(torch.where(ch.valid, lam, one))
            rhs = torch.zeros(b * m, dtype=K.dtype, device=K.device)
            rhs[ch.flat_slot] = y[ch.pos]
            rhs = rhs.view(1, b, m, 1).expand(B, b, m, 1).reshape(B * b, m, 1)
            sol = spd_solve(Kss.view(B * b, m, m), rhs)
            gamma[:, ch.pos] = sol.view(B, b * m)[:, ch.flat_slot]
        return gamma

    def predict_many(self, gamma: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
        """:meth:`predict` for B runs: γ (B, n), K (B, d2, d2) → Z (B, d1, d2), by the same rule
        (one batched GEMM, or one sparse–dense product per run)."""
        d1, d2 = self.shape
        if self.n >= DENSE_PREDICT_DENSITY * d1 * d2:
            C = gamma.new_zeros((gamma.shape[0], d1, d2))
            C[:, self.rows, self.cols] = gamma
            return C @ K
        return torch.stack([self.coefficients(g) @ k for g, k in zip(gamma, K, strict=True)])

    def coefficients(self, gamma: torch.Tensor) -> torch.Tensor:
        """The sparse (d1, d2) matrix C with C[i, S_i] = γ_i, in CSR layout."""
        return self.obs.csr(gamma)

    def predict(self, gamma: torch.Tensor, K: torch.Tensor) -> torch.Tensor:
        """Z = C K (d1, d2): one sparse–dense product, or one GEMM with C scattered into a dense
        (d1, d2) matrix when Ω covers at least ``DENSE_PREDICT_DENSITY`` of the entries."""
        d1, d2 = self.shape
        if self.n >= DENSE_PREDICT_DENSITY * d1 * d2:
            C = gamma.new_zeros(self.shape)
            C[self.rows, self.cols] = gamma
            return C @ K
        return self.coefficients(gamma) @ K

    def observed(self, Z: torch.Tensor) -> torch.Tensor:
        """Z at the observed entries, in row-major observation order."""
        return self.obs.gather(Z)
