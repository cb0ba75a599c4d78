"""One (method, d, rank) job of Fig. 4: threshold search over n, one row per protocol."""

from linrfm_paper.experiments.threshold import PROTOCOLS, find_threshold
from linrfm_paper.jobs import job_checkpoint, run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
w = smk.wildcards
checkpoint = job_checkpoint(smk)  # the (n, seed) runs a killed search finished
run_job(
    smk,
    lambda: find_threshold(
        smk.params.method,
        int(w.d),
        int(w.rank),
        [int(s) for s in smk.params.seeds],
        dict(smk.params.settings),
        rel_tol=float(smk.params.rel_tol),
        target_mse=float(smk.params.target_mse),
        protocol=smk.params.settings.get("protocols", PROTOCOLS),
        checkpoint=checkpoint,
    ),
    checkpoint,
)
