"""The paper's data generators. Every draw comes from an explicit ``numpy.random.Generator``
seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .validation import check_int, check_nonnegative

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


def low_rank_matrix(d1: int, d2: int, r: int, seed: Seed) -> np.ndarray:
    """Y = sqrt(d1 d2) · U Vᵀ / ||U Vᵀ||_F with U, V i.i.d. N(0, 1) (Section 4, after Arora et al.).

    For square d × d this is the paper's Y = d · UVᵀ / ||UVᵀ||_F (entries of mean square 1)."""
    d1, d2, r = check_int("d1", d1, 1), check_int("d2", d2, 1), check_int("r", r, 1)
    rng = _rng(seed)
    U = rng.standard_normal((d1, r))
    V = rng.standard_normal((d2, r))
    Y = U @ V.T
    return np.sqrt(d1 * d2) * Y / np.linalg.norm(Y)


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
    Y_obs = np.full_like(Y, np.nan)
    Y_obs[mask] = Y[mask] + noise_std * rng.standard_normal(n)
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
