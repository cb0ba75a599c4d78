"""Benchmark target 6, the field's standard protocol (issue 16): `complete` with its defaults and
no rank given, the same with ``features="alternating"`` (both sides in turn), beside MatrixIRLS
(given the rank), on ``standard_problem`` instances
(orthonormal factors, σ log-spaced from κ to 1, every line with ≥ r + 1 observations; success:
relative Frobenius error < 1e-3 over the whole matrix). One row per (method, κ, ρ, seed);
config[bench][target6]. Neither solver reads unobserved entries: the errors are computed after
the run."""

import logging
import time

from linrfm import complete
from linrfm.baselines import matrix_irls
from linrfm.data import degrees_of_freedom, standard_problem
from linrfm_paper.experiments import bench
from linrfm_paper.jobs import run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
log = logging.getLogger("linrfm_paper.experiments")
c = dict(smk.params.c)
SOLVERS = {
    "linrfm": lambda p, r: complete(p.Y_obs, p.mask, log_every=100),
    # our extension: Algorithm 1 on both sides in turn, otherwise the defaults (no rank given)
    "linrfm_alternating": lambda p, r: complete(
        p.Y_obs, p.mask, features="alternating", log_every=10
    ),
    "matrix_irls": lambda p, r: matrix_irls(p.Y_obs, p.mask, rank=r),
}


def rows():
    d, rank = int(c["d"]), int(c["rank"])
    for case in c["cases"]:
        kappa, rho = float(case["kappa"]), float(case["rho"])
        for method in case.get("methods", c["methods"]):
            for seed in range(int(case.get("draws", c["draws"]))):
                p = standard_problem(d, d, rank, rho, kappa, seed=seed)
                t0 = time.perf_counter()
                res = SOLVERS[method](p, rank)
                seconds = time.perf_counter() - t0
                err = p.relative_error(res.x)
                ranks = res.extras.get("rank") if method.startswith("linrfm") else None
                log.info(
                    "%s κ=%g ρ=%g seed=%d: rel. err %.2e, %s after %d its, %.1f s",
                    method, kappa, rho, seed, err, res.status, res.n_iter, seconds,
                )  # fmt: skip
                yield bench.stamp(
                    target="target6",
                    method=method,
                    d=d,
                    rank=rank,
                    kappa=kappa,
                    rho=rho,
                    n=int(p.mask.sum()),
                    dof=degrees_of_freedom(d, d, rank),
                    seed=seed,
                    relative_error=err,
                    success=err < 1e-3,
                    paper_mse=p.paper_mse(res.x),
                    iterations=res.n_iter,
                    status=str(res.status),
                    seconds=seconds,
                    rank_estimate=int(ranks[-1]) if ranks is not None and len(ranks) else rank,
                    message=res.message,
                )


run_job(smk, rows)
