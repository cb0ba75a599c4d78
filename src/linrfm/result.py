"""Result objects and the per-iteration bookkeeping shared by the iterative solvers."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import torch

from .validation import NonFiniteIterateError

log = logging.getLogger("linrfm")


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


@dataclass
class Result:
    """What every solver returns: numpy arrays plus ``n_iter``, ``converged`` and ``history``.

    ``Z`` (matrix problems) or ``w`` (regression) holds the estimate; ``extras`` holds solver
    specific arrays (for instance the final feature matrix ``K``)."""

    n_iter: int
    converged: bool
    history: History
    Z: np.ndarray | None = None
    w: np.ndarray | None = None
    extras: dict[str, np.ndarray] = field(default_factory=dict)
    #: a factored estimate (``linrfm.solvers.lowrank.LowRankCompletion``) where Z is never formed
    factors: Any = None


Callback = Callable[[int, np.ndarray], bool]


class Tracker:
    """Records history, checks finiteness and decides when to stop.

    Stopping uses only the solver's own iterates and observed data: the relative change
    ``||Z_t - Z_{t-1}||_F / ||Z_{t-1}||_F < tol``. ``tol=0`` never stops early. An optional
    ``callback(t, Z) -> bool`` may request a stop; that is how an external protocol (for
    instance the
    paper's early stopping on test error) plugs in, outside the solver.
    """

    def __init__(self, name: str, tol: float, callback: Callback | None = None, log_every: int = 0):
        self.name = name
        self.tol = tol
        self.callback = callback
        self.log_every = log_every
        self.history = History()
        self._t0 = time.perf_counter()
        self._prev: torch.Tensor | None = None
        self.converged = False

    def check_finite(self, t: int, *tensors: torch.Tensor) -> None:
        for x in tensors:
            if not bool(torch.isfinite(x).all()):
                raise NonFiniteIterateError(
                    f"{self.name}: non-finite values (NaN/inf) at iteration {t}; "
                    "try a larger ridge or eps, or float64"
                )

    def step(self, t: int, Z: torch.Tensor, residual: float, can_converge: bool = True) -> bool:
        """Record iteration ``t`` with iterate ``Z``; return True when the solver should stop.

        ``can_converge=False`` (a schedule still running) defers the tolerance test."""
        self.check_finite(t, Z)
        if self._prev is None:
            change = float("inf")
        else:
            denom = float(torch.linalg.norm(self._prev))
            change = float(torch.linalg.norm(Z - self._prev)) / max(denom, 1e-300)
        self._prev = Z.clone()
        stop = self.record(t, residual, change, can_converge)
        if self.callback is not None and self.callback(t, Z.detach().cpu().numpy()):
            stop = True
        return stop

    def record(self, t: int, residual: float, change: float, can_converge: bool = True) -> bool:
        """Record iteration ``t`` from its residual and relative change (computed by the caller
        when the iterate is never formed); True when the tolerance test says stop. No callback."""
        h = self.history
        h.residual.append(float(residual))
        h.rel_change.append(change)
        h.seconds.append(time.perf_counter() - self._t0)
        if self.log_every and t % self.log_every == 0:
            log.info("%s iter %d residual %.3e rel_change %.3e", self.name, t, residual, change)
        self.converged = can_converge and self.tol > 0 and change < self.tol
        return self.converged
