"""lin-RFM on one completion problem for a grid of fixed ridges at once (Algorithm 1, batched).

The paper's protocol (Appendix E) runs Algorithm 1 once per ridge λ_1, …, λ_R of a grid, on one
observed set Ω. The R runs share Ω, its row chunks and gather positions, and differ only in λ and
in their iterates, so here they are one program. Iteration t, for the runs r still going:

    Step 2 (AGOP):            G_t^r = (Z_{t−1}^r)ᵀ Z_{t−1}^r / d1,   K_t^r = (G_t^r + εI)^{2α}
                              (R, d2, d2), batched products (eigh for α not a multiple of 1/2);
    Step 1 (Eq. 12, per row): γ_i^r = (K_t^r[S_i, S_i] + λ_r I)^{-1} y_i — every run's rows in one
                              batched Cholesky solve per chunk —, Z_t^r = C_t^r K_t^r,
                              (Z_t^r)_Ω ← Y_Ω.

Each run stops on its own, as :func:`~linrfm.solvers.completion.complete` with ``ridge=λ_r``
would (relative change < ``tol``, its callback, ``max_iter``), and leaves the batch; run r gives
that call's numbers to round-off (tests/test_grid.py). Where the single runs are bound by
per-operation overhead (d in the hundreds), the batch runs the grid in a fraction of their time
(bench/linrfm_grid.py records how much). Only the paper's mode applies: fixed ridges, M_0 = I,
Ω re-imposed, the dense kernel, no Anderson mixing — :func:`grid_applies` says whether a set of
``complete`` options is one the batch reproduces.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from .._backend import as_tensor, resolve_device, resolve_dtype, to_numpy
from ..matfun import feature_kernel, half_integer_power
from ..result import Callback, History, IterationState, Result, Status
from ..validation import check_completion_input, check_params
from ._driver import check_finite
from .completion import METHODS, feature_side
from .observed import DEFAULT_CHUNK_ELEMENTS, Observed
from .options import DEFAULT_MAX_ITER, DEFAULT_TOL
from .rowsolve import RowSolver

log = logging.getLogger("linrfm")

#: rows of one chunk have n_i within this factor (``observed.row_chunks``): R runs' padded
#: Cholesky blocks cost R times one run's, so they are kept tight (bench/linrfm_grid.py)
GRID_PAD = 1.1
#: ``complete`` options the batched grid reproduces (any value); others must keep their default
GRID_OPTIONS = frozenset(
    {"alpha", "eps", "max_iter", "tol", "device", "dtype", "method", "log_every", "chunk_elements"}
)
#: other ``complete`` options and the values under which the batch still reproduces it
GRID_DEFAULTS: dict[str, tuple[Any, ...]] = {
    "replace": (True,),
    "M0": (None,),
    "features": ("auto", "columns", "rows", "better_observed"),
    "callback": (None,),
    "anderson": ("auto", 0),
    "kernel": ("auto", "dense"),
    "refit": (False,),
}


def grid_applies(**options: Any) -> bool:
    """True when ``complete(..., ridge=λ, **options)`` for fixed ridges λ is what
    :func:`complete_grid` runs (the paper's mode; module docstring)."""
    for key, value in options.items():
        if key in GRID_OPTIONS:
            continue
        allowed = GRID_DEFAULTS.get(key)
        if allowed is None or not any(_same(value, a) for a in allowed):
            return False
    return True


def _same(value: Any, allowed: Any) -> bool:
    if value is allowed:
        return True
    if isinstance(value, np.ndarray | torch.Tensor) or allowed is None:
        return False
    return type(value) is type(allowed) and value == allowed


def complete_grid(
    Y: np.ndarray,
    mask: np.ndarray,
    *,
    ridges: Sequence[float],
    alpha: float = 0.5,
    eps: float = 0.0,
    max_iter: int = DEFAULT_MAX_ITER,
    tol: float = DEFAULT_TOL,
    callbacks: Sequence[Callback | None] | None = None,
    device: str | torch.device | None = None,
    dtype: object = None,
    method: str = "auto",
    features: str = "auto",
    log_every: int = 0,
    chunk_elements: int = DEFAULT_CHUNK_ELEMENTS,
) -> list[Result]:
    """``[complete(Y, mask, ridge=λ, callback=callbacks[r], ...) for r, λ in enumerate(ridges)]``
    as one batched program (module docstring): Algorithm 1 with each fixed ridge λ_r ≥ 0 of
    ``ridges`` (R values), M_0 = I, Ω re-imposed, no Anderson mixing.

    ``callbacks``: one per ridge (or None), called with run r's
    :class:`~linrfm.result.IterationState` after each of its iterations; True stops run r.
    The other parameters are :func:`~linrfm.complete`'s. Returns one :class:`Result` per ridge,
    in the order of ``ridges``, each with ``extras`` "K" (its last K_t), "ridge" (λ_r per
    iteration), "kernel" ("dense") and "features"."""
    Y, mask = check_completion_input(Y, mask)
    lams = [float(v) for v in ridges]
    if not lams:
        raise ValueError("ridges must hold at least one value")
    for v in lams:
        check_params(ridge=v)
    R = len(lams)
    calls = list(callbacks) if callbacks is not None else [None] * R
    if len(calls) != R:
        raise ValueError(f"callbacks must hold one entry per ridge ({R}), got {len(calls)}")
    alpha, eps, max_iter, tol, log_every = check_params(
        alpha=alpha, eps=eps, max_iter=max_iter, tol=tol, log_every=log_every
    )
    if method not in METHODS:
        raise ValueError(f"method must be 'auto', 'svd_free' or 'eigh', got {method!r}")
    svd_free = method == "svd_free" or (method == "auto" and half_integer_power(alpha) is not None)
    if features == "alternating":
        raise ValueError("complete_grid runs Algorithm 1 on one side, not features='alternating'")
    transposed = feature_side(mask, features) == "rows"
    if transposed:  # Algorithm 1 on Yᵀ: the features act on the rows
        Y, mask = Y.T, mask.T
        calls = [_transposing(c) for c in calls]
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    obs = Observed.from_mask(mask, dev)
    y = as_tensor(Y[mask], dev, dt)
    name = "linrfm.complete_grid"
    runs = _GridRuns(obs, y, lams, alpha, eps, svd_free, chunk_elements, name)
    results = runs.iterate(max_iter, tol, calls, log_every)
    side = "rows" if transposed else "columns"
    for res in results:
        res.extras["features"] = side
        if transposed:
            res.x = np.ascontiguousarray(res.x.T)
    return results


def _transposing(callback: Callback | None) -> Callback | None:
    if callback is None:
        return None
    return lambda state: callback(state.transposed())


class _GridRuns:
    """The R runs' shared Ω and row solver, and the loop that advances the ones still going."""

    def __init__(
        self,
        obs: Observed,
        y: torch.Tensor,
        lams: list[float],
        alpha: float,
        eps: float,
        svd_free: bool,
        chunk_elements: int,
        name: str,
    ):
        self.obs, self.y, self.lams = obs, y, lams
        self.alpha, self.eps, self.svd_free, self.name = alpha, eps, svd_free, name
        budget = max(1, chunk_elements // len(lams))  # the R runs' blocks share a chunk's budget
        self.rows = RowSolver(obs, y.device, y.dtype, chunk_elements=budget, pad=GRID_PAD)
        self.y_norm = float(torch.linalg.norm(y)) or 1.0

    def regress(self, t: int, K: torch.Tensor, lam: torch.Tensor) -> tuple[torch.Tensor, list]:
        """Step 1 for the runs of K (B, d2, d2), λ (B,): Z (B, d1, d2) and each run's relative
        misfit on Ω before Ω is re-imposed."""
        gamma = self.rows.solve_many(K, self.y, lam)
        check_finite(self.name, t, gamma)
        Z = self.rows.predict_many(gamma, K)
        misfit = torch.linalg.norm(Z[:, self.obs.rows, self.obs.cols] - self.y, dim=1)
        Z[:, self.obs.rows, self.obs.cols] = self.y
        check_finite(self.name, t, Z)
        return Z, (misfit / self.y_norm).tolist()

    def kernel(self, t: int, Z: torch.Tensor) -> torch.Tensor:
        """Step 2: K = φ(G)² with G = ZᵀZ/d1, for every run of Z (B, d1, d2)."""
        G = (Z.transpose(-1, -2) @ Z) / self.obs.d1
        K = feature_kernel(G, self.alpha, self.eps, self.svd_free)
        check_finite(self.name, t, K)
        return K

    def iterate(
        self, max_iter: int, tol: float, calls: list[Callback | None], log_every: int
    ) -> list[Result]:
        R, d2 = len(self.lams), self.obs.d2
        y = self.y
        t0 = time.perf_counter()
        active = list(range(R))  # run index of each batch member
        lam = torch.tensor(self.lams, dtype=y.dtype, device=y.device)
        eye = torch.eye(d2, dtype=y.dtype, device=y.device)
        K = eye.expand(R, d2, d2)
        histories = [History() for _ in range(R)]
        out: list[Result | None] = [None] * R
        Z, misfit = self.regress(0, K, lam)
        prev: torch.Tensor | None = None
        t = 0
        while True:
            if prev is None:
                change = [float("inf")] * len(active)
            else:
                num = torch.linalg.norm((Z - prev).flatten(1), dim=1)
                den = torch.linalg.norm(prev.flatten(1), dim=1).clamp_min(1e-300)
                change = (num / den).tolist()
            now = time.perf_counter() - t0
            if log_every and t % log_every == 0:
                log.info("%s iter %d: %d of %d runs going", self.name, t, len(active), R)
            stop = []
            for b, r in enumerate(active):
                h = histories[r]
                h.residual.append(misfit[b])
                h.rel_change.append(change[b])
                h.seconds.append(now)
                met = tol > 0 and change[b] < tol
                call = calls[r]
                asked = call is not None and bool(call(self._state(t, Z, b, misfit, change, r)))
                status = (
                    Status.TOLERANCE if met
                    else Status.CALLBACK if asked
                    else Status.MAX_ITER if t >= max_iter
                    else None
                )  # fmt: skip
                if status is not None:
                    out[r] = self._result(r, t, status, change[b], tol, Z[b], K[b], h)
                    stop.append(b)
            if stop:
                keep = [b for b in range(len(active)) if b not in stop]
                active = [active[b] for b in keep]
                if not active:
                    break
                idx = torch.tensor(keep, device=y.device)
                Z, lam = Z[idx], lam[idx]
                misfit = [misfit[b] for b in keep]
            t += 1
            prev = Z
            K = self.kernel(t, Z)
            Z, misfit = self.regress(t, K, lam)
        return [r for r in out if r is not None]

    def _state(
        self, t: int, Z: torch.Tensor, b: int, misfit: list, change: list, r: int
    ) -> IterationState:
        Zb = Z[b]
        return IterationState(
            t,
            misfit[b],
            change[b],
            lambda: to_numpy(Zb),
            ridge=self.lams[r],
            entries=lambda i, j: to_numpy(
                Zb[torch.as_tensor(i, device=Zb.device), torch.as_tensor(j, device=Zb.device)]
            ),
        )

    def _result(
        self,
        r: int,
        t: int,
        status: Status,
        change: float,
        tol: float,
        Z: torch.Tensor,
        K: torch.Tensor,
        history: History,
    ) -> Result:
        why = {
            Status.TOLERANCE: f"relative change {change:.2e} < tol = {tol:.1e}",
            Status.CALLBACK: "the callback asked to stop",
            Status.MAX_ITER: f"max_iter reached without meeting tol = {tol:.1e} "
            f"(last relative change {change:.2e})",
        }[status]
        return Result(
            x=to_numpy(Z),
            n_iter=t,
            status=status,
            message=f"{self.name}: ridge {self.lams[r]:.1e}: {why} after {t} iterations",
            history=history,
            extras={
                "K": to_numpy(K),
                "ridge": np.full(t + 1, self.lams[r]),
                "kernel": "dense",
            },
        )
