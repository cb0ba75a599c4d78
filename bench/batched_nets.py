"""Batched deep linear networks (issue 14): network-steps per second of
deep_linear_completion_batched for B members against deep_linear_completion one network at a time;
prints a Markdown table and writes bench/results/batched_nets.csv.

Default: d = 100, rank 5, n = 3000 observed entries (each member its own mask and seed), depth 3,
width 100, float64, 500 steps (log_every 100, tol 0, no early stop), torch threads 2. Each
configuration runs ``--repeats`` times, interleaved, and the fastest run counts (the machine may
be shared).

    .venv/bin/python bench/batched_nets.py [--batches 5 10 20] [--steps 500] [--threads 2]
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

from linrfm.baselines import deep_linear_completion, deep_linear_completion_batched
from linrfm.data import completion_problem
from linrfm_paper.jobs import atomic_path
from linrfm_paper.provenance import provenance

RESULTS = Path(__file__).resolve().parent / "results" / "batched_nets.csv"


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--d", type=int, default=100)
    ap.add_argument("--rank", type=int, default=5)
    ap.add_argument("--n", type=int, default=3000)
    ap.add_argument("--depth", type=int, default=3)
    ap.add_argument("--width", type=int, default=100)
    ap.add_argument("--steps", type=int, default=500)
    ap.add_argument("--log-every", type=int, default=100)
    ap.add_argument("--batches", nargs="+", type=int, default=[5, 10, 20])
    ap.add_argument("--singles", type=int, default=5, help="networks run one at a time")
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--device", default="cpu")
    ap.add_argument("--csv", type=Path, default=RESULTS)
    args = ap.parse_args()
    torch.set_num_threads(args.threads)

    n_members = max(max(args.batches), args.singles)
    problems = [
        completion_problem(args.d, args.d, args.rank, args.n, seed=s) for s in range(n_members)
    ]
    Y = np.stack([p.Y_obs for p in problems])
    masks = np.stack([p.mask for p in problems])
    kw = dict(
        depth=args.depth,
        width=args.width,
        max_iter=args.steps,
        log_every=args.log_every,
        tol=0.0,
        device=args.device,
        dtype="float64",
    )

    def single() -> float:
        t0 = time.perf_counter()
        for b in range(args.singles):
            res = deep_linear_completion(Y[b], masks[b], seed=b, **kw)
            assert res.n_iter == args.steps
        return time.perf_counter() - t0

    def batched(B: int) -> float:
        t0 = time.perf_counter()
        res = deep_linear_completion_batched(Y[:B], masks[:B], seeds=range(B), **kw)
        assert all(r.n_iter == args.steps for r in res)
        return time.perf_counter() - t0

    configs = [("one at a time", args.singles, single)] + [
        ("batched", B, lambda B=B: batched(B)) for B in args.batches
    ]
    best = {(how, B): float("inf") for how, B, _ in configs}
    for r in range(args.repeats):
        for how, B, run in configs:
            seconds = run()
            best[how, B] = min(best[how, B], seconds)
            print(f"repeat {r}: {how}, B = {B}: {seconds:.2f} s", file=sys.stderr, flush=True)

    print(
        f"Deep linear networks, d = {args.d}, rank {args.rank}, n = {args.n}, depth "
        f"{args.depth}, width {args.width}, float64, {args.steps} steps, torch "
        f"{torch.__version__} threads {args.threads}, device {args.device}, "
        f"{platform.machine()}; best of {args.repeats}"
    )
    print()
    print("| networks | B | seconds | network-steps/s | vs one at a time |")
    print("|---|---|---|---|---|")
    base = args.singles * args.steps / best["one at a time", args.singles]
    rows = []
    for how, B, _ in configs:
        seconds = best[how, B]
        rate = B * args.steps / seconds
        print(f"| {how} | {B} | {seconds:.2f} | {rate:.0f} | {rate / base:.2f}x |")
        rows.append(
            {
                "networks": how,
                "B": B,
                "d": args.d,
                "rank": args.rank,
                "n": args.n,
                "depth": args.depth,
                "width": args.width,
                "steps": args.steps,
                "seconds": round(seconds, 4),
                "network_steps_per_s": round(rate, 1),
                "ratio_vs_one_at_a_time": round(rate / base, 3),
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
