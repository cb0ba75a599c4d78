"""The one iteration driver every lin-RFM solver runs through.

A solver is written as a :class:`Map`: ``first()`` is the regression on M_0 (t = 0), ``step(t)``
one AGOP update followed by the regression on M_t (Algorithm 1's steps 2 and 1), ``advance()``
chooses the iterate the next AGOP is built from (Z_t itself, or an accelerated mixture). The
driver records the history, calls the callback, and decides when to stop:

- ``Status.TOLERANCE``: relative change < ``tol`` where the map allows it (``Step.can_converge``);
- ``Status.CERTIFIED``: the map certifies its iterate (``Step.certified``; only with ``tol > 0``);
- ``Status.CALLBACK``: ``callback(state)`` returned True;
- ``Status.STALLED``: the map's progress measure (``Step.progress``, observed data only) did not
  halve over a window of iterations (:class:`StallWatch`), or the map sits at a fixed point it
  cannot certify (``Step.stationary`` and relative change < ``tol``); only with ``tol > 0``;
- ``Status.MAX_ITER``: ``max_iter`` AGOP updates ran.

Stopping reads only the map's own iterates and observed data. ``tol = 0`` never stops early.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol

import torch

from .._backend import to_numpy
from ..result import Callback, History, IterationState, Result, Status
from ..validation import NonFiniteIterateError

log = logging.getLogger("linrfm")


@dataclass
class Step:
    """The outcome of one iteration, as the driver needs it."""

    residual: float
    rel_change: float
    #: the schedule allows the tolerance test (a ridge schedule still decaying does not)
    can_converge: bool = True
    #: the iterate carries its own certificate of convergence: stop at once
    certified: bool = False
    #: a measure of distance to a solution that tends to 0 on success (observed data only), read
    #: by the stall watch; NaN: not watched this iteration
    progress: float = float("nan")
    #: the map's own state (e.g. its ridge) no longer moves: with a relative change < tol the
    #: iterate is a fixed point that will not change, certified or not
    stationary: bool = False


@dataclass
class StallWatch:
    """Stalled at t when the best progress p of the last ``window`` iterations is above
    ``factor`` × the best before them: min_{s ≤ t} p_s > factor · min_{s ≤ t − window} p_s.

    At the slowest rate this lets through, p halves every ``window`` iterations; reaching
    round-off (≈ 2⁻⁴⁵ of where it started) would take 45 windows. ``window = 0`` never stalls."""

    window: int = 500
    factor: float = 0.5

    def __post_init__(self) -> None:
        self._best: list[float] = []

    def stalled(self, p: float) -> bool:
        if not self.window or p != p:  # disabled, or NaN (not watched)
            return False
        best = min(p, self._best[-1]) if self._best else p
        self._best.append(best)
        if len(self._best) <= self.window:
            return False
        return best > self.factor * self._best[-1 - self.window]


class Map(Protocol):
    """One solver's iteration, as the driver runs it."""

    def first(self) -> Step: ...

    def step(self, t: int) -> Step: ...

    def advance(self) -> None: ...

    def state(self, t: int, step: Step) -> IterationState: ...


@dataclass
class Outcome:
    n_iter: int
    status: Status
    message: str
    history: History


def check_finite(name: str, t: int, *tensors: torch.Tensor) -> None:
    """Raise :class:`NonFiniteIterateError` when an iterate holds NaN or inf."""
    for x in tensors:
        if not bool(torch.isfinite(x).all()):
            raise NonFiniteIterateError(
                f"{name}: non-finite values (NaN/inf) at iteration {t}; "
                "try a larger ridge or eps, or float64"
            )


def relative_change(new: torch.Tensor, old: torch.Tensor | None) -> float:
    """‖new − old‖_F / ‖old‖_F (inf without an ``old``)."""
    if old is None:
        return float("inf")
    denom = float(torch.linalg.norm(old))
    return float(torch.linalg.norm(new - old)) / max(denom, 1e-300)


