"""Ridge schedules for the row solves of Eq. 12 (our choice; the paper is silent on how to pick λ).

Every row system of Eq. 12 is (K_t[S_i, S_i] + λ_t I) γ_i = y_i with one λ_t for all rows. For
α = 1/2 and ``replace=True`` the ridge λ_t *is* the smoothing ε_t of IRLS-0 (Appendix A: lin-RFM is
IRLS-p with p = 2 − 4α; the row solve is the minimiser of Σ_i z_i (G_t + λ_t I)^{-1} z_iᵀ subject
to the observed entries), so a ridge schedule is an ε-schedule of IRLS (Mohan & Fazel 2012;
Fornasier, Rauhut & Ward 2011; Kümmerle & Sigl 2018).

- a number: the paper's mode, a fixed absolute λ;
- :class:`SpectralRidge` (the default, ``ridge="auto"``): λ_t tied to the spectrum of the AGOP
  G_t = Z_tᵀZ_t/d1, λ_t = min((1 − κ) λ_{t−1}, σ_{r̂_t+1}(G_t)^{2α}) with r̂_t the largest spectral
  gap (the IRLS rule ε_{t+1} = min(ε_t, σ_{r+1}(X_{t+1})) with an estimated rank);
- :class:`RidgeDecay`: λ_t = max(floor, start · factor^t) · mean(diag K_t), a blind geometric decay.

Schedules read nothing but a :class:`Spectrum` of K_t and G_t (given by the kernel) and the sizes
(d1, d2, |Ω|): never held-out entries. At run time a schedule is turned into a :class:`RidgeRule`
(per-solve state) by :func:`make_rule`; ``rule.update(t, spectrum)`` gives λ_t.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from ..matfun import kernel_eigenvalues
from ..validation import check_int, check_nonnegative, check_positive


@dataclass(frozen=True)
class RidgeDecay:
    """λ_t = max(floor, start · factor^t) · mean(diag K_t) (the default before ``SpectralRidge``).

    For alpha = 1/2 the test error follows λ_t down, and a decay faster than the iterates can follow
    stalls IRLS-0 for good (measurements: docs/design.md). The floor is reached after
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

    def __call__(self, t: int, scale: float) -> float:
        """λ_t for K_t with mean(diag K_t) = ``scale``."""
        return self.relative(t) * scale


