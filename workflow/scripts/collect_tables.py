"""Concatenate small per-job tables into one tidy table."""

import pandas as pd

from linrfm_paper.jobs import log_to, write_table

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
log = log_to(smk.log[0])
df = pd.concat([pd.read_csv(f) for f in smk.input], ignore_index=True)
write_table(df, smk.output[0])
log.info("%d tables, %d rows written to %s", len(smk.input), len(df), smk.output[0])
