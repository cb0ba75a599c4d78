"""Closed forms and small direct computations for the paper's theory (Sections 2.3, 3, App. D, F).

Symbols follow the paper (Radhakrishnan, Belkin, Drusvyatskiy, PNAS 2025):

- φ(s) = (s + ε)^α acts on symmetric matrices through their eigenvalues.
- Theorem 1 / Corollary 1: the fixed points Z of (4) are critical points of Σ_j ψ(σ_j(Z)) subject
  to 𝒜(Z) = y, with ψ(r) = ∫_0^r s / φ(s²)² ds, i.e. ψ'(r) = r / (r² + ε)^{2α}.
- Theorem 3 (deep lin-RFM, Algorithm 2, φ_ℓ(s) = (s + ε)^{α_ℓ}): the fixed-point layer matrices are
  M^(ℓ) = h_ℓ(·) of the singular values s of Z, with h_1(s) = (s² + ε)^{α_1} and
  h_ℓ(s) = (s² h_1(s)^{-2} ⋯ h_{ℓ-1}(s)^{-2} + ε)^{α_ℓ} (Eq. 11). Step 1 of Algorithm 2 is
  Z = argmin ||Z P^{-1}||_F subject to 𝒜(Z) = y with P = M^(L) ⋯ M^(1), so the first-order condition
  is 2 Z P^{-2} + 𝒜*(λ) = 0 (Eq. 14) and the singular values of Z P^{-2} are
  κ_ε(s) = s h_1(s)^{-2} ⋯ h_L(s)^{-2}: each h_ℓ carries the exponent −2, not +1 as printed in
  Appendix D (κ_ε(x) = x h_1(x) ⋯ h_L(x)). As ε → 0, h_ℓ(s) → s^{2 c_ℓ} with
  c_ℓ = α_ℓ Π_{j<ℓ} (1 − 2α_j) (no outer sum), hence κ_0(s) = s^{1 − 4 Σ c_ℓ} and
  ψ_0(r) = r^{2 − 4Σc} / (2 − 4Σc), where 2 − 4Σc = 2 Π_ℓ (1 − 2α_ℓ).
- Appendix F, Proposition 2 (3 × 2 example Y11 = a, Y12 = b, Y21 = c, Y32 = d observed, φ = id,
  ε = 0, M_0 = I): Step 1 decouples over rows; row i observed on the column set S_i gives
  z_i = y_{S_i} (M_{:,S_i})^† M. For a single observed column j this is
  z_i = Y_ij (M²)_{j,:} / (M²)_{jj}, so Z_t = [[a, b], [c, c x_t], [d y_t, d]] with
  x_t = (M_t²)_12 / (M_t²)_11 and y_t = (M_t²)_12 / (M_t²)_22,
  and M_{t+1} = Z_tᵀ Z_t = [[A, B], [B, C]], A = a² + c² + d²y², B = ab + c²x + d²y,
  C = b² + d² + c²x². Hence (x_{t+1}, y_{t+1}) = f(x_t, y_t) with
  f(x, y) = (B(A + C) / (A² + B²), B(A + C) / (B² + C²)).

Everything here is plain numpy / scipy and independent of the solvers in ``linrfm.solvers``, so
notebooks can check the solvers against it and vice versa.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import NamedTuple

import numpy as np
from scipy.integrate import quad

ArrayLike = float | np.ndarray

# ----------------------------------------------------------------------------------------------
# Problems: y_i = ⟨A_i, Y#⟩ with indicator (completion) or Gaussian sensing matrices
# ----------------------------------------------------------------------------------------------


class SensingProblem(NamedTuple):
    """A sensing problem y_i = ⟨A_i, Y#⟩: A (n, d1, d2), y (n,), Y = Y# (d1, d2)."""

    A: np.ndarray
    y: np.ndarray
    Y: np.ndarray


def indicator_sensing(mask: np.ndarray) -> np.ndarray:
    """Indicator sensing matrices A_i = e_j e_kᵀ, one per observed entry (j, k) of ``mask``
    (row-major order, that of ``Y[mask]``): A (n, d1, d2) with ⟨A_i, Y⟩ = Y[j, k], i.e. matrix
    completion written as matrix sensing (Section 2.1)."""
    mask = np.asarray(mask, dtype=bool)
    if mask.ndim != 2:
        raise ValueError(f"mask must be a (d1, d2) array, got shape {mask.shape}")
    rows, cols = np.nonzero(mask)
    A = np.zeros((len(rows), *mask.shape))
    A[np.arange(len(rows)), rows, cols] = 1.0
    return A


