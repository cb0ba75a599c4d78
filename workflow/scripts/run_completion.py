"""One (figure, grid point, method, seed) job of a completion figure: a small tidy table."""

from linrfm_paper.experiments.completion import run_completion
from linrfm_paper.jobs import run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
w = smk.wildcards


def rows():
    out = run_completion(
        smk.params.method,
        int(w.d),
        int(w.d),
        int(w.rank),
        int(w.n),
        int(w.seed),
        dict(smk.params.settings),
        noise_std=float(smk.params.get("noise_std", 0.0)),
    )
    return [{**row, **smk.params.get("extra", {})} for row in out]


run_job(smk, rows)
