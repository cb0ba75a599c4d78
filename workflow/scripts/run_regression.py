"""One (grid point, method, seed) job of Fig. 2 (sparse regression): a small tidy table."""

import logging

import pandas as pd
import torch

from linrfm_paper.experiments.regression import run_regression

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
logging.basicConfig(
    filename=smk.log[0], level=logging.INFO, format="%(asctime)s %(name)s %(message)s"
)
torch.set_num_threads(smk.threads)
w = smk.wildcards
rows = run_regression(
    smk.params.method,
    int(w.d),
    int(w.rank),
    int(w.n),
    int(w.seed),
    dict(smk.params.settings),
    n_test=int(smk.params.n_test),
)
pd.DataFrame(rows).to_csv(smk.output[0], index=False)
