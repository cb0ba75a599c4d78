"""lin-RFM for matrix completion (Algorithm 1 with indicator sensing matrices; Section 4).

Iteration t, with K_t = M_tᵀ M_t (d2, d2):

    Step 1 (Eq. 12, per row):  γ_i = (K_t[S_i, S_i] + λ_t I)^{-1} y_i,   Z_t = C_t K_t
                               and, when ``replace``, (Z_t)_Ω ← Y_Ω   (Section 4)
    Step 2 (AGOP):             G_t = Z_tᵀ Z_t / d1,   M_{t+1} = φ(G_t) = (G_t + εI)^α,
                               K_{t+1} = M_{t+1}² = (G_t + εI)^{2α}.

For 2α a positive integer, K_{t+1} is a product of Grams: no SVD or eigendecomposition (the
SVD-free form of Section 4). Other α > 0 use a symmetric eigendecomposition.

The ridge λ_t is fixed (the paper's mode, ``ridge`` a number) or follows a schedule
(``schedule.py``; the default ties it to the spectral gap of G_t, the ε-continuation of IRLS-0).
With the default schedule the iterates are Anderson-accelerated (``anderson.py``): step 2 then
builds G from a mixture of the last few Z_t instead of Z_t alone; the fixed points are the same.

The AGOP is averaged over the d1 row factors (G = ZᵀZ/d1, Eq. 1), as in the published code.
This only sets the scale of ``ridge`` and ``eps``: with ridge = eps = 0 the iterates do not
depend on it.
"""

from __future__ import annotations

import numpy as np
import torch

from .._backend import as_tensor, resolve_device, resolve_dtype, to_numpy
from ..matfun import feature_kernel, half_integer_power
from ..result import Callback, Result, Tracker
from ..validation import (
    check_completion_input,
    check_int,
    check_nonnegative,
    check_positive,
    check_square_init,
)
from .anderson import Anderson
from .lowrank import LOWRANK_MIN_DIM, LOWRANK_MIN_OBS_PER_ROW, complete_lowrank
from .rowsolve import DEFAULT_CHUNK_ELEMENTS, RowSolver
from .schedule import Ridge, SpectralRidge, identifiable_rank, make_rule, resolve_ridge

DEFAULT_MAX_ITER = 6000
DEFAULT_TOL = 1e-9
DEFAULT_ANDERSON = 5


FEATURE_SIDES = ("auto", "columns", "rows", "better_observed")


def feature_side(mask: np.ndarray, features: str = "auto", M0: np.ndarray | None = None) -> str:
    """The side ("columns" or "rows") the feature matrix acts on for a (d1, d2) ``mask``.

    "columns"/"rows" as given; "auto" the smaller side (K is d × d for the side's d), the columns
    for a square matrix; "better_observed" the same, except that a square matrix without M0 gets
    its features on the rows when the fewest observations in a column are fewer than the fewest in
    a row. (Each line of the other side is a regression on the learned features and is determined
    once it has r observations; a feature line with few observations is learned slowly: on
    100 × 100 rank 5 from 1500 entries, seed 8, a column with r = 5 observations left test MSE
    1.3e-3 after 6000 iterations with the features on the columns and 5e-10 after 301 on the rows.
    Not the default: on 1000 × 1000 rank 5 from 2× its degrees of freedom, seed 0, where every
    line has more than r observations, it chose the rows and was still at residual 2e-5 after 2100
    iterations.) Uses the mask only."""
    if features not in FEATURE_SIDES:
        raise ValueError(f"features must be one of {FEATURE_SIDES}, got {features!r}")
    if features in ("columns", "rows"):
        return features
    d1, d2 = mask.shape
    if d1 != d2:
        return "rows" if d1 < d2 else "columns"
    if (
        features == "better_observed"
        and M0 is None
        and mask.sum(axis=0).min() < mask.sum(axis=1).min()
    ):
        return "rows"
    return "columns"


