"""Feature kernels of lin-RFM completion: what one iteration of Algorithm 1 needs of K_t.

A kernel owns the Gram (the AGOP G_t = X_tᵀX_t/d1 and K_t = φ(G_t)²), the row solves of Eq. 12
and the eigenpairs the ridge schedule reads. Both kernels have one interface, used by the
iteration in ``completion.py``:

- ``spectrum()`` → :class:`~linrfm.solvers.schedule.Spectrum` of the current K_t (and G_t);
- ``update(t, X)`` — Step 2: the AGOP of the iterate X and the new K_t;
- ``regress(t, λ, rule)`` → (Z_t, residual) — Step 1: the row solves with K_t + λI, Z_t = C K_t,
  (Z_t)_Ω ← Y_Ω when ``replace``;
- ``change(Z, X)`` — the relative change the tolerance test reads;
- ``mix(mixer, X, Z)`` / ``restart(Z)`` — the iterate the next AGOP is built from;
- ``numpy(Z)``, ``entries(Z)``, ``extras()`` — the estimate for callbacks and results.

:class:`DenseKernel` keeps K_t as a d2 × d2 matrix (Algorithm 1 exactly); the low-rank-plus-shift
kernel is ``lowrank.LowRankKernel``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from .._backend import to_numpy
from ..matfun import feature_kernel
from ._driver import check_finite, relative_change
from .anderson import Anderson
from .observed import Observed
from .options import CompletionOptions
from .rowsolve import RowSolver
from .schedule import RidgeRule, Spectrum


class RitzTracker:
    """Top eigenpairs of a symmetric G (d, d) tracked across iterations.

    Exact (``torch.linalg.eigh``) when q exceeds d/2; else the Rayleigh–Ritz pairs of G on
    span(G·Q) for the block Q carried over from the previous call (two G·Q products and a q × q
    eigenproblem, no d × d eigendecomposition), Q then one power step further. Ritz values are
    lower bounds of the eigenvalues."""

    def __init__(self, d: int, q: int):
        self.q = q
        self.dense = 2 * q > d
        self.Q: torch.Tensor | None = None

    def top(self, G: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """g_1 ≥ … ≥ g_q (q,) and orthonormal vectors (d, q)."""
        if self.dense:
            g, V = torch.linalg.eigh(G)
            return g.flip(0)[: self.q], V.flip(1)[:, : self.q]
        if self.Q is None:
            gen = torch.Generator(device=G.device).manual_seed(0)
            self.Q = torch.randn(G.shape[0], self.q, generator=gen, device=G.device, dtype=G.dtype)
        Q = torch.linalg.qr(G @ self.Q).Q
        W = G @ Q
        T = Q.T @ W
        theta, S = torch.linalg.eigh(0.5 * (T + T.T))
        self.Q = W  # the next iteration starts one power step further
        return theta.flip(0), Q @ S.flip(1)


class Kernel:
    """What both kernels hold: Ω (``obs``), the observed values ``y`` (n,) in Ω's row-major order,
    the options, and the solver's name for messages. The methods are the interface of the module
    docstring."""

    name: str

    def __init__(self, obs: Observed, y: torch.Tensor, o: CompletionOptions, solver: str):
        self.obs, self.y, self.o, self.solver = obs, y, o, solver
        self.y_norm = float(torch.linalg.norm(y)) or 1.0

    def spectrum(self) -> Spectrum:
        """What the ridge schedule may read of K_t and G_t."""
        raise NotImplementedError

    def update(self, t: int, X) -> None:
        """Step 2: the AGOP G_t of the iterate X and the new K_t."""
        raise NotImplementedError

    def regress(self, t: int, lam: float, rule: RidgeRule):
        """Step 1 with K_t + λI: (Z_t, relative residual on Ω before re-imposing it)."""
        raise NotImplementedError

    def change(self, Z, X) -> float:
        """The relative change of the iterate that the tolerance test reads."""
        raise NotImplementedError

    def mix(self, mixer: Anderson, X, Z):
        """The next AGOP's iterate: the Anderson mixture of the last map values."""
        raise NotImplementedError

    def restart(self, Z):
        """The next AGOP's iterate when not mixing: Z itself."""
        raise NotImplementedError

    def numpy(self, Z) -> np.ndarray:
        """Z as a dense (d1, d2) numpy array."""
        raise NotImplementedError

    def entries(self, Z) -> Callable[[np.ndarray, np.ndarray], np.ndarray] | None:
        """A reader of Z's entries that does not form Z, where the kernel has one."""
        return None

    def extras(self) -> dict[str, np.ndarray]:
        """Kernel-specific arrays for ``Result.extras``."""
        return {}


