"""The one entry point of the Snakemake job scripts: log to the rule's ``log:`` file, pin torch's
threads to the rule's ``threads``, compute the rows, write the table atomically.

    run_job(snakemake, lambda: run_completion(...))   # workflow/scripts/run_*.py, bench/*.py
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
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


#: every temporary file or folder a job writes before renaming it into place starts with this
#: (hidden, and recognisable: ``preflight`` removes the ones a killed run left behind)
TEMPORARY_PREFIX = ".tmp-"

#: fault injection for the kill-and-resume test: seconds to wait between writing a temporary file
#: and renaming it into place (unset: no wait)
WRITE_PAUSE_ENV = "LINRFM_TEST_WRITE_PAUSE"


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path in ``path``'s folder (same extension, so writers that read it keep
    their format); when the block ends, rename it onto ``path`` (``os.replace``, atomic on one
    file system). A reader never sees a half-written file; a killed writer leaves at most a
    ``.tmp-<name>.*<ext>`` file (``TEMPORARY_PREFIX``), never a partial ``path``."""
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(
        dir=out.parent, prefix=f"{TEMPORARY_PREFIX}{out.name}.", suffix=out.suffix
    )
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        pause = os.environ.get(WRITE_PAUSE_ENV)
        if pause:
            time.sleep(float(pause))
        os.replace(tmp, out)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text(path: str | os.PathLike[str], text: str) -> None:
    """``Path(path).write_text(text)``, atomically (:func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text)


def save_figure(fig: Any, path: str | os.PathLike[str], **kwargs: Any) -> None:
    """``fig.savefig(path, **kwargs)``, atomically (:func:`atomic_path`)."""
    with atomic_path(path) as tmp:
        fig.savefig(tmp, **kwargs)


def checksum_path(path: str | os.PathLike[str]) -> Path:
    """Where :func:`write_table` keeps the SHA-256 of the table at ``path``: ``.<name>.sha256``
    beside it."""
    out = Path(path)
    return out.parent / f".{out.name}.sha256"


def sha256(path: str | os.PathLike[str]) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def write_table(rows: Rows | pd.DataFrame, path: str | os.PathLike[str]) -> int:
    """Write ``rows`` (dicts, one per row, or a DataFrame) as a CSV table to ``path`` atomically
    (:func:`atomic_path`), so that a killed job leaves no partial table, and its SHA-256 beside
    it (:func:`checksum_path`), so that a table edited or truncated afterwards is detected
    (``linrfm_paper.preflight``). Returns the number of rows."""
    df = rows if isinstance(rows, pd.DataFrame) else pd.DataFrame(list(rows))
    with atomic_path(path) as tmp:
        df.to_csv(tmp, index=False)
        digest = sha256(tmp)
    write_text(checksum_path(path), digest + "\n")
    return len(df)


def job_checkpoint(smk: Any) -> Any:
    """The :class:`~linrfm_paper.checkpoint.Checkpoint` of this job (beside its first output),
    fingerprinted by the rule, its wildcards, its params and the source of the two packages: a
    rerun after a kill with the same config and code reuses every problem the killed run
    finished; after an edit of either nothing is reused."""
    from .checkpoint import Checkpoint, source_digest

    log_to(smk.log[0])
    params = dict(
        source=source_digest(),
        rule=getattr(smk, "rulename", ""),
        wildcards=dict(smk.wildcards.items()),
        params=dict(smk.params.items()),
    )
    return Checkpoint.beside(smk.output[0], params)


def run_job(
    smk: Any, compute: Callable[[], Rows | pd.DataFrame], checkpoint: Any | None = None
) -> None:
    """What every job script does: :func:`start_job` with the rule's log and threads, then
    ``compute()`` and :func:`write_table` of its rows to the rule's first output; then the
    job's ``checkpoint`` (if any) is removed."""
    log = start_job(smk.log[0], smk.threads)
    n = write_table(compute(), smk.output[0])
    log.info("%d rows written to %s", n, smk.output[0])
    if checkpoint is not None:
        checkpoint.finish()
