"""Run ``linrfm.complete`` with its defaults on one generated problem; write a one-row table."""

import logging
import time

import linrfm
from linrfm.data import completion_problem, degrees_of_freedom
from linrfm_paper.jobs import run_job
from linrfm_paper.provenance import provenance

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)


def rows():
    w = smk.wildcards
    d1, d2, rank, seed = int(w.d1), int(w.d2), int(w.rank), int(w.seed)
    factor = float(w.factor)
    n = int(factor * degrees_of_freedom(d1, d2, rank))  # truncated, not rounded (as published)
    p = completion_problem(d1, d2, rank, n, seed=seed)
    t0 = time.perf_counter()
    res = linrfm.complete(p.Y_obs, p.mask, log_every=100)
    seconds = time.perf_counter() - t0
    row = dict(
        d1=d1,
        d2=d2,
        rank=rank,
        factor=factor,
        n=n,
        seed=seed,
        method="lin-RFM alpha=1/2 defaults",
        test_mse=p.test_mse(res.Z),
        relative_test_error=p.relative_test_error(res.Z),
        n_iter=res.n_iter,
        converged=res.converged,
        status=str(res.status),
        kernel=res.extras["kernel"],
        seconds=seconds,
        **provenance(),
    )
    logging.info("%s; row: %s", res.message, row)
    return [row]


run_job(smk, rows)
