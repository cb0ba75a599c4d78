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

import warnings
from dataclasses import dataclass

import numpy as np
import torch

DEFAULT_CHUNK_ELEMENTS = 1 << 24  # padded block entries per chunk (128 MiB in float64)
GATHER_CACHE_ENTRIES = 1 << 27  # gather positions kept across iterations (1 GiB of int64)
# Z = C K as a dense GEMM when C holds at least this fraction of nonzeros: a GEMM runs ~30× more
# flop/s than the sparse–dense product (measured on CPU: 137 vs 4.5 GFLOP/s at d = 5000), so it
# wins from about 1/30 of the entries on (a fixed rule: the same path, and numbers, everywhere).
DENSE_PREDICT_DENSITY = 1 / 30


@dataclass
class _Chunk:
    idx: torch.Tensor  # (b, m) column indices, padded with d2 (the zero border of solve)
    lower: torch.Tensor  # (T,) positions a·m + c (a ≥ c) of the lower triangle of an (m, m) block
    source: torch.Tensor | None  # (b, T) their positions in the bordered K, or None (not cached)
    valid: torch.Tensor  # (b, m) bool
    pos: torch.Tensor  # (n_chunk,) positions of the valid slots in the flat observation order
    flat_slot: torch.Tensor  # (n_chunk,) positions of the valid slots in the flattened (b*m) block


def row_chunks(
    counts: np.ndarray, chunk_elements: int, width: int | None = None
) -> list[np.ndarray]:
    """The rows with observations, sorted by n_i and cut into chunks whose padded blocks
    (b, m, w) — m the largest n_i in the chunk, w = m or ``width`` — hold at most
    ``chunk_elements`` entries (a chunk has at least one row). Rows with no observations are left
    out (their prediction is zero)."""
    order = np.argsort(counts, kind="stable")
    order = order[counts[order] > 0]
    chunks = []
    start = 0
    while start < order.size:
        stop = start + 1
        while stop < order.size:
            m = int(counts[order[stop]])  # ascending, so the last row sets the padding
            if (stop - start + 1) * m * (m if width is None else width) > chunk_elements:
                break
            stop += 1
        chunks.append(order[start:stop])
        start = stop
    return chunks


def padded_slots(
    rows_in_chunk: np.ndarray, counts: np.ndarray, crow: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """For a chunk padded to m = max n_i slots per row: ``valid`` (b, m), the slots that hold an
    observation, and ``pos`` (b, m), their positions in the row-major observation order (past the
    row's end where not valid)."""
    m = int(counts[rows_in_chunk].max())
    slot = np.arange(m)[None, :]
    valid = slot < counts[rows_in_chunk][:, None]
    return valid, crow[rows_in_chunk][:, None] + slot


class RowSolver:
    """Structure of the observed set Ω, precomputed once, for batched row solves.

    Observations are kept in row-major order (``np.nonzero(mask)``); ``y`` (n,) follows it.
    """

    def __init__(
        self,
        mask: np.ndarray,
        device: torch.device,
        dtype: torch.dtype,
        chunk_elements: int = DEFAULT_CHUNK_ELEMENTS,
    ):
        d1, d2 = mask.shape
        self.shape = (d1, d2)
        self.device, self.dtype = device, dtype
        rows, cols = np.nonzero(mask)
        counts = mask.sum(axis=1).astype(np.int64)
        self.n = int(rows.size)
        self.rows = torch.as_tensor(rows, device=device)
        self.cols = torch.as_tensor(cols, device=device)
        crow = np.concatenate([[0], np.cumsum(counts)])
        self.crow = torch.as_tensor(crow, device=device)
        self.chunks: list[_Chunk] = []

        for rows_in_chunk in row_chunks(counts, chunk_elements):
            self.chunks.append(self._make_chunk(rows_in_chunk, counts, crow, cols))
        if sum(ch.idx.shape[0] * ch.lower.numel() for ch in self.chunks) <= GATHER_CACHE_ENTRIES:
            for ch in self.chunks:
                ch.source = self._lower_sources(ch)

    def _make_chunk(self, rows_in_chunk, counts, crow, cols) -> _Chunk:
        valid, pos_full = padded_slots(rows_in_chunk, counts, crow)
        idx = np.where(valid, cols[np.minimum(pos_full, cols.size - 1)], self.shape[1])
        dev = self.device
        m = idx.shape[1]
        a, c = np.tril_indices(m)
        return _Chunk(
            idx=torch.as_tensor(idx, device=dev),
            lower=torch.as_tensor(a * m + c, device=dev),
            source=None,
            valid=torch.as_tensor(valid, device=dev),
            pos=torch.as_tensor(pos_full[valid], device=dev),
            flat_slot=torch.as_tensor(np.flatnonzero(valid.ravel()), device=dev),
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
            sol = _spd_solve(Kss, rhs.view(b, m, 1))
            gamma[ch.pos] = sol.reshape(-1)[ch.flat_slot]
        return gamma

    def coefficients(self, gamma: torch.Tensor) -> torch.Tensor:
        """The sparse (d1, d2) matrix C with C[i, S_i] = γ_i, in CSR layout."""
        with warnings.catch_warnings():  # "sparse CSR support is in beta": not actionable
            warnings.simplefilter("ignore", UserWarning)
            return torch.sparse_csr_tensor(
                self.crow, self.cols, gamma, size=self.shape, check_invariants=False
            )

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
        return Z[self.rows, self.cols]


def _spd_solve(A: torch.Tensor, rhs: torch.Tensor) -> torch.Tensor:
    """Batched solve of symmetric positive (semi)definite systems.

    Reads only the lower triangle of ``A``. Cholesky where it succeeds; the pseudo-inverse
    (minimum-norm solution) for the batch members that are numerically singular (possible with
    ridge 0)."""
    L, info = torch.linalg.cholesky_ex(A)
    sol = torch.cholesky_solve(rhs, L)
    bad = info != 0
    if bool(bad.any()):
        low = torch.tril(A[bad])
        full = low + torch.tril(low, -1).transpose(-1, -2)
        sol[bad] = torch.linalg.pinv(full, hermitian=True) @ rhs[bad]
    return sol
