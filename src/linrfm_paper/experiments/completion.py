"""Matrix-completion experiments (Figs. 3, 4, 6, 7): one method on one generated problem.

Every method is run under two protocols and both land in the table:

- ``paper``: the paper's Appendix E protocol — lin-RFM's ridge is chosen from the grid and its
  iterations stopped by the test error (:func:`linrfm.paper_protocol`); the linear networks stop
  once the test MSE falls below ``target_mse``;
- ``honest``: decisions from observed entries only — lin-RFM's ridge by a validation split
  (:func:`linrfm.honest_protocol`), the networks stop on their training misfit.

The minimum nuclear norm has no hyper-parameter: its one solution appears under both protocols.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from linrfm.baselines import deep_linear_completion, nuclear_norm_completion
from linrfm.data import CompletionProblem, completion_problem
from linrfm.protocols import TestErrorWatch, honest_protocol, paper_protocol

from .. import methods
from .rows import annotate

log = logging.getLogger("linrfm_paper.experiments")

#: The completion methods and their labels (re-exported from :mod:`linrfm_paper.methods`).
METHODS = methods.FAMILIES["completion"]
LABELS = methods.labels("completion")


def _linrfm_rows(p: CompletionProblem, alpha: float, s: dict[str, Any]) -> list[dict[str, Any]]:
    kw = dict(alpha=alpha, max_iter=int(s["max_iter"]), tol=float(s.get("tol", 1e-9)))
    ridges = [float(r) for r in s["ridges"]]
    rows = []
    t0 = time.perf_counter()
    sel = paper_protocol(
        p.Y_obs, p.mask, p.Y_true, ridges=ridges, target_mse=float(s["target_mse"]), **kw
    )
    rows.append(_row(p, "paper", sel.Z, sel.n_iter, time.perf_counter() - t0, ridge=sel.ridge))
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
    return [_row(p, proto, res.Z, res.n_iter, sec) for proto in ("paper", "honest")]


def _net_rows(p: CompletionProblem, depth: int, seed: int, s: dict[str, Any]) -> list[dict]:
    target = float(s["target_mse"])
    below_target = TestErrorWatch.on_unobserved(p.Y_true, p.mask, target=target, stop_below=True)
    common = dict(
        depth=depth,
        lr=float(s["lr"]),
        max_iter=int(s["max_steps"]),
        seed=seed,
        log_every=int(s["check_every"]),
    )
    rows = []
    for proto, kw in (
        ("paper", dict(callback=below_target)),
        ("honest", dict(tol=float(s["tol"]))),
    ):
        t0 = time.perf_counter()
        res = deep_linear_completion(p.Y_obs, p.mask, **common, **kw)
        rows.append(_row(p, proto, res.Z, res.n_iter, time.perf_counter() - t0))
    return rows


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
    ``check_every``, ``tol``, ``target_mse``)."""
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
