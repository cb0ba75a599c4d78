"""The field's standard completion benchmark (beyond the paper; issue 12): one method on the
instances of one (κ, ρ) point of the phase transition.

Instances are :func:`linrfm.data.standard_problem` draws (X0 = U diag(σ) Vᵀ, U and V Haar, σ
log-spaced from κ to 1, Ω uniform with at least r + 1 entries per row and column), seed i for
instance i. Success is the field's criterion, ‖Z − X0‖_F / ‖X0‖_F < 1e-3 over the whole matrix;
the paper's criterion (test MSE < 1e-3 at entries of mean square 1) is recorded beside it.

No method reads an unobserved entry and none chooses anything on them (the errors are computed
after the run): lin-RFM is :func:`linrfm.complete` with its defaults and no rank given (its own
rank estimate and stop), and the same with ``features="alternating"`` (both sides in turn, our
extension); MatrixIRLS and R2RILS are given the true rank, as in their papers;
Soft-Impute runs a warm-started path of λ_k = ratio_k · σ_1(P_Ω(Y)), from the observed entries.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from linrfm import complete
from linrfm.baselines import matrix_irls, r2rils, soft_impute
from linrfm.data import StandardProblem, n_from_factor, standard_problem
from linrfm.result import Result

from .. import methods
from ..checkpoint import Checkpoint
from .rows import annotate

log = logging.getLogger("linrfm_paper.experiments")

#: success thresholds: the field's relative Frobenius error and the paper's test MSE
SUCCESS_RELATIVE_ERROR = 1e-3
PAPER_TARGET_MSE = 1e-3


def _linrfm(p: StandardProblem, m: methods.Method, rank: int, s: dict[str, Any]) -> Result:
    side = {"features": m.features} if m.features else {}
    return complete(p.Y_obs, p.mask, alpha=m.alpha, **side, **s)


def _matrix_irls(p: StandardProblem, m: methods.Method, rank: int, s: dict[str, Any]) -> Result:
    return matrix_irls(p.Y_obs, p.mask, rank=rank, **s)


def _r2rils(p: StandardProblem, m: methods.Method, rank: int, s: dict[str, Any]) -> Result:
    return r2rils(p.Y_obs, p.mask, rank=rank, **s)


def _soft_impute(p: StandardProblem, m: methods.Method, rank: int, s: dict[str, Any]) -> Result:
    s = dict(s)
    ratios = [float(v) for v in s.pop("lam_ratios")]
    sigma1 = float(np.linalg.norm(np.where(p.mask, p.Y_obs, 0.0), ord=2))
    return soft_impute(p.Y_obs, p.mask, lam=[r * sigma1 for r in ratios], **s)


RUNNERS: dict[str, Callable[[StandardProblem, methods.Method, int, dict[str, Any]], Result]] = {
    "linrfm": _linrfm,
    "matrix_irls": _matrix_irls,
    "r2rils": _r2rils,
    "soft_impute": _soft_impute,
}


def _rank_estimate(res: Result, rank: int, given: bool) -> int:
    """The rank the method ended with: the given rank; lin-RFM's last estimate r̂; Soft-Impute's
    number of singular values kept at the last λ; −1 when unknown."""
    if given:
        return rank
    ranks = res.extras.get("rank")
    if ranks is not None and len(ranks):
        return int(np.asarray(ranks)[-1])
    path = res.extras.get("path")
    return int(path[-1]["rank"]) if path else -1


def run_standard(
    method: str,
    d1: int,
    d2: int,
    rank: int,
    kappa: float,
    rho: float,
    instances: int,
    settings: dict[str, Any],
    checkpoint: Checkpoint | None = None,
) -> list[dict[str, Any]]:
    """Run ``method`` on instances 0, …, ``instances`` − 1 of the standard problem (d1, d2,
    ``rank``, ρ = ``rho``, κ = ``kappa``); one row per instance with its parameters, the field's
    and the paper's errors and success, iterations, status, seconds and provenance.

    ``settings`` are the method's keyword arguments from the config (Soft-Impute: ``lam_ratios``
    and its own; the others: passed to the solver as they are). With a ``checkpoint``, an
    instance a killed run finished is read back instead of run again."""
    checkpoint = checkpoint or Checkpoint(None, {})
    out = []
    for seed in range(int(instances)):
        out.extend(
            checkpoint.rows(
                seed, lambda s=seed: [_instance(method, d1, d2, rank, kappa, rho, s, settings)]
            )
        )
    return annotate(
        out,
        method,
        d1=d1,
        d2=d2,
        rank=rank,
        kappa=float(kappa),
        rho=float(rho),
        n=n_from_factor(d1, d2, rank, rho),
    )


def _instance(
    method: str,
    d1: int,
    d2: int,
    rank: int,
    kappa: float,
    rho: float,
    seed: int,
    settings: dict[str, Any],
) -> dict[str, Any]:
    """One instance of :func:`run_standard`: its row before the parameters are appended."""
    m = methods.get(method, "standard")
    given_rank = m.kind in ("matrix_irls", "r2rils")
    p = standard_problem(d1, d2, rank, rho, kappa, seed=seed)
    t0 = time.perf_counter()
    res = RUNNERS[m.kind](p, m, rank, dict(settings))
    seconds = time.perf_counter() - t0
    err = p.relative_error(res.x)
    mse = p.paper_mse(res.x)
    log.info(
        "%s κ=%g ρ=%g instance %d: relative error %.2e, %s after %d iterations, %.1f s",
        method, kappa, rho, seed, err, res.status, res.n_iter, seconds,
    )  # fmt: skip
    return dict(
        instance=seed,
        relative_error=err,
        success=bool(err < SUCCESS_RELATIVE_ERROR),
        paper_mse=mse,
        paper_success=bool(mse < PAPER_TARGET_MSE),
        n_iter=int(res.n_iter),
        status=str(res.status),
        seconds=seconds,
        torch_threads=torch.get_num_threads(),
        given_rank=given_rank,
        rank_estimate=_rank_estimate(res, rank, given_rank),
        message=res.message,
    )
