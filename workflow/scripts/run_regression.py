"""One (grid cell, method) job of Fig. 2 (sparse regression): every (n, seed) problem of one
(d, rank) cell in one process, one tidy table (rows as one job per problem)."""

from linrfm_paper.experiments.regression import run_regression
from linrfm_paper.jobs import job_checkpoint, run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
w = smk.wildcards
checkpoint = job_checkpoint(smk)  # the problems a killed run finished


def rows():
    return [
        row
        for draw in smk.params.draws
        for row in checkpoint.rows(
            f"{draw['n']}:{draw['seed']}",
            lambda draw=draw: run_regression(
                smk.params.method,
                int(w.d),
                int(w.rank),
                int(draw["n"]),
                int(draw["seed"]),
                dict(smk.params.settings),
                n_test=int(smk.params.n_test),
            ),
        )
    ]


run_job(smk, rows, checkpoint)
