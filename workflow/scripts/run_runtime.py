"""One (method, seed) job of the runtime comparison: wall time to test MSE < target."""

import pandas as pd

from linrfm_paper.experiments.runtime import time_to_target
from linrfm_paper.jobs import start_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
start_job(smk.log[0], smk.threads)
w = smk.wildcards
row = time_to_target(
    w.method, int(w.d), int(w.rank), int(w.n), int(w.seed), dict(smk.params.settings)
)
pd.DataFrame([row]).to_csv(smk.output[0], index=False)
