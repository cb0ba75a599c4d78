"""One (method, κ, ρ) job of the phase transition: every instance of the point, one table."""

from linrfm_paper.experiments.standard import run_standard
from linrfm_paper.jobs import job_checkpoint, run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
w = smk.wildcards
checkpoint = job_checkpoint(smk)  # the instances a killed run finished

run_job(
    smk,
    lambda: run_standard(
        w.method,
        int(w.d),
        int(w.d),
        int(w.rank),
        float(w.kappa),
        float(w.rho),
        int(smk.params.instances),
        dict(smk.params.settings),
        checkpoint=checkpoint,
    ),
    checkpoint,
)