def run(
    name: str,
    f: Map,
    *,
    max_iter: int,
    tol: float,
    callback: Callback | None = None,
    log_every: int = 0,
    certificate: Callable[[], str] | None = None,
    stall: StallWatch | None = None,
    diagnosis: Callable[[], str] | None = None,
) -> Outcome:
    """Iterate ``f`` from t = 0 until a stop (module docstring); ``certificate()`` describes a
    certified stop in the message, ``diagnosis()`` a stalled one."""
    history = History()
    t0 = time.perf_counter()
    reason = [""]  # why a STALLED stop stopped

    def judge(t: int, s: Step) -> Status | None:
        history.residual.append(float(s.residual))
        history.rel_change.append(s.rel_change)
        history.seconds.append(time.perf_counter() - t0)
        if log_every and t % log_every == 0:
            log.info("%s iter %d residual %.3e rel_change %.3e", name, t, s.residual, s.rel_change)
        met = s.can_converge and tol > 0 and s.rel_change < tol
        asked = callback is not None and bool(callback(f.state(t, s)))
        if met:
            return Status.TOLERANCE
        if tol > 0 and s.certified:
            return Status.CERTIFIED
        if asked:
            return Status.CALLBACK
        if tol > 0 and s.stationary and s.rel_change < tol:
            reason[0] = f"stalled at a fixed point (relative change {s.rel_change:.1e} < tol)"
            return Status.STALLED
        if tol > 0 and stall is not None and stall.stalled(s.progress):
            reason[0] = f"stalled: no halving of the progress measure in {stall.window} iterations"
            return Status.STALLED
        return None

    s = f.first()
    status = judge(0, s)
    t = 0
    while status is None and t < max_iter:
        t += 1
        s = f.step(t)
        status = judge(t, s)
        if status is None:
            f.advance()
    if status is None:
        status = Status.MAX_ITER
    change = s.rel_change
    if status is Status.TOLERANCE:
        why = f"relative change {change:.2e} < tol = {tol:.1e}"
    elif status is Status.CERTIFIED:
        why = certificate() if certificate is not None else "the iterate certified itself"
    elif status is Status.CALLBACK:
        why = "the callback asked to stop"
    elif status is Status.STALLED:
        why = reason[0] + (f" ({diagnosis()})" if diagnosis is not None else "")
    else:
        why = (
            f"max_iter reached without meeting tol = {tol:.1e} (last relative change {change:.2e})"
        )
    return Outcome(t, status, f"{name}: {why} after {t} iterations", history)


class PlainMap:
    """A map whose iterate is one tensor x_t and that is never accelerated: ``first()`` and
    ``step(t, x_{t−1})`` return (x_t, residual); the change is ‖x_t − x_{t−1}‖ / ‖x_{t−1}‖."""

    def __init__(
        self,
        name: str,
        first: Callable[[], tuple[torch.Tensor, float]],
        step: Callable[[int, torch.Tensor], tuple[torch.Tensor, float]],
    ):
        self.name, self._first, self._step = name, first, step
        self.x: torch.Tensor | None = None

    def _record(self, t: int, x: torch.Tensor, residual: float) -> Step:
        check_finite(self.name, t, x)
        change = relative_change(x, self.x)
        self.x = x
        return Step(residual, change)

    def first(self) -> Step:
        return self._record(0, *self._first())

    def step(self, t: int) -> Step:
        return self._record(t, *self._step(t, self.x))

    def advance(self) -> None:
        pass

    def state(self, t: int, step: Step) -> IterationState:
        x = self.x
        return IterationState(t, step.residual, step.rel_change, lambda: to_numpy(x))


def result(out: Outcome, x: Any, extras: dict[str, Any]) -> Result:
    """The :class:`Result` of a driver run with estimate ``x``."""
    return Result(
        x=x,
        n_iter=out.n_iter,
        status=out.status,
        message=out.message,
        history=out.history,
        extras=extras,
    )