def gaussian_sensing_problem(
    d1: int,
    d2: int,
    r: int,
    n: int,
    seed: int | np.random.SeedSequence | np.random.Generator,
    *,
    unit_entries: bool = True,
) -> SensingProblem:
    """Gaussian matrix sensing: A_i with i.i.d. N(0, 1) entries and y_i = ⟨A_i, Y#⟩.

    Y# = U G with U (d1 × r) and G (r × d2) i.i.d. N(0, 1), drawn in that order from ``seed``,
    then A (n × d1 × d2). The scaling of Y# is the parameter:

    - ``unit_entries=True``: Y# ← √(d1 d2) · Y# / ‖Y#‖_F, entries of mean square 1 (the scaling of
      ``linrfm.data.low_rank_matrix``; ``fixed_points`` and ``deep_linrfm_limits``);
    - ``unit_entries=False``: Y# = U G as drawn, entries of variance r (``irls_equivalence``,
      whose checks compare two algorithms and are scale free).

    A ``Generator`` is drawn from in place (so a notebook's stream continues after it). The draw
    order (G is r × d2, not V is d2 × r as in ``low_rank_matrix``) is the notebooks' own, kept so
    that their results do not change; this is why the generator lives here and not in
    ``linrfm.data``."""
    if seed is None:
        raise ValueError("seed is required: every draw must come from an explicit seed")
    rng = np.random.default_rng(seed)
    Y = rng.standard_normal((d1, r)) @ rng.standard_normal((r, d2))
    if unit_entries:
        Y *= np.sqrt(d1 * d2) / np.linalg.norm(Y)
    A = rng.standard_normal((n, d1, d2))
    return SensingProblem(A, np.einsum("nij,ij->n", A, Y), Y)


# ----------------------------------------------------------------------------------------------
# Theorem 1 and Corollary 1: ψ for φ(s) = (s + ε)^α
# ----------------------------------------------------------------------------------------------


def phi_power(s: ArrayLike, alpha: float, eps: float) -> np.ndarray:
    """φ(s) = (s + ε)^α (Corollary 1), elementwise."""
    return np.power(np.asarray(s, dtype=float) + eps, alpha)


def psi_prime(r: ArrayLike, alpha: float, eps: float) -> np.ndarray:
    """ψ'(r) = r / φ(r²)² = r / (r² + ε)^{2α} (proof of Theorem 1, Remarks after Corollary 1)."""
    r = np.asarray(r, dtype=float)
    return r / np.power(r * r + eps, 2.0 * alpha)


def psi_closed_form_kind(alpha: float) -> str:
    """Which closed form Corollary 1 gives: 'log' (α = 1/2), 'hyperbolic' (α = 1) or 'power'."""
    if np.isclose(alpha, 0.5):
        return "log"
    if np.isclose(alpha, 1.0):
        return "hyperbolic"
    return "power"


def psi_closed_form(r: ArrayLike, alpha: float, eps: float) -> np.ndarray:
    """The antiderivative of ψ' in Corollary 1 (Eq. 7 and the Remarks), as printed there.

    - α ≠ 1/2 (power):       (r² + ε)^{1−2α} / (2 − 4α)
      (α = 1, hyperbolic:    −1 / (2 (r² + ε)); with ε = 0 this is the −1/(2r²) of the Remarks)
    - α = 1/2 (log):          ½ log(r² + ε)

    This differs from ψ(r) = ∫_0^r ψ' by the constant ``psi_closed_form(0, α, ε)`` (finite for
    ε > 0), which does not change the critical points of (5); see :func:`psi_normalised`.
    """
    alpha = float(alpha)
    r2e = np.asarray(r, dtype=float) ** 2 + eps
    if psi_closed_form_kind(alpha) == "log":
        return 0.5 * np.log(r2e)
    return np.power(r2e, 1.0 - 2.0 * alpha) / (2.0 - 4.0 * alpha)


def psi_normalised(r: ArrayLike, alpha: float, eps: float) -> np.ndarray:
    """ψ normalised so that ψ(0) = 0 (Fig. 1B): ψ(r) − ψ(0) from the closed form; needs ε > 0 when
    α ≥ 1/2 (otherwise ψ(0) = −∞)."""
    return psi_closed_form(r, alpha, eps) - psi_closed_form(0.0, alpha, eps)


