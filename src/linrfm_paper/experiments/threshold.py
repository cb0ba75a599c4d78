"""Fig. 4: the fewest observed entries n at which a method completes a rank-r matrix in every seed.

For one (method, d, rank) the *threshold* is the smallest n with ``success(n)``, where

    success(n) = test MSE < ``target_mse`` (paper: 1e-3) in ALL seeds, under one protocol,

each seed being the problem ``completion_problem(d, d, rank, n, seed)`` solved by
:func:`~linrfm_paper.experiments.completion.run_completion`. The paper (Fig. 4) reports this
number per rank over 5 draws, against the degrees of freedom 2dr − r².

Search, instead of a dense sweep over n:

1. grow: n = n_lo, ⌈1.25 n_lo⌉, ⌈1.25² n_lo⌉, … (``growth``) until the first success, the last
   point being capped at ``n_hi`` (default d² − 1, so that one test entry is left). A failure at
   ``n_hi`` means the threshold was *not reached*: ``threshold_n`` is NaN and ``reached`` False.
2. bisect between the last failure and the first success until
   ``bracket_hi − bracket_lo ≤ rel_tol · bracket_hi`` (or the two are adjacent integers).

``threshold_n`` is ``bracket_hi``, the smallest n that was seen to succeed; ``bracket_lo`` the
largest n below it that was seen to fail. If ``n_lo`` itself succeeds there is no failure below it:
``bracket_lo`` is NaN and ``status`` is ``"success_at_n_lo"`` (with n_lo = 2dr − r², below which a
generic rank-r matrix cannot be identified, this is the best possible).

Assumption (not checked): success is monotone in n. It holds in distribution, not draw by draw:
for a fixed seed the matrix Y is the same at every n but the observed set is a fresh random subset
of size n, not a superset of the smaller one, so an unlucky draw can fail at some n above a
success. The bisection then returns *a* crossing point of the success curve inside the grown
bracket; both ends are real evaluations (success at ``threshold_n``, failure at ``bracket_lo``),
and ``trace`` lists every n decided and its outcome.

lin-RFM's paper protocol here stops its grid search at the first ridge whose run reaches the
target, trying first the ridge that last did (``paper_protocol(stop_at_success=True)``): whether
some ridge reaches the target — all the search asks — is the same, at a fraction of the runs (the
failing ridges of a successful (n, seed) are not run to ``max_iter``). The paper-protocol row of
such a run reports that ridge, not the best of the grid; both are below the target.

Both protocols come out of the same runs (``run_completion`` returns a paper row and an honest row
for each (n, seed)), and evaluations are cached per (n, seed): the search for the second protocol
reuses every run of the first, and each (n, seed) is run at most once. Within one n the seeds are
run in order and the decision stops at the first failing seed (the remaining seeds are only run if
the other protocol needs them).
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Sequence
from typing import Any

from linrfm.data import degrees_of_freedom

from .. import methods
from ..checkpoint import Checkpoint
from ..provenance import provenance
from . import completion
from .completion import LABELS, METHODS, PROTOCOLS

log = logging.getLogger("linrfm_paper.experiments")


class _Evaluator:
    """success(n) for each protocol from cached ``run_completion`` calls (one per (n, seed))."""

    def __init__(
        self,
        method: str,
        d: int,
        rank: int,
        seeds: Sequence[int],
        settings: dict[str, Any],
        target_mse: float,
        checkpoint: Checkpoint | None = None,
    ) -> None:
        self.method, self.d, self.rank = method, d, rank
        self.checkpoint = checkpoint or Checkpoint(None, {})
        self.seeds = [int(s) for s in seeds]
        self.settings = settings
        self.target = target_mse
        self.cache: dict[tuple[int, int], dict[str, float]] = {}  # (n, seed) → protocol → mse
        self.seconds = 0.0
        #: lin-RFM: the ridge of the last paper run that reached the target (tried first next)
        self.linrfm = methods.get(method, "completion").kind == "linrfm"
        self.ridge_first: float | None = None

    def _settings(self) -> dict[str, Any]:
        """lin-RFM's paper protocol stops at its first ridge that reaches its watch's target, the
        last successful ridge tried first. The search needs only whether some ridge gets below
        the search's target, which that decides whenever the watch's target is not above it (a run
        stopped below the watch's target is then a success; with none, every ridge runs). The
        order is a function of the runs before, so a resumed search replays it."""
        watch = self.settings.get("target_mse")
        if not self.linrfm or watch is None or not float(watch) <= self.target:
            return self.settings
        return {**self.settings, "first_success": True, "ridge_first": self.ridge_first}

    def mse(self, n: int, seed: int) -> dict[str, float]:
        key = (n, seed)
        if key not in self.cache:
            t0 = time.perf_counter()
            settings = self._settings()
            rows = self.checkpoint.rows(
                f"{n}:{seed}",
                lambda: completion.run_completion(
                    self.method, self.d, self.d, self.rank, n, seed, settings
                ),
            )
            self.seconds += time.perf_counter() - t0
            self.cache[key] = {row["protocol"]: float(row["test_mse"]) for row in rows}
            paper = next(row for row in rows if row["protocol"] == "paper")
            if self.linrfm and paper.get("ridge") is not None and paper["test_mse"] < self.target:
                self.ridge_first = float(paper["ridge"])
        return self.cache[key]

    def success(self, n: int, protocol: str) -> tuple[bool, float]:
        """(all seeds below target, worst test MSE among the seeds run); stops at a failure.

        A NaN test MSE (diverged run) counts as a failure."""
        worst = -math.inf
        for seed in self.seeds:
            mse = self.mse(n, seed)[protocol]
            worst = mse if math.isnan(mse) else max(worst, mse)
            if not mse < self.target:
                return False, worst
        return True, worst


def _next_n(n: int, growth: float, n_hi: int) -> int:
    return min(max(n + 1, math.ceil(growth * n)), n_hi)


def _search(
    ev: _Evaluator, protocol: str, n_lo: int, n_hi: int, growth: float, rel_tol: float
) -> dict[str, Any]:
    decided: dict[int, tuple[bool, float]] = {}

    def success(n: int) -> bool:
        if n not in decided:
            decided[n] = ev.success(n, protocol)
            ok, worst = decided[n]
            log.info(
                "threshold %s d=%d r=%d protocol=%s n=%d success=%s worst_test_mse=%.3e "
                "(runs so far: %d)",
                ev.method,
                ev.d,
                ev.rank,
                protocol,
                n,
                ok,
                worst,
                len(ev.cache),
            )
        return decided[n][0]

    # 1. geometric growth until the first success or the cap
    lo: int | None = None  # largest n seen to fail
    hi: int | None = None  # smallest n seen to succeed
    n = n_lo
    while True:
        if success(n):
            hi = n
            break
        lo = n
        if n >= n_hi:
            break
        n = _next_n(n, growth, n_hi)

    # 2. bisection between the last failure and the first success
    if hi is not None and lo is not None:
        while hi - lo > max(1.0, rel_tol * hi):
            mid = (lo + hi) // 2
            if success(mid):
                hi = mid
            else:
                lo = mid

    if hi is None:
        status = "not_reached"
    elif lo is None:
        status = "success_at_n_lo"
    else:
        status = "bracketed"
    nan = float("nan")
    return dict(
        protocol=protocol,
        threshold_n=nan if hi is None else hi,
        bracket_lo=nan if lo is None else lo,
        bracket_hi=nan if hi is None else hi,
        reached=hi is not None,
        status=status,
        n_evaluations=len(decided),
        worst_test_mse_at_threshold=nan if hi is None else decided[hi][1],
        worst_test_mse_at_bracket_lo=nan if lo is None else decided[lo][1],
        trace=";".join(f"{k}:{'ok' if v[0] else 'fail'}" for k, v in decided.items()),
    )


def find_threshold(
    method: str,
    d: int,
    rank: int,
    seeds: Sequence[int],
    settings: dict[str, Any],
    *,
    protocol: str | Sequence[str] = PROTOCOLS,
    n_lo: int | None = None,
    n_hi: int | None = None,
    rel_tol: float = 0.05,
    target_mse: float = 1e-3,
    growth: float = 1.25,
    checkpoint: Checkpoint | None = None,
) -> list[dict[str, Any]]:
    """Smallest n at which ``method`` gets test MSE < ``target_mse`` on the d × d rank-``rank``
    problem for every seed in ``seeds`` (see the module docstring for the search and its
    monotonicity assumption).

    Parameters
    ----------
    method : one of :data:`~linrfm_paper.experiments.completion.METHODS`.
    d, rank : square d × d matrices of rank ``rank``.
    seeds : the data draws (paper: 5); success needs all of them.
    settings : the method's hyper-parameters, passed to ``run_completion``.
    protocol : "paper", "honest" or a sequence of them (default both); one row each, all from
        the same cached runs.
    n_lo : first n tried (default the degrees of freedom 2dr − r²).
    n_hi : cap on n (default d² − 1, the largest n that leaves a test entry).
    rel_tol : bisection stops when ``bracket_hi − bracket_lo ≤ rel_tol · bracket_hi``.
    target_mse : success threshold on the test MSE (paper: 1e-3).
    growth : factor between successive n of the growth phase (> 1).
    checkpoint : where finished (n, seed) runs are recorded: a search killed and started again
        reads them back (their seconds then count as 0) and goes on from where it was.

    Returns
    -------
    One dict per protocol with method, label, d, rank, protocol, threshold_n (NaN if not
    reached), bracket_lo, bracket_hi, reached, status ("bracketed", "not_reached",
    "success_at_n_lo"), n_evaluations (number of n decided for this protocol), n_runs and
    seconds (``run_completion`` calls and their wall time for the whole search, shared by the
    protocols), dof, n_lo, n_hi, rel_tol, target_mse, growth, seeds, the worst seed's test MSE
    at both bracket ends, a trace of every decided n, and provenance.
    """
    if method not in METHODS:
        raise ValueError(f"unknown method {method!r}; known: {', '.join(METHODS)}")
    d, rank = int(d), int(rank)
    if d < 2 or not 1 <= rank <= d:
        raise ValueError(f"need d >= 2 and 1 <= rank <= d, got d={d}, rank={rank}")
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise ValueError("seeds must not be empty")
    protocols = [protocol] if isinstance(protocol, str) else list(protocol)
    for p in protocols:
        if p not in PROTOCOLS:
            raise ValueError(f"unknown protocol {p!r}; known: {', '.join(PROTOCOLS)}")
    if not rel_tol > 0:
        raise ValueError(f"rel_tol must be > 0, got {rel_tol}")
    if not growth > 1:
        raise ValueError(f"growth must be > 1, got {growth}")
    dof = degrees_of_freedom(d, d, rank)
    n_hi = d * d - 1 if n_hi is None else int(n_hi)
    n_lo = min(dof, n_hi) if n_lo is None else int(n_lo)
    if not 1 <= n_lo <= n_hi <= d * d - 1:
        raise ValueError(f"need 1 <= n_lo <= n_hi <= d² − 1, got n_lo={n_lo}, n_hi={n_hi}")

    ev = _Evaluator(method, d, rank, seeds, settings, target_mse, checkpoint)
    found = [_search(ev, p, n_lo, n_hi, growth, rel_tol) for p in protocols]
    runs = dict(
        dof=dof,
        n_lo=n_lo,
        n_hi=n_hi,
        rel_tol=rel_tol,
        target_mse=target_mse,
        growth=growth,
        seeds=" ".join(map(str, seeds)),
        n_seeds=len(seeds),
        n_runs=len(ev.cache),
        seconds=ev.seconds,
    )
    head = dict(method=method, label=LABELS[method], d=d, rank=rank)
    rows = [{**head, **f, **runs, **provenance()} for f in found]
    for r in rows:
        log.info(
            "threshold %s d=%d r=%d protocol=%s: threshold_n=%s bracket=[%s, %s] status=%s",
            method,
            d,
            rank,
            r["protocol"],
            r["threshold_n"],
            r["bracket_lo"],
            r["bracket_hi"],
            r["status"],
        )
    return rows
