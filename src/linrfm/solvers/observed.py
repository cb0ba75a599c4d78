"""The observed set Ω of a completion problem, shared by both kernels, and the batched SPD solve.

Ω = {(i, j)} is kept in row-major order; row i observes the columns S_i (|S_i| = n_i). The row
systems of Eq. 12 are batched by cutting the rows, sorted by n_i, into chunks whose padded blocks
(b, m, w) stay under a memory budget (m the largest n_i of the chunk); padded slots point one past
the end (column d2, observation n), where the kernels keep a zero row, so padding adds nothing.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import torch

#: padded block entries per chunk (128 MiB in float64)
DEFAULT_CHUNK_ELEMENTS = 1 << 24
#: ``row_chunks(pad=...)``: a chunk may always pad its smallest row by this many slots
PAD_MIN_SLOTS = 4


def row_chunks(
    counts: np.ndarray, chunk_elements: int, width: int | None = None, pad: float | None = None
) -> list[np.ndarray]:
    """The rows with observations, sorted by n_i and cut into chunks whose padded blocks
    (b, m, w) — m the largest n_i in the chunk, w = m or ``width`` — hold at most
    ``chunk_elements`` entries (a chunk has at least one row). With ``pad``, a chunk also holds
    only rows with n_i ≤ max(pad · n_first, n_first + PAD_MIN_SLOTS), n_first its smallest:
    padding is bounded at the price of more chunks. Rows with no observations are left out
    (their prediction is zero)."""
    order = np.argsort(counts, kind="stable")
    order = order[counts[order] > 0]
    chunks = []
    start = 0
    while start < order.size:
        stop = start + 1
        first = int(counts[order[start]])
        cap = np.inf if pad is None else max(pad * first, first + PAD_MIN_SLOTS)
        while stop < order.size:
            m = int(counts[order[stop]])  # ascending, so the last row sets the padding
            if (stop - start + 1) * m * (m if width is None else width) > chunk_elements:
                break
            if m > cap:
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


@dataclass
class PaddedRows:
    """One chunk of rows: ``rows`` (b,), ``valid`` (b, m), ``pos`` (b, m) observation positions
    (n where not valid), ``cols`` (b, m) observed columns (d2 where not valid)."""

    rows: np.ndarray
    valid: np.ndarray
    pos: np.ndarray
    cols: np.ndarray


class Observed:
    """Ω as row-major index tensors (``rows``, ``cols``: (n,)), row pointers and CSR builders.

    ``order`` maps the input order of the entries to the row-major order."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], device):
        self.d1, self.d2 = (int(v) for v in shape)
        self.shape = (self.d1, self.d2)
        self.device = device
        rows, cols = np.asarray(rows, dtype=np.int64), np.asarray(cols, dtype=np.int64)
        order = np.lexsort((cols, rows))
        self.rows_np, self.cols_np = rows[order], cols[order]
        self.n = int(rows.size)
        self.order = torch.as_tensor(order, device=device)
        self.rows = torch.as_tensor(self.rows_np, device=device)
        self.cols = torch.as_tensor(self.cols_np, device=device)
        self.counts = np.bincount(self.rows_np, minlength=self.d1).astype(np.int64)
        self.crow_np = np.concatenate([[0], np.cumsum(self.counts)])
        self.crow = torch.as_tensor(self.crow_np, device=device)
        self._by_col: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None

    @classmethod
    def from_mask(cls, mask: np.ndarray, device) -> Observed:
        rows, cols = np.nonzero(mask)
        return cls(rows, cols, mask.shape, device)

    def padded(
        self, chunk_elements: int, width: int | None = None, pad: float | None = None
    ) -> Iterator[PaddedRows]:
        """The chunks of :func:`row_chunks`, with their padded slots."""
        for chunk in row_chunks(self.counts, chunk_elements, width, pad):
            valid, pos = padded_slots(chunk, self.counts, self.crow_np)
            cols = np.where(valid, self.cols_np[np.minimum(pos, self.n - 1)], self.d2)
            yield PaddedRows(chunk, valid, np.where(valid, pos, self.n), cols)

    def csr(self, values: torch.Tensor, transpose: bool = False) -> torch.Tensor:
        """The sparse (d1, d2) matrix with ``values`` (row-major order) on Ω, or its transpose
        (d2, d1), in CSR layout."""
        with warnings.catch_warnings():  # "sparse CSR support is in beta": not actionable
            warnings.simplefilter("ignore", UserWarning)
            if not transpose:
                return torch.sparse_csr_tensor(
                    self.crow, self.cols, values, size=self.shape, check_invariants=False
                )
            if self._by_col is None:
                by_col = np.lexsort((self.rows_np, self.cols_np))
                ccol = np.concatenate(
                    [[0], np.cumsum(np.bincount(self.cols_np, minlength=self.d2))]
                )
                self._by_col = (
                    torch.as_tensor(by_col, device=self.device),
                    torch.as_tensor(ccol, device=self.device),
                    torch.as_tensor(self.rows_np[by_col], device=self.device),
                )
            by_col, ccol, rows_by_col = self._by_col
            return torch.sparse_csr_tensor(
                ccol,
                rows_by_col,
                values[by_col],
                size=(self.d2, self.d1),
                check_invariants=False,
            )

    def gather(self, Z: torch.Tensor) -> torch.Tensor:
        """Z at the observed entries (n,), row-major order."""
        return Z[self.rows, self.cols]


def spd_solve(A: torch.Tensor, rhs: torch.Tensor) -> torch.Tensor:
    """Batched solve of symmetric positive (semi)definite systems A (b, m, m), rhs (b, m, k).

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
