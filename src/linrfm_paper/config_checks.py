"""Checks of a workflow config that its JSON schema cannot express (the schema,
``workflow/schemas/config.schema.yaml``, checks types, keys, ranges and empty grids first).

``check_sizes``: every problem size has rank < min(d1, d2): in any mapping of the config that
holds ``rank`` (or ``ranks``) beside ``d`` (or ``d1``/``d2``). The error names the key.

``check_phase_transition``: every ρ of ``phase_transition.rhos`` leaves at least r + 1 observed
entries per row and column possible (n = ρ r (2d − r) ≥ (r + 1) d)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def _walk(node: Any, path: str):
    if isinstance(node, Mapping):
        yield path, node
        for k, v in node.items():
            yield from _walk(v, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from _walk(v, f"{path}[{i}]")


def check_sizes(config: Mapping) -> None:
    """ValueError naming the config key of the first size with rank ≥ min(d1, d2)."""
    for path, node in _walk(config, ""):
        dims = [node[k] for k in ("d", "d1", "d2") if isinstance(node.get(k), int)]
        if not dims:
            continue
        ranks = node.get("ranks", [])
        ranks = [node["rank"], *ranks] if isinstance(node.get("rank"), int) else list(ranks)
        for r in ranks:
            if isinstance(r, int) and r >= min(dims):
                raise ValueError(
                    f"config {path}: rank {r} must be smaller than the matrix side "
                    f"min(d) = {min(dims)}"
                )


def check_phase_transition(config: Mapping) -> None:
    """ValueError naming ``phase_transition.rhos`` when a ρ gives fewer than (r + 1) d observed
    entries (the standard protocol needs r + 1 in every row and column)."""
    c = config.get("phase_transition")
    if not c:
        return
    d, r = int(c["d"]), int(c["rank"])
    low = [rho for rho in c["rhos"] if rho * r * (2 * d - r) < (r + 1) * d]
    if low:
        need = (r + 1) * d / (r * (2 * d - r))
        raise ValueError(
            f"config phase_transition.rhos: {low} give fewer than (r + 1) d = {(r + 1) * d} "
            f"observed entries at d = {d}, rank = {r}; every rho must be >= {need:.3f}"
        )
