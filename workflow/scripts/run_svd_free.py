"""One (d, method) job of the SVD-free vs eigendecomposition per-iteration timing (Section 4)."""

from linrfm.data import n_from_factor
from linrfm_paper.experiments.runtime import seconds_per_iteration
from linrfm_paper.jobs import run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
w = smk.wildcards
c = smk.params.c
d, rank = int(w.d), int(c["rank"])
n = n_from_factor(d, d, rank, c["n_factor"])
run_job(
    smk,
    lambda: [
        seconds_per_iteration(w.method, d, rank, n, int(s), int(c["iters"])) for s in c["seeds"]
    ],
)
