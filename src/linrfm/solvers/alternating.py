"""lin-RFM with the features on both sides in turn (our extension, next to Algorithm 1).

Algorithm 1 puts the feature matrix on one side: every row of Z is a regression on the column
features K_t = φ(G_t)², G_t = X_{t−1}ᵀX_{t−1}/d1 (the AGOP of the rows). One iteration here is
Algorithm 1's iteration on Z followed by Algorithm 1's iteration on Zᵀ:

    half 1 (columns):  G_t = X_{t−1}ᵀX_{t−1}/d1,
                       row i of Z′     = K_t[:, S_i] (K_t[S_i, S_i] + λ_t I)^{-1} y_i;
    half 2 (rows):     H_t = Z′Z′ᵀ/d2,
                       column j of Z_t = L_t[:, T_j] (L_t[T_j, T_j] + μ_t I)^{-1} y_j,

with K_t = φ(G_t)², L_t = φ(H_t)², S_i the observed columns of row i, T_j the observed rows of
column j, and (Z)_Ω = Y_Ω re-imposed after each half (``replace``). Each half has its own ridge
rule (λ_t, μ_t from its own AGOP spectrum); X_t = Z_t, or its Anderson mixture over whole
iterations. Each half is exactly one step of Algorithm 1, so a rank-r interpolant that is a fixed
point of Algorithm 1 on both sides is a fixed point here; a fixed point of one side alone is not.
For α = 1/2 half 1 is the IRLS step for the log-det of XᵀX and half 2 for the log-det of XXᵀ
(Appendix A, p = 0), the two one-sided weights of HM-IRLS (Kümmerle & Sigl 2018) taken in turn
instead of together. Why and what it gains: docs/design.md ("Both sides in turn").
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import torch

from .._backend import to_numpy
from ..result import IterationState
from ._driver import Step
from .anderson import Anderson

if TYPE_CHECKING:
    from .completion import Algorithm1


class Alternating:
    """One driver iteration = Algorithm 1 on Z (``columns``) then on Zᵀ (``rows``); the two
    :class:`Algorithm1` halves keep their own kernel and ridge rule. Dense kernels only; the
    iterates are (d1, d2) tensors."""

    def __init__(self, columns: Algorithm1, rows: Algorithm1, memory: int):
        self.columns, self.rows = columns, rows
        self.mixer = Anderson(memory) if memory > 0 else None
        self.spectral = columns.spectral
        self.rule = rows.rule  # the certificate and the stall watch read the last half's rule

    def _halves(self, t: int, X: torch.Tensor) -> Step:
        c = self.columns
        c.kernel.update(t, X)
        first = c._regress(t, X)
        r = self.rows
        Zt = c.Z.T
        r.kernel.update(t, Zt)
        second = r._regress(t, Zt)
        self.Z = r.Z.T.contiguous()
        return Step(
            max(first.residual, second.residual),
            second.rel_change,
            first.can_converge and second.can_converge,
            second.certified,
            second.progress,
            first.stationary and second.stationary,
        )

    def first(self) -> Step:
        """t = 0: the regression on M_0 = I (the observed entries, zero elsewhere)."""
        step = self.columns.first()
        self.rows.kernel.change(self.columns.Z.T, None)  # the row half's reference iterate
        self.Z = self.X = self.columns.Z
        return step

    def step(self, t: int) -> Step:
        return self._halves(t, self.X)

    def advance(self) -> None:
        """X_t = Anderson mixture of the last whole-iteration map values once both halves see a
        separated spectrum (any fixed ridge counts as separated), else Z_t."""
        separated = self.columns.rule.separated and self.rows.rule.separated
        if self.mixer is not None and separated:
            self.X = self.mixer.step(self.X, self.Z)
        else:
            if self.mixer is not None:
                self.mixer.reset()
            self.X = self.Z

    def numpy(self) -> np.ndarray:
        """The last iterate Z_t as a dense (d1, d2) array."""
        return to_numpy(self.Z)

    @property
    def rank(self) -> int:
        """The smaller of the two halves' rank estimates (``refit=True`` fits this rank): a
        rank is only as credible as the side that needs the fewest directions."""
        return min(self.columns.rank, self.rows.rank)

    def state(self, t: int, step: Step) -> IterationState:
        Z = self.Z
        return IterationState(
            t,
            step.residual,
            step.rel_change,
            lambda: to_numpy(Z),
            ridge=(self.rows.ridges or self.columns.ridges)[-1],
            rank=self.rule.rank if self.spectral else None,
        )

    def certificate(self) -> str:
        return self.rows.certificate()

    def diagnosis(self) -> str:
        return self.rows.diagnosis()

    def extras(self) -> dict:
        """The column half's K, λ_t, r̂_t, τ_t (as one-sided lin-RFM) and the row half's as
        ``K_rows``, ``ridge_rows``, ``rank_rows``, ``tail_rows``."""
        out = self.columns.extras()
        out.update({f"{k}_rows": v for k, v in self.rows.extras().items()})
        return out
