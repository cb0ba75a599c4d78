"""Benchmark target 5, sample efficiency: 100 × 100 r = 5 from 1500 observations (over many draws,
with each draw's identifiability; defaults and features="better_observed"), 1000 × 1000 r = 5 from
2× and 1.5× its degrees of freedom (config[bench][target5])."""

import logging

from linrfm.data import degrees_of_freedom
from linrfm_paper.experiments import bench
from linrfm_paper.jobs import run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
log = logging.getLogger("linrfm_paper.experiments")
c = dict(smk.params.c)


def rows():
    for spec in c["problems"]:
        d, rank, n = spec["d"], spec["rank"], bench.n_of(spec)
        seeds = spec["seeds"] if "seeds" in spec else range(int(spec["draws"]))
        for seed in seeds:
            p = bench.problem(d, rank, n, seed)
            opts = {"features": spec["features"]} if "features" in spec else {}
            out = bench.timed_complete(p, log_every=100, **opts)
            # a row or column with fewer than r observations is not determined by the data
            fewest = min(int(p.mask.sum(axis=1).min()), int(p.mask.sum(axis=0).min()))
            log.info("d=%d n=%d seed=%d (fewest per line %d): %s", d, n, seed, fewest, out)
            yield bench.stamp(
                target="target5",
                d=d,
                rank=rank,
                n=n,
                seed=seed,
                features=spec.get("features", "auto"),
                dof=degrees_of_freedom(d, d, rank),
                fewest_observations_per_line=fewest,
                identifiable=fewest >= rank,
                **out,
            )


run_job(smk, rows)
