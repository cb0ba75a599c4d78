"""Soft-Impute (Mazumder, Hastie & Tibshirani, "Spectral regularization algorithms for learning
large incomplete matrices", JMLR 2010), the practitioner's default for matrix completion.

For λ > 0 it minimises ½ ‖P_Ω(Y − Z)‖²_F + λ ‖Z‖_* by the fixed-point iteration (their
Algorithm 1)

    Z_{t+1} = S_λ(P_Ω(Y) + P_Ω⊥(Z_t)),    S_λ(X) = U diag((σ_i − λ)_+) Vᵀ  (X = U diag(σ) Vᵀ),

from Z_0 = 0, until ‖Z_{t+1} − Z_t‖²_F / ‖Z_t‖²_F < ``tol``. A decreasing sequence λ_1 > … > λ_K
is solved in turn, each from the previous solution (warm starts, the paper's path); the last
λ's solution is returned. ``lam=None`` is the single λ = σ_1(P_Ω(Y)) / 50 of fancyimpute's
``SoftImpute`` (the package a practitioner reaches for); the paper's path is
``lam=np.geomspace(λ_max, λ_min, K)`` with λ_max = σ_1(P_Ω(Y)), where the solution is 0.
``rank`` caps the number of singular values kept (softImpute's ``rank.max``).

The iterate is dense (d1, d2) and each step a full SVD (torch).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch

from .._backend import as_tensor, resolve_device, resolve_dtype, to_numpy
from ..result import Callback, History, IterationState, Result, Status
from ..solvers import _driver
from ..validation import check_completion_input, check_int, check_params, check_positive

#: fancyimpute's default shrinkage: σ_1(P_Ω(Y)) / 50
FANCYIMPUTE_DIVISOR = 50.0


def svt(X: torch.Tensor, lam: float, rank: int | None = None) -> tuple[torch.Tensor, int]:
    """S_λ(X) = U diag((σ − λ)_+) Vᵀ, keeping at most ``rank`` singular values; returns
    (S_λ(X), the number kept)."""
    U, s, Vh = torch.linalg.svd(X, full_matrices=False)
    s = torch.clamp(s - lam, min=0.0)
    k = int((s > 0).sum())
    if rank is not None:
        k = min(k, rank)
    return (U[:, :k] * s[:k]) @ Vh[:k], k


class _SoftImputeMap:
    """One λ of the path as a driver map (t counts on from ``offset``)."""

    def __init__(self, Y, mask, lam, rank, Z, offset, ynorm):
        self.Y, self.mask, self.lam, self.rank = Y, mask, lam, rank
        self.Z, self.offset, self.ynorm = Z, offset, ynorm
        self.k = 0

    def _apply(self) -> _driver.Step:
        old = self.Z
        Z, self.k = svt(torch.where(self.mask, self.Y, old), self.lam, self.rank)
        _driver.check_finite("soft_impute", self.offset, Z)
        denom = float(torch.linalg.norm(old)) ** 2
        diff = float(torch.linalg.norm(Z - old)) ** 2
        if denom > 0:
            change = diff / denom
        else:  # from Z_t = 0 (the start, or λ ≥ σ_1): no change only if Z_{t+1} = 0 too
            change = 0.0 if diff == 0 else float("inf")
        self.Z = Z
        residual = float(torch.linalg.norm((Z - self.Y)[self.mask])) / self.ynorm
        return _driver.Step(residual, change)

    def first(self) -> _driver.Step:
        return self._apply()

    def step(self, t: int) -> _driver.Step:
        return self._apply()

    def advance(self) -> None:
        pass

    def state(self, t: int, step: _driver.Step) -> IterationState:
        Z = self.Z
        return IterationState(
            self.offset + t,
            step.residual,
            step.rel_change,
            lambda: to_numpy(Z),
            ridge=self.lam,
            rank=self.k,
        )


def _lambdas(lam: float | Sequence[float] | None, Yf: torch.Tensor) -> list[float]:
    if lam is None:
        return [float(torch.linalg.matrix_norm(Yf, ord=2)) / FANCYIMPUTE_DIVISOR]
    lams = [float(v) for v in np.atleast_1d(np.asarray(lam, dtype=float))]
    if not lams:
        raise ValueError("lam must be a number > 0 or a non-empty decreasing sequence")
    for i, v in enumerate(lams):
        check_positive(f"lam[{i}]" if len(lams) > 1 else "lam", v)
    if any(b > a for a, b in zip(lams, lams[1:], strict=False)):
        raise ValueError(f"a path of lam must be decreasing (warm starts), got {lams}")
    return lams


def soft_impute(
    Y: np.ndarray,
    mask: np.ndarray,
    *,
    lam: float | Sequence[float] | None = None,
    rank: int | None = None,
    max_iter: int = 1000,
    tol: float = 1e-9,
    callback: Callback | None = None,
    log_every: int = 0,
    device: str | torch.device | None = None,
    dtype: Any = None,
) -> Result:
    """Soft-Impute completion of the (d1, d2) matrix ``Y`` from its entries in Ω = ``mask``
    (module docstring).

    Parameters
    ----------
    Y : (d1, d2) array; entries off ``mask`` are never read (NaN allowed there).
    mask : (d1, d2) bool, the observed set Ω (non-empty).
    lam : λ > 0, a decreasing sequence of λ (warm-started path), or None for
        σ_1(P_Ω(Y)) / 50 (fancyimpute's default).
    rank : keep at most this many singular values per step (None: all above λ).
    max_iter, tol : per λ, at most ``max_iter`` steps after the first; stop when
        ‖Z_{t+1} − Z_t‖²_F / ‖Z_t‖²_F < tol (the paper's criterion, squared norms).
    callback : ``callback(state) -> bool`` after every step; ``state.ridge`` is the current λ,
        ``state.rank`` the number of singular values kept, ``state.t`` counts along the path.
    log_every, device, dtype : as the other solvers (float64 by default).

    Returns
    -------
    :class:`~linrfm.result.Result` with ``x`` = ``Z`` (d1, d2), the solution for the last λ;
    ``status`` and ``message`` from the last λ (the earlier ones in ``extras["path"]``: one
    dict per λ with ``lam``, ``n_iter``, ``status``, ``rank``); ``history.residual`` is
    ‖P_Ω(Z − Y)‖ / ‖P_Ω(Y)‖ and ``n_iter`` counts the steps of the whole path.
    """
    Y, mask = check_completion_input(Y, mask)
    d1, d2 = Y.shape
    max_iter, tol, log_every = check_params(max_iter=max_iter, tol=tol, log_every=log_every)
    if rank is not None:
        rank = check_int("rank", rank, 1)
        if rank > min(d1, d2):
            raise ValueError(f"rank = {rank} must be <= min(d1, d2) = {min(d1, d2)}")
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    Yf = as_tensor(np.where(mask, Y, 0.0), dev, dt)
    M = torch.as_tensor(mask, device=dev)
    lams = _lambdas(lam, Yf)
    ynorm = max(float(torch.linalg.norm(Yf)), 1e-300)

    Z = torch.zeros_like(Yf)
    history = History()
    path: list[dict[str, Any]] = []
    n_total, offset = 0, 0
    out = None
    for lam_k in lams:
        f = _SoftImputeMap(Yf, M, lam_k, rank, Z, offset, ynorm)
        out = _driver.run(
            "soft_impute", f, max_iter=max_iter, tol=tol, callback=callback, log_every=log_every
        )
        Z = f.Z
        for name in ("residual", "rel_change", "seconds"):
            getattr(history, name).extend(getattr(out.history, name))
        path.append({"lam": lam_k, "n_iter": out.n_iter, "status": out.status, "rank": f.k})
        n_total += out.n_iter + 1
        offset += out.n_iter + 1
        if out.status is Status.CALLBACK:
            break
    assert out is not None
    message = out.message if len(lams) == 1 else f"{out.message} (λ = {path[-1]['lam']:.3e}, "
    if len(lams) > 1:
        message += f"the last of {len(path)} on the path)"
    return Result(
        x=to_numpy(Z),
        n_iter=n_total,
        status=out.status,
        message=message,
        history=history,
        extras={"path": path, "lam": np.asarray([p["lam"] for p in path])},
    )
