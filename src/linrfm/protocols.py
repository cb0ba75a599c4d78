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
can hold both protocols side by side.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .solvers.completion import complete
from .validation import check_completion_input


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


def paper_protocol(
    Y_obs: np.ndarray,
    mask: np.ndarray,
    Y_true: np.ndarray,
    *,
    ridges: Sequence[float],
    target_mse: float = 1e-3,
    **solver_kwargs: Any,
) -> Selection:
    """The paper's protocol: ridge and stopping point chosen on the test entries (~mask) of
    ``Y_true``. ``solver_kwargs`` go to :func:`linrfm.complete` (alpha, max_iter, ...)."""
    Y_obs, mask = check_completion_input(Y_obs, mask)
    Y_true = np.asarray(Y_true, dtype=float)
    if Y_true.shape != mask.shape:
        raise ValueError(f"Y_true shape {Y_true.shape} does not match mask shape {mask.shape}")
    test = ~mask
    if not test.any():
        raise ValueError("paper_protocol needs unobserved (test) entries")
    truth = Y_true[test]
    best: Selection | None = None
    best_mse = np.inf
    rows = []
    for ridge in _check_grid(ridges):
        track = {"mse": np.inf, "Z": None, "t": 0}

        def watch(t: int, Z: np.ndarray, track: dict = track) -> bool:
            mse = float(np.mean((Z[test] - truth) ** 2))
            if mse < track["mse"]:
                track.update(mse=mse, Z=Z.copy(), t=t)
            return mse < target_mse

        res = complete(Y_obs, mask, ridge=ridge, callback=watch, **solver_kwargs)
        rows.append(
            dict(
                protocol="paper",
                ridge=ridge,
                selection_score=track["mse"],
                score_kind="best test MSE",
                n_iter=res.n_iter,
                best_iter=track["t"],
            )
        )
        if best is None or track["mse"] < best_mse:
            best_mse = track["mse"]
            best = Selection("paper", ridge, track["Z"], track["t"])
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
    **solver_kwargs: Any,
) -> Selection:
    """Choose the ridge on a validation split of the observed entries, refit on all of them.
    Needs no truth; ``solver_kwargs`` go to :func:`linrfm.complete`."""
    Y_obs, mask = check_completion_input(Y_obs, mask)
    grid = _check_grid(ridges)
    if len(grid) == 1:  # nothing to choose: fit once on all observed entries
        final = complete(Y_obs, mask, ridge=grid[0], **solver_kwargs)
        return Selection("honest", grid[0], final.Z, final.n_iter, [])
    fit, val = validation_split(mask, val_fraction, seed)
    rows = []
    for ridge in grid:
        res = complete(Y_obs, fit, ridge=ridge, **solver_kwargs)
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
