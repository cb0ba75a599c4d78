"""One (figure, grid point, method, seed) job of a completion figure: a small tidy table."""

import logging

import pandas as pd
import torch

from linrfm_paper.experiments.completion import run_completion

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
logging.basicConfig(
    filename=smk.log[0], level=logging.INFO, format="%(asctime)s %(name)s %(message)s"
)
torch.set_num_threads(smk.threads)
w = smk.wildcards
d, rank, n, seed = int(w.d), int(w.rank), int(w.n), int(w.seed)
rows = run_completion(
    smk.params.method,
    d,
    d,
    rank,
    n,
    seed,
    dict(smk.params.settings),
    noise_std=float(smk.params.get("noise_std", 0.0)),
)
for row in rows:
    row.update(smk.params.get("extra", {}))
pd.DataFrame(rows).to_csv(smk.output[0], index=False)
