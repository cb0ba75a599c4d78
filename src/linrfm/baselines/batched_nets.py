"""Many deep linear networks trained as one batched program (issue 14).

:func:`deep_linear_completion_batched` trains B members Z_b = W_L^b ··· W_1^b at once: each layer
of all members is one (B, out, in) tensor and the end-to-end products are ``torch.bmm`` chains.
Member b is :func:`~linrfm.baselines.deep_linear_completion` with ``seed=seeds[b]`` on its own
observed set Ω_b: the same initial weights (the same generator draws), the same loss, its own
GroupRMSprop second-moment scalar, the same checks, ``tol``, callback and :class:`Result`. Members
that stop leave the batch, so the others run on a smaller one. Batched and single runs agree to
round-off (tests/test_batched_nets.py); the throughput is measured by bench/batched_nets.py.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import torch

from .._backend import as_tensor, resolve_device, resolve_dtype, to_numpy
from ..result import Callback, Result
from ..validation import NonFiniteIterateError, check_completion_input, check_int, check_params
from .linear_nets import (
    GROUP_RMSPROP_ALPHA,
    GROUP_RMSPROP_EPS,
    _architecture,
    _Checks,
    _initial_weights,
    _layer_dims,
    _nonfinite,
)

_NAME = "deep_linear_completion_batched"
#: the name in each member's messages: a member's Result is the single run's
_MEMBER_NAME = "deep_linear_completion"


def _check_batch(
    Y: np.ndarray, masks: np.ndarray, seeds: Sequence[int], callbacks: object
) -> tuple[list[np.ndarray], list[np.ndarray], list[int], list[Callback | None]]:
    """One (Y_b, mask_b) per member, each checked as the single run checks its input; the
    seeds and callbacks, one per member."""
    masks = np.asarray(masks)
    if masks.ndim != 3:
        raise ValueError(
            f"masks must be a 3-D (B, d1, d2) array, one observed set per member, got shape "
            f"{masks.shape}"
        )
    B = masks.shape[0]
    if B == 0:
        raise ValueError(f"masks holds no member (shape {masks.shape}); B must be >= 1")
    Y = np.asarray(Y)
    if Y.ndim == 2:
        if Y.shape != masks.shape[1:]:
            raise ValueError(
                f"Y shape {Y.shape} does not match the masks' (d1, d2) = {masks.shape[1:]}"
            )
        Ys = [Y] * B
    elif Y.ndim == 3:
        if Y.shape != masks.shape:
            raise ValueError(f"Y shape {Y.shape} does not match masks shape {masks.shape}")
        Ys = list(Y)
    else:
        raise ValueError(
            f"Y must be a (d1, d2) matrix shared by all members or a (B, d1, d2) stack, got shape "
            f"{Y.shape}"
        )
    checked_Y, checked_masks = [], []
    for b in range(B):
        try:
            Yb, mb = check_completion_input(Ys[b], masks[b])
        except ValueError as e:
            raise ValueError(f"member {b} (masks[{b}]): {e}") from None
        checked_Y.append(Yb)
        checked_masks.append(mb)

    if isinstance(seeds, (int, np.integer)) or not isinstance(seeds, Sequence | np.ndarray):
        raise ValueError(f"seeds must be a sequence of B = {B} integers, got {seeds!r}")
    if len(seeds) != B:
        raise ValueError(
            f"seeds must hold one seed per member: len(seeds) = {len(seeds)} but masks hold "
            f"B = {B} members"
        )
    seeds = [check_int(f"seeds[{b}]", s) for b, s in enumerate(seeds)]

    if callbacks is None or callable(callbacks):
        cbs = [callbacks] * B
    elif isinstance(callbacks, Sequence) and len(callbacks) == B:
        cbs = list(callbacks)
        for b, cb in enumerate(cbs):
            if cb is not None and not callable(cb):
                raise ValueError(
                    f"callbacks[{b}] must be a callable callback(state) -> bool or None, got {cb!r}"
                )
    else:
        raise ValueError(
            f"callbacks must be None, one callable for every member or a sequence of B = {B} "
            f"callables/None, got {callbacks!r}"
        )
    return checked_Y, checked_masks, seeds, cbs


def deep_linear_completion_batched(
    Y: np.ndarray,
    masks: np.ndarray,
    *,
    depth: int = 2,
    width: int | None = None,
    lr: float = 1e-3,
    init_scale: float | None = None,
    max_iter: int = 10000,
    tol: float = 0.0,
    seeds: Sequence[int] = (0,),
    callbacks: Callback | Sequence[Callback | None] | None = None,
    log_every: int = 100,
    optimizer: str = "group_rmsprop",
    device: str | torch.device | None = None,
    dtype: object = None,
) -> list[Result]:
    """B deep linear networks for matrix completion, trained as one batched program.

    Member b is ``deep_linear_completion(Y_b, masks[b], seed=seeds[b], callback=callbacks[b],
    ...)`` with the other options shared, and its :class:`Result` is that run's up to round-off
    (``Z``, ``n_iter``, ``status``, ``message``, ``history`` and the extras "check_steps",
    "train_loss", "stopped_by_callback"; ``history.seconds`` counts from the start of the batch).
    Each step is one program for all members: every layer is a (B, out, in) tensor, the
    end-to-end matrices a ``torch.bmm`` chain, the loss Σ_b (1/|Ω_b|) Σ_{Ω_b} (Z_b − Y_b)² a masked
    dense sum (so each member's gradient is its own loss's), and GroupRMSprop keeps one
    second-moment scalar per member, v_b ← a v_b + (1 − a) Σ_k ||∇W_k^b||_F², bias-corrected by the
    member's step count. Every ``log_every`` steps (and at ``max_iter``) each member is checked as
    in the single run (relative training misfit, ``tol``, its callback); members that stop leave
    the batch.

    Parameters
    ----------
    Y : (d1, d2) matrix shared by all members, or (B, d1, d2) one per member; entries off a
        member's mask are never read (they may be NaN).
    masks : (B, d1, d2) boolean (or 0/1), member b's observed set Ω_b (each non-empty).
    depth, width, lr, init_scale, max_iter, tol, log_every, device, dtype : as in
        :func:`~linrfm.baselines.deep_linear_completion`, shared by the members.
    seeds : one seed per member (len B); member b's initial weights are the single run's with
        ``seed=seeds[b]``.
    callbacks : None, one ``callback(state) -> bool`` used for every member, or a sequence of B
        callables or None (member b's ``callback``). Called at member b's checks with its state.
    optimizer : only "group_rmsprop" (the single run's default) is batched.

    Returns
    -------
    list of B :class:`Result`, member b's at index b.

    Raises
    ------
    ValueError for bad inputs (naming the member where one is at fault); NonFiniteIterateError
    (a ValueError) naming the member and the step at which its loss or iterate became NaN/inf.
    """
    if optimizer != "group_rmsprop":
        raise ValueError(
            f"{_NAME} batches only optimizer='group_rmsprop', got {optimizer!r}; run "
            "deep_linear_completion once per member for other optimizers"
        )
    Ys, ms, seeds, cbs = _check_batch(Y, masks, seeds, callbacks)
    lr, max_iter, tol = check_params(lr=lr, max_iter=max_iter, tol=tol)
    log_every = check_int("log_every", log_every, 1)
    B = len(ms)
    d1, d2 = ms[0].shape
    depth, width, std = _architecture(d1, d2, depth, width, init_scale)
    dev, dt = resolve_device(device), resolve_dtype(dtype)

    # Per layer, the members' initial weights stacked: the single runs' draws, member by member.
    dims = _layer_dims(d1, d2, depth, width)
    per_member = [_initial_weights(dims, std, s, dev, dt) for s in seeds]
    weights = [torch.stack([w[k] for w in per_member]) for k in range(depth)]
    del per_member

    M = torch.stack([as_tensor(m, dev, dt) for m in ms])  # (B, d1, d2) 0/1
    Y0 = torch.stack(
        [as_tensor(np.where(m, Yb, 0.0), dev, dt) for Yb, m in zip(Ys, ms, strict=True)]
    )
    n_obs_np = np.array([int(m.sum()) for m in ms])
    n_obs = torch.as_tensor(n_obs_np, device=dev, dtype=dt)
    square_avg = torch.zeros(B, device=dev, dtype=torch.float64)
    alpha, eps = GROUP_RMSPROP_ALPHA, GROUP_RMSPROP_EPS

    checks = []
    for b in range(B):
        rows_np, cols_np = np.nonzero(ms[b])
        rows = torch.as_tensor(rows_np, device=dev)
        cols = torch.as_tensor(cols_np, device=dev)
        y = as_tensor(Ys[b][rows_np, cols_np], dev, dt)
        checks.append(_Checks(_MEMBER_NAME, tol, cbs[b], lambda Z, r=rows, c=cols: Z[r, c], y))
    results: list[Result | None] = [None] * B
    active = list(range(B))  # the members in the batch, in batch order

    def products(Ws: list[torch.Tensor]) -> list[torch.Tensor]:
        """P_k = W_k ··· W_1 for k = 1..L (batched); P_L is the end-to-end matrix Z."""
        P = [Ws[0]]
        for W in Ws[1:]:
            P.append(torch.bmm(W, P[-1]))
        return P

    def check(step: int) -> list[int]:
        """Check every member in the batch at ``step``; finish those that stop (all of them at
        ``max_iter``); the batch positions of the members that go on."""
        Z = products(weights)[-1]
        keep = []
        for i, b in enumerate(active):
            c = checks[b]
            try:
                stop = c(step, Z[i])
            except NonFiniteIterateError as e:
                raise NonFiniteIterateError(f"{_NAME}: member {b} (seed {seeds[b]}): {e}") from None
            if stop or step >= max_iter:
                loss = c.residual**2 * c.y_norm**2 / n_obs_np[b]
                results[b] = c.result(to_numpy(Z[i]), step, train_loss=np.array(loss))
            else:
                keep.append(i)
        return keep

    def shrink(keep: list[int]) -> None:
        """Drop the members that stopped: index-select weights, masks, targets and v_b."""
        nonlocal weights, M, Y0, n_obs, square_avg, active
        if len(keep) == len(active):
            return
        idx = torch.as_tensor(keep, device=dev, dtype=torch.long)
        weights = [W.index_select(0, idx) for W in weights]
        M, Y0 = M.index_select(0, idx), Y0.index_select(0, idx)
        n_obs, square_avg = n_obs.index_select(0, idx), square_avg.index_select(0, idx)
        active = [active[i] for i in keep]

    def sq_norms(x: torch.Tensor) -> torch.Tensor:
        """(B,) squared Frobenius norms of the members' slices (a batched dot product)."""
        f = x.reshape(x.shape[0], 1, -1)
        return torch.bmm(f, f.transpose(1, 2)).view(-1)

    # The step by hand (no autograd): with R_b = (Z_b − Y_b) ⊙ M_b, member b's loss is
    # ||R_b||²/|Ω_b| and ∇_{W_k} = (2/|Ω_b|) H_k with H_k = (W_L···W_{k+1})ᵀ R_b (W_{k−1}···W_1)ᵀ,
    # formed from the top layer down (2L − 2 bmm, the same products as the single run's
    # backward). The factor 2/|Ω_b| is folded into the GroupRMSprop scalars.
    step = 0
    shrink(check(0))
    with torch.no_grad():
        while active and step < max_iter:
            P = products(weights)
            R = P[-1].sub(Y0).mul_(M)
            losses = sq_norms(R) / n_obs  # each member's mean over its Ω_b
            finite = torch.isfinite(losses)
            if not bool(finite.all()):
                b = active[int(torch.nonzero(~finite)[0, 0])]
                e = _nonfinite(_MEMBER_NAME, step)
                raise NonFiniteIterateError(f"{_NAME}: member {b} (seed {seeds[b]}): {e}")
            H: list[torch.Tensor] = [R] * depth
            D = R
            for k in range(depth - 1, 0, -1):
                H[k] = torch.bmm(D, P[k - 1].transpose(1, 2))
                D = torch.bmm(weights[k].transpose(1, 2), D)
            H[0] = D
            step += 1
            scale = (2.0 / n_obs).to(torch.float64)  # ∇_{W_k} = scale · H_k
            g2 = sum(sq_norms(h) for h in H).to(torch.float64) * scale**2
            square_avg = alpha * square_avg + (1.0 - alpha) * g2
            rate = lr / (torch.sqrt(square_avg / (1.0 - alpha**step)) + eps)
            rate = (rate * scale).to(dt).view(-1, 1, 1)
            for W, h in zip(weights, H, strict=True):
                W.addcmul_(h, rate, value=-1.0)
            if step % log_every == 0 or step == max_iter:
                shrink(check(step))
    return results  # type: ignore[return-value]
