"""One (d, method) job of the SVD-free vs eigendecomposition per-iteration timing (Section 4)."""

import pandas as pd

from linrfm_paper.experiments.runtime import seconds_per_iteration
from linrfm_paper.jobs import start_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
start_job(smk.log[0], smk.threads)
w = smk.wildcards
c = smk.params.c
d = int(w.d)
n = min(d * d - 1, int(round(c["n_factor"] * (2 * d * c["rank"] - c["rank"] ** 2))))
rows = [
    seconds_per_iteration(w.method, d, int(c["rank"]), n, int(s), int(c["iters"]))
    for s in c["seeds"]
]
pd.DataFrame(rows).to_csv(smk.output[0], index=False)
