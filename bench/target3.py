"""Benchmark target 3, seconds per iteration at several d: the dense kernel (its fraction of the
measured GEMM rate, and its phases) and the low-rank kernel (also at d beyond 5000, drawn in
factored form) (config[bench][target3])."""

import logging

from linrfm.data import n_from_factor
from linrfm_paper.experiments import bench
from linrfm_paper.jobs import run_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
log = logging.getLogger("linrfm_paper.experiments")
c = dict(smk.params.c)


def rows():
    rate = bench.gemm_rate(d=int(c["gemm_d"]))
    log.info("GEMM rate %.3g GFLOP/s", rate / 1e9)
    runs = [("dense", d) for d in c["sizes"]]
    runs += [("lowrank", d) for d in [*c["sizes"], *c.get("lowrank_sizes", [])]]
    for kernel, d in runs:
        n = n_from_factor(d, d, c["rank"], c["n_factor"])
        if kernel == "dense":
            p = bench.problem(d, c["rank"], n, 0)
            out = bench.timed_complete(p, max_iter=int(c["iters"]), tol=0.0, kernel="dense")
            out.update(bench.dense_phase_seconds(p))  # where the iteration's time goes
            flops = bench.iteration_flops(p.mask)
        else:  # never forms a d × d matrix: the problem is drawn in factored form
            p = bench.factored_problem(d, c["rank"], n, 0)
            out = bench.timed_lowrank(p, max_iter=int(c["iters"]), tol=0.0)
            flops = float("nan")  # not a GEMM-bound iteration: no flop model
        achieved = flops / out["seconds_per_iter"]
        log.info(
            "%s d=%d: %.4f s/iteration (setup %.2f s)",
            kernel,
            d,
            out["seconds_per_iter"],
            out["setup_seconds"],
        )
        yield bench.stamp(
            target="target3",
            kernel=kernel,
            d=d,
            rank=c["rank"],
            n=n,
            seed=0,
            iterations=out["iterations_total"],
            setup_seconds=out["setup_seconds"],
            seconds_per_iter=out["seconds_per_iter"],
            flops_per_iter=flops,
            gemm_flops_per_s=rate,
            achieved_flops_per_s=achieved,
            fraction_of_gemm=achieved / rate,
            gemm_seconds=2.0 * d**3 / rate,
            **{k: out.get(k, float("nan")) for k in bench.DENSE_PHASES},
        )
        del p


run_job(smk, rows)
