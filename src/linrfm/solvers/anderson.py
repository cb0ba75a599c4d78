"""Anderson acceleration of the lin-RFM fixed-point map (our addition; not in the paper).

One lin-RFM iteration is a map Z ↦ F(Z): the AGOP G = ZᵀZ/d1, K = φ(G)², the row solves of Eq. 12
and the re-imposed observed entries. Its fixed points are what lin-RFM converges to; near them the
plain iteration Z_{t+1} = F(Z_t) contracts only linearly, at a rate close to 1 when few entries are
observed (docs/design.md). Anderson mixing (type II, Walker & Ni
2011) replaces Z_{t+1} by the combination of the last m + 1 map values whose residuals
F(Z_j) − Z_j cancel best:

    γ = argmin_γ ‖g_t − ΔG γ‖,   Z_{t+1} = F(Z_t) − ΔF γ,

with g_j = F(Z_j) − Z_j and ΔG, ΔF the differences of consecutive g_j and F(Z_j). Every map value
has (Z)_Ω = Y_Ω, and the weights of the combination sum to one, so the mixed iterate keeps the
observed entries. The history is cleared whenever the residual norm grows (a standard safeguard),
and the next step is then a plain one.
"""

from __future__ import annotations

import torch


class Anderson:
    """Type-II Anderson mixing with memory ``m`` on tensors of one shape (any device, dtype).

    ``reg``: Tikhonov term (relative to the largest diagonal entry) of the m × m normal equations;
    ``growth``: the history is cleared when ‖g_t‖ > growth · ‖g_{t−1}‖ (1: chosen by measurement,
    docs/design.md).
    """

    def __init__(self, m: int, reg: float = 1e-10, growth: float = 1.0):
        self.m, self.reg, self.growth = m, reg, growth
        self.restarts = 0
        self.reset()

    def reset(self) -> None:
        self._f: torch.Tensor | None = None
        self._g: torch.Tensor | None = None
        self._gnorm = float("inf")
        self._dG: list[torch.Tensor] = []
        self._dF: list[torch.Tensor] = []
        #: γ of the last ``step`` (None when it returned f unmixed): with k = len(γ) and
        #: f_{t−k}, …, f_t the last map values, the mixed iterate is f_t − Σ_j γ_j (f_{t−k+j+1} −
        #: f_{t−k+j}), j = 0 … k − 1 (used to mix factored iterates from their sketches)
        self.gamma: torch.Tensor | None = None

    def step(self, x: torch.Tensor, f: torch.Tensor) -> torch.Tensor:
        """Given the iterate ``x`` and its map value ``f = F(x)``, return the next iterate."""
        g = f - x
        gnorm = float(torch.linalg.norm(g))
        if gnorm > self.growth * self._gnorm:  # safeguard: the residual grew, start afresh
            self.restarts += 1
            self.reset()
        if self._g is not None:
            self._dG.append((g - self._g).reshape(-1))
            self._dF.append((f - self._f).reshape(-1))
            if len(self._dG) > self.m:
                self._dG.pop(0)
                self._dF.pop(0)
        self._f, self._g, self._gnorm = f, g, gnorm
        self.gamma = None
        if not self._dG:
            return f
        dG = torch.stack(self._dG)  # (k, N)
        A = dG @ dG.T
        b = dG @ g.reshape(-1)
        scale = float(A.diagonal().max())
        if not scale > 0:  # no new direction (an exact fixed point): nothing to mix
            self.reset()
            return f
        eye = torch.eye(A.shape[0], dtype=A.dtype, device=A.device)
        # solve_ex: LU, bitwise reproducible (lstsq's gelsy is not) and no exception when singular
        gamma, info = torch.linalg.solve_ex(A + self.reg * scale * eye, b)
        if int(info) != 0 or not bool(torch.isfinite(gamma).all()):
            self.reset()
            return f
        self.gamma = gamma
        mixed = f.reshape(-1) - torch.stack(self._dF).T @ gamma
        return mixed.view_as(f)
