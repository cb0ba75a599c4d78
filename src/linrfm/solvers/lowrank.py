"""The low-rank-plus-shift feature kernel of lin-RFM completion (our addition).

The dense kernel (``kernels.DenseKernel``) keeps K_t = (G_t + εI)^{2α} as a d2 × d2 matrix:
O(d2²) memory, an O(d1 d2²) Gram per iteration and row systems of size n_i. Here K_t is replaced
by its part on the top eigenvectors of the AGOP G_t = X_tᵀX_t/d1 (MatrixIRLS truncates its
weights likewise; Kümmerle & Sigl 2018), with the ridge λ_t as the shift:

    G_t ≈ U diag(g) Uᵀ  (U: d2 × q, the top q eigenpairs),   K_t ≈ Φ Φᵀ,   Φ = U diag(f(g))^{1/2},
    f(g) = (g + ε)^{2α}.

Row i of Eq. 12 then is a ridge regression on k ≤ q features, Φ_i = Φ[S_i, :] (n_i × k):

    γ_i = (Φ_iΦ_iᵀ + λI)^{-1} y_i,   Z[i, :] = γ_iᵀ Φ_i Φᵀ = c_iᵀ Φᵀ,
    c_i = Φ_iᵀ γ_i = (Φ_iᵀΦ_i + λ I_k)^{-1} Φ_iᵀ y_i                      (push-through identity),

so every row costs O(n_i k²) and the iterate is never formed: Z_t = P Φᵀ + S with P (d1 × k) the
stacked c_i and S the sparse correction on Ω that re-imposes Y_Ω (``replace``). The top
eigenpairs of G_{t+1} come from a block carried across iterations (one power step and a
Rayleigh–Ritz step, products with Z and Zᵀ only). One iteration costs O(|Ω| k² + (d1 + d2) q²);
no d2 × d2 matrix exists.

Which eigenpairs: every tracked pair with f(g) above λ_t, plus a margin below it — 2·r̂_t +
oversample pairs (r̂_t the rank estimate) until the spectrum shows a clear gap (the schedule's
``separated``), ``oversample`` after. The block starts at 3·r_max + 1 + oversample columns,
grows (up to ``MAX_BLOCK``, at most d2/2) while the pairs above λ fill it, and shrinks to what the
kernel and the rank estimate need once separated. Whenever G_t has rank ≤ k the step is exactly
Algorithm 1's; with every eigenpair kept it reproduces the dense iterates (tested). Why the margin
and the ``kernel="auto"`` thresholds: docs/lowrank.md.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch

from .._backend import to_numpy
from ..matfun import kernel_eigenvalues
from ._driver import check_finite
from .anderson import Anderson
from .kernels import Kernel
from .observed import Observed, spd_solve
from .options import CompletionOptions
from .schedule import SpectralRule, Spectrum

#: columns of the Gaussian sketch on which the Anderson weights are fitted
SKETCH_COLUMNS = 64
#: eigenpairs kept below the shift per estimated rank r̂, besides those above it (docs/lowrank.md)
MARGIN_PER_RANK = 2
#: the tracked block grows up to min(d2 / 2, this) columns while eigenvalues above λ fill it
MAX_BLOCK = 512
#: ``kernel="auto"`` takes the low-rank kernel from this many columns on …
LOWRANK_MIN_DIM = 1500
#: … and with at least this many observations per row on average (docs/lowrank.md)
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


class FactoredIterate:
    """Z = L Rᵀ + S with S sparse on Ω (values s, row-major): products with Z and Zᵀ only."""

    def __init__(self, obs: Observed, L: torch.Tensor, R: torch.Tensor, s: torch.Tensor):
        self.obs, self.L, self.R, self.s = obs, L, R, s
        self._S = obs.csr(s)
        self._St: torch.Tensor | None = None  # Sᵀ, built on the first Zᵀ product

    def mm(self, Q: torch.Tensor) -> torch.Tensor:
        """Z Q for Q (d2, p)."""
        return self.L @ (self.R.T @ Q) + self._S @ Q

    def rmm(self, P: torch.Tensor) -> torch.Tensor:
        """Zᵀ P for P (d1, p)."""
        if self._St is None:
            self._St = self.obs.csr(self.s, transpose=True)
        return self.R @ (self.L.T @ P) + self._St @ P

    def fro2(self) -> float:
        """‖Z‖²_F = tr(LᵀL RᵀR) + 2 tr(Lᵀ S R) + ‖s‖² (no d1 × d2 matrix, no (|Ω|, q) gather)."""
        low = float(((self.L.T @ self.L) * (self.R.T @ self.R)).sum())
        cross = float((self.L * (self._S @ self.R)).sum())
        return low + 2 * cross + float(self.s @ self.s)

    def minus(self, other: FactoredIterate) -> FactoredIterate:
        return FactoredIterate(
            self.obs,
            torch.cat([self.L, -other.L], 1),
            torch.cat([self.R, other.R], 1),
            self.s - other.s,
        )

    def project_out(self, V: torch.Tensor) -> FactoredIterate:
        """Z (I − V Vᵀ) for orthonormal V (d2, r), still low rank plus sparse."""
        SV = self._S @ V
        R = self.R - V @ (V.T @ self.R)
        return FactoredIterate(self.obs, torch.cat([self.L, -SV], 1), torch.cat([R, V], 1), self.s)


def top_eigenpairs(
    X: FactoredIterate, Q: torch.Tensor, d1: int
) -> tuple[torch.Tensor, torch.Tensor]:
    """Top q eigenpairs of G = XᵀX/d1 from the block Q (d2, q): one power step, then
    Rayleigh–Ritz (an SVD of the d1 × q block X·Q). Returns g (q,) descending, U (d2, q)."""
    Q = torch.linalg.qr(X.rmm(X.mm(Q))).Q
    _, sig, Bt = torch.linalg.svd(X.mm(Q), full_matrices=False)
    return sig.square() / d1, Q @ Bt.T


class LowRankKernel(Kernel):
    """K_t ≈ Φ_t Φ_tᵀ on the top eigenpairs of G_t (module docstring); K_0 = I, features on the
    columns, ``replace`` always; ``rule`` the :class:`SpectralRule` whose rank estimate sets the
    truncation."""

    name = "lowrank"

    def __init__(
        self, obs: Observed, y: torch.Tensor, o: CompletionOptions, rule: SpectralRule, solver: str
    ):
        super().__init__(obs, y, o, solver)
        d1, d2 = obs.shape
        dev, dt = y.device, y.dtype
        self.q_cap = max(rule.q, min(d2 // 2, MAX_BLOCK))
        # the first block has room for the largest margin: r_max + 1 + 2 r_max + oversample
        q = min(max(rule.q, (1 + MARGIN_PER_RANK) * rule.r_max + 1 + rule.oversample), self.q_cap)
        self.blocks = [
            tuple(torch.as_tensor(a, device=dev) for a in (b.rows, b.cols, b.pos, b.valid))
            for b in obs.padded(o.chunk_elements, width=q)
        ]
        self.gen = torch.Generator(device=dev).manual_seed(0)
        self.Q = torch.randn(d2, q, generator=self.gen, device=dev, dtype=dt)
        n_sketch = min(d2, SKETCH_COLUMNS)
        self.sketch = torch.randn(
            d2, n_sketch, generator=self.gen, device=dev, dtype=dt
        ) / math.sqrt(n_sketch)
        self.X: FactoredIterate | None = None
        self.x2 = 0.0
        self.g: torch.Tensor | None = None
        self.U: torch.Tensor | None = None
        self.f: torch.Tensor | None = None
        self.maps: list[FactoredIterate] = []  # the last map values F(X_j), for the mixing
        self.x_sketch: torch.Tensor | None = None

    def spectrum(self) -> Spectrum:
        if self.g is None:  # t = 0: K_0 = I
            return Spectrum(1.0, self.y.dtype)
        X, U, x2 = self.X, self.U, self.x2

        def tail(r: int) -> float:
            return X.project_out(U[:, :r]).fro2() / x2 if x2 > 0 else 0.0

        scale = float(self.f.sum()) / self.obs.d2
        return Spectrum(scale, self.y.dtype, x2 / self.obs.d1, lambda q: self.g, tail)

    def update(self, t: int, X: FactoredIterate) -> None:
        """The top eigenpairs (g, U) of G_t = XᵀX/d1 from the carried block; f = (g + ε)^{2α}."""
        self.X = X
        self.g, self.U = top_eigenpairs(X, self.Q, self.obs.d1)
        self.f = kernel_eigenvalues(self.g, self.o.alpha, self.o.eps)

    def regress(self, t: int, lam: float, rule: SpectralRule) -> tuple[FactoredIterate, float]:
        """The ridge regressions on Φ = U_k diag(f_k)^{1/2}; Z = P Φᵀ + S (S re-imposes Y_Ω)."""
        d2 = self.obs.d2
        if self.g is None:  # t = 0, K_0 = I: γ = y/(1 + λ), Z_0 = Y_Ω zero-filled
            zero = self.y.new_zeros((self.obs.d1, 0)), self.y.new_zeros((d2, 0))
            return FactoredIterate(self.obs, *zero, self.y.clone()), lam / (1 + lam)
        U, f = self.U, self.f
        # every tracked eigenvalue above the shift λ and a margin (MatrixIRLS's truncation); the
        # block grows while eigenvalues above λ reach its edge
        wanted = int((f > lam).sum()) + rule.oversample
        if not rule.separated:
            wanted += MARGIN_PER_RANK * rule.rank
        k = min(U.shape[1], wanted)
        Phi = U[:, :k] * f[:k].sqrt()
        self.Q = U[:, : max(rule.q, wanted + rule.oversample)] if rule.separated else U
        if wanted > U.shape[1] and U.shape[1] < self.q_cap:
            grow = min(self.q_cap, max(2 * U.shape[1], wanted + rule.oversample)) - U.shape[1]
            fresh = torch.randn(d2, grow, generator=self.gen, device=U.device, dtype=U.dtype)
            self.Q = torch.cat([U, fresh], 1)
        P, pred = ridge_rows(self.blocks, self.obs.d1, Phi, self.y, lam)
        check_finite(self.solver, t, P)
        residual = float(torch.linalg.norm(pred - self.y)) / self.y_norm
        return FactoredIterate(self.obs, P, Phi, self.y - pred), residual

    def change(self, Z: FactoredIterate, X: FactoredIterate | None) -> float:
        """‖Z_t − X_{t−1}‖_F / ‖X_{t−1}‖_F in factored form (inf at t = 0)."""
        if X is None:
            self.x2 = Z.fro2()
            self.maps, self.x_sketch = [Z], Z.mm(self.sketch)
            return float("inf")
        return math.sqrt(max(Z.minus(X).fro2(), 0.0) / max(self.x2, 1e-300))

    def mix(self, mixer: Anderson, X: FactoredIterate, Z: FactoredIterate) -> FactoredIterate:
        """Anderson weights fitted on the sketches X·Ω, Z·Ω; the combination in factored form."""
        self.x_sketch = mixer.step(self.x_sketch, Z.mm(self.sketch))
        self.maps = [*self.maps, Z][-(self.o.memory + 1) :]
        if mixer.gamma is not None:
            Z = combine(self.maps[-(mixer.gamma.numel() + 1) :], mixer.gamma, self.y)
        self.x2 = Z.fro2()
        return Z

    def restart(self, Z: FactoredIterate) -> FactoredIterate:
        self.maps, self.x_sketch = [Z], Z.mm(self.sketch)
        self.x2 = Z.fro2()
        return Z

    def factors(self, Z: FactoredIterate) -> LowRankCompletion:
        o = self.obs
        rows, cols = o.rows_np, o.cols_np
        return LowRankCompletion(to_numpy(Z.L), to_numpy(Z.R), rows, cols, to_numpy(self.y))

    def numpy(self, Z: FactoredIterate) -> np.ndarray:
        return self.factors(Z).dense()

    def entries(self, Z: FactoredIterate) -> Callable[[np.ndarray, np.ndarray], np.ndarray]:
        return self.factors(Z).entries


def ridge_rows(
    blocks: list[tuple[torch.Tensor, ...]], d1: int, Phi: torch.Tensor, y: torch.Tensor, lam: float
) -> tuple[torch.Tensor, torch.Tensor]:
    """c_i = (Φ_iᵀΦ_i + λI)^{-1} Φ_iᵀ y_i for every row (P: d1 × k) and (PΦᵀ)_Ω (n,), for the
    padded row ``blocks`` (rows, cols, pos, valid) of :meth:`Observed.padded`."""
    k = Phi.shape[1]
    dev, dt = Phi.device, Phi.dtype
    Phi_pad = torch.cat([Phi, torch.zeros(1, k, dtype=dt, device=dev)])
    y_pad = torch.cat([y, torch.zeros(1, dtype=dt, device=dev)])
    P = torch.zeros(d1, k, dtype=dt, device=dev)
    pred = torch.empty(y.numel(), dtype=dt, device=dev)
    eye = torch.eye(k, dtype=dt, device=dev)
    for rows, idx, ypos, valid in blocks:
        F = Phi_pad[idx]  # (b, m, k)
        A = torch.baddbmm(eye * lam, F.transpose(1, 2), F)  # (b, k, k)
        c = spd_solve(A, F.transpose(1, 2) @ y_pad[ypos].unsqueeze(2))  # (b, k, 1)
        P[rows] = c.squeeze(2)
        pred[ypos[valid]] = (F @ c).squeeze(2)[valid]
    return P, pred


def combine(F: list[FactoredIterate], gamma: torch.Tensor, y: torch.Tensor) -> FactoredIterate:
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
    return FactoredIterate(obs, L, R, y - pred)
