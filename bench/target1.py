"""Benchmark target 1, the published example (d = 500, r = 5, n = 10^4, α = 1/2): complete() with
defaults (and each ``features`` of config[bench][target1][features], e.g. "alternating") vs the
published per-row numpy loop: seconds to test MSE ≤ 1e-3 (``speedup``) and the whole call to its own
stop (``speedup_own_stop``)."""

import logging

from linrfm_paper.experiments import bench
from linrfm_paper.jobs import run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
log = logging.getLogger("linrfm_paper.experiments")
c = dict(smk.params.c)


def rows():
    for seed in c["seeds"]:
        p = bench.problem(c["d"], c["rank"], c["n"], seed)
        base = bench.published_loop(p, max_iter=int(c["baseline_max_iter"]))
        base.pop("Z")
        log.info("published loop: %s", base)
        for features in c.get("features", ["auto"]):
            ours = bench.timed_complete(p, features=features)
            log.info("complete(features=%s): %s", features, ours)
            yield bench.stamp(
                target="target1",
                d=c["d"],
                rank=c["rank"],
                n=c["n"],
                seed=seed,
                features=features,
                **ours,
                baseline_seconds=base["seconds"],
                baseline_iterations=base["iterations"],
                baseline_reached=base["reached"],
                speedup=base["seconds"] / ours["seconds_to_target"],
                speedup_own_stop=base["seconds"] / ours["seconds_total"],
            )


run_job(smk, rows)
