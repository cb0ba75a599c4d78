"""Ridge schedules for the row solves of Eq. 12 (our choice; the paper is silent on how to pick λ).

A plain float is the paper's mode: a fixed, absolute λ added to every K[S_i, S_i]. ``RidgeDecay`` is
the default: λ_t = max(floor, start · factor^t) · mean(diag K_t), a ridge relative to the
scale of the
current features that decays geometrically, like the ε-continuation of IRLS (Mohan & Fazel 2012).
It reads nothing but the iteration count and K_t, never held-out entries.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch

from ..validation import check_nonnegative, check_positive


@dataclass(frozen=True)
class RidgeDecay:
    """λ_t = max(floor, start · factor^t) · mean(diag K_t).

    For alpha = 1/2 the test error follows λ_t down, and a decay faster than the iterates can follow
    stalls IRLS-0 for good (measured: 0.99 per step recovers 60×80 rank 3 but stalls at 5e-2 on
    200×300 rank 5; 0.995 recovers both; adaptive rules that shrink λ when the iterate stops moving
    stall too, since stagnation looks like convergence). The floor is reached after
    ln(floor/start)/ln(factor) ≈ 3700 iterations with the defaults.
    """

    start: float = 1e-2
    factor: float = 0.995
    floor: float = 1e-10

    def __post_init__(self) -> None:
        check_positive("RidgeDecay.start", self.start)
        check_nonnegative("RidgeDecay.floor", self.floor)
        if not 0 < self.factor <= 1:
            raise ValueError(f"RidgeDecay.factor must lie in (0, 1], got {self.factor!r}")

    def relative(self, t: int) -> float:
        return max(self.floor, self.start * self.factor**t)

    def at_floor(self, t: int) -> bool:
        return self.start * self.factor**t <= self.floor

    def __call__(self, t: int, K: torch.Tensor) -> float:
        return self.relative(t) * float(K.diagonal().mean())


Ridge = float | RidgeDecay | str


def resolve_ridge(ridge: Ridge) -> RidgeDecay | float:
    """ "auto" → the default ``RidgeDecay()``; a number → fixed absolute λ ≥ 0."""
    if isinstance(ridge, RidgeDecay):
        return ridge
    if isinstance(ridge, str):
        if ridge != "auto":
            raise ValueError(f"ridge must be a number >= 0, 'auto' or a RidgeDecay, got {ridge!r}")
        return RidgeDecay()
    return check_nonnegative("ridge", ridge)


def ridge_at(ridge: RidgeDecay | float, t: int, K: torch.Tensor) -> float:
    return ridge(t, K) if isinstance(ridge, RidgeDecay) else ridge


def schedule_done(ridge: RidgeDecay | float, t: int) -> bool:
    """A fixed ridge is always 'done'; a decay only once it reached its floor."""
    return ridge.at_floor(t) if isinstance(ridge, RidgeDecay) else True
