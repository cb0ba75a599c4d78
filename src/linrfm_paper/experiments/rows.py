"""What every experiment row gets besides its results: the job's parameters and provenance."""

from __future__ import annotations

import logging
from typing import Any

from .. import methods
from ..provenance import provenance

log = logging.getLogger("linrfm_paper.experiments")


def annotate(rows: list[dict[str, Any]], method: str, **params: Any) -> list[dict[str, Any]]:
    """Append ``method``, its registry label, ``params`` (in the order given) and
    :func:`~linrfm_paper.provenance.provenance` to each row (one row per protocol, or per
    instance), log each row's protocol, error (``test_mse``, else ``relative_error``), iterations
    and seconds, and return ``rows``."""
    meta = dict(method=method, label=methods.label(method), **params, **provenance())
    for row in rows:
        log.info(
            "%s protocol=%s %s=%.3e iters=%d seconds=%.2f",
            method,
            row.get("protocol", "-"),
            "test_mse" if "test_mse" in row else "relative_error",
            row.get("test_mse", row.get("relative_error", float("nan"))),
            row["n_iter"],
            row["seconds"],
        )
        row.update(meta)
    return rows
