"""Concatenate small per-job tables into one tidy table."""

import pandas as pd

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
pd.concat([pd.read_csv(f) for f in smk.input], ignore_index=True).to_csv(smk.output[0], index=False)