def choose_kernel(
    mask: np.ndarray,
    ridge: Ridge = "auto",
    kernel: str = "auto",
    *,
    M0: np.ndarray | None = None,
    replace: bool = True,
) -> str:
    """The kernel ``complete`` uses for a (d1, d2) ``mask`` with d1 ≥ d2 (features on the
    columns): ``kernel`` itself unless "auto"; then "lowrank" when the ridge is a
    ``SpectralRidge``, M0 is None, ``replace`` holds, d2 ≥ ``LOWRANK_MIN_DIM``, there are at
    least ``LOWRANK_MIN_OBS_PER_ROW`` observations per row on average (at low sampling the
    truncation is less robust than the dense kernel) and the tracked block (q = r_max + 1 +
    oversample columns) is under half of d2; else "dense". Raises a
    ``ValueError`` when "lowrank" is asked for where it does not apply."""
    ridge = resolve_ridge(ridge)
    reasons = []
    if not isinstance(ridge, SpectralRidge):
        reasons.append("a SpectralRidge schedule (ridge='auto')")
    if M0 is not None:
        reasons.append("M0 = None (the identity)")
    if not replace:
        reasons.append("replace=True")
    if kernel == "lowrank":
        if reasons:
            raise ValueError("kernel='lowrank' needs " + ", ".join(reasons))
        return "lowrank"
    if kernel == "dense" or reasons:
        return "dense"
    d1, d2 = mask.shape
    n = int(np.count_nonzero(mask))
    r_max = ridge.max_rank if ridge.max_rank is not None else identifiable_rank(d1, d2, n)
    q = r_max + 1 + ridge.oversample
    ample = n >= LOWRANK_MIN_OBS_PER_ROW * max(d1, d2)
    return "lowrank" if min(d1, d2) >= LOWRANK_MIN_DIM and ample and 2 * q <= d2 else "dense"