@dataclass(frozen=True)
class SpectralRidge:
    """ε-continuation of IRLS driven by the spectral gap of the AGOP (the default ridge).

    With g_1 ≥ g_2 ≥ … the eigenvalues of the AGOP G_t = X_{t−1}ᵀX_{t−1}/d1 that builds K_t
    (X = Z, or its Anderson mixture), and r_max the largest rank the observations can determine,
    r(d1 + d2 − r) ≤ |Ω| (``max_rank`` overrides it):

        r̂_t = argmax_{1 ≤ k ≤ r_max} g_k / g_{k+1}                 (rank estimate: largest gap)
        λ_t = max(floor · mean(diag K_t), min((1 − κ_t) λ_{t−1}, (g_{r̂_t+1} + ε)^{2α})),
        κ_t = 0 once the spectrum is separated (g_r̂ / g_{r̂+1} ≥ 100), else ``min_decay``.

    For α = 1/2, ε = 0 this is λ_t = min(λ_{t−1}, σ²_{r̂+1}(X_{t−1})/d1): IRLS-0's
    ε_{t+1} = min(ε_t, σ_{r+1}(X_{t+1})) (Fornasier, Rauhut & Ward 2011; Kümmerle & Sigl 2018) with
    the rank estimated from the spectrum, since for α = 1/2 the ridge is IRLS-0's ε (in the units
    of G = ZᵀZ/d1). λ_0 = mean(diag K_0) and λ_1 is not capped by it (K_0 = M_0ᵀM_0 has another
    scale); from t = 2 on λ_t never increases (it is also capped by λ_{t−1} at the floor, whose
    scale drifts with K_t).

    Why each part (the measurements behind each: docs/design.md):

    - λ at g_{r+1}, the top of the bulk: a λ well below it lets spurious directions grow and stalls
      the iteration; well above it freezes it.
    - κ while no gap is clear: a rank estimate below the true rank puts λ on a signal eigenvalue,
      a stationary point of the smoothed problem that the min-rule alone never leaves; κ forces λ
      below it. Once the gap is clear, κ = 0.
    - the floor keeps every K[S_i, S_i] + λI positive definite in floating point (at least 100
      machine epsilons).

    - rank growth on a lock (``grow_window``, ``grow_gap``): a rank estimate below the true
      rank can also lock once the gap is clear (κ = 0): λ = g_{r̂+1} then sits on the missed
      signal eigenvalue and λ_t, τ_t freeze. When both changed by less than 0.1% over
      ``grow_window`` iterations, λ is above its floor and the spectrum shows a second gap right
      after r̂ (g_{r̂+1} / g_{r̂+2} ≥ ``grow_gap``), the estimate is forced to r̂ ≥ r̂ + 1 from
      then on (the argmax above runs over k > r̂). Noise at the true rank locks λ and τ too, but
      its bulk has no second gap (ratios ≤ 1.6 measured against 4.4–7.5 for a missed direction;
      docs/design.md), so it does not grow. ``grow_window = 0`` never grows.

    ``stall_window``: the solver stops with status "stalled" when the progress measure
    max(misfit, τ_t) (both → 0 on recovery; observed data only) did not halve over the last
    ``stall_window`` iterations (``_driver.StallWatch``; 0: never); and, whatever the window, when
    λ_t = λ_{t−1} above the floor after a whole ``grow_window`` of the lock test and Z changed
    by less than ``tol``: a fixed point of the iteration that is not certified (noisy data, as
    a rule: lin-RFM then returns a denoised rank-r̂ fit, not an interpolant).

    ``certified`` (the solver stops) once the tail energy of the iterate,
    τ_t = (tr G_t − Σ_{k ≤ r̂} g_k) / tr G_t = ‖X − [X]_r̂‖²_F / ‖X‖²_F, is at most ``tail_tol``:
    X then lies within √τ_t ‖X‖_F of a rank-r̂ matrix that fits the observed entries to the same
    accuracy. ``done`` (the solver may stop on its ``tol``) once λ sits at its floor.

    The schedule reads the top q = r_max + 1 + ``oversample`` eigenvalues of G_t from the kernel
    (:class:`Spectrum`; the dense kernel tracks them by Rayleigh–Ritz on a block carried across
    iterations). Ritz values are lower bounds, so τ_t errs on the safe (large) side.
    """

    min_decay: float = 0.01
    floor: float = 1e-10
    tail_tol: float = 1e-14
    max_rank: int | None = None
    oversample: int = 8
    stall_window: int = 500
    grow_window: int = 20
    grow_gap: float = 3.0

    def __post_init__(self) -> None:
        if not 0 <= self.min_decay < 1:
            raise ValueError(f"SpectralRidge.min_decay must lie in [0, 1), got {self.min_decay!r}")
        check_nonnegative("SpectralRidge.floor", self.floor)
        check_nonnegative("SpectralRidge.tail_tol", self.tail_tol)
        check_int("SpectralRidge.oversample", self.oversample, 0)
        check_int("SpectralRidge.stall_window", self.stall_window, 0)
        check_int("SpectralRidge.grow_window", self.grow_window, 0)
        if not self.grow_gap > 1:
            raise ValueError(f"SpectralRidge.grow_gap must be > 1, got {self.grow_gap!r}")
        if self.max_rank is not None:
            check_int("SpectralRidge.max_rank", self.max_rank, 1)

    def tracked(self, d1: int, d2: int, n: int) -> tuple[int, int]:
        """(r_max, q) on a (d1, d2) problem with n observations: the largest rank considered,
        ``max_rank`` or r(d1 + d2 − r) ≤ n, clamped to [1, d2 − 1]; and the number of top
        eigenvalues read, q = min(d2, r_max + 1 + oversample)."""
        r_max = self.max_rank if self.max_rank is not None else identifiable_rank(d1, d2, n)
        r_max = max(1, min(r_max, d2 - 1))
        return r_max, min(d2, r_max + 1 + self.oversample)


Ridge = float | RidgeDecay | SpectralRidge | str

#: g_r̂ / g_{r̂+1} at or above which the AGOP spectrum counts as separated (signal | bulk)
SEPARATED_GAP = 1e2
#: below this tail energy, τ is recomputed from the iterate itself (one (d1, d2)·(d2, r̂) product)
TAIL_DIRECT = 1e-6


