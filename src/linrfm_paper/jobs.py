"""What every Snakemake job script does first: log to its ``log:`` file, pin torch's threads."""

from __future__ import annotations

import logging

import torch


def start_job(log_path: str, threads: int) -> logging.Logger:
    """Send the ``linrfm`` loggers (iteration, residual, timings) to ``log_path`` and use exactly
    ``threads`` torch threads — the rule's ``threads``, so that parallel jobs do not oversubscribe
    the cores (torch's default spins on every core)."""
    logging.basicConfig(
        filename=log_path, level=logging.INFO, format="%(asctime)s %(name)s %(message)s"
    )
    torch.set_num_threads(max(1, int(threads)))
    return logging.getLogger("linrfm_paper.experiments")
