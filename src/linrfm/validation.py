"""Input checks: every bad input is a ``ValueError`` that names the problem."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np


class NonFiniteIterateError(ValueError):
    """Raised when a solver produces NaN or inf during its iterations."""


def check_positive(name: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value <= 0:
        raise ValueError(f"{name} must be a finite number > 0, got {value!r}")
    return value


def check_nonnegative(name: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise ValueError(f"{name} must be a finite number >= 0, got {value!r}")
    return value


def check_int(name: str, value: int, minimum: int = 0) -> int:
    if isinstance(value, bool) or int(value) != value or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


#: options that mean one thing in every solver, and their constraint (scikit-learn's declarative
#: ``_parameter_constraints`` in spirit): :func:`check_params` reads it
PARAMETERS: dict[str, Callable[[str, Any], Any]] = {
    "alpha": check_positive,
    "eps": check_nonnegative,
    "ridge": check_nonnegative,
    "max_iter": check_int,
    "tol": check_nonnegative,
    "log_every": check_int,
    "lr": check_positive,
    "seed": check_int,
}


def check_params(**params: Any) -> tuple[Any, ...]:
    """Each option checked against its entry in :data:`PARAMETERS`, returned in the given order:
    ``alpha, tol = check_params(alpha=alpha, tol=tol)``."""
    return tuple(PARAMETERS[name](name, value) for name, value in params.items())


def check_alphas(alphas: Sequence[float]) -> list[float]:
    alphas = [float(a) for a in np.atleast_1d(np.asarray(alphas, dtype=float))]
    if not alphas:
        raise ValueError("alphas must hold at least one power (one per layer)")
    for i, a in enumerate(alphas):
        check_positive(f"alphas[{i}]", a)
    return alphas


def check_matrix(name: str, X: np.ndarray, ndim: int = 2) -> np.ndarray:
    X = np.asarray(X)
    if X.ndim != ndim:
        raise ValueError(f"{name} must be a {ndim}-D array, got shape {X.shape}")
    if X.size == 0:
        raise ValueError(f"{name} is empty (shape {X.shape})")
    if not np.issubdtype(X.dtype, np.number) or np.iscomplexobj(X):
        raise ValueError(f"{name} must hold real numbers, got dtype {X.dtype}")
    return X


def check_finite(name: str, X: np.ndarray) -> None:
    bad = ~np.isfinite(X)
    if bad.any():
        where = tuple(int(i) for i in np.argwhere(bad)[0])
        raise ValueError(f"{name} holds {int(bad.sum())} NaN/inf value(s), first at index {where}")


def check_completion_input(Y: np.ndarray, mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Y (d1, d2) with NaN allowed where ``mask`` is False; mask boolean, same shape, non-empty."""
    Y = check_matrix("Y", Y, 2)
    mask = np.asarray(mask)
    if mask.shape != Y.shape:
        raise ValueError(f"mask shape {mask.shape} does not match Y shape {Y.shape}")
    if mask.dtype != bool:
        if not np.isin(mask, (0, 1)).all():
            raise ValueError("mask must be boolean (or hold only 0 and 1)")
        mask = mask.astype(bool)
    if not mask.any():
        raise ValueError("mask is empty: no entry of Y is observed")
    check_finite("Y at observed entries (mask True)", Y[mask])
    return Y.astype(np.float64, copy=False), mask


def _check_design(
    name: str, A: np.ndarray, ndim: int, y: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """``A`` (n, ...) of ``ndim`` dimensions and y (n,), both finite, as float64."""
    A = check_matrix(name, A, ndim)
    y = np.asarray(y, dtype=np.float64)
    if y.ndim != 1 or y.shape[0] != A.shape[0]:
        raise ValueError(
            f"y must have shape ({A.shape[0]},) to match {name} {A.shape}, got {y.shape}"
        )
    check_finite(name, A)
    check_finite("y", y)
    return A.astype(np.float64, copy=False), y


def check_sensing_input(A: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """A (n, d1, d2) sensing matrices, y (n,) measurements."""
    return _check_design("A", A, 3, y)


def check_regression_input(X: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """X (n, d) design matrix, y (n,) labels."""
    return _check_design("X", X, 2, y)


def check_square_init(name: str, M0: np.ndarray | None, d: int) -> np.ndarray | None:
    if M0 is None:
        return None
    M0 = check_matrix(name, M0, 2)
    if M0.shape != (d, d):
        raise ValueError(f"{name} must have shape ({d}, {d}), got {M0.shape}")
    check_finite(name, M0)
    return M0.astype(np.float64, copy=False)
