"""What every experiment row gets besides its results: the job's parameters and provenance."""

from __future__ import annotations

import logging
from typing import Any

from .. import methods
from ..provenance import provenance

log = logging.getLogger("linrfm_paper.experiments")


def annotate(rows: list[dict[str, Any]], method: str, **params: Any) -> list[dict[str, Any]]:
    """Append ``method``, its registry label, ``params`` (in the order given) and
    :func:`~linrfm_paper.provenance.provenance` to each row (one row per protocol), log each row's
    protocol, test MSE, iterations and seconds, and return ``rows``."""
    meta = dict(method=method, label=methods.label(method), **params, **provenance())
    for row in rows:
        log.info(
            "%s protocol=%s test_mse=%.3e iters=%d seconds=%.2f",
            method,
            row["protocol"],
            row["test_mse"],
            row["n_iter"],
            row["seconds"],
        )
        row.update(meta)
    return rows
