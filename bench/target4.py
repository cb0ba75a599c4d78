"""Benchmark target 4, iterations: complete() defaults vs fixed ridges, to test MSE 1e-3 and to the
fixed ridge's final accuracy, test-MSE trajectories recorded (config[bench][target4])."""

import logging

from linrfm_paper.experiments import bench
from linrfm_paper.jobs import run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
log = logging.getLogger("linrfm_paper.experiments")
c = dict(smk.params.c)


def brief(out):
    return {k: v for k, v in out.items() if k != "mse_history"}


def rows():
    for spec in c["problems"]:
        n = bench.n_of(spec)
        p = bench.problem(spec["d"], spec["rank"], n, int(spec.get("seed", 0)))
        runs = {"default": bench.timed_complete(p, trajectory=True, log_every=10)}
        log.info("default: %s", brief(runs["default"]))
        for lam in spec.get("fixed_ridges", c["fixed_ridges"]):
            out = bench.timed_complete(
                p,
                trajectory=True,
                ridge=float(lam),
                max_iter=int(spec.get("max_iter", c["max_iter"])),
                log_every=10,
            )
            out.update(bench.equal_accuracy(runs["default"]["mse_history"], out["mse_history"]))
            runs[f"fixed {lam:g}"] = out
            log.info("fixed %g: %s", lam, brief(out))
        for name, out in runs.items():
            history = out.pop("mse_history")
            yield bench.stamp(
                target="target4",
                d=spec["d"],
                rank=spec["rank"],
                n=n,
                schedule=name,
                **out,
                mse_history=" ".join(f"{v:.3e}" for v in history),
            )


run_job(smk, rows)
