"""lin-RFM for matrix completion (Algorithm 1 with indicator sensing matrices; Section 4).

Iteration t, with K_t = M_tᵀ M_t (d2, d2):

    Step 2 (AGOP):             G_t = X_{t−1}ᵀ X_{t−1} / d1,   M_t = φ(G_t) = (G_t + εI)^α,
                               K_t = M_t² = (G_t + εI)^{2α};
    Step 1 (Eq. 12, per row):  γ_i = (K_t[S_i, S_i] + λ_t I)^{-1} y_i,   Z_t = C_t K_t
                               and, when ``replace``, (Z_t)_Ω ← Y_Ω   (Section 4);

X_t = Z_t, or its Anderson mixture (``anderson.py``; same fixed points). t = 0 is the regression
on M_0 (the identity by default). For 2α a positive integer K_t is a product of Grams: no SVD
(the SVD-free form of Section 4); other α > 0 use a symmetric eigendecomposition. The AGOP is
averaged over the d1 rows (G = ZᵀZ/d1, Eq. 1), as in the published code: this sets only the
scale of ``ridge`` and ``eps``.

The ridge λ_t is fixed (the paper's mode) or follows a schedule (``schedule.py``; the default ties
it to the spectral gap of G_t, the ε-continuation of IRLS-0). K_t lives in a kernel
(``kernels.py``: dense; ``lowrank.py``: low-rank-plus-shift); the loop is ``_driver.run``.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import torch

from .._backend import as_tensor, resolve_device, resolve_dtype, to_numpy
from ..matfun import half_integer_power
from ..result import Callback, IterationState, Result
from ..validation import (
    check_completion_input,
    check_int,
    check_params,
    check_square_init,
)
from . import _driver
from ._driver import Step
from .alternating import Alternating
from .anderson import Anderson
from .kernels import DenseKernel
from .lowrank import LOWRANK_MIN_DIM, LOWRANK_MIN_OBS_PER_ROW, LowRankKernel
from .observed import DEFAULT_CHUNK_ELEMENTS, Observed
from .options import (
    ALTERNATING_RIDGE,
    DEFAULT_ANDERSON,
    DEFAULT_MAX_ITER,
    DEFAULT_TOL,
    CompletionOptions,
)
from .refit import rank_refit
from .schedule import Ridge, RidgeRule, SpectralRidge, SpectralRule, make_rule, resolve_ridge

KERNELS = ("auto", "dense", "lowrank")
METHODS = ("auto", "svd_free", "eigh")


FEATURE_SIDES = ("auto", "columns", "rows", "better_observed")
#: ``complete``'s ``features``: a side, or both sides in turn (``alternating.py``, our extension)
FEATURES = (*FEATURE_SIDES, "alternating")


def feature_side(mask: np.ndarray, features: str = "auto", M0: np.ndarray | None = None) -> str:
    """The side ("columns" or "rows") the feature matrix acts on for a (d1, d2) ``mask``.

    "columns"/"rows" as given; "auto" the smaller side (K is d × d for the side's d), the columns
    for a square matrix; "better_observed" the same, except that a square matrix without M0 gets
    its features on the rows when the fewest observations in a column are fewer than the fewest in
    a row (each line of the other side is a regression on the learned features, determined once it
    has r observations; why this is not the default: docs/design.md). Uses the mask only."""
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
    truncation is less robust than the dense kernel) and the tracked block (q of
    ``SpectralRidge.tracked``) is under half of d2; else "dense". Raises a ``ValueError`` when
    "lowrank" is asked for where it does not apply."""
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
    _, q = ridge.tracked(d1, d2, n)
    ample = n >= LOWRANK_MIN_OBS_PER_ROW * max(d1, d2)
    return "lowrank" if min(d1, d2) >= LOWRANK_MIN_DIM and ample and 2 * q <= d2 else "dense"


class Algorithm1:
    """Algorithm 1 on completion as the driver's map, for either kernel (module docstring)."""

    def __init__(self, kernel: DenseKernel | LowRankKernel, rule: RidgeRule, memory: int):
        self.kernel, self.rule = kernel, rule
        self.mixer = Anderson(memory) if memory > 0 else None
        self.spectral = isinstance(rule, SpectralRule)
        self.ridges: list[float] = []
        self.ranks: list[int] = []
        self.tails: list[float] = []

    def _regress(self, t: int, X) -> Step:
        lam = self.rule.update(t, self.kernel.spectrum())
        self.ridges.append(lam)
        self.ranks.append(self.rule.rank)
        self.tails.append(self.rule.tail)
        self.Z, residual = self.kernel.regress(t, lam, self.rule)
        self.kernel_residual = residual
        change = self.kernel.change(self.Z, X)
        progress = max(residual, self.rule.tail) if self.spectral and t > 0 else float("nan")
        stationary = self.spectral and self.rule.stationary
        return Step(residual, change, self.rule.done, self.rule.certified, progress, stationary)

    def first(self) -> Step:
        """t = 0: the regression on M_0."""
        step = self._regress(0, None)
        self.X = self.Z
        return step

    def step(self, t: int) -> Step:
        """Step 2 (AGOP of X_{t−1}, K_t), λ_t from the schedule, Step 1 (Eq. 12)."""
        self.kernel.update(t, self.X)
        return self._regress(t, self.X)

    def advance(self) -> None:
        """X_t = Anderson mixture of the last map values once the spectrum is separated (any
        fixed or decaying ridge counts as separated), else Z_t."""
        if self.mixer is not None and self.rule.separated:
            self.X = self.kernel.mix(self.mixer, self.X, self.Z)
        else:
            if self.mixer is not None:
                self.mixer.reset()
            self.X = self.kernel.restart(self.Z)

    def numpy(self) -> np.ndarray:
        """The last iterate Z_t as a dense (d1, d2) array."""
        return self.kernel.numpy(self.Z)

    @property
    def rank(self) -> int:
        """The last rank estimate r̂_t of a ``SpectralRidge`` (0 with another ridge)."""
        return int(self.rule.rank)

    def state(self, t: int, step: Step) -> IterationState:
        Z, k = self.Z, self.kernel
        return IterationState(
            t,
            step.residual,
            step.rel_change,
            lambda: k.numpy(Z),
            ridge=self.ridges[-1],
            rank=self.rule.rank if self.spectral else None,
            entries=k.entries(Z),
        )

    def certificate(self) -> str:
        return (
            f"certified: tail energy ‖X − [X]_r‖²/‖X‖² = {self.rule.tail:.1e} ≤ tail_tol at "
            f"rank r = {self.rule.rank}"
        )

    def diagnosis(self) -> str:
        return (
            f"misfit {self.kernel_residual:.1e}, tail energy {self.rule.tail:.1e} at rank "
            f"estimate r = {self.rule.rank}, ridge {self.ridges[-1]:.1e}"
        )

    def extras(self) -> dict[str, np.ndarray]:
        """λ_t and, with a SpectralRidge, r̂_t and τ_t per iteration; the kernel's own."""
        out = {**self.kernel.extras(), "ridge": np.asarray(self.ridges)}
        if self.spectral:
            out["rank"] = np.asarray(self.ranks)
            out["tail"] = np.asarray(self.tails)
        return out


def resolve_anderson(anderson: int | str, spectral: bool) -> int:
    """The Anderson memory m: "auto" is ``DEFAULT_ANDERSON`` with a SpectralRidge, else 0."""
    if isinstance(anderson, str):
        if anderson != "auto":
            raise ValueError(f"anderson must be an integer >= 0 or 'auto', got {anderson!r}")
        return DEFAULT_ANDERSON if spectral else 0
    return check_int("anderson", anderson)


def _algorithm1(
    obs: Observed, y: torch.Tensor, which: str, o: CompletionOptions, name: str, mixing: bool = True
) -> Algorithm1:
    """Algorithm 1 on Ω = ``obs`` (observed values ``y``, row-major) with the ``which`` kernel;
    ``mixing=False`` for a half of :class:`Alternating`, which mixes whole iterations itself."""
    rule = make_rule(o.ridge, obs.d1, obs.d2, obs.n, o.alpha, o.eps)
    if which == "lowrank":
        kernel = LowRankKernel(obs, y, o, rule, solver=name)
    else:
        kernel = DenseKernel(obs, y, o, solver=name)
    return Algorithm1(kernel, rule, o.memory if mixing else 0)


def _solve(
    f: Algorithm1 | Alternating,
    o: CompletionOptions,
    callback: Callback | None,
    name: str,
) -> _driver.Outcome:
    """Run the map ``f`` (Algorithm 1, or both sides in turn) through the driver."""
    return _driver.run(
        name,
        f,
        max_iter=o.max_iter,
        tol=o.tol,
        callback=callback,
        log_every=o.log_every,
        certificate=f.certificate,
        stall=_driver.StallWatch(o.ridge.stall_window) if f.spectral else None,
        diagnosis=f.diagnosis,
    )


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
    refit: bool | int = False,
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
        larger side does not (docs/design.md), and the columns for square ones; "better_observed"
        puts a square matrix's features on its better-observed side (:func:`feature_side`);
        "alternating" (our extension, not the paper's Algorithm 1) runs one iteration of
        Algorithm 1 on Z and one on Zᵀ in turn, each side with its own AGOP and ridge
        (``alternating.py``; dense kernel, M0 = I; ``ridge="auto"`` is then
        ``options.ALTERNATING_RIDGE``): where one side alone stalls, e.g. 1000 × 1000 rank 5 from
        twice the degrees of freedom, it recovers (docs/design.md).
    callback : ``callback(state) -> bool`` called after every iteration with a
        :class:`~linrfm.result.IterationState` (``state.t``, ``state.Z``, ``state.entries(i, j)``,
        ``state.ridge``, ``state.rank``, ...); True stops the solver (status "callback").
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
    refit : for noisy observations. After the iteration stops, replace Z by the rank-r
        least-squares fit argmin_{rank ≤ r} ‖P_Ω(Z − Y)‖_F, by alternating least squares from
        [Z]_r (``refit.py``): True takes r = r̂, the ``SpectralRidge`` rank estimate; an int is r.
        False (default): Z interpolates Y_Ω, as Algorithm 1 does.

    Returns
    -------
    Result with ``x`` = ``Z`` (d1, d2), ``n_iter``, ``status`` ("tolerance", "certified",
    "stalled" — with a ``SpectralRidge``, when max(misfit, tail energy) did not halve in
    ``SpectralRidge.stall_window`` iterations; the message names the misfit, the tail energy and
    the rank estimate —, "callback" or "max_iter") and ``message``, ``history`` (residual = relative
    misfit ||Z_Ω − Y_Ω|| / ||Y_Ω|| of the row solves before re-imposing Ω), ``extras["K"]`` (the
    last K_t, on which Z is the regression), ``extras["ridge"]`` (λ_t per iteration) and, with a
    ``SpectralRidge``, ``extras["rank"]`` (r̂_t) and ``extras["tail"]`` (the tail energy
    τ_t = ‖X − [X]_r̂‖²_F / ‖X‖²_F of the iterate X that built G_t), per iteration (t = 0: 0, inf).

    A row with no observations is predicted as zero (the minimum-norm interpolant has a zero row
    there); a column with no observations is predicted from the learned features K and stays finite.
    """
    Y, mask = check_completion_input(Y, mask)
    if kernel not in KERNELS:
        raise ValueError(f"kernel must be 'auto', 'dense' or 'lowrank', got {kernel!r}")
    if features not in FEATURES:
        raise ValueError(f"features must be one of {FEATURES}, got {features!r}")
    both = features == "alternating"
    if both and (M0 is not None or kernel == "lowrank"):
        raise ValueError(
            "features='alternating' runs the dense kernel from M_0 = I on both sides: "
            "leave M0=None and kernel='auto' or 'dense'"
        )
    transposed = not both and feature_side(mask, features, M0) == "rows"
    if transposed:  # Algorithm 1 on Yᵀ: the features act on the rows
        Y, mask = Y.T, mask.T
        if callback is not None:
            user_callback = callback

            def callback(state: IterationState) -> bool:
                return user_callback(state.transposed())

    d1, d2 = Y.shape
    alpha, eps, max_iter, tol, log_every = check_params(
        alpha=alpha, eps=eps, max_iter=max_iter, tol=tol, log_every=log_every
    )
    ridge = ALTERNATING_RIDGE if both and ridge == "auto" else resolve_ridge(ridge)
    refit = _check_refit(refit, ridge, min(d1, d2))
    M0 = check_square_init("M0", M0, d2)
    if method not in METHODS:
        raise ValueError(f"method must be 'auto', 'svd_free' or 'eigh', got {method!r}")
    svd_free = method == "svd_free" or (method == "auto" and half_integer_power(alpha) is not None)
    memory = resolve_anderson(anderson, isinstance(ridge, SpectralRidge))
    which = "dense" if both else choose_kernel(mask, ridge, kernel, M0=M0, replace=replace)
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    o = CompletionOptions(
        alpha,
        ridge,
        eps,
        max_iter,
        tol,
        log_every,
        chunk_elements,
        memory,
        replace=replace,
        svd_free=svd_free,
        M0=None if M0 is None else as_tensor(M0, dev, dt),
    )
    name = "linrfm.complete"
    obs, y = Observed.from_mask(mask, dev), as_tensor(Y[mask], dev, dt)
    f = _algorithm1(obs, y, which, o, name, mixing=not both)
    if both:  # Algorithm 1 on Yᵀ for the second half of every iteration
        obs_t, y_t = Observed.from_mask(mask.T, dev), as_tensor(Y.T[mask.T], dev, dt)
        f = Alternating(f, _algorithm1(obs_t, y_t, which, o, name, mixing=False), memory)
    out = _solve(f, o, callback, name)
    Z = f.numpy()
    side = "alternating" if both else "rows" if transposed else "columns"
    extras = {**f.extras(), "kernel": which, "features": side}
    if refit is not False:
        r = f.rank if refit is True else refit
        fit = rank_refit(
            as_tensor(Y, dev, dt), torch.as_tensor(mask, device=dev), as_tensor(Z, dev, dt), r
        )
        Z = to_numpy(fit.Z)
        extras.update(refit_rank=r, refit_sweeps=fit.sweeps, refit_misfit=fit.misfit)
        out = dataclasses.replace(
            out,
            message=f"{out.message}; refit: rank-{r} least squares on the observed entries "
            f"({fit.sweeps} sweeps, relative misfit {fit.misfit:.2e})",
        )
    return _driver.result(out, np.ascontiguousarray(Z.T) if transposed else Z, extras)


def _check_refit(refit: bool | int, ridge: Ridge, max_rank: int) -> bool | int:
    """``complete``'s ``refit``: False, True (the rank from the SpectralRidge estimate r̂) or a
    rank 1 ≤ r ≤ min(d1, d2)."""
    if refit is False:
        return False
    if refit is True:
        if not isinstance(ridge, SpectralRidge):
            raise ValueError(
                "refit=True takes the rank from the SpectralRidge estimate r̂; with a fixed ridge "
                "or a RidgeDecay give the rank, refit=<int>"
            )
        return True
    r = check_int("refit", refit, 1)
    if r > max_rank:
        raise ValueError(f"refit must be a rank <= min(d1, d2) = {max_rank}, got {r}")
    return r


def check_entries(
    rows: np.ndarray, cols: np.ndarray, values: np.ndarray, shape: tuple[int, int]
) -> tuple[np.ndarray, np.ndarray, np.ndarray, tuple[int, int]]:
    """Observed entries given as (row, col, value) triplets: one length, inside ``shape``, finite,
    each entry once, at least one."""
    d1, d2 = (int(v) for v in shape)
    rows = np.asarray(rows).ravel()
    cols = np.asarray(cols).ravel()
    values = np.asarray(values, dtype=np.float64).ravel()
    if not (rows.size == cols.size == values.size):
        raise ValueError(
            f"rows, cols and values must have one length, got {rows.size}, {cols.size}, "
            f"{values.size}"
        )
    if rows.size == 0:
        raise ValueError("no observed entries (rows is empty)")
    if rows.min() < 0 or rows.max() >= d1 or cols.min() < 0 or cols.max() >= d2:
        raise ValueError(f"observed indices fall outside the {d1} x {d2} matrix")
    if not np.isfinite(values).all():
        raise ValueError("values (the observed entries) contain NaN or inf")
    if np.unique(rows.astype(np.int64) * d2 + cols).size != rows.size:
        raise ValueError("an entry is observed twice (duplicate (row, col) pairs)")
    return rows.astype(np.int64), cols.astype(np.int64), values, (d1, d2)


def complete_lowrank(
    rows: np.ndarray,
    cols: np.ndarray,
    values: np.ndarray,
    shape: tuple[int, int],
    *,
    alpha: float = 0.5,
    ridge: SpectralRidge | str = "auto",
    eps: float = 0.0,
    max_iter: int = DEFAULT_MAX_ITER,
    tol: float = DEFAULT_TOL,
    device: str | torch.device | None = None,
    dtype: object = None,
    callback: Callback | None = None,
    log_every: int = 0,
    chunk_elements: int = DEFAULT_CHUNK_ELEMENTS,
    anderson: int | str = "auto",
) -> Result:
    """lin-RFM (Algorithm 1, α > 0, ``replace``, M_0 = I, features on the columns) with the
    low-rank-plus-shift kernel (``lowrank.py``) on the observed ``values`` at (``rows``,
    ``cols``) of a ``shape`` matrix: no d1 × d2 array is ever formed, so d = 20000 fits in memory.
    Needs a :class:`SpectralRidge` schedule (its rank estimate sets the truncation).

    Stops as :func:`complete` does. ``callback(state)`` as in :func:`complete`
    (``state.entries(i, j)`` reads entries without forming Z). Returns a :class:`Result` whose
    ``x`` (= ``factors``; ``Z`` is None) is a :class:`~linrfm.solvers.lowrank.LowRankCompletion`
    (``.entries(i, j)``, ``.dense()``), ``extras`` "ridge", "rank" and "tail" as ``complete``."""
    rows, cols, values, (d1, d2) = check_entries(rows, cols, values, shape)
    alpha, eps, max_iter, tol, log_every = check_params(
        alpha=alpha, eps=eps, max_iter=max_iter, tol=tol, log_every=log_every
    )
    if isinstance(ridge, str):
        if ridge != "auto":
            raise ValueError(
                f"the low-rank kernel needs ridge='auto' or a SpectralRidge, got {ridge!r}"
            )
        ridge = SpectralRidge()
    if not isinstance(ridge, SpectralRidge):
        raise ValueError(
            "the low-rank kernel needs a SpectralRidge schedule (its rank estimate sets the "
            f"truncation), got {ridge!r}; use kernel='dense' for a fixed ridge"
        )
    memory = resolve_anderson(anderson, True)
    dev, dt = resolve_device(device), resolve_dtype(dtype)
    o = CompletionOptions(alpha, ridge, eps, max_iter, tol, log_every, chunk_elements, memory)
    obs = Observed(rows, cols, (d1, d2), dev)
    y = as_tensor(values, dev, dt)[obs.order]
    name = "linrfm.complete_lowrank"
    f = _algorithm1(obs, y, "lowrank", o, name)
    out = _solve(f, o, callback, name)
    return _driver.result(out, f.kernel.factors(f.Z), f.extras())
