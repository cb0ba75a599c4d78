"""Benchmark target 7, noisy completion (issue 16, target 4): 300 × 300 rank 5 (Gaussian factors,
entries of mean square 1) from ρ = 3 times the degrees of freedom, N(0, σ²) noise on the observed
entries; `complete` with its defaults and with ``features="alternating"``, each with and without
``refit`` (config[bench][target7]). Per run: seconds and iterations to the solver's own stop, its
status, and the test MSE against the clean matrix beside two yardsticks: the rank-r formula
σ² r(d1 + d2 − r)/n and the tangent-space oracle (least squares on the truth's tangent space,
``bench.tangent_space_oracle``; it reads the truth, no solver can). The solvers read only Ω."""

import logging
import time

from linrfm import complete
from linrfm.data import completion_problem, degrees_of_freedom, n_from_factor
from linrfm_paper.experiments import bench
from linrfm_paper.jobs import run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
log = logging.getLogger("linrfm_paper.experiments")
c = dict(smk.params.c)


def rows():
    d, rank, factor = int(c["d"]), int(c["rank"]), float(c["factor"])
    n = n_from_factor(d, d, rank, factor)
    for sigma in c["sigmas"]:
        for seed in c["seeds"]:
            p = completion_problem(d, d, rank, n, seed=seed, noise_std=float(sigma))
            oracle = bench.tangent_space_oracle(p, rank) if sigma > 0 else p.Y_true
            formula = float(sigma) ** 2 * degrees_of_freedom(d, d, rank) / n
            for features in c["features"]:
                for refit in c["refit"]:
                    t0 = time.perf_counter()
                    res = complete(p.Y_obs, p.mask, features=features, refit=bool(refit))
                    seconds = time.perf_counter() - t0
                    mse = p.test_mse(res.Z)
                    log.info(
                        "σ=%g seed=%d %s refit=%s: test MSE %.2e (formula %.2e) %s %d its %.2f s",
                        sigma, seed, features, refit, mse, formula, res.status, res.n_iter, seconds,
                    )  # fmt: skip
                    yield bench.stamp(
                        target="target7",
                        d=d,
                        rank=rank,
                        n=n,
                        sigma=float(sigma),
                        seed=seed,
                        features=features,
                        refit=bool(refit),
                        seconds=seconds,
                        iterations=res.n_iter,
                        status=str(res.status),
                        rank_estimate=int(res.extras["rank"][-1]),
                        test_mse=mse,
                        formula_mse=formula,
                        oracle_mse=p.test_mse(oracle),
                        message=res.message,
                    )


run_job(smk, rows)
