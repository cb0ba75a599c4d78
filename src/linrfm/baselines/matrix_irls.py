"""MatrixIRLS (Kümmerle & Verdun, "A scalable second order method for ill-conditioned matrix
completion from few samples", ICML 2021), written from the paper.

Iteratively reweighted least squares for the smoothed log-det objective
F_ε(X) = Σ_i f_ε(σ_i(X)), f_ε(σ) = log max(σ, ε) + ½ (min(σ, ε)²/ε² − 1). Iteration k:

1. the rank-R_k truncated SVD X_k ≈ U_k diag(σ) V_kᵀ (U_k (d1, R_k), V_k (d2, R_k)) with
   ε_k = min(ε_{k−1}, σ_{r+1}(X_k)) and R_k = |{i : σ_i(X_k) > ε_k}|;
2. the two-sided weight operator W_k(Z) = U [H ∘ (Uᵀ Z V)] Vᵀ (U, V the full singular bases of
   X_k), H_ij = 1 / h(s_i, s_j), s_i = max(σ_i, ε_k): h = s_i s_j (``mean="geometric"``, the
   authors' "optimal" mean for p = 0 and what their published runs use) or h = (s_i² + s_j²)/2
   (``mean="harmonic"``, the harmonic mean of the one-sided weights (XXᵀ + …)⁻¹, (XᵀX + …)⁻¹ of
   HM-IRLS). Off the first R_k singular directions H_ij = ε_k⁻², so W_k depends on the truncated
   SVD alone;
3. X_{k+1} = argmin ⟨X, W_k X⟩ subject to X_Ω = y, which equals
   X_{k+1} = P_Tᵗ(γ) + P_Ωᵗ(y − P_Ω P_Tᵗ γ), where T = T_k = {U M1ᵀ + M2 Vᵀ} is the tangent space
   at the truncated SVD, γ its coordinates (Γ1 (R, R), Γ2 (R, d2) with Γ2 V = 0, Γ3 (d1, R) with
   Uᵀ Γ3 = 0; P_Tᵗ γ = U Γ1 Vᵀ + U Γ2 + Γ3 Vᵀ) and γ solves the (R (d1 + d2 + R))-dimensional
   system (Woodbury on P_Ω W_k⁻¹ P_Ωᵗ = ε² I + P_Ω P_Tᵗ D P_T P_Ωᵗ)

       (ε_k² D⁻¹ + P_T P_Ωᵗ P_Ω P_Tᵗ) γ = P_T P_Ωᵗ y,     D = diag(h_ij − ε_k²) on T,

   solved by preconditioned conjugate gradients (preconditioner diag(p + ε² D⁻¹)⁻¹, p =
   |Ω|/(d1 d2)) from the coordinates of P_T(X_k). No d1 × d2 operator is formed: the iterate is
   kept as low rank plus sparse on Ω, X = L Rᵀ + P_Ωᵗ(s), and the truncated SVD is a block Krylov
   method on its products (dense SVD when the matrix is small).

Stops (``linrfm.Status``): ``TOLERANCE`` when ‖X_{k+1} − X_k‖_F / ‖X_{k+1}‖_F < ``tol``
(the authors' rule, 1e-9 in their experiments); ``CERTIFIED`` when ε_k ≤ ``eps_min`` (σ_{r+1}(X_k)
has vanished: X_k has rank r); ``CALLBACK``; ``MAX_ITER``.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from .._backend import as_tensor, resolve_device, resolve_dtype, to_numpy
from ..result import Callback, IterationState, Result
from ..solvers import _driver
from ..solvers.lowrank import LowRankCompletion
from ..validation import (
    check_completion_input,
    check_int,
    check_nonnegative,
    check_params,
    check_positive,
)

MEANS = ("geometric", "harmonic")
#: σ_i counts as above ε when σ_i > ε (1 + _ABOVE): keeps h_ij − ε² > 0 in D
_ABOVE = 1e-10


def _csr(crow: torch.Tensor, col: torch.Tensor, values: torch.Tensor, shape) -> torch.Tensor:
    """A CSR tensor from valid indices (torch's "beta" notice silenced)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Sparse CSR tensor support", category=UserWarning)
        return torch.sparse_csr_tensor(crow, col, values, shape, check_invariants=False)


class Omega:
    """Ω in row-major order, as torch index tensors, with sparse builders for P_Ωᵗ(s) and its
    transpose (s (m,) values in row-major order)."""

    def __init__(self, rows: np.ndarray, cols: np.ndarray, shape: tuple[int, int], device, dtype):
        order = np.lexsort((cols, rows))
        rows, cols = rows[order].astype(np.int64), cols[order].astype(np.int64)
        self.d1, self.d2 = shape
        self.m = rows.size
        self.rows_np, self.cols_np = rows, cols
        self.order = order
        t = lambda a: torch.as_tensor(a, device=device)  # noqa: E731
        self.rows, self.cols = t(rows), t(cols)
        self.crow = t(np.concatenate([[0], np.cumsum(np.bincount(rows, minlength=self.d1))]))
        tperm = np.lexsort((rows, cols))
        self.tperm = t(tperm)
        self.tcrow = t(np.concatenate([[0], np.cumsum(np.bincount(cols, minlength=self.d2))]))
        self.trows = t(rows[tperm])
        self.linear = rows * self.d2 + cols  # sorted (row-major)
        self.device, self.dtype = device, dtype

    def S(self, s: torch.Tensor) -> torch.Tensor:
        """P_Ωᵗ(s) as a (d1, d2) sparse CSR tensor."""
        return _csr(self.crow, self.cols, s, (self.d1, self.d2))

    def St(self, s: torch.Tensor) -> torch.Tensor:
        """P_Ωᵗ(s)ᵀ as a (d2, d1) sparse CSR tensor."""
        return _csr(self.tcrow, self.trows, s[self.tperm], (self.d2, self.d1))

    def gather(self, A: torch.Tensor, B: torch.Tensor) -> torch.Tensor:
        """(A Bᵀ)_Ω for A (d1, q), B (d2, q): Σ_k A[i, k] B[j, k] over (i, j) ∈ Ω."""
        if A.shape[1] == 0:
            return torch.zeros(self.m, device=self.device, dtype=self.dtype)
        return (A[self.rows] * B[self.cols]).sum(1)


class Iterate:
    """X = L Rᵀ + P_Ωᵗ(s): L (d1, q), R (d2, q), s (m,); products with X and Xᵀ only."""

    def __init__(self, om: Omega, L: torch.Tensor, R: torch.Tensor, s: torch.Tensor):
        self.om, self.L, self.R, self.s = om, L, R, s
        self._S, self._St = om.S(s), om.St(s)

    def mm(self, Q: torch.Tensor) -> torch.Tensor:
        """X Q for Q (d2, b)."""
        return self.L @ (self.R.T @ Q) + self._S @ Q

    def rmm(self, P: torch.Tensor) -> torch.Tensor:
        """Xᵀ P for P (d1, b)."""
        return self.R @ (self.L.T @ P) + self._St @ P

    def fro2(self) -> float:
        """‖X‖²_F = tr(LᵀL RᵀR) + 2 Σ_Ω (L Rᵀ)_Ω s + ‖s‖² (no d1 × d2 matrix)."""
        low = float(((self.L.T @ self.L) * (self.R.T @ self.R)).sum())
        cross = float(self.om.gather(self.L, self.R) @ self.s)
        return max(low + 2 * cross + float(self.s @ self.s), 0.0)

    def minus(self, other: Iterate) -> Iterate:
        return Iterate(
            self.om,
            torch.cat([self.L, -other.L], 1),
            torch.cat([self.R, other.R], 1),
            self.s - other.s,
        )

    def dense(self) -> torch.Tensor:
        X = self.L @ self.R.T
        X[self.om.rows, self.om.cols] += self.s
        return X


def top_svd(
    X: Iterate, k: int, V0: torch.Tensor | None, gen: torch.Generator, depth: int = 6
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """The k leading singular triplets (U (d1, k), σ (k,), V (d2, k)) of X: block Krylov
    (block size k + max(k, 8), ``depth`` powers of X Xᵀ, Rayleigh–Ritz), started from V0 (the
    previous right singular vectors) and Gaussian columns; a dense SVD when the Krylov basis
    would not be smaller than min(d1, d2)."""
    d1, d2 = X.om.d1, X.om.d2
    b = k + max(k, 8)
    if b * (depth + 1) >= min(d1, d2):
        U, s, Vh = torch.linalg.svd(X.dense(), full_matrices=False)
        return U[:, :k], s[:k], Vh[:k].T
    dtype, device = X.s.dtype, X.s.device
    G = torch.randn(d2, b, generator=gen, dtype=torch.float64).to(device=device, dtype=dtype)
    if V0 is not None and V0.shape[1] > 0:
        q = min(V0.shape[1], b)
        G[:, :q] = V0[:, :q]
    Q = torch.linalg.qr(X.mm(G)).Q
    blocks = [Q]
    for _ in range(depth):
        Q = torch.linalg.qr(X.mm(X.rmm(Q))).Q
        blocks.append(Q)
    Q = torch.linalg.qr(torch.cat(blocks, 1)).Q
    Ub, s, Vh = torch.linalg.svd(X.rmm(Q).T, full_matrices=False)
    return Q @ Ub[:, :k], s[:k], Vh[:k].T


def weights(sigma: torch.Tensor, eps: float, mean: str) -> tuple[torch.Tensor, torch.Tensor]:
    """The diagonal ε² D⁻¹ = ε² / (h_ij − ε²) of the tangent-space system for the R singular
    values ``sigma`` > ε: W1 (R, R) on Γ1 (both indices ≤ R) and w (R,), the weight of row i of
    Γ2 and of column i of Γ3 (one index ≤ R, the other beyond, where s = ε)."""
    s = torch.clamp(sigma, min=eps)
    e = torch.as_tensor(eps, dtype=s.dtype, device=s.device)
    if mean == "geometric":
        h1, h2 = s[:, None] * s[None, :], s * e
    else:
        h1, h2 = (s[:, None] ** 2 + s[None, :] ** 2) / 2, (s**2 + e**2) / 2
    return e**2 / (h1 - e**2), e**2 / (h2 - e**2)


class Tangent:
    """The tangent space T at U (d1, R), V (d2, R) in extrinsic coordinates γ = (Γ1, Γ2, Γ3),
    flattened to a vector of R² + R d2 + d1 R entries."""

    def __init__(self, om: Omega, U: torch.Tensor, V: torch.Tensor):
        self.om, self.U, self.V = om, U, V
        self.R = U.shape[1]
        self.sizes = (self.R * self.R, self.R * om.d2, om.d1 * self.R)

    def split(self, g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        a, b, c = torch.split(g, self.sizes)
        return (
            a.view(self.R, self.R),
            b.view(self.R, self.om.d2),
            c.view(self.om.d1, self.R),
        )

    def factors(self, g: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """P_Tᵗ γ = U Γ1 Vᵀ + U Γ2 + Γ3 Vᵀ = L Rᵀ with L = [U, Γ3], R = [V Γ1ᵀ + Γ2ᵀ, V]."""
        G1, G2, G3 = self.split(g)
        return torch.cat([self.U, G3], 1), torch.cat([self.V @ G1.T + G2.T, self.V], 1)

    def constrain(self, g: torch.Tensor) -> torch.Tensor:
        """γ with Γ2 V = 0 and Uᵀ Γ3 = 0 imposed (the orthogonal projection onto the coordinates
        of T; CG's rounding drifts off them, where the system is not symmetric)."""
        G1, G2, G3 = self.split(g)
        G2 = G2 - (G2 @ self.V) @ self.V.T
        G3 = G3 - self.U @ (self.U.T @ G3)
        return torch.cat([G1.reshape(-1), G2.reshape(-1), G3.reshape(-1)])

    def sample(self, g: torch.Tensor) -> torch.Tensor:
        """P_Ω P_Tᵗ γ (m,)."""
        G1, G2, G3 = self.split(self.constrain(g))
        om = self.om
        return om.gather(self.U @ G1 + G3, self.V) + om.gather(self.U, G2.T)

    def coords(self, XV: torch.Tensor, UtX: torch.Tensor) -> torch.Tensor:
        """P_T(X) from X V (d1, R) and Uᵀ X (R, d2): Γ1 = Uᵀ X V, Γ2 = Uᵀ X (I − V Vᵀ),
        Γ3 = (I − U Uᵀ) X V."""
        G1 = self.U.T @ XV
        G2 = UtX - G1 @ self.V.T
        G3 = XV - self.U @ G1
        return torch.cat([G1.reshape(-1), G2.reshape(-1), G3.reshape(-1)])

    def adjoint_sample(self, v: torch.Tensor) -> torch.Tensor:
        """P_T P_Ωᵗ v for v (m,)."""
        return self.coords(self.om.S(v) @ self.V, (self.om.St(v) @ self.U).T)

    def project(self, X: Iterate) -> torch.Tensor:
        """P_T(X) for a low-rank-plus-sparse X."""
        return self.coords(X.mm(self.V), X.rmm(self.U).T)

    def weight_vector(self, W1: torch.Tensor, w: torch.Tensor) -> torch.Tensor:
        d1, d2 = self.om.d1, self.om.d2
        return torch.cat([W1.reshape(-1), w[:, None].expand(-1, d2).reshape(-1), w.repeat(d1)])


def pcg(
    apply: Callable[[torch.Tensor], torch.Tensor],
    b: torch.Tensor,
    precond: torch.Tensor,
    tol: float,
    max_iter: int,
    project: Callable[[torch.Tensor], torch.Tensor] = lambda v: v,
) -> tuple[torch.Tensor, int, float]:
    """Preconditioned CG for apply(x) = b from x = 0 (preconditioner v ↦ project(precond · v));
    stops at ‖r‖ ≤ tol ‖b‖. Returns (x, iterations, relative residual). ``project`` keeps the
    search directions on the subspace where ``apply`` is SPD: rounding off it is otherwise
    amplified as the residual shrinks, until CG breaks down."""
    x = torch.zeros_like(b)
    bnorm = float(torch.linalg.norm(b))
    if bnorm == 0.0:
        return x, 0, 0.0
    r = b.clone()
    z = project(precond * r)
    p = z.clone()
    rz = float(r @ z)
    rel = 1.0
    for it in range(1, max_iter + 1):
        Ap = apply(p)
        pAp = float(p @ Ap)
        if pAp <= 0:
            return x, it - 1, rel
        a = rz / pAp
        x.add_(p, alpha=a)
        r.sub_(Ap, alpha=a)
        rel = float(torch.linalg.norm(r)) / bnorm
        if rel <= tol:
            return x, it, rel
        z = project(precond * r)
        rz_new = float(r @ z)
        p.mul_(rz_new / rz).add_(z)
        rz = rz_new
    return x, max_iter, rel


def wls_step(
    om: Omega,
    y: torch.Tensor,
    U: torch.Tensor,
    V: torch.Tensor,
    sigma: torch.Tensor,
    eps: float,
    *,
    mean: str = "geometric",
    start: Iterate | None = None,
    cg_tol: float = 1e-9,
    cg_max_iter: int = 500,
) -> tuple[Iterate, int, float]:
    """One weighted least-squares step: X = argmin ⟨X, W X⟩ s.t. X_Ω = y for the weight operator
    W of (U (d1, R), σ (R,), V (d2, R), ε) (module docstring, step 3), by CG on the tangent
    space system started at P_T(start). Returns (X as L Rᵀ + P_Ωᵗ(s), CG iterations, CG
    relative residual)."""
    T = Tangent(om, U, V)
    W1, w = weights(sigma, eps, mean)
    wvec = T.weight_vector(W1, w)
    p = om.m / (om.d1 * om.d2)

    def apply(g: torch.Tensor) -> torch.Tensor:
        return T.adjoint_sample(T.sample(g)) + wvec * T.constrain(g)

    rhs = T.adjoint_sample(y)
    g0 = T.project(start) if start is not None else torch.zeros_like(rhs)
    b = T.constrain(rhs - apply(g0))
    delta, n_cg, rel = pcg(apply, b, 1.0 / (p + wvec), cg_tol, cg_max_iter, T.constrain)
    g = T.constrain(g0 + delta)
    L, R = T.factors(g)
    return Iterate(om, L, R, y - T.sample(g)), n_cg, rel


def _spectrum(
    X: Iterate,
    rank: int,
    eps_prev: float,
    eps_min: float,
    k: int,
    max_rank: int,
    V0: torch.Tensor | None,
    gen: torch.Generator,
    depth: int,
) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, float, torch.Tensor]:
    """Truncated SVD of X, ε = max(min(ε_prev, σ_{r+1}), eps_min) and R = |{σ_i > ε}| (more
    triplets, doubling up to ``max_rank``, while all computed ones exceed ε). Returns
    (U, σ, V) cut to R, ε, and all computed σ."""
    k = min(max(k, rank + 1), max_rank)
    while True:
        U, s, V = top_svd(X, k, V0, gen, depth)
        eps = max(min(eps_prev, float(s[rank])), eps_min)
        R = int((s > eps * (1 + _ABOVE)).sum())
        if R < k or k >= max_rank:
            return U[:, :R], s[:R], V[:, :R], eps, s
        k = min(2 * k, max_rank)


class _IRLSMap:
    """MatrixIRLS as a driver map: t = 0 is X_0 = P_Ωᵗ(y); step t one reweighted LS solve."""

    name = "matrix_irls"

    def __init__(self, om, y, rank, mean, eps_min, max_rank, cg_tol, cg_max_iter, gen, depth):
        self.om, self.y, self.rank, self.mean = om, y, rank, mean
        self.eps_min, self.max_rank = eps_min, max_rank
        self.cg_tol, self.cg_max_iter, self.gen, self.depth = cg_tol, cg_max_iter, gen, depth
        self.ynorm = max(float(torch.linalg.norm(y)), 1e-300)
        self.eps = float("inf")
        self.trace: dict[str, list[Any]] = {"eps": [], "rank": [], "cg_iter": [], "cg_relres": []}
        self.X: Iterate | None = None
        self.U = self.V = self.sigma = None

    def _reweight(self, X: Iterate) -> None:
        _driver.check_finite(self.name, len(self.trace["eps"]), X.L, X.R, X.s)
        k = self.rank + 1 if self.U is None else self.U.shape[1]
        V0 = None if self.V is None else self.V
        self.U, self.sigma, self.V, self.eps, self.all_sigma = _spectrum(
            X, self.rank, self.eps, self.eps_min, k, self.max_rank, V0, self.gen, self.depth
        )
        self.trace["eps"].append(self.eps)
        self.trace["rank"].append(int(self.sigma.numel()))

    def _step(self, X: Iterate, change: float, n_cg: int, rel: float) -> _driver.Step:
        self.X = X
        self.trace["cg_iter"].append(n_cg)
        self.trace["cg_relres"].append(rel)
        self._reweight(X)
        residual = float(torch.linalg.norm(X.s)) / self.ynorm
        return _driver.Step(residual, change, certified=self.eps <= self.eps_min)

    def first(self) -> _driver.Step:
        om = self.om
        empty = torch.zeros(om.d1, 0, dtype=self.y.dtype, device=self.y.device)
        X = Iterate(om, empty, empty.new_zeros(om.d2, 0), self.y.clone())
        return self._step(X, float("inf"), 0, 0.0)

    def step(self, t: int) -> _driver.Step:
        X_old = self.X
        X, n_cg, rel = wls_step(
            self.om,
            self.y,
            self.U,
            self.V,
            self.sigma,
            self.eps,
            mean=self.mean,
            start=X_old,
            cg_tol=self.cg_tol,
            cg_max_iter=self.cg_max_iter,
        )
        change = np.sqrt(X.minus(X_old).fro2()) / max(np.sqrt(X.fro2()), 1e-300)
        return self._step(X, float(change), n_cg, rel)

    def advance(self) -> None:
        pass

    def factors(self) -> LowRankCompletion:
        om, X = self.om, self.X
        y = to_numpy(self.y)
        return LowRankCompletion(to_numpy(X.L), to_numpy(X.R), om.rows_np, om.cols_np, y)

    def state(self, t: int, step: _driver.Step) -> IterationState:
        X, om = self.X, self.om

        def entries(i: np.ndarray, j: np.ndarray) -> np.ndarray:
            L, R, s = to_numpy(X.L), to_numpy(X.R), to_numpy(X.s)
            out = np.einsum("...k,...k->...", L[i], R[j]).astype(np.float64)
            lin = np.asarray(i) * om.d2 + np.asarray(j)
            pos = np.clip(np.searchsorted(om.linear, lin), 0, om.m - 1)
            hit = om.linear[pos] == lin
            out[hit] += s[pos[hit]]
            return out

        return IterationState(
            t,
            step.residual,
            step.rel_change,
            lambda: to_numpy(X.dense()),
            rank=int(self.sigma.numel()),
            entries=entries,
        )


def matrix_irls(
    Y: np.ndarray,
    mask: np.ndarray,
    *,
    rank: int,
    max_iter: int = 400,
    tol: float = 1e-9,
    mean: str = "geometric",
    cg_tol: float = 1e-9,
    cg_max_iter: int = 500,
    eps_min: float = 1e-15,
    max_rank: int | None = None,
    svd_depth: int = 6,
    seed: int = 0,
    callback: Callback | None = None,
    log_every: int = 0,
    device: str | torch.device | None = None,
    dtype: Any = None,
) -> Result:
    """MatrixIRLS completion of the (d1, d2) matrix ``Y`` from its entries in Ω = ``mask``, given
    the rank r (module docstring for the iteration and its stops).

    Parameters
    ----------
    Y : (d1, d2) array; entries off ``mask`` are never read (NaN allowed there).
    mask : (d1, d2) bool, the observed set Ω (non-empty).
    rank : r, 1 ≤ r < min(d1, d2): the model order in ε_k = min(ε_{k−1}, σ_{r+1}(X_k)).
    max_iter, tol : at most ``max_iter`` reweighted LS solves; stop when
        ‖X_{k+1} − X_k‖_F / ‖X_{k+1}‖_F < tol (the authors' experiments: 400, 1e-9).
    mean : "geometric" (H_ij = 1/(s_i s_j), the authors' default for p = 0) or "harmonic"
        (H_ij = 2/(s_i² + s_j²)).
    cg_tol, cg_max_iter : CG stops at relative residual ``cg_tol`` or after ``cg_max_iter``
        iterations (the authors' experiments: 1e-9, 500).
    eps_min : stop (``CERTIFIED``) once ε_k ≤ eps_min.
    max_rank : cap on R_k, the number of singular triplets kept (default min(d1, d2)).
    svd_depth : powers of X Xᵀ in the block Krylov truncated SVD.
    seed : seeds the Krylov method's Gaussian start (drawn on the CPU, so every device agrees).
    callback : ``callback(state) -> bool`` after every iteration (an
        :class:`~linrfm.result.IterationState`; ``state.entries(i, j)`` reads X_k without
        forming it, ``state.rank`` is R_k); True stops.
    log_every : log every ``log_every`` iterations (0: never).
    device, dtype : torch device (None: CUDA if available) and float64 (default) or float32.

    Returns
    -------
    :class:`~linrfm.result.Result` whose ``x`` is a factored
    :class:`~linrfm.solvers.lowrank.LowRankCompletion` (X = L Rᵀ off Ω, X_Ω = y;
    ``.dense()``, ``.entries(i, j)``); ``history.residual`` is ‖P_Ω(L Rᵀ) − y‖ / ‖y‖ (X itself
    interpolates y); ``extras``: ``eps`` (ε_k), ``rank`` (R_k), ``cg_iter``, ``cg_relres`` per
    iteration and ``sigma`` (the last computed singular values).
    """
    Y, mask = check_completion_input(Y, mask)
    d1, d2 = Y.shape
    rank = check_int("rank", rank, 1)
    if rank >= min(d1, d2):
        raise ValueError(f"rank = {rank} must be < min(d1, d2) = {min(d1, d2)}")
    max_iter, tol, log_every, seed = check_params(
        max_iter=max_iter, tol=tol, log_every=log_every, seed=seed
    )
    if mean not in MEANS:
        raise ValueError(f"mean must be one of {MEANS}, got {mean!r}")
    cg_tol = check_positive("cg_tol", cg_tol)
    cg_max_iter = check_int("cg_max_iter", cg_max_iter, 1)
    eps_min = check_nonnegative("eps_min", eps_min)
    svd_depth = check_int("svd_depth", svd_depth, 1)
    if max_rank is None:
        max_rank = min(d1, d2)
    max_rank = check_int("max_rank", max_rank, rank + 1)
    max_rank = min(max_rank, min(d1, d2))
    dev, dt = resolve_device(device), resolve_dtype(dtype)

    rows, cols = np.nonzero(mask)
    om = Omega(rows, cols, (d1, d2), dev, dt)
    y = as_tensor(Y[om.rows_np, om.cols_np], dev, dt)
    gen = torch.Generator().manual_seed(seed)
    f = _IRLSMap(om, y, rank, mean, eps_min, max_rank, cg_tol, cg_max_iter, gen, svd_depth)
    out = _driver.run(
        "matrix_irls",
        f,
        max_iter=max_iter,
        tol=tol,
        callback=callback,
        log_every=log_every,
        certificate=lambda: f"ε_k = {f.eps:.2e} <= eps_min = {eps_min:.1e}",
    )
    extras = {k: np.asarray(v) for k, v in f.trace.items()}
    extras["sigma"] = to_numpy(f.all_sigma)
    return _driver.result(out, f.factors(), extras)
