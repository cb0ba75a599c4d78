"""One (grid point, method, seed) job of Fig. 2 (sparse regression): a small tidy table."""

from linrfm_paper.experiments.regression import run_regression
from linrfm_paper.jobs import run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
w = smk.wildcards
run_job(
    smk,
    lambda: run_regression(
        smk.params.method,
        int(w.d),
        int(w.rank),
        int(w.n),
        int(w.seed),
        dict(smk.params.settings),
        n_test=int(smk.params.n_test),
    ),
)
