"""lin-RFM for matrix completion with a low-rank-plus-shift feature kernel (our addition).

The dense path (``completion.py``) keeps K_t = (G_t + εI)^{2α} as a d2 × d2 matrix: O(d2²) memory,
an O(d1 d2²) Gram per iteration and row systems of size n_i. Here K_t is replaced by its part on
the top q eigenvectors of the AGOP G_t = X_tᵀX_t/d1 (MatrixIRLS truncates its weights likewise;
Kümmerle & Sigl 2018), with the ridge λ_t as the shift:

    G_t ≈ U diag(g) Uᵀ  (U: d2 × q, the top q eigenpairs),   K_t ≈ Φ Φᵀ,   Φ = U diag(f(g))^{1/2},
    f(g) = (g + ε)^{2α}.

Row i of Eq. 12 then is a ridge regression on q features, Φ_i = Φ[S_i, :] (n_i × q):

    γ_i = (Φ_iΦ_iᵀ + λI)^{-1} y_i,   Z[i, :] = γ_iᵀ Φ_i Φᵀ = c_iᵀ Φᵀ,
    c_i = Φ_iᵀ γ_i = (Φ_iᵀΦ_i + λ I_q)^{-1} Φ_iᵀ y_i                      (push-through identity),

so every row costs O(n_i q²) and the iterate is never formed: Z_t = P Φᵀ + S with P (d1 × q) the
stacked c_i and S the sparse correction on Ω that re-imposes Y_Ω (``replace``). The top q
eigenpairs of G_{t+1} come from a block carried across iterations (one power step and a
Rayleigh–Ritz step, products with Z and Zᵀ only). One iteration costs O(|Ω| q² + (d1 + d2) q²):
no d2 × d2 matrix exists, so d = 20000 fits in memory.

Which eigenpairs: the kernel keeps every tracked eigenpair with f(g) above λ_t plus a margin
below it: 2·r̂_t + oversample pairs (r̂_t the current rank estimate) until the spectrum shows a
clear gap (``SpectralRidge``'s "separated"), ``oversample`` after.
The margin matters: the iterate off Ω lies in the span of the kept directions, and with only the
pairs above λ the iteration can lock onto a wrong low-dimensional subspace (1000 × 1000 rank 5 from
2× its degrees of freedom ended at a rank-10 interpolant; with the margin it recovers). It does not
make the kernel as robust as the dense one at low sampling: from 2× the degrees of freedom,
1000 × 1000 rank 5 seeds 1, 2 and 2000 × 2000 rank 5 still stall (a larger margin, 2·r_max, fixed
the first two and broke 1500 × 1500 rank 10), so ``kernel="auto"`` uses it only with ample samples
(``LOWRANK_MIN_OBS_PER_ROW``). The block
starts at 3·r_max + 1 + oversample columns (r_max the largest rank the |Ω| observations can
determine), grows (up to ``MAX_BLOCK``, at most d2/2) while the pairs
above λ fill it, and shrinks to what the kernel and the rank estimate need once separated.
Whenever G_t has rank ≤ k (for instance at a rank-r fixed point) the step is exactly Algorithm 1's,
and with every eigenpair kept it reproduces the dense iterates (tested).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from .._backend import as_tensor, resolve_device, resolve_dtype, to_numpy
from ..result import Result, Tracker
from ..validation import check_int, check_nonnegative, check_positive
from .anderson import Anderson
from .rowsolve import DEFAULT_CHUNK_ELEMENTS, padded_slots, row_chunks
from .schedule import SpectralRidge, _SpectralRule

DEFAULT_ANDERSON = 5
#: columns of the Gaussian sketch on which the Anderson weights are fitted
SKETCH_COLUMNS = 64
#: the kernel keeps this many eigenpairs per estimated rank r̂ below the shift, besides
#: those above it: a margin of bulk directions (with 0, 1000 x 1000 rank 5 from 2x its degrees of
#: freedom stalls at a rank-10 interpolant; measured)
MARGIN_PER_RANK = 2
#: the tracked block grows up to min(d2 / 2, this) columns while eigenvalues above λ fill it
MAX_BLOCK = 512
#: ``kernel="auto"`` takes the low-rank kernel from this many columns on (measured; see README) …
LOWRANK_MIN_DIM = 1500
#: … and with at least this many observations per row on average. Below it (few samples) the
#: truncation can lock onto a wrong rank where the dense kernel recovers (measured: 2000 × 2000
#: rank 5 and 1000 × 1000 rank 5, seeds 1 and 2, from 2× their degrees of freedom)
LOWRANK_MIN_OBS_PER_ROW = 100


@dataclass
class LowRankCompletion:
    """A completed matrix in factored form: Z = L Rᵀ off Ω and Z_Ω = Y_Ω (numpy arrays).

    L (d1, q), R (d2, q); ``rows``, ``cols``, ``y`` the observed entries."""

    L: np.ndarray
    R: np.ndarray
    rows: np.ndarray
    cols: np.ndarray
    y: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return (self.L.shape[0], self.R.shape[0])

    def entries(self, rows: np.ndarray, cols: np.ndarray, chunk: int = 1 << 20) -> np.ndarray:
        """Z at the given (unobserved) entries, without forming Z: Σ_k L[i, k] R[j, k]."""
        rows, cols = np.asarray(rows), np.asarray(cols)
        out = np.empty(rows.shape, dtype=self.L.dtype)
        for a in range(0, rows.size, chunk):
            b = min(rows.size, a + chunk)
            out.flat[a:b] = np.einsum("nk,nk->n", self.L[rows.flat[a:b]], self.R[cols.flat[a:b]])
        return out

    def dense(self) -> np.ndarray:
        """Z (d1, d2) with the observed entries re-imposed."""
        Z = self.L @ self.R.T
        Z[self.rows, self.cols] = self.y
        return Z


class _Observed:
    """The observed set Ω as index tensors, and the padded row blocks of the ridge regressions.

    Rows are sorted by n_i and cut into chunks whose padded feature blocks (b, m, q) stay under a
    memory budget; padded slots point at an extra zero row of Φ, so they add nothing."""

    def __init__(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        d1: int,
        d2: int,
        device,
        q: int,
        chunk_elements: int,
    ):
        self.d1, self.d2 = d1, d2
        self.n = rows.size
        order = np.lexsort((cols, rows))
        rows, cols = rows[order], cols[order]
        self.order = torch.as_tensor(order, device=device)  # input order → row-major order
        self.rows = torch.as_tensor(rows, device=device)
        self.cols = torch.as_tensor(cols, device=device)
        counts = np.bincount(rows, minlength=d1)
        crow = np.concatenate([[0], np.cumsum(counts)])
        self.crow = torch.as_tensor(crow, device=device)
        by_col = np.lexsort((rows, cols))
        self.by_col = torch.as_tensor(by_col, device=device)
        self.ccol = torch.as_tensor(
            np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=d2))]), device=device
        )
        self.rows_by_col = torch.as_tensor(rows[by_col], device=device)
        self.blocks: list[tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]] = []
        for chunk_rows in row_chunks(counts, chunk_elements, width=q):
            valid, pos = padded_slots(chunk_rows, counts, crow)
            idx = np.where(valid, cols[np.minimum(pos, cols.size - 1)], d2)  # d2: the zero row
            ypos = np.where(valid, pos, self.n)  # n: a zero label
            self.blocks.append(
                (
                    torch.as_tensor(chunk_rows, device=device),
                    torch.as_tensor(idx, device=device),
                    torch.as_tensor(ypos, device=device),
                    torch.as_tensor(valid, device=device),
                )
            )

    def _csr(self, values: torch.Tensor, transpose: bool) -> torch.Tensor:
        with warnings.catch_warnings():  # "sparse CSR support is in beta": not actionable
            warnings.simplefilter("ignore", UserWarning)
            if transpose:
                return torch.sparse_csr_tensor(
                    self.ccol,
                    self.rows_by_col,
                    values[self.by_col],
                    size=(self.d2, self.d1),
                    check_invariants=False,
                )
            return torch.sparse_csr_tensor(
                self.crow, self.cols, values, size=(self.d1, self.d2), check_invariants=False
            )


class _Iterate:
    """Z = L Rᵀ + S with S sparse on Ω (values s, row-major): products with Z and Zᵀ only."""

    def __init__(self, obs: _Observed, L: torch.Tensor, R: torch.Tensor, s: torch.Tensor):
        self.obs, self.L, self.R, self.s = obs, L, R, s
        self._S = obs._csr(s, False)
        self._St: torch.Tensor | None = None  # Sᵀ, built on the first Zᵀ product

    def mm(self, Q: torch.Tensor) -> torch.Tensor:
        """Z Q for Q (d2, p)."""
        return self.L @ (self.R.T @ Q) + self._S @ Q

    def rmm(self, P: torch.Tensor) -> torch.Tensor:
        """Zᵀ P for P (d1, p)."""
        if self._St is None:
            self._St = self.obs._csr(self.s, True)
        return self.R @ (self.L.T @ P) + self._St @ P

    def fro2(self) -> float:
        """‖Z‖²_F = tr(LᵀL RᵀR) + 2 tr(Lᵀ S R) + ‖s‖² (no d1 × d2 matrix, no (|Ω|, q) gather)."""
        low = float(((self.L.T @ self.L) * (self.R.T @ self.R)).sum())
        cross = float((self.L * (self._S @ self.R)).sum())
        return low + 2 * cross + float(self.s @ self.s)

    def minus(self, other: _Iterate) -> _Iterate:
        return _Iterate(
            self.obs,
            torch.cat([self.L, -other.L], 1),
            torch.cat([self.R, other.R], 1),
            self.s - other.s,
        )

    def project_out(self, V: torch.Tensor) -> _Iterate:
        """Z (I − V Vᵀ) for orthonormal V (d2, r), still low rank plus sparse."""
        SV = self._S @ V
        R = self.R - V @ (V.T @ self.R)
        return _Iterate(self.obs, torch.cat([self.L, -SV], 1), torch.cat([R, V], 1), self.s)


def _top_eigenpairs(X: _Iterate, Q: torch.Tensor, d1: int) -> tuple[torch.Tensor, torch.Tensor]:
    """Top q eigenpairs of G = XᵀX/d1 from the block Q (d2, q): one power step, then
    Rayleigh–Ritz (an SVD of the d1 × q block X·Q). Returns g (q,) descending, U (d2, q)."""
    Q = torch.linalg.qr(X.rmm(X.mm(Q))).Q
    _, sig, Bt = torch.linalg.svd(X.mm(Q), full_matrices=False)
    return sig.square() / d1, Q @ Bt.T


def _ridge_rows(obs: _Observed, Phi: torch.Tensor, y: torch.Tensor, lam: float):
    """c_i = (Φ_iᵀΦ_i + λI)^{-1} Φ_iᵀ y_i for every row (P: d1 × q) and (PΦᵀ)_Ω (n,)."""
    q = Phi.shape[1]
    dev, dt = Phi.device, Phi.dtype
    Phi_pad = torch.cat([Phi, torch.zeros(1, q, dtype=dt, device=dev)])
    y_pad = torch.cat([y, torch.zeros(1, dtype=dt, device=dev)])
    P = torch.zeros(obs.d1, q, dtype=dt, device=dev)
    pred = torch.empty(obs.n, dtype=dt, device=dev)
    eye = torch.eye(q, dtype=dt, device=dev)
    for rows, idx, ypos, valid in obs.blocks:
        F = Phi_pad[idx]  # (b, m, q)
        yb = y_pad[ypos].unsqueeze(2)  # (b, m, 1)
        A = torch.baddbmm(eye * lam, F.transpose(1, 2), F)  # (b, q, q)
        rhs = F.transpose(1, 2) @ yb  # (b, q, 1)
        L, info = torch.linalg.cholesky_ex(A)
        c = torch.cholesky_solve(rhs, L)
        bad = info != 0
        if bool(bad.any()):
            c[bad] = torch.linalg.pinv(A[bad], hermitian=True) @ rhs[bad]
        P[rows] = c.squeeze(2)
        pred[ypos[valid]] = (F @ c).squeeze(2)[valid]
    return P, pred


def _combine(F: list[_Iterate], gamma: torch.Tensor, y: torch.Tensor) -> _Iterate:
    """f_t − Σ_j γ_j (f_{t−k+j+1} − f_{t−k+j}) for F = [f_{t−k}, …, f_t] (k = len(γ)): weights
    summing to one, so the combination keeps Z_Ω = Y_Ω."""
    k = gamma.numel()
    w = torch.zeros(k + 1, dtype=gamma.dtype)
    w[-1] = 1.0
    g = gamma.detach().cpu()
    w[1:] -= g
    w[:-1] += g
    obs = F[0].obs
    L = torch.cat([float(wi) * f.L for wi, f in zip(w, F, strict=True)], 1)
    R = torch.cat([f.R for f in F], 1)
    pred = sum(float(wi) * (y - f.s) for wi, f in zip(w, F, strict=True))
    return _Iterate(obs, L, R, y - pred)


def complete_lowrank(
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    shape: tuple[int, int],
    *,
    alpha: float = 0.5,
    ridge: SpectralRidge | str = "auto",
    eps: float = 0.0,
    max_iter: int = 6000,
    tol: float = 1e-9,
    device: str | torch.device | None = None,
    dtype: object = None,
    callback: Callable[[int, LowRankCompletion], bool] | None = None,
    log_every: int = 0,
    chunk_elements: int = DEFAULT_CHUNK_ELEMENTS,
    anderson: int | str = "auto",
) -> Result:
    """lin-RFM (Algorithm 1, α > 0, ``replace``) on the observed entries ``values`` at
    (``rows``, ``cols``) of a ``shape`` matrix, with the low-rank-plus-shift kernel above and the
    :class:`SpectralRidge` schedule (observed data only). M_0 = I. Features act on the columns.

    Stops as ``complete`` does: the tail certificate of the schedule, or relative change of Z
    below ``tol`` once λ is at its floor (both computed in factored form). ``callback(t, Zhat)``
    receives a :class:`LowRankCompletion`; True stops.

    Returns a :class:`Result` with ``Z`` None (the d1 × d2 matrix is never formed), the
    completion in ``result.factors`` (a :class:`LowRankCompletion`: ``.entries(i, j)``,
    ``.dense()``) and ``extras`` "ridge", "rank" and "tail" per iteration as ``complete``.
    """
    d1, d2 = (int(v) for v in shape)
    rows = np.asarray(rows).ravel()
    cols = np.asarray(cols).ravel()
    values = np.asarray(values, dtype=np.float64).ravel()
    if not (rows.size == cols.size == values.size):
        raise ValueError(
            f"rows, cols and values must have one length, got {rows.size}, {cols.size}, "
            f"{values.size}"
        )
    if rows.size == 0:
        raise ValueError("no observed entries (rows is empty)")
    if rows.min() < 0 or rows.max() >= d1 or cols.min() < 0 or cols.max() >= d2:
        raise ValueError(f"observed indices fall outside the {d1} x {d2} matrix")
    if not np.isfinite(values).all():
        raise ValueError("values (the observed entries) contain NaN or inf")
    if np.unique(rows.astype(np.int64) * d2 + cols).size != rows.size:
        raise ValueError("an entry is observed twice (duplicate (row, col) pairs)")
    alpha = check_positive("alpha", alpha)
    eps = check_nonnegative("eps", eps)
    max_iter = check_int("max_iter", max_iter)
    tol = check_nonnegative("tol", tol)
    if isinstance(ridge, str):
        if ridge != "auto":
            raise ValueError(
                f"the low-rank kernel needs ridge='auto' or a SpectralRidge, got {ridge!r}"
            )
        ridge = SpectralRidge()
    if not isinstance(ridge, SpectralRidge):
        raise ValueError(
            "the low-rank kernel needs a SpectralRidge schedule (its rank estimate sets the "
            f"truncation), got {ridge!r}; use kernel='dense' for a fixed ridge"
        )
    if isinstance(anderson, str):
        if anderson != "auto":
            raise ValueError(f"anderson must be an integer >= 0 or 'auto', got {anderson!r}")
        memory = DEFAULT_ANDERSON
    else:
        memory = check_int("anderson", anderson)
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    rule = _SpectralRule(ridge, d1, d2, rows.size, alpha, eps)
    q_cap = max(rule.q, min(d2 // 2, MAX_BLOCK))
    # the first block has room for the largest margin: r_max + 1 + 2 r_max + oversample
    q = min(max(rule.q, (1 + MARGIN_PER_RANK) * rule.r_max + 1 + ridge.oversample), q_cap)
    obs = _Observed(rows.astype(np.int64), cols.astype(np.int64), d1, d2, dev, q, chunk_elements)
    y = as_tensor(values, dev, dt)[obs.order]
    y_norm = float(torch.linalg.norm(y)) or 1.0
    tracker = Tracker("linrfm.complete_lowrank", tol, None, log_every)
    ridges: list[float] = []
    ranks: list[int] = []
    tails: list[float] = []

    def factors(X: _Iterate) -> LowRankCompletion:
        return LowRankCompletion(to_numpy(X.L), to_numpy(X.R), rows, cols, values)

    # t = 0: K_0 = I, λ_0 = 1, γ = y / 2 and, re-imposed, Z_0 = Y_Ω zero-filled: Z_0 = S
    zero = torch.zeros(d1, 0, dtype=dt, device=dev)
    X = _Iterate(obs, zero, torch.zeros(d2, 0, dtype=dt, device=dev), y.clone())
    ridges.append(rule.from_spectrum(0, None, 1.0, 0.0, dt))
    ranks.append(0)
    tails.append(float("inf"))
    x2 = X.fro2()
    stop = tracker.record(0, 0.5, float("inf"), True)
    if callback is not None and callback(0, factors(X)):
        stop = True
    gen = torch.Generator(device=dev).manual_seed(0)
    Q = torch.randn(d2, q, generator=gen, device=dev, dtype=dt)
    n_sketch = min(d2, SKETCH_COLUMNS)
    sketch = torch.randn(d2, n_sketch, generator=gen, device=dev, dtype=dt) / math.sqrt(n_sketch)
    mixer = Anderson(memory) if memory > 0 else None
    maps: list[_Iterate] = []  # the last map values F(X_j), for the Anderson combination
    x_sketch = X.mm(sketch)
    t = 0
    while not stop and t < max_iter:
        t += 1
        g, U = _top_eigenpairs(X, Q, d1)
        f = (g.clamp_min(0) + eps).pow(2 * alpha)
        scale = float(f.sum()) / d2

        def direct_tail(r: int, X: _Iterate = X, U: torch.Tensor = U, x2: float = x2) -> float:
            return X.project_out(U[:, :r]).fro2() / x2 if x2 > 0 else 0.0

        lam = rule.from_spectrum(t, g, scale, x2 / d1, dt, direct_tail)
        ridges.append(lam)
        ranks.append(rule.rank)
        tails.append(rule.tail)
        # the kernel keeps every tracked eigenvalue above the shift λ and a margin (MatrixIRLS's
        # truncation); the block grows while eigenvalues above λ reach its edge
        above = int((f > lam).sum())
        wanted = above + ridge.oversample
        if not rule.separated:
            wanted += MARGIN_PER_RANK * rule.rank
        k = min(U.shape[1], wanted)
        Phi = U[:, :k] * f[:k].sqrt()
        Q = U[:, : max(rule.q, wanted + ridge.oversample)] if rule.separated else U
        if wanted > U.shape[1] and U.shape[1] < q_cap:
            grow = min(q_cap, max(2 * U.shape[1], wanted + ridge.oversample)) - U.shape[1]
            fresh = torch.randn(d2, grow, generator=gen, device=dev, dtype=dt)
            Q = torch.cat([U, fresh], 1)
        P, pred = _ridge_rows(obs, Phi, y, lam)
        tracker.check_finite(t, P)
        residual = float(torch.linalg.norm(pred - y)) / y_norm
        Z = _Iterate(obs, P, Phi, y - pred)
        change = math.sqrt(max(Z.minus(X).fro2(), 0.0) / max(x2, 1e-300))
        stop = tracker.record(t, residual, change, rule.done)
        if not stop and tol > 0 and rule.certified:
            tracker.converged = stop = True
        if callback is not None and callback(t, factors(Z)):
            stop = True
        if stop:
            X = Z
            break
        z_sketch = Z.mm(sketch)
        if mixer is not None and rule.separated:
            x_sketch = mixer.step(x_sketch, z_sketch)
            maps = [*maps, Z][-(memory + 1) :]
            X = (
                Z
                if mixer.gamma is None
                else _combine(maps[-(mixer.gamma.numel() + 1) :], mixer.gamma, y)
            )
        else:
            if mixer is not None:
                mixer.reset()
            maps, X, x_sketch = [Z], Z, z_sketch
        x2 = X.fro2()
    return Result(
        Z=None,
        n_iter=t,
        converged=tracker.converged,
        history=tracker.history,
        extras={"ridge": np.asarray(ridges), "rank": np.asarray(ranks), "tail": np.asarray(tails)},
        factors=factors(X),
    )
