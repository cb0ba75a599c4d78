"""What a long job has finished, kept across a killed run (issue 14): a job that runs many
problems in one process (a grid cell's draws, Fig. 4's threshold search, the phase transition's
instances) records each finished problem's rows, so that the same command after a kill — even
SIGKILL — redoes only the problem that was running.

The record is a JSON-lines file beside the job's output, ``.<output name>.checkpoint.jsonl`` (not
a Snakemake output, so a rerun of the incomplete job keeps it): a first line with the
fingerprint of the job's parameters, then one line per finished unit ``{"unit": …, "rows":
[…]}``, each written and flushed to disk whole. A kill mid-line leaves a partial last line, which
is skipped on reading; a record whose fingerprint differs (the config changed) is discarded.
When the job has written its table, :meth:`Checkpoint.finish` removes the record. Floats round-
trip exactly (``json`` writes ``repr``; NaN and inf as their names).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

log = logging.getLogger("linrfm_paper.experiments")

Rows = list[dict[str, Any]]


def source_digest() -> str:
    """SHA-256 of the Python sources of ``linrfm`` and ``linrfm_paper`` (file names and contents,
    in sorted order): a checkpoint written by other code is never reused."""
    import linrfm
    import linrfm_paper

    h = hashlib.sha256()
    for pkg in (linrfm, linrfm_paper):
        root = Path(pkg.__file__).parent
        for f in sorted(root.rglob("*.py")):
            h.update(str(f.relative_to(root)).encode())
            h.update(f.read_bytes())
    return h.hexdigest()


def fingerprint(params: Mapping[str, Any]) -> str:
    """SHA-256 of ``params`` as sorted JSON (non-JSON values by ``str``)."""
    text = json.dumps(params, sort_keys=True, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


class Checkpoint:
    """Finished units (problems) of one job and their rows; ``path=None`` keeps nothing."""

    def __init__(self, path: str | os.PathLike[str] | None, params: Mapping[str, Any]) -> None:
        self.path = None if path is None else Path(path)
        self.key = fingerprint(params)
        self.done: dict[str, Rows] = {}
        if self.path is not None and self.path.exists():
            self._read()

    @classmethod
    def beside(cls, output: str | os.PathLike[str], params: Mapping[str, Any]) -> Checkpoint:
        """The checkpoint of the job whose (first) output is ``output``."""
        out = Path(output)
        return cls(out.parent / f".{out.name}.checkpoint.jsonl", params)

    def _read(self) -> None:
        assert self.path is not None
        text = self.path.read_text()
        if text and not text.endswith("\n"):  # a kill cut the last line short: drop it, so that
            text = text[: text.rfind("\n") + 1]  # the next line appended starts a line of its own
            self.path.write_text(text)
        lines = text.splitlines()
        try:
            head = json.loads(lines[0]) if lines else {}
        except json.JSONDecodeError:
            head = {}
        if head.get("fingerprint") != self.key:
            log.info("checkpoint %s: other parameters, discarded", self.path)
            self.path.unlink()
            return
        for line in lines[1:]:
            try:
                entry = json.loads(line)
            except json.JSONDecodeError:  # the line a kill cut short
                continue
            self.done[str(entry["unit"])] = entry["rows"]
        log.info("checkpoint %s: %d finished unit(s) reused", self.path, len(self.done))

    def get(self, unit: Any) -> Rows | None:
        """The rows of ``unit`` if a run (this one or a killed one) finished it, else None."""
        rows = self.done.get(str(unit))
        return None if rows is None else [dict(r) for r in rows]

    def put(self, unit: Any, rows: Rows) -> None:
        """Record ``unit`` as finished with ``rows`` (one whole line, flushed and synced)."""
        self.done[str(unit)] = [dict(r) for r in rows]
        if self.path is None:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fresh = not self.path.exists()
        with open(self.path, "a") as f:
            if fresh:
                f.write(json.dumps({"fingerprint": self.key}) + "\n")
            f.write(json.dumps({"unit": str(unit), "rows": rows}, default=str) + "\n")
            f.flush()
            os.fsync(f.fileno())

    def rows(self, unit: Any, compute: Any) -> Rows:
        """``unit``'s recorded rows, or ``compute()``'s, recorded."""
        got = self.get(unit)
        if got is None:
            got = compute()
            self.put(unit, got)
        return got

    def finish(self) -> None:
        """The job's table is written: remove the record."""
        if self.path is not None:
            self.path.unlink(missing_ok=True)