class DenseKernel(Kernel):
    """K_t = (G_t + εI)^{2α} as a dense (d2, d2) matrix; K_0 = M_0ᵀM_0 (identity for M_0 None)."""

    name = "dense"

    def __init__(self, obs: Observed, y: torch.Tensor, o: CompletionOptions, solver: str):
        super().__init__(obs, y, o, solver)
        self.rows = RowSolver(obs, y.device, y.dtype, chunk_elements=o.chunk_elements)
        eye = torch.eye(obs.d2, dtype=y.dtype, device=y.device)
        self.K = eye if o.M0 is None else o.M0.T @ o.M0
        self.G: torch.Tensor | None = None
        self.X: torch.Tensor | None = None
        self._ritz: RitzTracker | None = None
        self._V: torch.Tensor | None = None
        self._prev: torch.Tensor | None = None

    def _top(self, q: int) -> torch.Tensor:
        if self._ritz is None:
            self._ritz = RitzTracker(self.obs.d2, q)
        g, self._V = self._ritz.top(self.G)
        return g

    def _tail(self, r: int) -> float:
        X, Vr = self.X, self._V[:, :r]
        x2 = float(torch.linalg.norm(X)) ** 2
        return float(torch.linalg.norm(X - (X @ Vr) @ Vr.T)) ** 2 / x2 if x2 else 0.0

    def spectrum(self) -> Spectrum:
        scale = float(self.K.diagonal().mean())
        if self.G is None:  # t = 0: K_0 = M_0ᵀM_0, no AGOP yet
            return Spectrum(scale, self.K.dtype)
        trace = float(self.G.diagonal().sum())
        return Spectrum(scale, self.K.dtype, trace, self._top, self._tail)

    def update(self, t: int, X: torch.Tensor) -> None:
        """G_t = XᵀX/d1, K_t = φ(G_t)² (products only when 2α is an integer)."""
        self.X = X
        self.G = (X.T @ X) / self.obs.d1
        self.K = feature_kernel(self.G, self.o.alpha, self.o.eps, self.o.svd_free)
        check_finite(self.solver, t, self.K)

    def regress(self, t: int, lam: float, rule: RidgeRule) -> tuple[torch.Tensor, float]:
        """γ_i = (K[S_i, S_i] + λI)^{-1} y_i, Z = C K (Eq. 12); residual ‖Z_Ω − y‖/‖y‖."""
        gamma = self.rows.solve(self.K, self.y, lam)
        check_finite(self.solver, t, gamma)
        Z = self.rows.predict(gamma, self.K)
        residual = float(torch.linalg.norm(self.obs.gather(Z) - self.y)) / self.y_norm
        if self.o.replace:
            Z[self.obs.rows, self.obs.cols] = self.y
        check_finite(self.solver, t, Z)
        return Z, residual

    def change(self, Z: torch.Tensor, X: torch.Tensor | None) -> float:
        """‖Z_t − Z_{t−1}‖_F / ‖Z_{t−1}‖_F (inf at t = 0)."""
        change = relative_change(Z, self._prev)
        self._prev = Z
        return change

    def mix(self, mixer: Anderson, X: torch.Tensor, Z: torch.Tensor) -> torch.Tensor:
        return mixer.step(X, Z)

    def restart(self, Z: torch.Tensor) -> torch.Tensor:
        return Z

    def numpy(self, Z: torch.Tensor) -> np.ndarray:
        return to_numpy(Z)

    def extras(self) -> dict[str, np.ndarray]:
        """The last K_t, on which the returned Z is the regression."""
        return {"K": to_numpy(self.K)}
