"""Defaults of the lin-RFM completion solvers (one place for each) and their resolved options."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from .schedule import RidgeDecay, SpectralRidge

#: AGOP updates at most (``max_iter``)
DEFAULT_MAX_ITER = 6000
#: stop when the relative change of the iterate falls below this (``tol``)
DEFAULT_TOL = 1e-9
#: memory of the Anderson mixing with a ``SpectralRidge`` schedule (``anderson="auto"``)
DEFAULT_ANDERSON = 5
#: ``ridge="auto"`` with ``features="alternating"``: ``SpectralRidge`` with a shorter stall window
#: (a recovery on both sides halves its progress measure every few iterations; docs/design.md)
ALTERNATING_RIDGE = SpectralRidge(stall_window=100)


@dataclass(frozen=True)
class CompletionOptions:
    """The validated options of one lin-RFM completion run (``complete``, ``complete_lowrank``).

    φ(s) = (s + ``eps``)^``alpha``; ``ridge`` a fixed λ or a schedule; ``memory`` the Anderson m
    (0: plain Algorithm 1); ``svd_free``: K = φ(G)² by products; ``M0`` the initial feature
    matrix on the feature side (None: identity)."""

    alpha: float
    ridge: float | RidgeDecay | SpectralRidge
    eps: float
    max_iter: int
    tol: float
    log_every: int
    chunk_elements: int
    memory: int
    replace: bool = True
    svd_free: bool = False
    M0: torch.Tensor | None = None
