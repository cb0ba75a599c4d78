"""The one entry point of the Snakemake job scripts: log to the rule's ``log:`` file, pin torch's
threads to the rule's ``threads``, compute the rows, write the table atomically.

    run_job(snakemake, lambda: run_completion(...))   # workflow/scripts/run_*.py, bench/*.py
"""

from __future__ import annotations

import logging
import os
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

LOG_FORMAT = "%(asctime)s %(name)s %(message)s"

Rows = Iterable[Mapping[str, Any]]


def log_to(log_path: str) -> logging.Logger:
    """Send the ``linrfm`` and ``linrfm_paper`` loggers (iteration, residual, timings) to
    ``log_path``; return the experiments' logger."""
    logging.basicConfig(filename=log_path, level=logging.INFO, format=LOG_FORMAT)
    return logging.getLogger("linrfm_paper.experiments")


def start_job(log_path: str, threads: int) -> logging.Logger:
    """:func:`log_to` ``log_path`` and use exactly ``threads`` torch threads — the rule's
    ``threads``, so that parallel jobs do not oversubscribe the cores (torch's default spins on
    every core)."""
    import torch

    log = log_to(log_path)
    torch.set_num_threads(max(1, int(threads)))
    return log


def write_table(rows: Rows | pd.DataFrame, path: str | os.PathLike[str]) -> int:
    """Write ``rows`` (dicts, one per row, or a DataFrame) as a CSV table to ``path`` atomically:
    a temporary file in the same folder, then ``os.replace``, so that a killed job leaves no
    partial table. Returns the number of rows."""
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="") as f:
            df.to_csv(f, index=False)
        os.replace(tmp, out)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return len(df)


def run_job(smk: Any, compute: Callable[[], Rows | pd.DataFrame]) -> None:
    """What every job script does: :func:`start_job` with the rule's log and threads, then
    ``compute()`` and :func:`write_table` of its rows to the rule's first output."""
    log = start_job(smk.log[0], smk.threads)
    n = write_table(compute(), smk.output[0])
    log.info("%d rows written to %s", n, smk.output[0])
