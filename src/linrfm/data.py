"""The paper's data generators. Every draw comes from an explicit ``numpy.random.Generator``
seed."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .validation import check_int, check_nonnegative, check_positive

Seed = int | np.random.Generator


def _rng(seed: Seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if seed is None:
        raise ValueError("seed is required: every draw must come from an explicit seed")
    return np.random.default_rng(seed)


@dataclass
class CompletionProblem:
    """Y_true (d1, d2) of rank r; ``mask`` the observed set Ω (|Ω| = n); ``Y_obs`` equals
    Y_true plus
    label noise on Ω and NaN off Ω (so a solver that reads unobserved entries fails loudly)."""

    Y_true: np.ndarray
    mask: np.ndarray
    Y_obs: np.ndarray
    rank: int
    noise_std: float

    @property
    def test_mask(self) -> np.ndarray:
        return ~self.mask

    def test_mse(self, Z: np.ndarray) -> float:
        """Mean squared error on the unobserved entries against the clean truth."""
        return float(np.mean((Z[~self.mask] - self.Y_true[~self.mask]) ** 2))

    def relative_test_error(self, Z: np.ndarray) -> float:
        """||Z − Y||_F / ||Y||_F on the unobserved entries."""
        t = ~self.mask
        return float(np.linalg.norm(Z[t] - self.Y_true[t]) / np.linalg.norm(self.Y_true[t]))


def degrees_of_freedom(d1: int, d2: int, r: int) -> int:
    """r (d1 + d2 − r), the dimension of the rank-r manifold (2dr − r² when square)."""
    return r * (d1 + d2 - r)


def n_from_factor(d1: int, d2: int, r: int, factor: float) -> int:
    """round(factor · r (d1 + d2 − r)) observed entries: ``factor`` times the degrees of freedom,
    capped at d1 d2 − 1 so that at least one entry is left to test."""
    return min(int(round(factor * degrees_of_freedom(d1, d2, r))), d1 * d2 - 1)


def oversampling_ratio(d1: int, d2: int, r: int, n: int) -> float:
    """ρ = n / (r (d1 + d2 − r)): the number of observed entries over the degrees of freedom (the
    standard benchmark's oversampling ratio; :func:`n_from_factor` is the way back, n = round(ρ ·
    r (d1 + d2 − r)))."""
    return float(n) / degrees_of_freedom(d1, d2, r)


def low_rank_matrix(d1: int, d2: int, r: int, seed: Seed) -> np.ndarray:
    """Y = sqrt(d1 d2) · U Vᵀ / ||U Vᵀ||_F with U, V i.i.d. N(0, 1) (Section 4, after Arora et al.).

    For square d × d this is the paper's Y = d · UVᵀ / ||UVᵀ||_F (entries of mean square 1)."""
    d1, d2, r = check_int("d1", d1, 1), check_int("d2", d2, 1), check_int("r", r, 1)
    rng = _rng(seed)
    U = rng.standard_normal((d1, r))
    V = rng.standard_normal((d2, r))
    Y = U @ V.T
    return np.sqrt(d1 * d2) * Y / np.linalg.norm(Y)


def observed(
    Y: np.ndarray, mask: np.ndarray, noise_std: float, rng: np.random.Generator
) -> np.ndarray:
    """Y on Ω plus N(0, noise_std²) label noise, NaN off Ω (a solver that reads an unobserved
    entry fails loudly)."""
    Y_obs = np.full_like(Y, np.nan)
    Y_obs[mask] = Y[mask] + noise_std * rng.standard_normal(int(mask.sum()))
    return Y_obs


def completion_problem(
    d1: int, d2: int, r: int, n: int, seed: Seed, noise_std: float = 0.0
) -> CompletionProblem:
    """Rank-r matrix with n observed entries chosen uniformly at random (the rest is the test set),
    optional N(0, noise_std²) label noise on the observed entries."""
    n = check_int("n", n, 1)
    if n > d1 * d2:
        raise ValueError(f"n = {n} exceeds the number of entries d1*d2 = {d1 * d2}")
    noise_std = check_nonnegative("noise_std", noise_std)
    rng = _rng(seed)
    Y = low_rank_matrix(d1, d2, r, rng)
    mask = np.zeros(d1 * d2, dtype=bool)
    mask[rng.choice(d1 * d2, size=n, replace=False)] = True
    mask = mask.reshape(d1, d2)
    Y_obs = observed(Y, mask, noise_std, rng)
    return CompletionProblem(Y_true=Y, mask=mask, Y_obs=Y_obs, rank=r, noise_std=noise_std)


