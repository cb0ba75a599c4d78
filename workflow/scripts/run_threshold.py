"""One (method, d, rank) job of Fig. 4: threshold search over n, one row per protocol."""

import logging

import pandas as pd
import torch

from linrfm_paper.experiments.threshold import find_threshold

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
logging.basicConfig(
    filename=smk.log[0], level=logging.INFO, format="%(asctime)s %(name)s %(message)s"
)
torch.set_num_threads(smk.threads)
w = smk.wildcards
rows = find_threshold(
    smk.params.method,
    int(w.d),
    int(w.rank),
    [int(s) for s in smk.params.seeds],
    dict(smk.params.settings),
    rel_tol=float(smk.params.rel_tol),
)
pd.DataFrame(rows).to_csv(smk.output[0], index=False)