def psi_quad(r: ArrayLike, alpha: float, eps: float) -> np.ndarray:
    """ψ(r) = ∫_0^r s / (s² + ε)^{2α} ds by adaptive quadrature (``scipy.integrate.quad``)."""

    def one(x: float) -> float:
        pts = [np.sqrt(eps)] if 0.0 < np.sqrt(eps) < x else None
        val, _ = quad(lambda s: s / (s * s + eps) ** (2.0 * alpha), 0.0, x, points=pts, limit=200)
        return val

    r = np.asarray(r, dtype=float)
    return np.vectorize(one, otypes=[float])(r)


# ----------------------------------------------------------------------------------------------
# Theorem 1: first-order conditions and one step of the iteration (4)
# ----------------------------------------------------------------------------------------------


def spectral_gradient(Z: np.ndarray, dpsi: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """∇F(Z) = U diag(ψ'(σ)) Vᵀ for F(Z) = Σ_j ψ(σ_j(Z)) (Lewis [32, Thm 1.1]); ``dpsi`` = ψ'."""
    U, s, Vt = np.linalg.svd(Z, full_matrices=False)
    return (U * dpsi(s)) @ Vt


def range_residual(G: np.ndarray, A: np.ndarray) -> float:
    """||P_⊥ G||_F / ||G||_F, P_⊥ the projector onto range(𝒜*)^⊥ = span{A_i}^⊥.

    The first-order condition (6) of (5) says G = ∇F(Z) ∈ range(𝒜*); this is its relative
    violation. A (n, d1, d2)."""
    Ab = A.reshape(A.shape[0], -1).T  # columns vec(A_i)
    U, s, _ = np.linalg.svd(Ab, full_matrices=False)
    Q = U[:, s > s[0] * max(Ab.shape) * np.finfo(float).eps]
    g = G.ravel()
    return float(np.linalg.norm(g - Q @ (Q.T @ g)) / np.linalg.norm(g))


def fixed_rank_stationarity_residual(Z: np.ndarray, A: np.ndarray, k: int, p: float) -> float:
    """Stationarity of Σ_j σ_j^p / p on {rank k} ∩ {𝒜(X) = y} at the rank-k truncation of Z.

    With Z_k = U_k diag(σ) V_kᵀ, T the tangent space of the rank-k manifold at Z_k and
    N = T ∩ ker 𝒜, the (Riemannian) first-order condition is ⟨G, ξ⟩ = 0 for all ξ ∈ N, with
    G = U_k diag(σ^{p−1}) V_kᵀ. Returns ||P_N vec G|| / ||vec G|| (0 at a critical point; 0 too
    when N = {0}, i.e. when n ≥ k(d1 + d2 − k) generically). This is the ε → 0 form of the
    first-order conditions of (5) / Theorem 3 at a low-rank point, where ψ' is singular at 0."""
    d1, d2 = Z.shape
    Uf, s, Vft = np.linalg.svd(Z)
    U, V, Up = Uf[:, :k], Vft[:k].T, Uf[:, k:]
    # orthonormal basis of T: {U_k Xᵀ} ⊕ {U_⊥ Y V_kᵀ}
    basis = [np.outer(U[:, i], Vft[j]) for i in range(k) for j in range(d2)]
    basis += [np.outer(Up[:, i], V[:, j]) for i in range(d1 - k) for j in range(k)]
    BT = np.array([b.ravel() for b in basis]).T
    AT = A.reshape(A.shape[0], -1) @ BT
    _, sv, vt = np.linalg.svd(AT)
    rank = int(np.sum(sv > sv[0] * 1e-10))
    E = BT @ vt[rank:].T  # orthonormal basis of N
    g = ((U * s[:k] ** (p - 1.0)) @ V.T).ravel()
    return float(np.linalg.norm(E.T @ g) / np.linalg.norm(g))


def min_norm_step(A: np.ndarray, y: np.ndarray, M: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Step 1 of Algorithm 1: W = argmin ||W||_F s.t. ⟨A_i M, W⟩ = y_i; returns (W, Z = W M).

    Dense least squares with numpy's SVD-based ``lstsq`` (minimum norm, robust to a singular M)."""
    n, d1, d2 = A.shape
    B = (A @ M).reshape(n, -1)
    w = np.linalg.lstsq(B, y, rcond=None)[0]
    W = w.reshape(d1, d2)
    return W, W @ M


def sym_power(G: np.ndarray, power: float, eps: float = 0.0) -> np.ndarray:
    """(G + εI)^power for symmetric PSD ``G`` (d, d) through its eigenvalues: with
    G = V diag(λ) Vᵀ, returns V diag((max(λ, 0) + ε)^power) Vᵀ.

    G is symmetrised first and eigenvalues below zero (round-off) are clipped to zero before the
    shift. This is φ(G) of Section 2.3 for φ(s) = (s + ε)^α (``power`` = α), and G^a for
    ``eps = 0`` (Theorem 2's (d1·AGOP)^{1/(L−ℓ+1)} in :mod:`linrfm_paper.nfa`). The numpy twin of
    the library's torch ``linrfm.matfun.sym_power`` (same arguments, same clipping, same error),
    kept separate so these checks do not run the solvers' code."""
    G = 0.5 * (G + G.T)
    lam, V = np.linalg.eigh(G)
    lam = np.clip(lam, 0.0, None) + eps
    if power < 0 and bool((lam <= 0).any()):
        raise ValueError("negative power of a singular matrix: use eps > 0")
    return (V * lam**power) @ V.T  # ``**`` takes numpy's sqrt / square fast paths at ½, 2


def lin_rfm_direct(
    A: np.ndarray,
    y: np.ndarray,
    *,
    alpha: float = 1.0,
    eps: float = 0.0,
    M0: np.ndarray | None = None,
    n_steps: int = 50,
) -> list[np.ndarray]:
    """Algorithm 1 exactly as printed: Z_t = W_t M_t, M_{t+1} = φ(M_tᵀ W_tᵀ W_t M_t) = φ(Z_tᵀ Z_t).

    No 1/d1 averaging in the AGOP (unlike ``linrfm.sense``; with ε = 0 the two give the same Z_t).
    Returns [Z_0, …, Z_{n_steps}]."""
    d2 = A.shape[2]
    M = np.eye(d2) if M0 is None else np.asarray(M0, dtype=float)
    Zs = []
    for t in range(n_steps + 1):
        _, Z = min_norm_step(A, y, M)
        Zs.append(Z)
        if t < n_steps:
            M = sym_power(Z.T @ Z, alpha, eps)
    return Zs


# ----------------------------------------------------------------------------------------------
# Theorem 3 and Corollary 2: deep lin-RFM
# ----------------------------------------------------------------------------------------------


def deep_h(x: ArrayLike, alphas: Sequence[float], eps: float) -> np.ndarray:
    """h_1, …, h_L of Eq. (11)/(13) at x: shape (L, *x.shape).

    h_1(x) = (x² + ε)^{α_1};  h_ℓ(x) = (x² h_1^{-2} ⋯ h_{ℓ-1}^{-2} + ε)^{α_ℓ}. These are the
    eigenvalues of the fixed-point layer matrices M^(ℓ) on the singular direction with value x."""
    x = np.asarray(x, dtype=float)
    out = []
    scale = np.ones_like(x)  # h_1^{-2} ⋯ h_{ℓ-1}^{-2}
    for a in alphas:
        h = np.power(x * x * scale + eps, a)
        out.append(h)
        scale = scale / (h * h)
    return np.array(out)


def kappa_printed(x: ArrayLike, alphas: Sequence[float], eps: float) -> np.ndarray:
    """κ_ε(x) = x h_1(x) ⋯ h_L(x) as printed in Appendix D (proof of Theorem 3)."""
    return np.asarray(x, dtype=float) * np.prod(deep_h(x, alphas, eps), axis=0)


def kappa_corrected(x: ArrayLike, alphas: Sequence[float], eps: float) -> np.ndarray:
    """κ_ε(x) = x h_1(x)^{-2} ⋯ h_L(x)^{-2}: the singular values of Z M^(1)^{-2} ⋯ M^(L)^{-2} of
    Eq. (14). For L = 1 this is ψ'(x) = x / (x² + ε)^{2α} of Theorem 1."""
    return np.asarray(x, dtype=float) / np.prod(deep_h(x, alphas, eps) ** 2, axis=0)


def C_printed(alphas: Sequence[float], parse: str = "factored") -> np.ndarray:
    """C_ℓ as printed in Theorem 3: C_ℓ = Σ_{i=1}^ℓ Π_{j=1}^{i-1} α_i (1 − 2α_j).

    parse="factored": α_i outside the product, C_ℓ = Σ_{i≤ℓ} α_i Π_{j<i}(1 − 2α_j) (a cumulative
    sum of the corrected c_i); parse="literal": α_i inside the product,
    C_ℓ = Σ_{i≤ℓ} α_i^{i−1} Π_{j<i}(1 − 2α_j) (the i = 1 term is the empty product 1)."""
    a = np.asarray(alphas, dtype=float)
    terms = []
    for i in range(len(a)):
        prod = float(np.prod(1.0 - 2.0 * a[:i]))
        if parse == "factored":
            terms.append(a[i] * prod)
        elif parse == "literal":
            terms.append(a[i] ** i * prod)
        else:
            raise ValueError(f"parse must be 'factored' or 'literal', got {parse!r}")
    return np.cumsum(terms)


def C_corrected(alphas: Sequence[float]) -> np.ndarray:
    """c_ℓ = α_ℓ Π_{j<ℓ}(1 − 2α_j): h_ℓ(s) → s^{2c_ℓ} as ε → 0.

    Derived from the recursion (11) at ε = 0: c_ℓ = α_ℓ (1 − 2 Σ_{j<ℓ} c_j)."""
    a = np.asarray(alphas, dtype=float)
    return np.array([a[i] * np.prod(1.0 - 2.0 * a[:i]) for i in range(len(a))])


def deep_limit_exponent(alphas: Sequence[float]) -> float:
    """p = 2 − 4 Σ_ℓ c_ℓ = 2 Π_ℓ (1 − 2α_ℓ): ψ_0(r) ∝ r^p (corrected Theorem 3)."""
    return float(2.0 - 4.0 * np.sum(C_corrected(alphas)))


def psi_eps_deep(
    r: ArrayLike, alphas: Sequence[float], eps: float, kappa: str = "corrected"
) -> np.ndarray:
    """ψ_ε(r) = ∫_0^r κ_ε(s) ds by quadrature, with κ_ε ``"corrected"`` or ``"printed"``."""
    kfun = {"corrected": kappa_corrected, "printed": kappa_printed}[kappa]

    def one(x: float) -> float:
        pts = [np.sqrt(eps)] if 0.0 < np.sqrt(eps) < x else None
        val, _ = quad(lambda s: float(kfun(s, alphas, eps)), 0.0, x, points=pts, limit=200)
        return val

    return np.vectorize(one, otypes=[float])(np.asarray(r, dtype=float))


def psi_deep_limit(r: ArrayLike, alphas: Sequence[float]) -> np.ndarray:
    """lim_{ε→0} ψ_ε(r) = r^{p} / p with p = 2 − 4Σ c_ℓ (corrected constants, factor 1/p kept)."""
    p = deep_limit_exponent(alphas)
    return np.power(np.asarray(r, dtype=float), p) / p


def psi_deep_limit_printed(r: ArrayLike, alphas: Sequence[float]) -> np.ndarray:
    """The printed limit r^{2 − 4C_1 − … − 4C_L} (printed C_ℓ, factored parse, no factor)."""
    return np.power(np.asarray(r, dtype=float), 2.0 - 4.0 * np.sum(C_printed(alphas)))


def cor2_alphas(L: int) -> list[float]:
    """Corollary 2: α_ℓ = 1 / (2(L − ℓ + 2)), ℓ = 1..L."""
    return [1.0 / (2.0 * (L - ell + 2)) for ell in range(1, L + 1)]


# ----------------------------------------------------------------------------------------------
# Appendix F: Proposition 1, Proposition 2, Lemma 2 (φ = identity, ε = 0)
# ----------------------------------------------------------------------------------------------


def prop1_k1(u: float, v: float, e: float) -> float:
    """k_1 = (uε + vε) / (ε² + v²) for M_0 = [[u, ε], [ε, v]] (ε = off-diagonal ``e``)."""
    return e * (u + v) / (e * e + v * v)


def prop1_k_map(k: ArrayLike, a: float, b: float, s: float) -> np.ndarray:
    """k_{t+1} = (a² + b² + s + k² s)(ab + k s) / ((ab + k s)² + (s + b²)²) (Prop. 1, c² → s)."""
    k = np.asarray(k, dtype=float)
    B = a * b + k * s
    return (a * a + b * b + s + k * k * s) * B / (B * B + (s + b * b) ** 2)


def prop1_threshold(a: float, b: float, s: float) -> float:
    """The repelling fixed point −b(a² + b² + s) / (a s): rank 1 iff k_1 is above it."""
    return -b * (a * a + b * b + s) / (a * s)


def prop2_M(x: ArrayLike, y: ArrayLike, a: float, b: float, c: float, d: float) -> np.ndarray:
    """M = Zᵀ Z = [[A, B], [B, C]] for Z = [[a, b], [c, c x], [d y, d]]: shape (2, 2, *x.shape)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    A = a * a + c * c + d * d * y * y
    B = a * b + c * c * x + d * d * y
    C = b * b + d * d + c * c * x * x
    return np.array([[A, B], [B, C]])


def prop2_xy_from_M(M: np.ndarray) -> tuple[float, float]:
    """(x, y) = ((M²)_12 / (M²)_11, (M²)_12 / (M²)_22): the completion Step 1 gives for M."""
    M2 = M.T @ M
    return float(M2[0, 1] / M2[0, 0]), float(M2[0, 1] / M2[1, 1])


def prop2_completion(x: float, y: float, a: float, b: float, c: float, d: float) -> np.ndarray:
    """Ŷ = Z = [[a, b], [c, c x], [d y, d]] (observed a, b, c, d; predicted c x and d y)."""
    return np.array([[a, b], [c, c * x], [d * y, d]], dtype=float)


def prop2_map(
    x: ArrayLike, y: ArrayLike, a: float, b: float, c: float, d: float
) -> tuple[np.ndarray, np.ndarray]:
    """f(x, y) derived from Algorithm 1: (B(A + C) / (A² + B²), B(A + C) / (B² + C²))."""
    (A, B), (_, C) = prop2_M(x, y, a, b, c, d)
    num = B * (A + C)
    return num / (A * A + B * B), num / (B * B + C * C)


def prop2_map_printed(
    x: ArrayLike, y: ArrayLike, a: float, b: float, c: float, d: float
) -> tuple[np.ndarray, np.ndarray]:
    """f(x, y) as printed in the proof of Proposition 2 (with "x²d²" in the second denominator)."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    num = (a * a + b * b + c * c + d * d + x * x * c * c + y * y * d * d) * (
        a * b + x * c * c + y * d * d
    )
    B = a * b + x * c * c + y * d * d
    return (
        num / (B * B + (a * a + c * c + y * y * d * d) ** 2),
        num / (B * B + (b * b + d * d + x * x * d * d) ** 2),
    )


def prop2_step_printed_ABC(
    x: ArrayLike, y: ArrayLike, a: float, b: float, c: float, d: float
) -> tuple[np.ndarray, np.ndarray]:
    """The printed intermediate step of Prop. 2's proof:
    x_{t+1} = (AB + BC)/(A² + C²), y_{t+1} = (AB + BC)/(B² + C²)."""
    (A, B), (_, C) = prop2_M(x, y, a, b, c, d)
    return (A * B + B * C) / (A * A + C * C), (A * B + B * C) / (B * B + C * C)


def prop2_attractor(a: float, b: float) -> tuple[float, float]:
    """u = (b/a, a/b): the rank-1 completion [[a, b], [c, cb/a], [da/b, d]]."""
    return b / a, a / b


def prop2_jacobian(
    a: float,
    b: float,
    c: float,
    d: float,
    point: tuple[float, float] | None = None,
    h: float = 1e-6,
    fmap: Callable[..., tuple[np.ndarray, np.ndarray]] = prop2_map,
) -> np.ndarray:
    """Jacobian of ``fmap`` (default: the derived map) at ``point`` (default u) by central
    differences with step h."""
    p = np.array(prop2_attractor(a, b) if point is None else point, dtype=float)
    J = np.zeros((2, 2))
    for k in range(2):
        e = np.zeros(2)
        e[k] = h
        fp = np.array(fmap(*(p + e), a, b, c, d), dtype=float)
        fm = np.array(fmap(*(p - e), a, b, c, d), dtype=float)
        J[:, k] = (fp - fm) / (2.0 * h)
    return J


def prop2_top_eigenvalue_printed(a: float, b: float, c: float, d: float) -> float:
    """(a²d² + b²c²) / (a²b² + a²d² + b²c²), printed in Prop. 2's proof and Fig. 5's caption."""
    return (a * a * d * d + b * b * c * c) / (a * a * b * b + a * a * d * d + b * b * c * c)


def lem2_map(a: ArrayLike) -> np.ndarray:
    """a_{t+1} = (a_t³ + 2a_t) / (a_t² + 1) (Lemma 2); also Ŷ(t)_21 = a_{t+1}."""
    a = np.asarray(a, dtype=float)
    return (a**3 + 2.0 * a) / (a * a + 1.0)
