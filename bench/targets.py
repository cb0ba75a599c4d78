"""One target of the fast-lin-RFM benchmark (Snakemake ``script:``; settings in config[bench]).

target1  the published example (d = 500, r = 5, n = 10^4, α = 1/2): complete() with defaults vs
         the published per-row numpy loop, seconds to test MSE ≤ 1e-3
target2  the paper's runtime case (5000 × 5000, r = 10, n = 10^6): complete() with defaults,
         seconds to test MSE < 1e-3 and peak memory
target3  seconds per iteration at several d: the dense kernel (its fraction of the measured GEMM
         rate, and its phases) and the low-rank kernel (also at d beyond 5000, drawn in factored
         form)
target4  iterations: complete() defaults vs fixed ridges, to test MSE 1e-3 and to the fixed
         ridge's final accuracy (test-MSE trajectories recorded)
target5  sample efficiency: 100 × 100 r = 5 from 1500 observations (over many draws, with each
         draw's identifiability; defaults and features="better_observed"), 1000 × 1000 r = 5
         from 2× its degrees of freedom
"""

import logging

import pandas as pd

from linrfm_paper.experiments import bench
from linrfm_paper.jobs import start_job

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
log = start_job(smk.log[0], smk.threads)
c = dict(smk.params.c)
target = smk.wildcards.target
rows = []


def n_of(spec: dict) -> int:
    d, r = int(spec["d"]), int(spec["rank"])
    if "n" in spec:
        return int(spec["n"])
    return int(round(float(spec["factor"]) * (2 * d * r - r * r)))


if target == "target1":
    for seed in c["seeds"]:
        p = bench.problem(c["d"], c["rank"], c["n"], seed)
        ours = bench.timed_complete(p)
        log.info("complete: %s", ours)
        base = bench.published_loop(p, max_iter=int(c["baseline_max_iter"]))
        base.pop("Z")
        log.info("published loop: %s", base)
        rows.append(
            bench.stamp(
                target=target,
                d=c["d"],
                rank=c["rank"],
                n=c["n"],
                seed=seed,
                **ours,
                baseline_seconds=base["seconds"],
                baseline_iterations=base["iterations"],
                baseline_reached=base["reached"],
                speedup=base["seconds"] / ours["seconds_to_target"],
            )
        )
elif target == "target2":
    for seed in c["seeds"]:
        p = bench.problem(c["d"], c["rank"], c["n"], seed)
        ours = bench.timed_complete(p, log_every=10)
        log.info("complete: %s", ours)
        rows.append(
            bench.stamp(
                target=target,
                d=c["d"],
                rank=c["rank"],
                n=c["n"],
                seed=seed,
                paper_gpu_seconds=559.0,
                **ours,
            )
        )
elif target == "target3":
    rate = bench.gemm_rate(d=int(c["gemm_d"]))
    log.info("GEMM rate %.3g GFLOP/s", rate / 1e9)
    runs = [("dense", d) for d in c["sizes"]]
    runs += [("lowrank", d) for d in [*c["sizes"], *c.get("lowrank_sizes", [])]]
    for kernel, d in runs:
        n = min(d * d - 1, int(round(c["n_factor"] * (2 * d * c["rank"] - c["rank"] ** 2))))
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
        rows.append(
            bench.stamp(
                target=target,
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
        )
        del p
elif target == "target4":
    for spec in c["problems"]:
        n = n_of(spec)
        p = bench.problem(spec["d"], spec["rank"], n, int(spec.get("seed", 0)))
        runs = {"default": bench.timed_complete(p, trajectory=True, log_every=10)}
        log.info("default: %s", {k: v for k, v in runs["default"].items() if k != "mse_history"})
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
            log.info("fixed %g: %s", lam, {k: v for k, v in out.items() if k != "mse_history"})
        for name, out in runs.items():
            history = out.pop("mse_history")
            rows.append(
                bench.stamp(
                    target=target,
                    d=spec["d"],
                    rank=spec["rank"],
                    n=n,
                    schedule=name,
                    **out,
                    mse_history=" ".join(f"{v:.3e}" for v in history),
                )
            )
elif target == "target5":
    for spec in c["problems"]:
        n = n_of(spec)
        seeds = spec["seeds"] if "seeds" in spec else range(int(spec["draws"]))
        for seed in seeds:
            p = bench.problem(spec["d"], spec["rank"], n, seed)
            opts = {"features": spec["features"]} if "features" in spec else {}
            out = bench.timed_complete(p, log_every=100, **opts)
            # a row or column with fewer than r observations is not determined by the data
            fewest = min(int(p.mask.sum(axis=1).min()), int(p.mask.sum(axis=0).min()))
            log.info("d=%d n=%d seed=%d (fewest per line %d): %s", spec["d"], n, seed, fewest, out)
            rows.append(
                bench.stamp(
                    target=target,
                    d=spec["d"],
                    rank=spec["rank"],
                    n=n,
                    seed=seed,
                    features=spec.get("features", "auto"),
                    dof=2 * spec["d"] * spec["rank"] - spec["rank"] ** 2,
                    fewest_observations_per_line=fewest,
                    identifiable=fewest >= spec["rank"],
                    **out,
                )
            )
else:
    raise ValueError(f"unknown benchmark target {target!r}")
logging.info("%d rows", len(rows))
pd.DataFrame(rows).to_csv(smk.output[0], index=False)