def resolve_ridge(ridge: Ridge) -> RidgeDecay | SpectralRidge | float:
    """ "auto" → ``SpectralRidge()``; a schedule → itself; a number → fixed absolute λ ≥ 0."""
    if isinstance(ridge, RidgeDecay | SpectralRidge):
        return ridge
    if isinstance(ridge, str):
        if ridge != "auto":
            raise ValueError(
                "ridge must be a number >= 0, 'auto', a RidgeDecay or a SpectralRidge, "
                f"got {ridge!r}"
            )
        return SpectralRidge()
    return check_nonnegative("ridge", ridge)


def identifiable_rank(d1: int, d2: int, n: int) -> int:
    """r_max: the largest r with r(d1 + d2 − r) ≤ n (at least 1, at most min(d1, d2) − 1)."""
    top = max(min(d1, d2) - 1, 1)
    r = 1
    while r < top and (r + 1) * (d1 + d2 - r - 1) <= n:
        r += 1
    return r


@dataclass
class Spectrum:
    """What a ridge schedule may read of iteration t (from the kernel; nothing else).

    ``scale`` = mean(diag K_t). From t = 1 on also ``trace`` = tr G_t, ``top(q)`` → the top
    eigenvalues g_1 ≥ … ≥ g_q' of G_t (q' ≥ q where the kernel tracks more; computed on demand),
    and ``tail(r)`` → ‖X − X V_r V_rᵀ‖²_F / ‖X‖²_F from the iterate X that built G_t and the top r
    eigenvectors V_r (used when tr G_t − Σ g_k is too small to trust)."""

    scale: float
    dtype: torch.dtype
    trace: float = 0.0
    top: Callable[[int], torch.Tensor] | None = None
    tail: Callable[[int], float] | None = None


class RidgeRule:
    """Per-solve state of a ridge schedule: ``update(t, spectrum)`` gives λ_t; ``done``,
    ``certified``, ``separated``, ``rank`` and ``tail`` report on it."""

    #: the AGOP spectrum shows a clear gap (the accelerator may start)
    separated: bool = True

    def update(self, t: int, spectrum: Spectrum) -> float:
        """λ_t for the row solves with K_t."""
        raise NotImplementedError

    @property
    def done(self) -> bool:
        """The solver may stop once the relative change of Z is below ``tol``."""
        return True

    @property
    def certified(self) -> bool:
        """The iterate carries its own certificate of convergence: stop at once."""
        return False

    @property
    def rank(self) -> int:
        return 0

    @property
    def tail(self) -> float:
        return float("nan")


class FixedRule(RidgeRule):
    """λ_t = λ (the paper's mode)."""

    def __init__(self, value: float):
        self.value = value

    def update(self, t: int, spectrum: Spectrum) -> float:
        return self.value


class DecayRule(RidgeRule):
    """:class:`RidgeDecay`: λ_t = max(floor, start · factor^t) · mean(diag K_t)."""

    def __init__(self, schedule: RidgeDecay):
        self.schedule = schedule
        self._t = 0

    def update(self, t: int, spectrum: Spectrum) -> float:
        self._t = t
        return self.schedule(t, spectrum.scale)

    @property
    def done(self) -> bool:
        return self.schedule.at_floor(self._t)


