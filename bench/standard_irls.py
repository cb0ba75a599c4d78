"""MatrixIRLS on the standard benchmark (issue 12): 1000 × 1000 rank 5, κ = 10 at ρ = 1.8 and
κ = 1e5 at ρ = 2.0 by default; one instance at a time; prints a Markdown table.

    .venv/bin/python bench/standard_irls.py --seeds 0 1 2 [--threads 1] [--mean geometric]
    .venv/bin/python bench/standard_irls.py --cases 10:1.8 1e5:2.0 --d 1000 --rank 5
"""

from __future__ import annotations

import argparse
import platform
import time

import numpy as np
import torch

from linrfm.baselines import matrix_irls
from linrfm.data import standard_problem


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--d", type=int, default=1000)
    ap.add_argument("--rank", type=int, default=5)
    ap.add_argument("--cases", nargs="+", default=["10:1.8", "1e5:2.0"], help="kappa:rho")
    ap.add_argument("--seeds", nargs="+", type=int, default=[0, 1, 2])
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--mean", default="geometric")
    ap.add_argument("--device", default="cpu")
    args = ap.parse_args()
    torch.set_num_threads(args.threads)
    print(
        f"MatrixIRLS ({args.mean}), {args.d} x {args.d} rank {args.rank}, torch {torch.__version__}"
        f" threads {args.threads}, device {args.device}, {platform.machine()}"
    )
    print()
    print(
        "| κ | ρ | seed | success (rel. err < 1e-3) | relative error | paper MSE | iterations "
        "| CG iterations | status | seconds |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for case in args.cases:
        kappa, rho = (float(v) for v in case.split(":"))
        for seed in args.seeds:
            p = standard_problem(args.d, args.d, args.rank, rho, kappa, seed=seed)
            t0 = time.perf_counter()
            res = matrix_irls(p.Y_obs, p.mask, rank=args.rank, mean=args.mean, device=args.device)
            seconds = time.perf_counter() - t0
            err = p.relative_error(res.x)
            print(
                f"| {kappa:g} | {rho:g} | {seed} | {'yes' if err < 1e-3 else 'no'} | {err:.1e} "
                f"| {p.paper_mse(res.x):.1e} | {res.n_iter} | {int(np.sum(res.extras['cg_iter']))}"
                f" | {res.status} | {seconds:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
