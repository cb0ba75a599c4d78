"""Benchmark target 2, the paper's runtime case (5000 × 5000, r = 10, n = 10^6): complete() with
defaults, seconds to test MSE < 1e-3 and peak memory (config[bench][target2])."""

import logging

from linrfm_paper.experiments import bench
from linrfm_paper.experiments.runtime import PAPER_SECONDS
from linrfm_paper.jobs import run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
log = logging.getLogger("linrfm_paper.experiments")
c = dict(smk.params.c)


def rows():
    for seed in c["seeds"]:
        p = bench.problem(c["d"], c["rank"], c["n"], seed)
        ours = bench.timed_complete(p, log_every=10)
        log.info("complete: %s", ours)
        yield bench.stamp(
            target="target2",
            d=c["d"],
            rank=c["rank"],
            n=c["n"],
            seed=seed,
            paper_gpu_seconds=PAPER_SECONDS["linrfm_a0.5"],  # Section 4, one Titan Xp
            **ours,
        )


run_job(smk, rows)