def complete(
    Y: np.ndarray,
    mask: np.ndarray,
    *,
    alpha: float = 0.5,
    ridge: Ridge = "auto",
    eps: float = 0.0,
    max_iter: int = DEFAULT_MAX_ITER,
    tol: float = DEFAULT_TOL,
    replace: bool = True,
    M0: np.ndarray | None = None,
    device: str | torch.device | None = None,
    dtype: object = None,
    method: str = "auto",
    features: str = "auto",
    callback: Callback | None = None,
    log_every: int = 0,
    chunk_elements: int = DEFAULT_CHUNK_ELEMENTS,
    anderson: int | str = "auto",
    kernel: str = "auto",
) -> Result:
    """Complete the (d1, d2) matrix ``Y`` from its entries where ``mask`` is True.

    Parameters
    ----------
    Y : (d1, d2) array. Entries where ``mask`` is False are never read (they may be NaN).
    mask : (d1, d2) bool array, the observed set Ω (non-empty).
    alpha : power of φ(s) = (s + eps)^alpha, > 0. Multiples of 1/2 run SVD-free.
    ridge : λ added to every row system K[S_i, S_i] (same for all rows, Section 4). A number is a
        fixed absolute λ ≥ 0 (the paper's mode). "auto" (default) is ``SpectralRidge()``:
        λ_t = min((1 − κ) λ_{t−1}, g_{r̂+1}^{2α}) with g the eigenvalues of the AGOP G_t and r̂ its
        largest spectral gap (IRLS's ε = σ_{r+1} rule with an estimated rank; see
        ``schedule.py``). ``RidgeDecay()`` is the blind geometric decay used before.
    eps : ε ≥ 0 in φ.
    max_iter : number of AGOP updates (M_0 → M_{max_iter}); the returned Z is the regression on the
        last M. ``max_iter=0`` returns the minimum-norm interpolant for M_0.
    tol : stop when ||Z_t − Z_{t−1}||_F / ||Z_{t−1}||_F < tol (observed data only) and the ridge
        schedule allows it (a fixed ridge: always; ``RidgeDecay`` or ``SpectralRidge``: once λ is
        at its floor). A ``SpectralRidge`` also stops as soon as the AGOP certifies that the
        iterate is numerically of rank r̂, ‖X − [X]_r̂‖²_F ≤ tail_tol · ‖X‖²_F (X interpolates
        Y_Ω, so it is then within √tail_tol · ‖X‖_F of a rank-r̂ matrix that fits the data to
        the same accuracy). 0 never stops early.
    replace : re-impose the observed entries, (Z_t)_Ω = Y_Ω, after every regression.
    M0 : initial feature matrix, (d2, d2) on the "columns" side, (d1, d1) on the "rows" side;
        identity when None.
    device, dtype : torch device (None: CUDA when available, else CPU) and float64 (default) or
        float32.
    method : "auto" (SVD-free when 2·alpha is an integer), "svd_free" or "eigh".
    features : which side the feature matrix M acts on. "columns" is Algorithm 1 as written
        (M is d2 × d2); "rows" runs Algorithm 1 on Yᵀ (M is d1 × d1); "auto" (default) picks the
        smaller side, which is cheaper and, in our measurements, recovers wide matrices that the
        larger side does not (see README), and the columns for square ones; "better_observed"
        puts a square matrix's features on its better-observed side (:func:`feature_side`).
    callback : ``callback(t, Z) -> bool`` called after every iteration; True stops the solver.
    log_every : log iteration, residual and change to the ``linrfm`` logger every this many
        iterations (0: never).
    anderson : memory m of the Anderson acceleration of the iterates (``anderson.py``; 0: plain
        Algorithm 1). "auto" (default): 5 with a ``SpectralRidge`` schedule, once the AGOP
        spectrum shows a gap (g_r̂ / g_{r̂+1} ≥ 100), else 0 — a fixed ridge or a ``RidgeDecay``
        runs the paper's iteration unchanged. An explicit m > 0 mixes from iteration 1 on with any
        ridge.
    kernel : "dense" keeps K_t as a d2 × d2 matrix (Algorithm 1 exactly); "lowrank" keeps the
        part of K_t on the top eigenvectors of the AGOP with λ_t as the shift
        (``lowrank.complete_lowrank``: O(|Ω| q²) per iteration, no d2 × d2 matrix; needs a
        ``SpectralRidge``, ``M0`` None and ``replace``); "auto" (default) picks "lowrank" when it
        applies, min(d1, d2) ≥ ``lowrank.LOWRANK_MIN_DIM`` and samples are ample (see
        :func:`choose_kernel`).

    Returns
    -------
    Result with ``Z`` (d1, d2), ``n_iter``, ``converged``, ``history`` (residual = relative
    misfit ||Z_Ω − Y_Ω|| / ||Y_Ω|| of the row solves before re-imposing Ω), ``extras["K"]`` (the
    last K_t, on which Z is the regression), ``extras["ridge"]`` (λ_t per iteration) and, with a
    ``SpectralRidge``, ``extras["rank"]`` (r̂_t) and ``extras["tail"]`` (the tail energy
    τ_t = ‖X − [X]_r̂‖²_F / ‖X‖²_F of the iterate X that built G_t), per iteration (t = 0: 0, inf).

    A row with no observations is predicted as zero (the minimum-norm interpolant has a zero row
    there); a column with no observations is predicted from the learned features K and stays finite.
    """
    Y, mask = check_completion_input(Y, mask)
    if kernel not in ("auto", "dense", "lowrank"):
        raise ValueError(f"kernel must be 'auto', 'dense' or 'lowrank', got {kernel!r}")
    d1, d2 = Y.shape
    if feature_side(mask, features, M0) == "rows":
        wrapped = callback and (lambda t, Z: callback(t, Z.T))
        res = complete(
            Y.T,
            mask.T,
            alpha=alpha,
            ridge=ridge,
            eps=eps,
            max_iter=max_iter,
            tol=tol,
            replace=replace,
            M0=M0,
            device=device,
            dtype=dtype,
            method=method,
            features="columns",
            callback=wrapped,
            log_every=log_every,
            chunk_elements=chunk_elements,
            anderson=anderson,
            kernel=kernel,
        )
        res.Z = np.ascontiguousarray(res.Z.T)
        return res
    alpha = check_positive("alpha", alpha)
    ridge = resolve_ridge(ridge)
    eps = check_nonnegative("eps", eps)
    max_iter = check_int("max_iter", max_iter)
    tol = check_nonnegative("tol", tol)
    M0 = check_square_init("M0", M0, d2)
    if method not in ("auto", "svd_free", "eigh"):
        raise ValueError(f"method must be 'auto', 'svd_free' or 'eigh', got {method!r}")
    svd_free = method == "svd_free" or (method == "auto" and half_integer_power(alpha) is not None)
    spectral = isinstance(ridge, SpectralRidge)
    if isinstance(anderson, str):
        if anderson != "auto":
            raise ValueError(f"anderson must be an integer >= 0 or 'auto', got {anderson!r}")
        memory = DEFAULT_ANDERSON if spectral else 0
    else:
        memory = check_int("anderson", anderson)

    if choose_kernel(mask, ridge, kernel, M0=M0, replace=replace) == "lowrank":
        rows, cols = np.nonzero(mask)
        wrapped_cb = callback and (lambda t, F: callback(t, F.dense()))
        res = complete_lowrank(
            rows,
            cols,
            Y[rows, cols],
            (d1, d2),
            alpha=alpha,
            ridge=ridge,
            eps=eps,
            max_iter=max_iter,
            tol=tol,
            device=device,
            dtype=dtype,
            callback=wrapped_cb,
            log_every=log_every,
            chunk_elements=chunk_elements,
            anderson=anderson,
        )
        res.Z = res.factors.dense()
        return res
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    rs = RowSolver(mask, dev, dt, chunk_elements=chunk_elements)
    y = as_tensor(Y[mask], dev, dt)
    y_norm = float(torch.linalg.norm(y)) or 1.0
    if M0 is None:
        K = torch.eye(d2, dtype=dt, device=dev)
    else:
        M = as_tensor(M0, dev, dt)
        K = M.T @ M
    tracker = Tracker("linrfm.complete", tol, callback, log_every)
    rule = make_rule(ridge, d1, d2, rs.n, alpha, eps)
    mixer = Anderson(memory) if memory > 0 else None
    ridges: list[float] = []
    ranks: list[int] = []
    tails: list[float] = []

    def regression(
        K: torch.Tensor, G: torch.Tensor | None, X: torch.Tensor | None, t: int
    ) -> tuple[torch.Tensor, float]:
        lam = rule.ridge(t, K, G, X)
        ridges.append(lam)
        ranks.append(rule.rank)
        tails.append(rule.tail)
        gamma = rs.solve(K, y, lam)
        tracker.check_finite(t, gamma)
        Z = rs.predict(gamma, K)
        residual = float(torch.linalg.norm(rs.observed(Z) - y)) / y_norm
        if replace:
            Z[rs.rows, rs.cols] = y
        return Z, residual

    Z, residual = regression(K, None, None, 0)
    stop = tracker.step(0, Z, residual, rule.done)
    X = Z  # the iterate that builds the next AGOP: Z_t itself, or its Anderson mixture
    t = 0
    while not stop and t < max_iter:
        t += 1
        G = (X.T @ X) / d1
        K = feature_kernel(G, alpha, eps, svd_free)
        tracker.check_finite(t, K)
        Z, residual = regression(K, G, X, t)
        stop = tracker.step(t, Z, residual, rule.done)
        if not stop and tol > 0 and rule.certified:
            tracker.converged = stop = True
        if stop:
            break
        if mixer is not None and (rule.separated or not spectral):
            X = mixer.step(X, Z)
        else:
            if mixer is not None:
                mixer.reset()
            X = Z
    extras = {"K": to_numpy(K), "ridge": np.asarray(ridges)}
    if spectral:
        extras["rank"] = np.asarray(ranks)
        extras["tail"] = np.asarray(tails)
    return Result(
        Z=to_numpy(Z),
        n_iter=t,
        converged=tracker.converged,
        history=tracker.history,
        extras=extras,
    )