@dataclass
class RegressionProblem:
    """Sparse linear regression: X (n, d), y (n,), w_true (d,) with r non-zeros; a test set."""

    X: np.ndarray
    y: np.ndarray
    w_true: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    noise_std: float

    def test_mse(self, w: np.ndarray) -> float:
        return float(np.mean((self.X_test @ w - self.y_test) ** 2))


def sparse_regression_problem(
    n: int, d: int, r: int, seed: Seed, n_test: int = 10000, noise_std: float = 0.0
) -> RegressionProblem:
    """X_ij ~ N(0, 1), w*_i ~ U[0.5, 1] for i < r else 0, y = X w* (+ noise); clean test labels on
    ``n_test`` fresh points (Section 4, Fig. 2)."""
    n, d = check_int("n", n, 1), check_int("d", d, 1)
    r = check_int("r", r, 1)
    if r > d:
        raise ValueError(f"r = {r} exceeds d = {d}")
    n_test = check_int("n_test", n_test, 1)
    noise_std = check_nonnegative("noise_std", noise_std)
    rng = _rng(seed)
    w = np.zeros(d)
    w[:r] = rng.uniform(0.5, 1.0, size=r)
    X = rng.standard_normal((n, d))
    y = X @ w + noise_std * rng.standard_normal(n)
    X_test = rng.standard_normal((n_test, d))
    return RegressionProblem(
        X=X, y=y, w_true=w, X_test=X_test, y_test=X_test @ w, noise_std=noise_std
    )


@dataclass
class StandardProblem(CompletionProblem):
    """The field's standard benchmark instance (Kümmerle & Verdun 2021): X0 = U diag(σ) Vᵀ
    (``Y_true``, (d1, d2)) with U (d1, r), V (d2, r) Haar-orthonormal and σ (r,) log-spaced from
    κ down to 1; Ω (``mask``) uniform without replacement with at least r + 1 entries in every row
    and column. ``tries`` is the number of Ω draws it took.

    Two success criteria: the benchmark's :meth:`relative_error` ‖Z − X0‖_F / ‖X0‖_F over the
    whole matrix (:meth:`success`: < 1e-3), and the paper's :meth:`paper_mse`, the test MSE after
    scaling X0 to entries of mean square 1 (:meth:`paper_success`: < 1e-3)."""

    U: np.ndarray | None = None
    V: np.ndarray | None = None
    sigma: np.ndarray | None = None
    kappa: float = 1.0
    rho: float = 1.0
    tries: int = 1

    def relative_error(self, Z: Any) -> float:
        """‖Z − X0‖_F / ‖X0‖_F over all d1 d2 entries (Z an array or a factored estimate)."""
        Z = _dense(Z, self.Y_true.shape)
        return float(np.linalg.norm(Z - self.Y_true) / np.linalg.norm(self.Y_true))

    def success(self, Z: Any, threshold: float = 1e-3) -> bool:
        """The benchmark's success: :meth:`relative_error` < ``threshold`` (1e-3)."""
        return self.relative_error(Z) < threshold

    @property
    def paper_scale(self) -> float:
        """c = sqrt(d1 d2) / ‖X0‖_F, so that c X0 has entries of mean square 1."""
        return float(np.sqrt(self.Y_true.size) / np.linalg.norm(self.Y_true))

    def paper_mse(self, Z: Any) -> float:
        """The paper's criterion: mean of (c (Z − X0))² over the unobserved entries, c =
        :attr:`paper_scale` (so it is the test MSE of the problem rescaled to mean-square-1
        entries)."""
        Z = _dense(Z, self.Y_true.shape)
        return self.test_mse(Z) * self.paper_scale**2

    def paper_success(self, Z: Any, threshold: float = 1e-3) -> bool:
        """The paper's success: :meth:`paper_mse` < ``threshold`` (1e-3)."""
        return self.paper_mse(Z) < threshold


