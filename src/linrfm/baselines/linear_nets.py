"""Neural-network baselines trained by gradient methods (torch).

* :func:`deep_linear_completion`: deep matrix factorization Z = W_L ··· W_1 for matrix completion,
  trained with RMSProp as in Arora, Cohen, Hu, Luo (2019), "Implicit regularization in deep matrix
  factorization" (Figs. 3, 4, 7 and the runtime comparison of Section 4).
* :func:`diagonal_net_regression`: depth-2 linear diagonal network f(x) = xᵀ(w2 ⊙ w1) for
  sparse regression, trained by gradient descent from a tiny initialisation (Fig. 2; Woodworth et
  al. 2020).

Both take their stopping rule as arguments: ``tol`` uses only the training data, while
``callback(state) -> bool`` (a :class:`~linrfm.result.IterationState`), called every
``log_every`` steps, is where an outside protocol plugs in (for instance the paper's "stopped early
if they reached below 1e-3 test error", Appendix E). All randomness comes from a
``torch.Generator`` seeded with ``seed``; the initial weights are drawn on the CPU in float64 and
then moved, so a seed gives the same initial weights on every device and dtype.

The solvers' vocabulary (``max_iter``, ``callback``, ``log_every``) replaces the earlier
``max_steps``, ``stop(step, estimate)`` and ``check_every``, which are accepted (with a
``DeprecationWarning``) for one release.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Callable
from typing import Any

import numpy as np
import torch

from .._backend import as_tensor, resolve_device, resolve_dtype, to_numpy
from ..result import Callback, History, IterationState, Result, Status
from ..validation import (
    NonFiniteIterateError,
    check_completion_input,
    check_int,
    check_params,
    check_positive,
    check_regression_input,
)

StopRule = Callable[[int, np.ndarray], bool]
log = logging.getLogger("linrfm")

#: Arora et al.'s ``init_scale``: the end-to-end matrix starts with ||Z_0||_F ≈ 1e-3 · sqrt(d).
ARORA_INIT_SCALE = 1e-3
#: GroupRMSprop's second-moment decay and its eps (Arora et al.'s code)
GROUP_RMSPROP_ALPHA, GROUP_RMSPROP_EPS = 0.99, 1e-4
_OPTIMIZERS = ("rmsprop", "group_rmsprop")


def _check_common(
    name: str,
    lr: float,
    max_iter: int,
    tol: float,
    seed: int,
    callback: Callback | None,
    log_every: int,
    deprecated: dict[str, Any],
) -> tuple[float, int, float, int, Callback | None, int]:
    """Validate the shared options; map the deprecated ``max_steps``, ``stop(step, estimate)`` and
    ``check_every`` (the ``**deprecated`` keywords) onto ``max_iter``, ``callback``,
    ``log_every``."""
    new = {"max_steps": "max_iter", "stop": "callback", "check_every": "log_every"}
    unknown = sorted(set(deprecated) - set(new))
    if unknown:
        raise TypeError(f"{name}() got an unexpected keyword argument {unknown[0]!r}")
    given = {k: v for k, v in deprecated.items() if v is not None}
    if given:
        warnings.warn(
            f"{name}: {', '.join(f'{k}= is now {new[k]}=' for k in given)}; the old names go "
            "in the next release",
            DeprecationWarning,
            stacklevel=3,
        )
    if "max_steps" in given:
        max_iter = check_int("max_steps", given["max_steps"])
    if "check_every" in given:
        log_every = check_int("check_every", given["check_every"], 1)
    if "stop" in given:
        stop = given["stop"]
        if not callable(stop):
            raise ValueError(
                f"stop must be a callable stop(step, estimate) -> bool or None, got {stop!r}"
            )
        if callback is not None:
            raise ValueError("give callback= or the deprecated stop=, not both")

        def callback(state: IterationState, stop=stop) -> bool:
            return stop(state.t, state.Z)

    if callback is not None and not callable(callback):
        raise ValueError(
            f"callback must be a callable callback(state) -> bool or None, got {callback!r}"
        )
    lr, max_iter, tol, seed = check_params(lr=lr, max_iter=max_iter, tol=tol, seed=seed)
    log_every = check_int("log_every", log_every, 1)  # a check needs a step count ≥ 1
    return lr, max_iter, tol, seed, callback, log_every


class _Checks:
    """What a training run records at each check (every ``log_every`` steps and the last): the
    relative training misfit ‖fitted(x) − y‖/‖y‖, the relative change of x since the last check
    (NaN at the first), seconds, the step; and whether to stop (``tol`` met, or the callback)."""

    def __init__(
        self,
        name: str,
        tol: float,
        callback: Callback | None,
        fitted: Callable[[torch.Tensor], torch.Tensor],
        y: torch.Tensor,
    ):
        self.name, self.tol, self.callback, self.fitted, self.y = name, tol, callback, fitted, y
        self.y_norm = float(torch.linalg.norm(y)) or 1.0
        self.history = History()
        self.steps: list[int] = []
        self.t0 = time.perf_counter()
        self.prev: torch.Tensor | None = None
        self.residual = float("nan")
        self.converged = self.by_callback = False

    def __call__(self, step: int, x: torch.Tensor) -> bool:
        """Record the check at ``step`` of the estimate ``x``; True: stop training. The callback
        is not asked at step 0 (the initialisation)."""
        if not bool(torch.isfinite(x).all()):
            raise _nonfinite(self.name, step)
        self.residual = float(torch.linalg.norm(self.fitted(x) - self.y)) / self.y_norm
        h = self.history
        h.residual.append(self.residual)
        h.rel_change.append(float("nan") if self.prev is None else _rel_change(x, self.prev))
        h.seconds.append(time.perf_counter() - self.t0)
        self.steps.append(step)
        log.info("%s step %d residual %.3e", self.name, step, self.residual)
        self.prev = x.detach().clone()
        self.converged = self.tol > 0 and self.residual < self.tol
        if not self.converged and step > 0 and self.callback is not None:
            self.by_callback = _ask(self.callback, step, self.residual, x)
        return self.converged or self.by_callback

    def result(self, x: np.ndarray, step: int, **extras: np.ndarray) -> Result:
        """The Result of the run, its status from how it ended."""
        if self.converged:
            status, why = Status.TOLERANCE, f"training misfit < tol = {self.tol:.1e}"
        elif self.by_callback:
            status, why = Status.CALLBACK, "the callback asked to stop"
        else:
            status, why = Status.MAX_ITER, "max_iter steps ran"
        extras = {
            **extras,
            "check_steps": np.asarray(self.steps),
            "stopped_by_callback": np.array(self.by_callback),
        }
        return Result(
            x=x,
            n_iter=step,
            status=status,
            message=f"{self.name}: {why} after {step} steps",
            history=self.history,
            extras=extras,
        )


def _ask(callback: Callback, step: int, residual: float, x: torch.Tensor) -> bool:
    """Call ``callback`` with the state at ``step`` (the estimate formed on first access)."""
    state = IterationState(step, residual, float("nan"), lambda: to_numpy(x))
    return bool(callback(state))


def _nonfinite(name: str, step: int) -> NonFiniteIterateError:
    return NonFiniteIterateError(
        f"{name}: non-finite values (NaN/inf) at step {step}; the learning rate is probably too "
        "large for this problem (try a smaller lr or float64)"
    )


def _rel_change(new: torch.Tensor, old: torch.Tensor) -> float:
    denom = float(torch.linalg.norm(old))
    return float(torch.linalg.norm(new - old)) / max(denom, 1e-300)


def _architecture(
    d1: int, d2: int, depth: int, width: int | None, init_scale: float | None
) -> tuple[int, int, float]:
    """Checked ``depth`` and ``width`` (None: max(d1, d2)) and the per-layer initial standard
    deviation (``init_scale``, None: Arora et al.'s (1e-3)^{1/L} · width^{−1/2})."""
    depth = check_int("depth", depth, 1)
    width = max(d1, d2) if width is None else check_int("width", width, 1)
    if init_scale is None:
        std = ARORA_INIT_SCALE ** (1.0 / depth) * width**-0.5
    else:
        std = check_positive("init_scale", init_scale)
    return depth, width, std


def _layer_dims(d1: int, d2: int, depth: int, width: int) -> list[int]:
    """[d2, width, ..., width, d1]: W_k is (dims[k + 1], dims[k])."""
    return [d2] + [width] * (depth - 1) + [d1]


def _initial_weights(
    dims: list[int], std: float, seed: int, device: torch.device, dtype: torch.dtype
) -> list[torch.Tensor]:
    """W_1, ..., W_L with i.i.d. N(0, std²) entries, drawn layer by layer from
    ``torch.Generator().manual_seed(seed)`` on the CPU in float64 and then moved, so a seed gives
    the same weights on every device and dtype (and in the batched runs)."""
    gen = torch.Generator().manual_seed(seed)
    weights = []
    for k in range(len(dims) - 1):
        W0 = torch.randn(dims[k + 1], dims[k], generator=gen, dtype=torch.float64) * std
        weights.append(W0.to(device=device, dtype=dtype))
    return weights


class _GroupRMSprop:
    """Arora et al.'s "GroupRMSprop": RMSProp with one second-moment scalar for all weights.

    v_t = a v_{t−1} + (1 − a) Σ_k ||∇W_k||_F²,
    W_k ← W_k − lr / (sqrt(v_t / (1 − a^t)) + eps) · ∇W_k.

    Unlike per-coordinate RMSProp this keeps the direction of the full gradient (it is gradient
    descent with an adaptive global step size)."""

    def __init__(
        self,
        params: list[torch.Tensor],
        lr: float,
        alpha: float = GROUP_RMSPROP_ALPHA,
        eps: float = GROUP_RMSPROP_EPS,
    ):
        self.params, self.lr, self.alpha, self.eps = params, lr, alpha, eps
        self.square_avg = 0.0
        self.t = 0

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None

    @torch.no_grad()
    def step(self) -> None:
        self.t += 1
        g2 = float(sum(torch.sum(p.grad * p.grad) for p in self.params))
        self.square_avg = self.alpha * self.square_avg + (1.0 - self.alpha) * g2
        step = self.lr / (np.sqrt(self.square_avg / (1.0 - self.alpha**self.t)) + self.eps)
        for p in self.params:
            p.add_(p.grad, alpha=-step)


def deep_linear_completion(
    Y: np.ndarray,
    mask: np.ndarray,
    *,
    depth: int = 2,
    width: int | None = None,
    lr: float = 1e-3,
    init_scale: float | None = None,
    max_iter: int = 10000,
    tol: float = 0.0,
    seed: int = 0,
    callback: Callback | None = None,
    log_every: int = 100,
    optimizer: str = "group_rmsprop",
    device: str | torch.device | None = None,
    dtype: object = None,
    **deprecated: Any,
) -> Result:
    """Deep linear network (deep matrix factorization) for completing the (d1, d2) matrix ``Y``.

    Model: Z = W_L ··· W_2 W_1 with W_1 (width, d2), W_k (width, width) for 1 < k < L and W_L
    (d1, width); ``depth`` L = 1 is the plain (d1, d2) matrix. Loss, full batch:

        ℓ(W) = (1/|Ω|) Σ_{(i,j)∈Ω} (Z_ij − Y_ij)²,

    the mean squared error over observed entries (as in Arora et al.'s code; the normalisation only
    rescales the gradient, which RMSProp largely undoes).

    Initialisation. Appendix E: "initialized weights i.i.d. according to N(0, β) where
    β = (0.001)^{1/2} d^{−.5}", the scheme of Arora et al. 2019. Their code draws every factor with
    standard deviation init_scale^{1/L} · d^{−1/2}, init_scale = 1e-3, so that ||Z_0||_F ≈ 1e-3 ·
    sqrt(d). We follow that code: β is a *standard deviation* and the exponent 1/2 of the printed
    formula is 1/L (the two agree at depth 2). d is the hidden ``width`` (d for the paper's square
    d × d problems). The printed formula taken literally at depth 3 (exponent 1/2) gives a
    larger ||Z_0||; pass ``init_scale=0.001**0.5 / sqrt(d)`` to use it.

    Optimizer. The paper: "RMSProp with a learning rate of 0.001", as [7]. [7]'s code uses its own
    "GroupRMSprop" (one global second-moment scalar, eps = 1e-4), which is the default here;
    ``optimizer="rmsprop"`` gives ``torch.optim.RMSprop`` (per-coordinate) instead. GroupRMSprop
    keeps the direction of the full gradient (gradient descent with an adaptive global step) and so
    the implicit low-rank bias of gradient flow; per-coordinate RMSProp does not (measured:
    docs/design.md).

    Parameters
    ----------
    Y : (d1, d2) array; entries where ``mask`` is False are never read (they may be NaN).
    mask : (d1, d2) bool array, the observed set Ω (non-empty).
    depth : number of factors L ≥ 1.
    width : hidden width (≥ 1); None means max(d1, d2) (width d for square d × d, as the paper).
    lr : learning rate (> 0); the paper uses RMSProp with 1e-3.
    init_scale : per-layer standard deviation of the N(0, init_scale²) initial entries; None means
        (1e-3)^{1/L} · width^{−1/2} (see above).
    max_iter : maximum number of full-batch optimizer steps (≥ 0).
    tol : stop when the relative training misfit ||Z_Ω − Y_Ω||_2 / ||Y_Ω||_2 < tol at a check
        (status "tolerance"); 0 never stops early on it.
    seed : seeds the ``torch.Generator`` of the initial weights.
    callback : ``callback(state) -> bool`` with ``state.t`` the step and ``state.Z`` the (d1, d2)
        end-to-end matrix, called every ``log_every`` steps; True ends training (status
        "callback", ``extras["stopped_by_callback"]``).
    log_every : steps between checks (history entry, log line, ``tol`` and ``callback``); ≥ 1.
    optimizer : "rmsprop" (``torch.optim.RMSprop`` with its defaults alpha = 0.99, eps = 1e-8,
        per-coordinate) or "group_rmsprop" (the optimizer of Arora et al.'s code: one global
        second-moment scalar, eps = 1e-4).
    device, dtype : torch device (None: CUDA when available, else CPU) and float64 (default) or
        float32.
    max_steps, stop, check_every : deprecated names of ``max_iter``, ``callback`` (as
        ``stop(step, Z)``) and ``log_every``.

    Returns
    -------
    Result with ``Z`` (d1, d2), ``n_iter`` (optimizer steps taken), ``status``/``message``,
    ``history`` with one entry per check including the initialisation (residual = relative training
    misfit on Ω, rel_change = ||Z_t − Z_prev||_F / ||Z_prev||_F between checks, nan at the first,
    seconds since start) and ``extras``: "check_steps" (step of each history entry),
    "train_loss" (final ℓ), "stopped_by_callback" (bool).

    Raises
    ------
    ValueError for bad inputs; NonFiniteIterateError (a ValueError) naming the step at which the
    loss or iterate became NaN/inf.
    """
    name = "deep_linear_completion"
    Y, mask = check_completion_input(Y, mask)
    lr, max_iter, tol, seed, callback, log_every = _check_common(
        name, lr, max_iter, tol, seed, callback, log_every, deprecated
    )
    d1, d2 = Y.shape
    depth, width, std = _architecture(d1, d2, depth, width, init_scale)
    if optimizer not in _OPTIMIZERS:
        raise ValueError(f"optimizer must be one of {_OPTIMIZERS}, got {optimizer!r}")
    dev, dt = resolve_device(device), resolve_dtype(dtype)

    dims = _layer_dims(d1, d2, depth, width)
    weights = [W.requires_grad_(True) for W in _initial_weights(dims, std, seed, dev, dt)]

    rows_np, cols_np = np.nonzero(mask)
    rows = torch.as_tensor(rows_np, device=dev)
    cols = torch.as_tensor(cols_np, device=dev)
    y = as_tensor(Y[rows_np, cols_np], dev, dt)

    if optimizer == "rmsprop":
        opt = torch.optim.RMSprop(weights, lr=lr)
    else:
        opt = _GroupRMSprop(weights, lr=lr)

    def end_to_end() -> torch.Tensor:
        Z = weights[0]
        for W in weights[1:]:
            Z = W @ Z
        return Z

    checks = _Checks(name, tol, callback, lambda Z: Z[rows, cols], y)

    def check(step: int) -> bool:
        with torch.no_grad():
            return checks(step, end_to_end().detach())

    stop = check(0)
    step = 0
    loss_value = checks.residual**2 * checks.y_norm**2 / len(rows_np)
    while not stop and step < max_iter:
        opt.zero_grad()
        Z = end_to_end()
        loss = torch.mean((Z[rows, cols] - y) ** 2)
        loss_value = float(loss.detach())
        if not np.isfinite(loss_value):
            raise _nonfinite(name, step)
        loss.backward()
        opt.step()
        step += 1
        if step % log_every == 0 or step == max_iter:
            stop = check(step)
            loss_value = checks.residual**2 * checks.y_norm**2 / len(rows_np)
    with torch.no_grad():
        Z = end_to_end().detach()
    return checks.result(to_numpy(Z), step, train_loss=np.array(loss_value))


def diagonal_net_regression(
    X: np.ndarray,
    y: np.ndarray,
    *,
    lr: float = 0.1,
    init_var: float = 1e-10,
    max_iter: int = 100000,
    tol: float = 0.0,
    seed: int = 0,
    callback: Callback | None = None,
    log_every: int = 100,
    device: str | torch.device | None = None,
    dtype: object = None,
    **deprecated: Any,
) -> Result:
    """Depth-2 linear diagonal network f(x) = xᵀ(w2 ⊙ w1) trained by full-batch gradient descent.

    Loss ℓ(w1, w2) = (1/n) ||X (w2 ⊙ w1) − y||² (mean squared error, 1/n, as ``torch.nn.MSELoss``),
    with hand-written gradients g = (2/n) Xᵀ(X w − y), ∇_{w1} ℓ = g ⊙ w2, ∇_{w2} ℓ = g ⊙ w1 and the
    simultaneous update w_k ← w_k − lr ∇_{w_k} ℓ. Initial entries of w1 and w2 are i.i.d. N(0,
    init_var) (Appendix E: N(0, 1e-10), read as variance 1e-10, so std 1e-5 and |w1 ⊙ w2| ~ 1e-10).
    From such a small initialisation gradient flow approaches the minimum ℓ1 interpolant (Woodworth
    et al. 2020). Each step costs O(nd) (two mat-vecs with X) or O(d²) with the precomputed Gram
    XᵀX when d < 2n, whichever is cheaper.

    Parameters
    ----------
    X : (n, d) design matrix; y : (n,) labels.
    lr : gradient descent step size (> 0); the paper uses 0.1.
    init_var : variance (> 0) of the i.i.d. Gaussian initial entries of w1 and w2.
    max_iter : maximum number of steps (the paper: 1e5).
    tol : stop when the relative training misfit ||X w − y||_2 / ||y||_2 < tol at a check
        (status "tolerance"); 0 never stops early on it.
    seed : seeds the ``torch.Generator`` of the initial weights.
    callback : ``callback(state) -> bool`` with ``state.Z`` = w = w2 ⊙ w1 (d,), called every
        ``log_every`` steps; True ends training (the paper stops once the test MSE is below 1e-3).
    log_every : steps between checks (history entry, log line, ``tol``, ``callback``); ≥ 1.
    device, dtype; max_steps, stop (as ``stop(step, w)``), check_every : as in
        :func:`deep_linear_completion`.

    Returns
    -------
    Result with ``w`` = w2 ⊙ w1 (d,), ``n_iter`` (steps taken), ``status``/``message``,
    ``history`` (one entry per check including the initialisation: residual = relative training
    misfit, rel_change of w between checks, seconds) and ``extras``: "w1", "w2" (d,),
    "check_steps", "train_loss" (final ℓ) and "stopped_by_callback".

    Raises
    ------
    ValueError for bad inputs; NonFiniteIterateError (a ValueError) naming the step at which the
    iterate became NaN/inf.
    """
    name = "diagonal_net_regression"
    X, y = check_regression_input(X, y)
    lr, max_iter, tol, seed, callback, log_every = _check_common(
        name, lr, max_iter, tol, seed, callback, log_every, deprecated
    )
    init_var = check_positive("init_var", init_var)
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    n, d = X.shape

    gen = torch.Generator().manual_seed(seed)
    std = float(np.sqrt(init_var))
    w1 = (torch.randn(d, generator=gen, dtype=torch.float64) * std).to(device=dev, dtype=dt)
    w2 = (torch.randn(d, generator=gen, dtype=torch.float64) * std).to(device=dev, dtype=dt)

    Xt = as_tensor(X, dev, dt)
    yt = as_tensor(y, dev, dt)
    use_gram = d < 2 * n
    if use_gram:
        # ∇ = (2/n)(XᵀX w − Xᵀy): one (d, d) mat-vec per step; lr folded in.
        G = (Xt.T @ Xt) * (2.0 * lr / n)
        b = (Xt.T @ yt) * (2.0 * lr / n)
    else:
        XT = Xt.T.contiguous() * (2.0 * lr / n)

    def scaled_grad(w: torch.Tensor) -> torch.Tensor:
        """lr · (2/n) Xᵀ(X w − y)."""
        if use_gram:
            return torch.addmv(b, G, w, beta=-1.0)
        r = torch.mv(Xt, w).sub_(yt)
        return torch.mv(XT, r)

    checks = _Checks(name, tol, callback, lambda w: torch.mv(Xt, w), yt)
    w = w1 * w2
    stop = checks(0, w)
    step = 0
    while not stop and step < max_iter:
        g = scaled_grad(w)
        tmp = g * w2
        w2.addcmul_(g, w1, value=-1.0)
        w1.sub_(tmp)
        w = w1 * w2
        step += 1
        if step % log_every == 0 or step == max_iter:
            stop = checks(step, w)
        elif not bool(torch.isfinite(w.sum())):
            raise _nonfinite(name, step)
    return checks.result(
        to_numpy(w),
        step,
        w1=to_numpy(w1),
        w2=to_numpy(w2),
        train_loss=np.array(checks.residual**2 * checks.y_norm**2 / n),
    )
