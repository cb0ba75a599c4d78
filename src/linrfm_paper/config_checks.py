"""Checks of a workflow config that its JSON schema cannot express (the schema,
``workflow/schemas/config.schema.yaml``, checks types, keys, ranges and empty grids first).

``check_sizes``: every problem size has rank < min(d1, d2): in any mapping of the config that
holds ``rank`` (or ``ranks``) beside ``d`` (or ``d1``/``d2``). The error names the key."""

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