def _dense(Z: Any, shape: tuple[int, int]) -> np.ndarray:
    """An estimate as a (d1, d2) array: an array, or a factored estimate with ``dense()``."""
    if not isinstance(Z, np.ndarray) and hasattr(Z, "dense"):
        Z = Z.dense()
    Z = np.asarray(Z, dtype=np.float64)
    if Z.shape != shape:
        raise ValueError(f"estimate has shape {Z.shape}, expected {shape}")
    return Z


def haar_orthonormal(d: int, r: int, seed: Seed) -> np.ndarray:
    """A (d, r) matrix with orthonormal columns, Haar distributed: Q of the QR factorisation of a
    (d, r) standard Gaussian G = QR, its columns' signs fixed so that diag(R) > 0."""
    d, r = check_int("d", d, 1), check_int("r", r, 1)
    if r > d:
        raise ValueError(f"r = {r} exceeds d = {d}")
    Q, R = np.linalg.qr(_rng(seed).standard_normal((d, r)))
    signs = np.sign(np.diag(R))
    signs[signs == 0] = 1.0
    return Q * signs


def standard_problem(
    d1: int,
    d2: int,
    rank: int,
    rho: float,
    kappa: float,
    seed: Seed,
    *,
    max_tries: int = 1000,
    noise_std: float = 0.0,
) -> StandardProblem:
    """The standard matrix-completion benchmark instance (Kümmerle & Verdun, ICML 2021).

    X0 = U diag(σ) Vᵀ (d1, d2) of rank r = ``rank``: U (d1, r), V (d2, r) from
    :func:`haar_orthonormal`, σ_i = κ^{(r − i)/(r − 1)} (log-spaced from κ down to 1; σ = (κ,)
    when r = 1). Ω: n = round(ρ · r (d1 + d2 − r)) entries (:func:`n_from_factor`) uniformly
    without replacement, redrawn (at most ``max_tries`` draws, as the authors' 1000) until every
    row and every column holds at least r + 1 of them. ``Y_obs`` is X0 on Ω (plus optional
    N(0, noise_std²) noise) and NaN elsewhere. The same seed gives the same draw."""
    d1, d2, r = check_int("d1", d1, 1), check_int("d2", d2, 1), check_int("rank", rank, 1)
    if r >= min(d1, d2):
        raise ValueError(f"rank = {r} must be < min(d1, d2) = {min(d1, d2)}")
    rho = check_positive("rho", rho)
    kappa = check_positive("kappa", kappa)
    if kappa < 1:
        raise ValueError(f"kappa must be >= 1 (σ runs from κ down to 1), got {kappa!r}")
    max_tries = check_int("max_tries", max_tries, 1)
    noise_std = check_nonnegative("noise_std", noise_std)
    n = n_from_factor(d1, d2, r, rho)
    need = (r + 1) * max(d1, d2)
    if n < need:
        raise ValueError(
            f"rho = {rho} gives n = {n} observed entries, fewer than (r + 1) max(d1, d2) = {need} "
            "needed for r + 1 entries in every row and column"
        )
    rng = _rng(seed)
    U = haar_orthonormal(d1, r, rng)
    V = haar_orthonormal(d2, r, rng)
    sigma = np.geomspace(kappa, 1.0, r) if r > 1 else np.array([kappa])
    X0 = (U * sigma) @ V.T
    for tries in range(1, max_tries + 1):  # noqa: B007 (the count is reported)
        mask = np.zeros(d1 * d2, dtype=bool)
        mask[rng.choice(d1 * d2, size=n, replace=False)] = True
        mask = mask.reshape(d1, d2)
        if mask.sum(1).min() >= r + 1 and mask.sum(0).min() >= r + 1:
            break
    else:
        raise ValueError(
            f"no Ω with at least r + 1 = {r + 1} entries in every row and column in "
            f"max_tries = {max_tries} draws (d1 = {d1}, d2 = {d2}, n = {n}); raise rho or max_tries"
        )
    Y_obs = observed(X0, mask, noise_std, rng)
    return StandardProblem(
        Y_true=X0,
        mask=mask,
        Y_obs=Y_obs,
        rank=r,
        noise_std=noise_std,
        U=U,
        V=V,
        sigma=sigma,
        kappa=kappa,
        rho=rho,
        tries=tries,
    )
