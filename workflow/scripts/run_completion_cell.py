"""One (figure, grid cell, method) job of a completion figure: every draw of the cell (its n
values, seeds and noise levels) in one process, one tidy table (rows as one job per draw)."""

from linrfm_paper.experiments.completion import Draw, run_completion_cell
from linrfm_paper.jobs import job_checkpoint, run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
w = smk.wildcards
checkpoint = job_checkpoint(smk)  # the draws a killed run finished


def rows():
    draws = [
        Draw(int(d["n"]), int(d["seed"]), float(d.get("noise_std", 0.0))) for d in smk.params.draws
    ]
    out = run_completion_cell(
        smk.params.method,
        int(w.d),
        int(w.d),
        int(w.rank),
        draws,
        dict(smk.params.settings),
        checkpoint=checkpoint,
    )
    return [{**row, **smk.params.get("extra", {})} for row in out]


run_job(smk, rows, checkpoint)
