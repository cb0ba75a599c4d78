"""Matrix-completion experiments (Figs. 3, 4, 6, 7): one method on one generated problem.

Every method is run under two protocols and both land in the table:

- ``paper``: the paper's Appendix E protocol, the same test-peeking for every iterative method —
  each run is watched on the test entries by :class:`linrfm.TestErrorWatch` with
  ``stop_below=True, keep_best=True``: it stops once the test MSE falls below ``target_mse`` and
  reports its best iterate by test MSE (the first under the target when one is; otherwise the
  lowest seen). lin-RFM (:func:`linrfm.paper_protocol`) also picks its ridge from the grid by that
  test MSE; the networks have no grid (one learning rate, as the paper), so nothing else is chosen
  for them. Before issue 13 the networks reported their last iterate while lin-RFM kept its best.
  A network also stops once its relative training misfit is below ``tol`` (ours; the paper gives
  no cap): it then interpolates Ω and no longer moves, so its test MSE is settled — before issue
  14 a failing run went on to ``max_steps``, 2–3 times the steps to that point at d = 100.
- ``honest``: decisions from observed entries only, the same validation split of Ω for every
  method (:func:`linrfm.protocols.validation_split` with ``val_fraction`` and ``split_seed``):
  lin-RFM picks its ridge on it and refits on all of Ω (:func:`linrfm.honest_protocol`); a
  network trains on the fit part, watched on the validation part (``keep_best``), which picks its
  number of steps (the best check by validation MSE), then trains again from the same seeded
  initialisation on all of Ω for that many steps (the refit, as lin-RFM's). Both still stop on
  their training misfit ``tol``. Before issue 13 the networks stopped on ``tol`` alone, with no
  validation-based choice.

The minimum nuclear norm has no hyper-parameter and no iterate to choose: its one solution appears
under both protocols (with label noise its constraint uses the known σ, a property of the problem,
not of the test entries).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from linrfm.baselines import (
    deep_linear_completion,
    deep_linear_completion_batched,
    nuclear_norm_completion,
)
from linrfm.data import CompletionProblem, completion_problem
from linrfm.protocols import TestErrorWatch, honest_protocol, paper_protocol, validation_split

from .. import methods
from ..checkpoint import Checkpoint
from .rows import annotate

log = logging.getLogger("linrfm_paper.experiments")

#: The completion methods and their labels (re-exported from :mod:`linrfm_paper.methods`).
METHODS = methods.FAMILIES["completion"]
LABELS = methods.labels("completion")
#: the two protocols of every row (module docstring)
PROTOCOLS = ("paper", "honest")


def _protocols(s: dict[str, Any]) -> tuple[str, ...]:
    """The protocols to run (settings key ``protocols``, default both; "paper" is always run)."""
    wanted = tuple(s.get("protocols", PROTOCOLS))
    unknown = set(wanted) - set(PROTOCOLS)
    if unknown or "paper" not in wanted:
        raise ValueError(f"protocols must list 'paper' and optionally 'honest', got {wanted!r}")
    return wanted


def _linrfm_rows(p: CompletionProblem, alpha: float, s: dict[str, Any]) -> list[dict[str, Any]]:
    """The paper row and, when asked for, the honest row. Settings ``first_success`` (with
    ``ridge_first`` tried first) make the paper protocol stop at the first ridge that reaches the
    target (``paper_protocol(stop_at_success=True)``: the same success, fewer runs; Fig. 4's
    search sets them, and Fig. 3's cells with ``fig3_completion_vs_n.linrfm_first_success``)."""
    kw = dict(alpha=alpha, max_iter=int(s["max_iter"]), tol=float(s.get("tol", 1e-9)))
    ridges = [float(r) for r in s["ridges"]]
    first_success = bool(s.get("first_success", False))
    first = s.get("ridge_first")
    order = ridges
    if first_success and first is not None and float(first) in ridges:
        order = [float(first)] + [r for r in ridges if r != float(first)]
    rows = []
    t0 = time.perf_counter()
    sel = paper_protocol(
        p.Y_obs,
        p.mask,
        p.Y_true,
        ridges=order,
        target_mse=float(s["target_mse"]),
        stop_at_success=first_success,
        **kw,
    )
    rows.append(_row(p, "paper", sel.Z, sel.n_iter, time.perf_counter() - t0, ridge=sel.ridge))
    if "honest" not in _protocols(s):
        return rows
    t0 = time.perf_counter()
    sel = honest_protocol(
        p.Y_obs,
        p.mask,
        ridges=ridges,
        val_fraction=float(s["val_fraction"]),
        seed=int(s.get("split_seed", 0)),
        **kw,
    )
    rows.append(_row(p, "honest", sel.Z, sel.n_iter, time.perf_counter() - t0, ridge=sel.ridge))
    return rows


def _nuclear_rows(p: CompletionProblem, s: dict[str, Any]) -> list[dict[str, Any]]:
    t0 = time.perf_counter()
    noise = None
    if p.noise_std > 0:  # noisy form: ||Z_Ω − Y_Ω|| ≤ σ·sqrt(|Ω|)
        noise = p.noise_std * np.sqrt(p.mask.sum())
    res = nuclear_norm_completion(p.Y_obs, p.mask, noise=noise)
    sec = time.perf_counter() - t0
    return [_row(p, proto, res.Z, res.n_iter, sec) for proto in _protocols(s)]


def _net_rows(p: CompletionProblem, depth: int, seed: int, s: dict[str, Any]) -> list[dict]:
    """A linear network under both protocols (module docstring): paper — stop below the target
    on the test entries, best iterate by test MSE; honest — the number of steps chosen on a
    validation split of Ω, then a refit on all of Ω."""
    target = float(s["target_mse"])
    common = dict(
        depth=depth,
        lr=float(s["lr"]),
        seed=seed,
        log_every=int(s["check_every"]),
    )
    max_steps = int(s["max_steps"])
    rows = []

    t0 = time.perf_counter()
    watch = TestErrorWatch.on_unobserved(
        p.Y_true, p.mask, target=target, stop_below=True, keep_best=True
    )
    res = deep_linear_completion(
        p.Y_obs, p.mask, max_iter=max_steps, tol=float(s["tol"]), callback=watch, **common
    )
    Z, steps = (res.Z, res.n_iter) if watch.best_Z is None else (watch.best_Z, watch.best_t)
    rows.append(_row(p, "paper", Z, steps, time.perf_counter() - t0, batch_members=1))
    if "honest" not in _protocols(s):
        return rows

    t0 = time.perf_counter()
    tol = float(s["tol"])
    fit, val = validation_split(p.mask, float(s["val_fraction"]), int(s.get("split_seed", 0)))
    vr, vc = np.nonzero(val)
    on_val = TestErrorWatch(vr, vc, p.Y_obs[vr, vc], target=0.0, keep_best=True)
    first = deep_linear_completion(
        p.Y_obs, fit, max_iter=max_steps, tol=tol, callback=on_val, **common
    )
    steps = first.n_iter if on_val.best_Z is None else on_val.best_t
    res = deep_linear_completion(p.Y_obs, p.mask, max_iter=steps, tol=tol, **common)
    rows.append(_row(p, "honest", res.Z, res.n_iter, time.perf_counter() - t0, batch_members=1))
    return rows


def _stop_at(steps: int) -> Callable[[Any], bool]:
    """A callback that stops a member at its first check at or after ``steps`` (the refit's
    number of steps; a check step of the first run, so the stop is exact)."""
    return lambda state: state.t >= steps


def _net_rows_batched(
    problems: Sequence[CompletionProblem], seeds: Sequence[int], depth: int, s: dict[str, Any]
) -> list[list[dict[str, Any]]]:
    """:func:`_net_rows` for every problem at once: each protocol's runs are one
    :func:`~linrfm.baselines.deep_linear_completion_batched` program over the problems (chunks
    of ``s["batch"]`` members, default 32), member b being the single run with ``seed=seeds[b]``
    on problem b (the same numbers to round-off). The honest refits stop each member at its own
    validation-chosen step count. ``seconds`` is the member's share of its batch's wall time
    (the batch's seconds / its members) and ``batch_members`` the batch size."""
    target, tol = float(s["target_mse"]), float(s["tol"])
    common = dict(depth=depth, lr=float(s["lr"]), log_every=int(s["check_every"]))
    max_steps, batch = int(s["max_steps"]), int(s.get("batch", 32))
    honest = "honest" in _protocols(s)
    out: list[list[dict[str, Any]]] = [[] for _ in problems]
    for lo in range(0, len(problems), batch):
        idx = list(range(lo, min(lo + batch, len(problems))))
        P, S, B = [problems[i] for i in idx], [int(seeds[i]) for i in idx], len(idx)
        Y = np.stack([p.Y_obs for p in P])
        log.info("batch of %d networks (depth %d): problems %d-%d", B, depth, idx[0], idx[-1])

        t0 = time.perf_counter()
        watches = [
            TestErrorWatch.on_unobserved(
                p.Y_true, p.mask, target=target, stop_below=True, keep_best=True
            )
            for p in P
        ]
        res = deep_linear_completion_batched(
            Y,
            np.stack([p.mask for p in P]),
            max_iter=max_steps,
            tol=tol,
            seeds=S,
            callbacks=watches,
            **common,
        )
        sec = (time.perf_counter() - t0) / B
        for i, p, r, w in zip(idx, P, res, watches, strict=True):
            Z, steps = (r.Z, r.n_iter) if w.best_Z is None else (w.best_Z, w.best_t)
            out[i].append(_row(p, "paper", Z, steps, sec, batch_members=B))
        if not honest:
            continue

        t0 = time.perf_counter()
        split = [
            validation_split(p.mask, float(s["val_fraction"]), int(s.get("split_seed", 0)))
            for p in P
        ]
        on_val = []
        for p, (_, val) in zip(P, split, strict=True):
            vr, vc = np.nonzero(val)
            on_val.append(TestErrorWatch(vr, vc, p.Y_obs[vr, vc], target=0.0, keep_best=True))
        first = deep_linear_completion_batched(
            Y,
            np.stack([fit for fit, _ in split]),
            max_iter=max_steps,
            tol=tol,
            seeds=S,
            callbacks=on_val,
            **common,
        )
        steps = [
            f.n_iter if w.best_Z is None else w.best_t for f, w in zip(first, on_val, strict=True)
        ]
        refit = deep_linear_completion_batched(
            Y,
            np.stack([p.mask for p in P]),
            max_iter=max(steps),
            tol=tol,
            seeds=S,
            callbacks=[_stop_at(k) for k in steps],
            **common,
        )
        sec = (time.perf_counter() - t0) / B
        for i, p, r in zip(idx, P, refit, strict=True):
            out[i].append(_row(p, "honest", r.Z, r.n_iter, sec, batch_members=B))
    return out


def _row(
    p: CompletionProblem, protocol: str, Z: np.ndarray, n_iter: int, seconds: float, **extra: Any
) -> dict[str, Any]:
    return dict(
        protocol=protocol,
        test_mse=p.test_mse(Z),
        relative_test_error=p.relative_test_error(Z),
        n_iter=int(n_iter),
        seconds=seconds,
        **extra,
    )


def run_completion(
    method: str,
    d1: int,
    d2: int,
    rank: int,
    n: int,
    seed: int,
    settings: dict[str, Any],
    noise_std: float = 0.0,
) -> list[dict[str, Any]]:
    """Run ``method`` on the seeded problem; one row per protocol, with parameters and provenance.

    ``settings`` holds the method's hyper-parameters from the config (for lin-RFM: ``ridges``,
    ``max_iter``, ``target_mse``, ``val_fraction``; for nets: ``lr``, ``max_steps``,
    ``check_every``, ``tol``, ``target_mse``, and the honest protocol's validation split
    ``val_fraction`` and ``split_seed`` (default 0), lin-RFM's: the workflow passes them)."""
    m = methods.get(method, "completion")
    p = completion_problem(d1, d2, rank, n, seed=seed, noise_std=noise_std)
    runners: dict[str, Callable[[], list[dict[str, Any]]]] = {
        "linrfm": lambda: _linrfm_rows(p, m.alpha, settings),
        "nuclear_norm": lambda: _nuclear_rows(p, settings),
        "linear_net": lambda: _net_rows(p, m.depth, seed, settings),
    }
    log.info("%s d1=%d d2=%d r=%d n=%d seed=%d noise=%g", method, d1, d2, rank, n, seed, noise_std)
    return annotate(
        runners[m.kind](), method, d1=d1, d2=d2, rank=rank, n=n, seed=seed, noise_std=noise_std
    )


def _cell_one_by_one(
    method: str,
    d1: int,
    d2: int,
    rank: int,
    draws: list[Draw],
    settings: dict[str, Any],
    checkpoint: Checkpoint,
    unit: dict[Draw, str],
) -> list[dict[str, Any]]:
    """The draws of a lin-RFM or nuclear-norm cell in turn. With lin-RFM's ``first_success``,
    each draw's paper protocol tries first the ridge of the last draw whose paper run reached
    the target (read from its rows, so a resumed cell replays the same order)."""
    carry = methods.get(method, "completion").kind == "linrfm" and bool(
        settings.get("first_success", False)
    )
    ridge_first = settings.get("ridge_first")
    out: list[dict[str, Any]] = []
    for dr in draws:
        s = {**settings, "ridge_first": ridge_first} if carry else settings
        rows = checkpoint.rows(
            unit[dr],
            lambda dr=dr, s=s: run_completion(
                method, d1, d2, rank, dr.n, dr.seed, s, noise_std=dr.noise_std
            ),
        )
        paper = next(row for row in rows if row["protocol"] == "paper")
        if carry and float(paper["test_mse"]) < float(settings["target_mse"]):
            ridge_first = float(paper["ridge"])
        out.extend(rows)
    return out


@dataclass(frozen=True)
class Draw:
    """One problem of a grid cell: ``n`` observed entries, data seed ``seed``, label noise σ."""

    n: int
    seed: int
    noise_std: float = 0.0


def run_completion_cell(
    method: str,
    d1: int,
    d2: int,
    rank: int,
    draws: Sequence[Draw],
    settings: dict[str, Any],
    checkpoint: Checkpoint | None = None,
) -> list[dict[str, Any]]:
    """:func:`run_completion` for every draw of one grid cell (one job of Figs. 3, 6, 7): the
    rows of each draw in turn, the same tables as one call per draw. Linear networks train all
    draws of the cell as batched programs (:func:`_net_rows_batched`, same numbers to
    round-off); lin-RFM and the nuclear norm run the draws one after another. With a
    ``checkpoint``, the draws a killed run finished are read back, not run again."""
    m = methods.get(method, "completion")
    draws = list(draws)
    if not draws:
        raise ValueError(f"{method}: a grid cell needs at least one draw (n, seed)")
    checkpoint = checkpoint or Checkpoint(None, {})
    unit = {dr: f"{dr.n}:{dr.seed}:{dr.noise_std!r}" for dr in draws}
    if m.kind != "linear_net":
        return _cell_one_by_one(method, d1, d2, rank, draws, settings, checkpoint, unit)
    todo = [dr for dr in draws if checkpoint.get(unit[dr]) is None]
    if todo:
        problems = [
            completion_problem(d1, d2, rank, dr.n, seed=dr.seed, noise_std=dr.noise_std)
            for dr in todo
        ]
        log.info("%s d1=%d d2=%d r=%d: %d draws batched", method, d1, d2, rank, len(todo))
        per_draw = _net_rows_batched(problems, [dr.seed for dr in todo], m.depth, settings)
        for dr, rows in zip(todo, per_draw, strict=True):
            annotate(
                rows, method, d1=d1, d2=d2, rank=rank, n=dr.n, seed=dr.seed,
                noise_std=dr.noise_std,
            )  # fmt: skip
            checkpoint.put(unit[dr], rows)
    return [row for dr in draws for row in checkpoint.get(unit[dr]) or []]
