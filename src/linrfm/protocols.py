"""Model-selection protocols for lin-RFM completion: the paper's, and an honest one.

The paper (Appendix E) grid-searches the ridge and stops early once the test MSE falls below 1e-3;
the published code also keeps the iterate with the best test error. That decision looks at held-out
truth, so it lives here, under its own name, outside every solver:

- :func:`paper_protocol` — for each ridge, run lin-RFM, watch the test MSE after every iteration,
  stop below ``target_mse``, keep the best iterate; pick the ridge with the lowest test MSE.
- :func:`honest_protocol` — split the *observed* entries into a fit part and a validation part
  (``val_fraction``, seeded), fit each ridge on the fit part with the solver's own stopping rule,
  pick the ridge with the lowest validation MSE, refit on all observed entries. It never receives
  the truth.

Both return a :class:`Selection` with the final Z and one row per candidate, so an experiment table
can hold both protocols side by side. :class:`TestErrorWatch` is the one callback that watches
held-out entries (the paper protocol, the runtime comparison and the benchmarks' clocks use it).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .result import IterationState, Result
from .solvers.completion import complete
from .solvers.grid import complete_grid, grid_applies
from .validation import check_completion_input

log = logging.getLogger("linrfm")


class TestErrorWatch:
    """A callback that measures the test MSE of every iterate on held-out entries — outside the
    solver, which never sees them.

    ``rows``, ``cols``, ``truth``: the held-out entries and their true values. After each
    iteration ``mse`` is the test MSE of the iterate (``state.entries``, so a factored iterate is
    never formed); ``history`` keeps every one when ``keep_history``. ``t_target`` and
    ``seconds_target`` record the first iterate under ``target`` (seconds since the watch was
    made, its own time excluded; ``setup_seconds`` is that clock at t = 0). With ``keep_best`` the
    iterate of lowest test MSE is kept (``best_Z``, ``best_t``, ``best_mse``). Evaluation stops
    once the target is met unless ``keep_history`` or ``keep_best``. Returns True (stop) when
    ``stop_below`` and the target is met, or when the clock passes ``time_limit``."""

    __test__ = False  # not a pytest test class

    def __init__(
        self,
        rows: np.ndarray,
        cols: np.ndarray,
        truth: np.ndarray,
        *,
        target: float = 1e-3,
        stop_below: bool = False,
        keep_best: bool = False,
        keep_history: bool = False,
        time_limit: float = math.inf,
    ):
        self.rows, self.cols, self.truth = np.asarray(rows), np.asarray(cols), np.asarray(truth)
        self.target, self.stop_below, self.time_limit = target, stop_below, time_limit
        self.keep_best, self.keep_history = keep_best, keep_history
        self.t0 = time.perf_counter()
        self.own = 0.0
        self.mse = float("nan")
        self.history: list[float] = []
        self.t_target: int | None = None
        self.seconds_target: float | None = None
        self.setup_seconds = float("nan")
        self.best_mse, self.best_t = math.inf, 0
        self.best_Z: np.ndarray | None = None

    @classmethod
    def on_unobserved(cls, Y_true: np.ndarray, mask: np.ndarray, **kwargs: Any) -> TestErrorWatch:
        """Watch every entry off the mask of the (d1, d2) truth ``Y_true``."""
        rows, cols = np.nonzero(~np.asarray(mask, dtype=bool))
        return cls(rows, cols, np.asarray(Y_true, dtype=float)[rows, cols], **kwargs)

    @property
    def reached(self) -> bool:
        return self.t_target is not None

    def elapsed(self) -> float:
        """Seconds since the watch was made, minus the time spent inside it."""
        return time.perf_counter() - self.t0 - self.own

    def __call__(self, state: IterationState) -> bool:
        now = self.elapsed()
        start = time.perf_counter()
        if state.t == 0:
            self.setup_seconds = now
        if not self.reached or self.keep_history or self.keep_best:
            self.mse = float(np.mean((state.entries(self.rows, self.cols) - self.truth) ** 2))
            if self.keep_history:
                self.history.append(self.mse)
            if self.keep_best and self.mse < self.best_mse:
                self.best_mse, self.best_t, self.best_Z = self.mse, state.t, state.Z.copy()
            if not self.reached and self.mse < self.target:
                self.t_target, self.seconds_target = state.t, now
                log.info(
                    "t = %d: test MSE %.3e < %g after %.2f s", state.t, self.mse, self.target, now
                )
        self.own += time.perf_counter() - start
        return (self.stop_below and self.mse < self.target) or now > self.time_limit


@dataclass
class Selection:
    """Outcome of a protocol: chosen ridge, the final estimate and the per-candidate table."""

    protocol: str
    ridge: float
    Z: np.ndarray
    n_iter: int
    candidates: list[dict[str, Any]] = field(default_factory=list)


def _check_grid(ridges: Sequence[float]) -> list[float]:
    grid = [float(r) for r in ridges]
    if not grid:
        raise ValueError("ridges must hold at least one value")
    if any(not np.isfinite(r) or r < 0 for r in grid):
        raise ValueError(f"ridges must be finite numbers >= 0, got {grid}")
    return grid


class _FirstSuccess:
    """Callbacks for a batched grid searched in order for its first success: run i is watched by
    ``watches[i]`` (which stops it below the target) and is also stopped once an earlier run
    (in grid order) has reached the target, since the search would never have tried it. The runs
    before the first success go on to their own stops, so every run up to it ends as it would
    have one after another."""

    def __init__(self, watches: list[TestErrorWatch]):
        self.watches = watches
        self.first: int | None = None

    def callbacks(self) -> list:
        return [self._callback(i) for i in range(len(self.watches))]

    def _callback(self, i: int):
        def call(state: IterationState) -> bool:
            if self.first is not None and self.first < i:
                return True
            stop = self.watches[i](state)
            if self.watches[i].reached and (self.first is None or i < self.first):
                self.first = i
            return stop

        return call


def paper_protocol(
    Y_obs: np.ndarray,
    mask: np.ndarray,
    Y_true: np.ndarray,
    *,
    ridges: Sequence[float],
    target_mse: float = 1e-3,
    stop_at_success: bool = False,
    batch: bool = True,
    **solver_kwargs: Any,
) -> Selection:
    """The paper's protocol: ridge and stopping point chosen on the test entries (~mask) of
    ``Y_true``. ``solver_kwargs`` go to :func:`linrfm.complete` (alpha, max_iter, ...).

    With ``stop_at_success`` the ridges are tried in the given order and the grid search stops at
    the first whose run reaches ``target_mse``; that ridge is chosen (not the best of those that
    would reach it). Whether some ridge of the grid reaches the target is the same either way, so a
    caller that needs only that (Fig. 4's threshold search) gets it for fewer runs.

    With ``batch`` (default) the grid runs as one batched program
    (:func:`linrfm.solvers.grid.complete_grid`, the same numbers to round-off) where the solver
    options are ones it reproduces; with ``stop_at_success`` the first ridge runs alone and, when
    it does not reach the target, the rest as one program in which a run stops once an earlier
    ridge has reached it (the same selection as one after another). ``batch=False`` runs the
    ridges one after another."""
    Y_obs, mask = check_completion_input(Y_obs, mask)
    Y_true = np.asarray(Y_true, dtype=float)
    if Y_true.shape != mask.shape:
        raise ValueError(f"Y_true shape {Y_true.shape} does not match mask shape {mask.shape}")
    if mask.all():
        raise ValueError("paper_protocol needs unobserved (test) entries")
    grid = _check_grid(ridges)

    def watch() -> TestErrorWatch:
        return TestErrorWatch.on_unobserved(
            Y_true, mask, target=target_mse, stop_below=True, keep_best=True
        )

    watches: list[TestErrorWatch] = []
    runs: list[Result] = []
    batched = batch and len(grid) > 1 and grid_applies(**solver_kwargs)
    if batched and not stop_at_success:
        watches = [watch() for _ in grid]
        runs = complete_grid(Y_obs, mask, ridges=grid, callbacks=watches, **solver_kwargs)
    elif batched:  # the first ridge alone (usually the one that last succeeded), then the rest
        watches.append(watch())
        runs.append(complete(Y_obs, mask, ridge=grid[0], callback=watches[0], **solver_kwargs))
        if not watches[0].reached:
            rest = [watch() for _ in grid[1:]]
            cut = _FirstSuccess(rest)
            out = complete_grid(
                Y_obs, mask, ridges=grid[1:], callbacks=cut.callbacks(), **solver_kwargs
            )
            k = cut.first if cut.first is not None else len(rest) - 1
            watches += rest[: k + 1]
            runs += out[: k + 1]
    else:
        for ridge in grid:
            watches.append(watch())
            runs.append(complete(Y_obs, mask, ridge=ridge, callback=watches[-1], **solver_kwargs))
            if stop_at_success and watches[-1].reached:
                break
    best: Selection | None = None
    best_mse = np.inf
    rows = []
    for ridge, watch, res in zip(grid, watches, runs, strict=False):
        rows.append(
            dict(
                protocol="paper",
                ridge=ridge,
                selection_score=watch.best_mse,
                score_kind="best test MSE",
                n_iter=res.n_iter,
                best_iter=watch.best_t,
            )
        )
        if best is None or watch.best_mse < best_mse:
            best_mse = watch.best_mse
            best = Selection("paper", ridge, watch.best_Z, watch.best_t)
    assert best is not None
    best.candidates = rows
    return best


def validation_split(
    mask: np.ndarray, val_fraction: float, seed: int
) -> tuple[np.ndarray, np.ndarray]:
    """Split the observed set Ω into (fit, validation) masks; every row keeps at least one fit entry
    when it had one. Deterministic given ``seed``."""
    if not 0 < val_fraction < 1:
        raise ValueError(f"val_fraction must lie in (0, 1), got {val_fraction!r}")
    rng = np.random.default_rng(seed)
    obs = np.flatnonzero(mask)
    val = np.zeros(mask.size, dtype=bool)
    val[rng.choice(obs, size=max(1, int(round(val_fraction * obs.size))), replace=False)] = True
    val = val.reshape(mask.shape)
    fit = mask & ~val
    orphan = mask.any(axis=1) & ~fit.any(axis=1)  # give such rows their entries back
    val[orphan] = False
    fit = mask & ~val
    return fit, val


def honest_protocol(
    Y_obs: np.ndarray,
    mask: np.ndarray,
    *,
    ridges: Sequence[float],
    val_fraction: float = 0.1,
    seed: int = 0,
    batch: bool = True,
    **solver_kwargs: Any,
) -> Selection:
    """Choose the ridge on a validation split of the observed entries, refit on all of them.
    Needs no truth; ``solver_kwargs`` go to :func:`linrfm.complete`. With ``batch`` (default) the
    validation runs are one batched program where the options allow (as :func:`paper_protocol`)."""
    Y_obs, mask = check_completion_input(Y_obs, mask)
    grid = _check_grid(ridges)
    if len(grid) == 1:  # nothing to choose: fit once on all observed entries
        final = complete(Y_obs, mask, ridge=grid[0], **solver_kwargs)
        return Selection("honest", grid[0], final.Z, final.n_iter, [])
    fit, val = validation_split(mask, val_fraction, seed)
    runs: list[Result]
    if batch and grid_applies(**solver_kwargs):
        runs = complete_grid(Y_obs, fit, ridges=grid, **solver_kwargs)
    else:
        runs = [complete(Y_obs, fit, ridge=ridge, **solver_kwargs) for ridge in grid]
    rows = []
    for ridge, res in zip(grid, runs, strict=True):
        score = float(np.mean((res.Z[val] - Y_obs[val]) ** 2))
        rows.append(
            dict(
                protocol="honest",
                ridge=ridge,
                selection_score=score,
                score_kind="validation MSE",
                n_iter=res.n_iter,
                best_iter=res.n_iter,
            )
        )
    chosen = min(rows, key=lambda r: r["selection_score"])["ridge"]
    final = complete(Y_obs, mask, ridge=chosen, **solver_kwargs)
    return Selection("honest", chosen, final.Z, final.n_iter, rows)
