"""One (method, seed) job of the runtime comparison: wall time to test MSE < target."""

from linrfm_paper.experiments.runtime import time_to_target
from linrfm_paper.jobs import run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
w = smk.wildcards
run_job(
    smk,
    lambda: [
        time_to_target(
            w.method, int(w.d), int(w.rank), int(w.n), int(w.seed), dict(smk.params.settings)
        )
    ],
)