class SpectralRule(RidgeRule):
    """State of :class:`SpectralRidge`: λ_{t−1} and the last rank estimate, gap and tail.

    ``r_max`` (the largest identifiable rank, or ``max_rank``) and ``q`` = r_max + 1 +
    oversample (the eigenvalues it reads) are fixed per solve."""

    def __init__(self, s: SpectralRidge, d1: int, d2: int, n: int, alpha: float, eps: float):
        self.s, self.alpha, self.eps = s, alpha, eps
        self.r_max, self.q = s.tracked(d1, d2, n)
        self.oversample = s.oversample
        self.lam = float("inf")
        self._tail = float("inf")
        self.gap = 1.0
        self._rank = 0
        self._at_floor = False
        self.separated = False
        self.min_rank = 1  # r̂ ≥ min_rank: raised by a lock (class docstring of SpectralRidge)
        self._held = False  # λ_t = λ_{t−1} above the floor
        self._judged = False  # a whole frozen window passed without growth: no more growth
        self._frozen: list[tuple[float, float]] = []  # (λ_t, τ_t) while the lock test runs

    def update(self, t: int, spectrum: Spectrum) -> float:
        """λ_t = max(floor, min((1 − κ) λ_{t−1}, (g_{r̂+1} + ε)^{2α})) (class docstring of
        :class:`SpectralRidge`); at t = 0 (no AGOP yet) λ_0 = mean(diag K_0)."""
        s = spectrum
        floor = max(self.s.floor, 100 * torch.finfo(s.dtype).eps) * s.scale
        if s.top is None:
            self.lam = s.scale
            return self.lam
        g = s.top(self.q).clamp_min(0).double().cpu()
        k = min(self.r_max, g.numel() - 1)
        tiny = float(g[0]) * 1e-300 + 1e-300
        ratio = g[:k] / g[1 : k + 1].clamp_min(tiny)
        low = min(self.min_rank, k) - 1
        r = int(torch.argmax(ratio[low:])) + 1 + low
        self._rank, self.gap = r, float(ratio[r - 1])
        trace = s.trace
        self._tail = max(trace - float(g[:r].sum()), 0.0) / trace if trace > 0 else 0.0
        if s.tail is not None and self._tail < TAIL_DIRECT:
            # tr G − Σ g_k cancels below ~machine epsilon; ‖X − X V Vᵀ‖² does not
            direct = s.tail(r)
            if direct == direct:  # not NaN
                self._tail = direct
        self.separated = self.gap >= SEPARATED_GAP
        target = float(kernel_eigenvalues(g[r], self.alpha, self.eps))
        if t > 1:
            decay = 0.0 if self.separated else self.s.min_decay
            target = min(target, (1 - decay) * self.lam)
        self._at_floor = target <= floor
        lam = max(target, floor)
        previous = self.lam
        self.lam = min(lam, self.lam) if t > 1 else lam  # monotone even when the floor drifts
        self._held = t > 1 and self.lam == previous and self.lam > 2 * floor
        self._grow_on_lock(r, k, ratio, floor, target)
        return self.lam

    def _grow_on_lock(
        self, r: int, k: int, ratio: torch.Tensor, floor: float, target: float
    ) -> None:
        """Raise ``min_rank`` to r̂ + 1 when λ_t sat on its target g_{r̂+1}^{2α} (not held there
        by the min-rule), λ_t and τ_t froze (within 0.1%) over ``grow_window`` iterations above
        the floor, and g_{r̂+1} / g_{r̂+2} ≥ ``grow_gap`` (``ratio[r]``)."""
        w = self.s.grow_window
        on_target = target <= (1 + 1e-3) * self.lam
        if not w or not on_target or self.lam <= 2 * floor or r >= k:
            self._frozen.clear()
            return
        self._frozen.append((self.lam, self._tail))
        if len(self._frozen) <= w:
            return
        (lam0, tail0), self._frozen = self._frozen[0], self._frozen[1:]
        frozen = abs(self.lam / lam0 - 1) < 1e-3 and abs(self._tail / max(tail0, 1e-300) - 1) < 1e-3
        if not frozen or self._judged:
            return
        # the first frozen window decides: a later second gap is noise drifting into a spurious
        # direction (300 x 300 rank 5, σ = 0.01: g_6 / g_7 = 84 at t = 228), not a missed signal
        if float(ratio[r]) >= self.s.grow_gap:
            self.min_rank = r + 1
            self._frozen.clear()
        else:
            self._judged = True

    @property
    def done(self) -> bool:
        return self._at_floor

    @property
    def certified(self) -> bool:
        return self._tail <= self.s.tail_tol

    @property
    def stationary(self) -> bool:
        """λ_t = λ_{t−1} above the floor and the lock test ran a whole ``grow_window`` without
        growing: with Z unchanged too, the iteration is at a fixed point it will not leave."""
        return self._held and (self._judged or not self.s.grow_window)

    @property
    def rank(self) -> int:
        return self._rank

    @property
    def tail(self) -> float:
        return self._tail


def make_rule(
    ridge: RidgeDecay | SpectralRidge | float, d1: int, d2: int, n: int, alpha: float, eps: float
) -> RidgeRule:
    """The per-solve rule for a resolved ``ridge`` on a (d1, d2) problem with n observations."""
    if isinstance(ridge, SpectralRidge):
        return SpectralRule(ridge, d1, d2, n, alpha, eps)
    if isinstance(ridge, RidgeDecay):
        return DecayRule(ridge)
    return FixedRule(float(ridge))
