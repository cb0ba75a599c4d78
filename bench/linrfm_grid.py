"""The batched ridge grid (issue 14): run-iterations per second of linrfm.solvers.grid.complete_grid
for the Appendix E grid of R ridges against ``linrfm.complete`` once per ridge; prints a Markdown
table and writes bench/results/linrfm_grid.csv.

Default: d × d rank 5 at 1.5 × (2dr − r²) observed entries, d ∈ {100, 200}, α ∈ {1/2, 1}, the
7 ridges of Appendix E, 300 iterations each (tol 0, no early stop), float64, torch threads 1 (as
a workflow job). Each configuration runs ``--repeats`` times, interleaved, and the fastest counts
(the machine may be shared).

    .venv/bin/python bench/linrfm_grid.py [--ds 100 200] [--iters 300] [--threads 1]
"""

from __future__ import annotations

import argparse
import platform
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import torch

import linrfm
from linrfm.data import completion_problem, n_from_factor
from linrfm.solvers.grid import complete_grid
from linrfm_paper.jobs import atomic_path
from linrfm_paper.provenance import provenance

RESULTS = Path(__file__).resolve().parent / "results" / "linrfm_grid.csv"
RIDGES = [5e-2, 3e-2, 1e-2, 5e-3, 1e-3, 5e-4, 1e-4]  # Appendix E


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--ds", nargs="+", type=int, default=[100, 200])
    ap.add_argument("--rank", type=int, default=5)
    ap.add_argument("--factor", type=float, default=1.5, help="n = factor × (2dr − r²)")
    ap.add_argument("--alphas", nargs="+", type=float, default=[0.5, 1.0])
    ap.add_argument("--iters", type=int, default=300)
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--csv", type=Path, default=RESULTS)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    kw = dict(max_iter=args.iters, tol=0.0, device=args.device, dtype="float64")

    rows = []
    print(
        f"lin-RFM ridge grid (R = {len(RIDGES)}), rank {args.rank}, n = {args.factor} x dof, "
        f"{args.iters} iterations, float64, torch {torch.__version__} threads {args.threads}, "
        f"device {args.device}, {platform.machine()}; best of {args.repeats}"
    )
    print()
    print("| d | α | one ridge at a time (s) | grid batched (s) | speed-up | max rel. diff of Z |")
    print("|---|---|---|---|---|---|")
    for d in args.ds:
        p = completion_problem(d, d, args.rank, n_from_factor(d, d, args.rank, args.factor), 0)
        for alpha in args.alphas:
            best = {"single": np.inf, "grid": np.inf}
            out: dict[str, list] = {}
            for r in range(args.repeats):
                t0 = time.perf_counter()
                out["single"] = [
                    linrfm.complete(p.Y_obs, p.mask, alpha=alpha, ridge=lam, **kw) for lam in RIDGES
                ]
                best["single"] = min(best["single"], time.perf_counter() - t0)
                t0 = time.perf_counter()
                out["grid"] = complete_grid(p.Y_obs, p.mask, ridges=RIDGES, alpha=alpha, **kw)
                best["grid"] = min(best["grid"], time.perf_counter() - t0)
                print(f"d {d} α {alpha} repeat {r}: {best}", file=sys.stderr, flush=True)
            diff = max(
                float(np.abs(a.Z - b.Z).max() / np.abs(a.Z).max())
                for a, b in zip(out["single"], out["grid"], strict=True)
            )
            ratio = best["single"] / best["grid"]
            print(
                f"| {d} | {alpha:g} | {best['single']:.2f} | {best['grid']:.2f} | {ratio:.2f}x "
                f"| {diff:.1e} |"
            )
            run_iters = len(RIDGES) * args.iters
            rows.append(
                {
                    "d": d,
                    "rank": args.rank,
                    "n": int(p.mask.sum()),
                    "alpha": alpha,
                    "ridges": len(RIDGES),
                    "iterations": args.iters,
                    "single_seconds": round(best["single"], 4),
                    "grid_seconds": round(best["grid"], 4),
                    "single_run_iterations_per_s": round(run_iters / best["single"], 1),
                    "grid_run_iterations_per_s": round(run_iters / best["grid"], 1),
                    "speedup": round(ratio, 3),
                    "max_rel_diff_Z": diff,
                    "repeats": args.repeats,
                    "torch_threads": torch.get_num_threads(),
                    **provenance(args.device),
                }
            )
    with atomic_path(args.csv) as tmp:  # a killed benchmark leaves no partial table
        pd.DataFrame(rows).to_csv(tmp, index=False)
    print()
    print(f"written {args.csv}")


if __name__ == "__main__":
    main()
