"""What every solver returns (:class:`Result`), why it stopped (:class:`Status`), and what a
callback sees after each iteration (:class:`IterationState`).

Modelled on ``scipy.optimize.OptimizeResult``: one field for the estimate (``x``), the number of
iterations, a status from a small fixed set and a human-readable message.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np


class Status(enum.StrEnum):
    """Why a solver stopped (compare with the member or its string value)."""

    #: the relative change of the iterate fell below ``tol`` (and the ridge schedule allowed it)
    TOLERANCE = "tolerance"
    #: the iterate certified itself (``SpectralRidge``: tail energy ‖X − [X]_r̂‖²_F/‖X‖²_F ≤
    #: ``tail_tol``)
    CERTIFIED = "certified"
    #: the callback returned True
    CALLBACK = "callback"
    #: ``max_iter`` iterations ran without another reason to stop
    MAX_ITER = "max_iter"
    #: the iteration stopped improving: its progress measure did not halve in a window of iterations
    #: (``SpectralRidge.stall_window``; observed data only)
    STALLED = "stalled"


#: the statuses that count as success (``Result.success``)
SUCCESS = (Status.TOLERANCE, Status.CERTIFIED)


@dataclass
class History:
    """Per-iteration trace: residual on observed data, relative change of the iterate, seconds."""

    residual: list[float] = field(default_factory=list)
    rel_change: list[float] = field(default_factory=list)
    seconds: list[float] = field(default_factory=list)

    def as_dict(self) -> dict[str, np.ndarray]:
        return {
            "iteration": np.arange(len(self.residual)),
            "residual": np.asarray(self.residual),
            "rel_change": np.asarray(self.rel_change),
            "seconds": np.asarray(self.seconds),
        }


class Factored(Protocol):
    """An estimate kept in factored form (``linrfm.solvers.lowrank.LowRankCompletion``)."""

    shape: tuple[int, int]

    def dense(self) -> np.ndarray: ...

    def entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray: ...


@dataclass
class Result:
    """What every solver and baseline returns.

    ``x`` is the estimate: a (d1, d2) matrix (completion, sensing), a (d,) weight vector
    (regression), or a factored completion (``complete_lowrank``: ``x.dense()``,
    ``x.entries(i, j)``) that is never formed as a matrix. ``Z``, ``w`` and ``factors`` are typed
    views of it. ``status`` says why the solver stopped, ``message`` the same in words with the
    numbers that decided it. ``extras`` holds solver specific arrays (e.g. the final feature
    matrix ``K``, λ_t per iteration)."""

    x: Any
    n_iter: int
    status: Status
    message: str
    history: History
    extras: dict[str, Any] = field(default_factory=dict)

    @property
    def success(self) -> bool:
        """The solver met its own convergence test (tolerance or certificate)."""
        return self.status in SUCCESS

    @property
    def converged(self) -> bool:
        """Same as ``success``."""
        return self.success

    @property
    def Z(self) -> np.ndarray | None:
        """The estimate as a dense matrix; None for a vector or a factored estimate."""
        return self.x if isinstance(self.x, np.ndarray) and self.x.ndim == 2 else None

    @property
    def w(self) -> np.ndarray | None:
        """The estimate as a weight vector (regression); None otherwise."""
        return self.x if isinstance(self.x, np.ndarray) and self.x.ndim == 1 else None

    @property
    def factors(self) -> Factored | None:
        """The factored estimate (``complete_lowrank``); None when the estimate is an array."""
        return None if isinstance(self.x, np.ndarray) else self.x


class IterationState:
    """What a callback receives after iteration ``t`` (one object whatever the solver or kernel).

    Attributes: ``t``; ``residual`` (relative misfit on the observed data); ``rel_change``
    (relative change of the iterate, inf at t = 0); ``ridge`` (λ_t, NaN where there is none);
    ``rank`` (the schedule's rank estimate r̂_t, None where there is none). ``Z`` is the current
    estimate as a numpy array, formed on first access (a (d1, d2) matrix, or a (d,) vector for
    regression); ``entries(rows, cols)`` reads entries of a matrix estimate without forming it
    where the solver keeps it factored."""

    def __init__(
        self,
        t: int,
        residual: float,
        rel_change: float,
        estimate: Callable[[], np.ndarray],
        *,
        ridge: float = float("nan"),
        rank: int | None = None,
        entries: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    ):
        self.t, self.residual, self.rel_change = t, residual, rel_change
        self.ridge, self.rank = ridge, rank
        self._estimate, self._entries = estimate, entries
        self._Z: np.ndarray | None = None

    @property
    def Z(self) -> np.ndarray:
        if self._Z is None:
            self._Z = self._estimate()
        return self._Z

    def entries(self, rows: np.ndarray, cols: np.ndarray) -> np.ndarray:
        """Z[rows, cols] (matrix estimates)."""
        if self._entries is not None:
            return self._entries(np.asarray(rows), np.asarray(cols))
        return self.Z[rows, cols]

    def transposed(self) -> IterationState:
        """The same state for the transposed problem (features on the rows run on Yᵀ)."""
        entries = self._entries
        return IterationState(
            self.t,
            self.residual,
            self.rel_change,
            lambda: np.ascontiguousarray(self._estimate().T),
            ridge=self.ridge,
            rank=self.rank,
            entries=None if entries is None else (lambda i, j: entries(j, i)),
        )

    def __repr__(self) -> str:
        return (
            f"IterationState(t={self.t}, residual={self.residual:.3e}, "
            f"rel_change={self.rel_change:.3e}, ridge={self.ridge:.3e}, rank={self.rank})"
        )


#: ``callback(state) -> bool``: called after every iteration; True stops the solver
Callback = Callable[[IterationState], bool]
