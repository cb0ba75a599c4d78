"""The claims checker: the paper's checkable claims, decided from results tables and notebooks.

A *claim* (one entry of ``paper_checks/claims.yaml``) names where it is in the paper, what it
states, and how it is decided:

- ``check: {notebook: <name>, claim_id: <id>}`` — the verdict of that row in the notebook's table
  of checks (``results/notebooks/<name>_checks.csv``); the notebook compares the printed formula
  with a direct run of the algorithm;
- ``check: {rule: <rule>, table: <table>, args: {...}}`` — one of the :data:`RULES` below applied to
  a results table (``results/<table>.csv``), once per protocol ("paper": the paper's model
  selection on test error; "honest": observed data only) when the table has a ``protocol`` column.

A verdict is ``holds``, ``fails`` or ``not run``: the table or notebook is absent, or the data
cannot decide the claim (a scale or device that cannot show it, a rival missing from the config,
too few informative points, ties or overlapping brackets) — each rule says when, and the report
gives the reason. Each rule check's claim carries its reading in the registry (``quote``: the
paper's sentence, ``reading``: what is computed, ``tolerance``: how much and why) and, in
``changes``, every change of its rule since the registry was first written; the report evaluates
the rule before and after each change on the same tables. Nothing here is hand-written per run:
the report is generated from the tables.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from linrfm.data import degrees_of_freedom

from .jobs import write_table, write_text
from .methods import legend_order

HOLDS, FAILS, NOT_RUN = "holds", "fails", "not run"
PROTOCOLS = ("paper", "honest")
MSE_FLOOR = 1e-12  # test MSEs are floored here before taking logs


@dataclass
class Outcome:
    """What a rule found: the verdict and the reproduced number, in words."""

    verdict: str
    measured: str


@dataclass
class Verdict:
    """One row of the report."""

    id: str
    where: str
    statement: str
    paper: str
    source: str
    verdicts: dict[str, str] = field(default_factory=dict)  # protocol (or "—") -> verdict
    measured: dict[str, str] = field(default_factory=dict)
    note: str = ""
    reading: str = ""  # the operational reading (claims.yaml), for rule checks
    tolerance: str = ""
    changes: list[dict[str, Any]] = field(default_factory=list)  # rule changes, before/after


def _not_run(why: str) -> Outcome:
    return Outcome(NOT_RUN, why)


def check_row(
    claim_id: str,
    where: str,
    statement: str,
    expected: Any,
    measured: Any,
    ok: bool,
    note: str = "",
) -> dict[str, Any]:
    """One row of a theory notebook's table of checks (the columns the claims report reads)."""
    return dict(
        claim_id=claim_id,
        where=where,
        statement=statement,
        expected=expected,
        measured=measured,
        verdict=HOLDS if ok else FAILS,
        note=note,
    )


CHECK_COLUMNS = ("claim_id", "where", "statement", "expected", "measured", "verdict", "note")


class Checks:
    """The collector of a theory notebook's table of checks: ``add`` one :func:`check_row` per
    check, then ``write`` the table (columns :data:`CHECK_COLUMNS`, the CSV that
    ``workflow/scripts/run_notebook.py`` keeps and :func:`evaluate` reads)."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Append ``check_row(*args, **kwargs)`` and return it."""
        self.rows.append(check_row(*args, **kwargs))
        return self.rows[-1]

    def table(self) -> pd.DataFrame:
        return pd.DataFrame(self.rows, columns=list(CHECK_COLUMNS))

    def write(self, path: str | Path) -> pd.DataFrame:
        """Write the table to ``path`` (CSV, no index) and return it."""
        df = self.table()
        write_table(df, path)
        return df


# --- rules -------------------------------------------------------------------------------------
#
# What every rule below holds to (issue 13):
# - a verdict comes from real bounds only: a run that did not reach the target bounds a time or a
#   threshold only by what it actually ran; a bracket (lo, hi] gives a difference only from its
#   guaranteed end;
# - ties, overlapping brackets and differences inside a stated tolerance win nothing: when nothing
#   else decides, the verdict is "not run" with the reason (likewise for a missing rival, a scale
#   or device that cannot decide the claim, too few informative points);
# - under the paper protocol every run stops once its test MSE is under the target, so test MSEs
#   below the target are floored at the target before any comparison (they are early-stop
#   artefacts, never evidence);
# - a NaN test MSE (a run that diverged) is a failed run: its group's mean is +inf, and the text
#   says how many there were; nothing is skipped;
# - every measured cell names what it compares.


def _protocol(df: pd.DataFrame) -> str:
    """The one protocol of ``df`` ("paper", "honest", or "—" without the column); a table that
    mixes protocols is an error (rules decide one protocol at a time)."""
    if "protocol" not in df.columns:
        return "—"
    ps = sorted(set(df["protocol"]))
    if len(ps) > 1:
        raise ValueError(f"rules decide one protocol at a time, got {ps}")
    return str(ps[0]) if ps else "—"


def _floor(df: pd.DataFrame, target: float) -> float:
    """The floor of test MSEs in comparisons: the target under the paper protocol (runs stop
    there), MSE_FLOOR otherwise."""
    return target if _protocol(df) == "paper" else MSE_FLOOR


def _means(df: pd.DataFrame, keys: list[str], floor: float = MSE_FLOOR) -> tuple[pd.Series, int]:
    """Mean test MSE over seeds per ``keys`` group, floored at ``floor``; a NaN seed makes its
    group's mean +inf (never skipped). Also returns the number of NaN runs."""
    mse = df["test_mse"].astype(float)
    mean = df.assign(test_mse=mse.fillna(np.inf)).groupby(keys)["test_mse"].mean()
    return mean.clip(lower=floor), int(mse.isna().sum())


def _nan_note(n_nan: int) -> str:
    return f"; {n_nan} NaN run(s) counted as failed (MSE +inf)" if n_nan else ""


def _fmt(x: float) -> str:
    return "∞" if math.isinf(x) else f"{x:.3g}"


def _mean_mse(df: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Mean over seeds of the test MSE per (keys) group, floored at MSE_FLOOR; NaN seeds give
    +inf (see :func:`_means`)."""
    return _means(df, keys)[0]


def _d_column(df: pd.DataFrame) -> str:
    return "d" if "d" in df.columns else "d1"


def recovery_n(df: pd.DataFrame, target: float) -> pd.DataFrame:
    """Per (d, rank, method): the smallest n on the grid from which on the mean test MSE over
    seeds stays below ``target`` (at that n and at every larger n of the grid; a NaN seed is a
    failure) — the paper's "recovery rate" reading of Figs. 2–3; NaN when there is none. Also
    ``grid_max``, the largest n the method was run at (a method with NaN did not recover up to
    it)."""
    d = _d_column(df)
    mean = _mean_mse(df, [d, "rank", "method", "n"]).reset_index()
    out = []
    for (dd, r, m), g in mean.groupby([d, "rank", "method"]):
        g = g.sort_values("n")
        ok = (g["test_mse"] < target).to_numpy()
        sustained = np.flip(np.logical_and.accumulate(np.flip(ok)))  # ok here and at every larger n
        first = g["n"].to_numpy()[sustained]
        out.append(
            {
                d: dd,
                "rank": r,
                "method": m,
                "recovery_n": float(first[0]) if first.size else math.nan,
                "grid_max": float(g["n"].max()),
            }
        )
    return pd.DataFrame(out, columns=[d, "rank", "method", "recovery_n", "grid_max"])


def _missing(present: set[str], names: list[str]) -> list[str]:
    return [m for m in names if m not in present]


def _decide(wins: int, losses: int, undecided: list[str], total: int) -> str:
    """All comparisons won: holds; any lost: fails; otherwise not run."""
    if losses:
        return FAILS
    if wins == total and not undecided:
        return HOLDS
    return NOT_RUN


def curves_overlap(
    df: pd.DataFrame,
    a: str,
    b: str,
    max_decades: float = 0.5,
    target: float = 1e-3,
    min_points: int = 3,
) -> Outcome:
    """Fig. 2 "the curves are overlapping": at every informative grid point — one where ``a`` or
    ``b`` has mean test MSE at or above ``target`` (where both are under it, both recovered and
    the curves meet by construction) — |log10 MSE_a − log10 MSE_b| ≤ ``max_decades``.

    Fails at the first informative point with a larger gap (the maximum, not the median: one gap
    of many decades at the transition is two curves that do not overlap). Not run when fewer than
    ``min_points`` informative points agree and none disagrees. Under the paper protocol MSEs
    under the target are floored at it."""
    d = _d_column(df)
    missing = _missing(set(df["method"]), [a, b])
    if missing:
        return _not_run(f"{', '.join(missing)} not in the table")
    sub = df[df["method"].isin([a, b])]
    raw, n_nan = _means(sub, [d, "rank", "n", "method"])
    raw = raw.unstack("method").dropna()
    if raw.empty:
        return _not_run(f"no grid point with both {a} and {b}")
    mean = raw.clip(lower=_floor(df, target))
    informative = mean[(raw[a] >= target) | (raw[b] >= target)]
    both_ok = len(mean) - len(informative)
    with np.errstate(invalid="ignore"):
        gap = (np.log10(informative[a]) - np.log10(informative[b])).abs()
    gap = gap.fillna(0.0)  # both +inf: both diverged, the curves agree there
    worst = ""
    if not gap.empty:
        (dd, r, n), g = gap.idxmax(), float(gap.max())
        worst = (
            f"; largest gap {_fmt(g)} decades at d={dd} r={r} n={n} "
            f"({a} {_fmt(informative.loc[(dd, r, n), a])} vs {b} "
            f"{_fmt(informative.loc[(dd, r, n), b])})"
        )
    text = (
        f"{len(informative)} informative points (either ≥ {target:g}), {both_ok} with both under "
        f"it; gap ≤ {max_decades:g} decades at {int((gap <= max_decades).sum())}/{len(gap)}"
        + worst
        + _nan_note(n_nan)
    )
    if (gap > max_decades).any():
        return Outcome(FAILS, text)
    if len(gap) < min_points:
        return Outcome(NOT_RUN, f"too few informative points (need {min_points}): " + text)
    return Outcome(HOLDS, text)


def best_recovery(
    df: pd.DataFrame,
    method: str,
    rivals: list[str],
    target: float = 1e-3,
) -> Outcome:
    """``method`` recovers (mean test MSE < ``target`` from that grid n on, see
    :func:`recovery_n`) at a strictly smaller grid n than every rival, at every (d, rank).

    A rival that never recovers on the grid loses only to a method that does (its true n is above
    the grid's last point); where neither recovers, or both at the same grid n (a tie at the
    grid's resolution), nothing is decided: the claim is not run unless a loss elsewhere makes it
    fail. Not run when a rival is missing from the table."""
    missing = _missing(set(df["method"]), [method, *rivals])
    if missing:
        return _not_run(f"{', '.join(missing)} not in the table")
    d = _d_column(df)
    rec = recovery_n(df[df["method"].isin([method, *rivals])], target)
    n_nan = int(df["test_mse"].isna().sum())
    parts, wins, losses, undecided, total = [], 0, 0, [], 0
    for (dd, r), g in rec.groupby([d, "rank"]):
        g = g.set_index("method")
        mine = float(g.loc[method, "recovery_n"])

        def show(m: str, g: pd.DataFrame = g) -> str:
            v = float(g.loc[m, "recovery_n"])
            return (
                f"{m} {int(v)}" if not math.isnan(v) else f"{m} none ≤ {int(g.loc[m, 'grid_max'])}"
            )

        cmp = []
        for rv in rivals:
            if rv not in g.index:
                undecided.append(f"{rv} not run at d={dd} r={r}")
                continue
            theirs = float(g.loc[rv, "recovery_n"])
            total += 1
            if math.isnan(mine) and math.isnan(theirs):
                undecided.append(f"neither {method} nor {rv} recovers at d={dd} r={r}")
                cmp.append(f"{show(rv)} (neither)")
            elif math.isnan(theirs) or (not math.isnan(mine) and mine < theirs):
                wins += 1
                cmp.append(f"{show(rv)} (fewer)")
            elif math.isnan(mine) or mine > theirs:
                losses += 1
                cmp.append(f"{show(rv)} (more)")
            else:
                undecided.append(f"tie with {rv} at d={dd} r={r}")
                cmp.append(f"{show(rv)} (tie)")
        parts.append(f"d={dd} r={r}: {show(method)} vs " + ", ".join(cmp))
    text = "; ".join(parts) + _nan_note(n_nan)
    verdict = _decide(wins, losses, undecided, total)
    if verdict == NOT_RUN:
        text = f"undecided ({'; '.join(undecided)}): " + text
    return Outcome(verdict, text)


def lowest_error(
    df: pd.DataFrame,
    method: str,
    rivals: list[str],
    min_fraction: float = 0.8,
    factor: float = 2.0,
    target: float = 1e-3,
    min_points: int = 3,
) -> Outcome:
    """Fig. 3 "far outperforms": at no fewer than ``min_fraction`` of the informative grid points
    ``method``'s mean test MSE is at most 1/``factor`` of the best rival's. Informative: some
    method (``method`` or a rival) has mean test MSE at or above ``target`` (where all are under
    it, all recovered). Under the paper protocol MSEs under the target are floored at it, so two
    recovered methods tie. Not run with fewer than ``min_points`` informative points or a missing
    rival."""
    missing = _missing(set(df["method"]), [method, *rivals])
    if missing:
        return _not_run(f"{', '.join(missing)} not in the table")
    d = _d_column(df)
    sub = df[df["method"].isin([method, *rivals])]
    raw, n_nan = _means(sub, [d, "rank", "n", "method"])
    raw = raw.unstack("method")
    mean = raw.clip(lower=_floor(df, target))[(raw >= target).any(axis=1)]
    best_other = mean[rivals].min(axis=1)
    best_name = mean[rivals].idxmin(axis=1)
    far = mean[method] * factor <= best_other
    worse = mean[method] > best_other
    parts = [
        f"d={k[0]} r={k[1]} n={k[2]}: {method} {_fmt(mean.loc[k, method])} vs best rival "
        f"{best_name[k]} {_fmt(best_other[k])}"
        for k in mean.index
    ]
    text = (
        f"{method} at most 1/{factor:g} of the best rival at {int(far.sum())}/{len(mean)} "
        f"informative points (need {min_fraction:.0%}), worse at {int(worse.sum())}; "
        + "; ".join(parts)
        + _nan_note(n_nan)
    )
    if len(mean) < min_points:
        return Outcome(NOT_RUN, f"too few informative points (need {min_points}): " + text)
    return Outcome(HOLDS if far.mean() >= min_fraction else FAILS, text)


def _brackets(df: pd.DataFrame) -> pd.DataFrame:
    """Fig. 4 rows → each method's threshold interval (lo, hi]: a bracketed threshold lies in
    (bracket_lo, threshold_n]; success at the first n tried gives (0, threshold_n]; "not reached"
    gives (bracket_lo, ∞), bracket_lo being the largest n that was tried and failed."""
    out = df.copy()
    reached = out["reached"].astype(bool) & out["threshold_n"].notna()
    out["lo"] = out["bracket_lo"].astype(float).fillna(0.0)
    out["hi"] = np.where(reached, out["threshold_n"].astype(float), np.inf)
    return out


def _show_bracket(name: str, lo: float, hi: float) -> str:
    if math.isinf(hi):
        return f"{name} not reached (fails at n = {int(lo)})"
    return f"{name} ({int(lo)}, {int(hi)}]"


def fewest_samples(df: pd.DataFrame, method: str, rivals: list[str]) -> Outcome:
    """Fig. 4: at every rank ``method``'s threshold is guaranteed below every rival's: its
    bracket's upper end is at most the rival's lower end (see :func:`_brackets`). A rival's bracket
    that overlaps ours, or a rank where neither reaches, decides nothing (not run unless a
    guaranteed loss — the rival's upper end at most our lower end — makes the claim fail).
    Not run when a rival is missing from the table."""
    missing = _missing(set(df["method"]), [method, *rivals])
    b = _brackets(df[df["method"].isin([method, *rivals])])
    parts, wins, losses, undecided, total = [], 0, 0, [], 0
    for r, g in b.groupby("rank"):
        g = g.set_index("method")
        if method not in g.index:
            undecided.append(f"{method} not run at r={r}")
            continue
        mlo, mhi = float(g.loc[method, "lo"]), float(g.loc[method, "hi"])
        cmp = []
        for rv in rivals:
            if rv not in g.index:
                continue
            total += 1
            rlo, rhi = float(g.loc[rv, "lo"]), float(g.loc[rv, "hi"])
            if mhi <= rlo:
                wins += 1
                how = "fewer"
            elif rhi <= mlo:
                losses += 1
                how = "more"
            else:
                undecided.append(f"{rv} at r={r}: brackets overlap")
                how = "overlap"
            cmp.append(f"{_show_bracket(rv, rlo, rhi)} ({how})")
        parts.append(f"r={r}: {_show_bracket(method, mlo, mhi)} vs " + ", ".join(cmp))
    text = "; ".join(parts)
    if missing:
        return _not_run(f"{', '.join(missing)} not in this config's Fig. 4 (partial: {text})")
    verdict = _decide(wins, losses, undecided, total)
    if verdict == NOT_RUN:
        text = f"undecided ({'; '.join(undecided)}): " + text
    return Outcome(verdict, text)


def fewer_by_at_least(df: pd.DataFrame, method: str, rivals: list[str], margin: float) -> Outcome:
    """Fig. 4 "up to thousands fewer": for each rival, the largest saving over ranks is at least
    ``margin`` entries. At a rank the saving is guaranteed ≥ rival_lo − our_hi and at most
    rival_hi − our_lo (brackets of :func:`_brackets`; a rival not reached has no upper end, and
    its lower end is the n it was last seen to fail at — never d²). Holds when some rank's
    guaranteed saving reaches ``margin`` for every rival; fails when for some rival no rank's upper
    bound does; otherwise not run. Not run when d² ≤ ``margin`` (no such saving is possible at
    this scale) or a rival is missing."""
    d = int(df["d"].iloc[0])
    if d * d <= margin:
        return _not_run(f"d = {d}: d² = {d * d} entries cannot show a saving of {margin:g}")
    missing = _missing(set(df["method"]), [method, *rivals])
    if missing:
        return _not_run(f"{', '.join(missing)} not in this config's Fig. 4")
    b = _brackets(df).set_index(["method", "rank"])
    parts, verdicts = [], []
    for rv in rivals:
        ranks = sorted(
            set(b.loc[method].index) & set(b.loc[rv].index)  # type: ignore[arg-type]
        )
        if not ranks:
            verdicts.append(NOT_RUN)
            parts.append(f"{rv}: no common rank")
            continue
        guaranteed, upper, rows = [], [], []
        for r in ranks:
            m, v = b.loc[(method, r)], b.loc[(rv, r)]
            g = float(v["lo"]) - float(m["hi"])
            u = float(v["hi"]) - float(m["lo"])
            guaranteed.append(g)
            upper.append(u)
            rows.append(
                f"r={r}: {_show_bracket(method, m['lo'], m['hi'])} vs "
                f"{_show_bracket(rv, v['lo'], v['hi'])}, saving in "
                f"[{_fmt(max(g, 0.0)) if not math.isinf(g) else '−∞'}, {_fmt(u)}]"
            )
        gmax, umax = max(guaranteed), max(upper)
        verdicts.append(HOLDS if gmax >= margin else FAILS if umax < margin else NOT_RUN)
        parts.append(
            f"vs {rv}: guaranteed saving up to {_fmt(max(gmax, 0.0))}, at most {_fmt(umax)} "
            f"(need {margin:g}); " + "; ".join(rows)
        )
    verdict = FAILS if FAILS in verdicts else HOLDS if set(verdicts) == {HOLDS} else NOT_RUN
    text = f"d = {d}: " + " | ".join(parts)
    if verdict == NOT_RUN:
        text = "undecided (the saving's bounds straddle the margin): " + text
    return Outcome(verdict, text)


def less_ridge_better_with_rank(
    df: pd.DataFrame, within: float = 2.0, target: float = 1e-3
) -> Outcome:
    """Fig. 6: at fixed d and samples-per-degree-of-freedom, the largest ridge whose mean test MSE
    is within a factor ``within`` of the best ridge's does not grow with the rank, and it shrinks
    somewhere ("as rank increases, lowering regularization leads to better performance").

    The largest near-best ridge, not the argmin: ridges within ``within`` of the best tie. Under
    the paper protocol MSEs under ``target`` are floored at it first (every run stops there, so
    the order among them is an early-stop artefact). A (d, n/dof) group informs only when at some
    rank some ridge is outside the near-best band (otherwise every ridge ties at every rank); not
    run when no group informs."""
    df = df.copy()
    d = _d_column(df)
    dof = degrees_of_freedom(df[d], df[d], df["rank"])
    df["m"] = (df["n"] / dof).round(1)
    ridge = "ridge_setting" if "ridge_setting" in df.columns else "ridge"
    mean, n_nan = _means(df, [d, "m", "rank", ridge], _floor(df, target))
    mean = mean.reset_index()
    parts, ok, shrinks, informative = [], True, False, 0
    for (dd, m), g in mean.groupby([d, "m"]):
        if g["rank"].nunique() < 2:
            continue
        best = g.groupby("rank")["test_mse"].transform("min")
        near_mask = g["test_mse"] <= within * best
        largest = g[near_mask].groupby("rank")[ridge].max().sort_index()
        desc = f"d={dd} n/dof={m:g}: largest ridge within {within:g}× of the best, " + ", ".join(
            f"r{r}→{v:g} (best MSE {_fmt(float(g[g['rank'] == r]['test_mse'].min()))})"
            for r, v in largest.items()
        )
        if near_mask.all():
            parts.append(desc + " [uninformative: every ridge near-best at every rank]")
            continue
        informative += 1
        seq = largest.to_numpy(float)
        ok &= bool(np.all(np.diff(seq) <= 0))
        shrinks |= bool(np.any(np.diff(seq) < 0))
        parts.append(desc)
    text = "; ".join(parts) + _nan_note(n_nan)
    if not parts:
        return _not_run("fewer than two ranks per (d, n/dof)")
    if not informative:
        return _not_run("no (d, n/dof) where the ridge matters: " + text)
    return Outcome(HOLDS if ok and shrinks else FAILS, text)


def best_under_noise(
    df: pd.DataFrame,
    methods: list[str],
    rivals: list[str],
    tie: float = 0.05,
    target: float = 1e-3,
) -> Outcome:
    """Fig. 7 "lin-RFM outperforms all other methods" with label noise: one of ``methods`` (one
    fixed α for the whole figure, not the best α per point) has, at every noisy point (each
    σ > 0 and each d, rank, n, never pooled), mean clean-entry test MSE below the best rival's by
    more than the relative ``tie`` (mine · (1 + tie) ≤ best rival). A difference within ``tie``
    wins nothing. Holds when some method wins at every point; fails when every method loses
    (mine ≥ (1 + tie) · best rival) somewhere; otherwise not run."""
    missing = _missing(set(df["method"]), [*methods, *rivals])
    if missing:
        return _not_run(f"{', '.join(missing)} not in the table")
    noisy = df[(df["noise_std"] > 0) & df["method"].isin([*methods, *rivals])]
    if noisy.empty:
        return _not_run("no noise level above 0")
    d = _d_column(df)
    keys = ["noise_std", d, "rank", "n"]
    mean, n_nan = _means(noisy, [*keys, "method"], _floor(df, target))
    mean = mean.unstack("method")
    best = mean[rivals].min(axis=1)
    best_name = mean[rivals].idxmin(axis=1)
    per_method, parts = {}, []
    for m in methods:
        win = mean[m] * (1 + tie) <= best
        lose = mean[m] >= (1 + tie) * best
        per_method[m] = HOLDS if win.all() else FAILS if lose.any() else NOT_RUN
        parts.append(f"{m}: wins at {int(win.sum())}/{len(mean)}, loses at {int(lose.sum())}")
    points = [
        f"σ={k[0]:g} (d={k[1]} r={k[2]} n={k[3]}): "
        + ", ".join(f"{m} {_fmt(mean.loc[k, m])}" for m in methods)
        + f" vs best rival {best_name[k]} {_fmt(best[k])}"
        for k in mean.index
    ]
    v = set(per_method.values())
    verdict = HOLDS if HOLDS in v else FAILS if v == {FAILS} else NOT_RUN
    text = "; ".join(points) + " — " + "; ".join(parts) + f" (tie within {tie:.0%})"
    return Outcome(verdict, text + _nan_note(n_nan))


def speedup_at_least(
    df: pd.DataFrame,
    slow: str,
    fast: str,
    paper_ratio: float,
    factor: float = 2.0,
    min_d: int = 1000,
) -> Outcome:
    """Runtime: ``fast`` reaches the target at least paper_ratio / ``factor`` times sooner than
    ``slow`` (wall time to the first iterate under the target).

    Real bounds only: a run that reached the target gives its time; one that did not gives only a
    lower bound, the seconds it actually ran (``seconds_total``: a step cap or the time limit) —
    never its time limit. Over seeds the ratio's lower bound is min(slow) / max(fast), its upper
    bound max(slow) / min(fast) (∞ when ``slow`` missed in a seed). Holds when the lower bound
    reaches the need, fails when the upper bound is below it, else not run. Not run when the
    problem is smaller than ``min_d`` (the paper's ratio is at 5000 × 5000) or the two methods ran
    on different devices."""
    missing = _missing(set(df["method"]), [slow, fast])
    if missing:
        return _not_run(f"{', '.join(missing)} not in the runtime table")
    need = paper_ratio / factor

    def bounds(m: str) -> tuple[float, float, str]:
        rows = df[df["method"] == m]
        reached = rows["reached"].astype(bool)
        t = np.where(reached, rows["seconds_to_target"].astype(float), np.nan)
        ran = rows["seconds_total"].astype(float).to_numpy()
        lo = float(np.nanmin(np.where(reached, t, ran)))
        hi = float(np.nanmax(t)) if reached.all() else math.inf
        if reached.all():
            desc = f"{m} {_fmt(hi)} s" if len(rows) == 1 else f"{m} {_fmt(lo)}–{_fmt(hi)} s"
        else:
            steps = int(rows.loc[~reached, "steps_total"].min())
            why = (
                "its time limit"
                if (rows.loc[~reached, "seconds_total"] >= rows.loc[~reached, "time_limit_s"]).all()
                else "its step cap"
            )
            desc = f"{m} > {_fmt(lo)} s (not reached; stopped at {why}, {steps} steps)"
        return lo, hi, desc

    s_lo, s_hi, s_desc = bounds(slow)
    f_lo, f_hi, f_desc = bounds(fast)
    lo = s_lo / f_hi if f_hi > 0 else math.inf
    hi = s_hi / f_lo if f_lo > 0 else math.inf
    d, n = int(df["d"].iloc[0]), int(df["n"].iloc[0])
    devices = sorted(set(df.loc[df["method"].isin([slow, fast]), "device"].astype(str)))
    if lo == hi:
        ratio = f"{_fmt(lo)}×"
    elif math.isinf(hi):
        ratio = f"≥ {_fmt(lo)}×"
    else:
        ratio = f"in [{_fmt(lo)}×, {_fmt(hi)}×]"
    text = (
        f"{fast} vs {slow}: {f_desc} vs {s_desc}; ratio {ratio} (needs ≥ {need:.3g}× = "
        f"{paper_ratio:g}/{factor:g}) at {d}×{d}, n = {n}, {'/'.join(devices)}"
    )
    if d < min_d:
        return _not_run(f"scale: d = {d} < {min_d}, the paper's ratio is at 5000×5000 ({text})")
    if len(devices) > 1:
        return _not_run(f"device: the methods ran on different devices ({text})")
    if lo >= need:
        return Outcome(HOLDS, text)
    if hi < need:
        return Outcome(FAILS, text)
    return Outcome(NOT_RUN, f"undecided (the bounds straddle {need:.3g}×): {text}")


def faster_per_iteration(df: pd.DataFrame, fast: str, slow: str, margin: float = 0.2) -> Outcome:
    """``fast`` takes less time per iteration than ``slow`` at every size in the table, by more
    than the timing noise ``margin``: median seconds per iteration over seeds, slow/fast ≥
    1 + ``margin`` at every d holds; ≤ 1/(1 + margin) at some d fails (``fast`` is clearly
    slower there); anything between decides nothing (not run)."""
    t = df.pivot_table(index="d", columns="method", values="seconds_per_iter", aggfunc="median")
    if fast not in t or slow not in t:
        return _not_run(f"{', '.join(_missing(set(t.columns), [fast, slow]))} not in the table")
    ratio = t[slow] / t[fast]
    timings = df.groupby("d").size() // 2
    iters = df.groupby("d")["iters"].first() if "iters" in df.columns else None
    parts = [
        f"d={d}: {fast} {t.loc[d, fast] * 1e3:.3g} ms vs {slow} {t.loc[d, slow] * 1e3:.3g} ms "
        f"per iteration ({slow}/{fast} {r:.2f}×; {int(timings[d])} timing(s)"
        + (f" of {int(iters[d])} iterations" if iters is not None else "")
        + ")"
        for d, r in ratio.items()
    ]
    text = "; ".join(parts) + f" (need ≥ {1 + margin:g}× at every d)"
    if (ratio >= 1 + margin).all():
        return Outcome(HOLDS, text)
    if (ratio <= 1 / (1 + margin)).any():
        return Outcome(FAILS, text)
    return Outcome(NOT_RUN, "within timing noise: " + text)


# --- beyond the paper: the field's standard benchmark (results/phase_transition.csv) ----------
#
# One row per (method, κ, ρ, instance) with ``success`` (relative Frobenius error < 1e-3) and
# ``seconds``. No protocol column: no method there looks at held-out entries.

STANDARD_TABLE = "phase_transition"


def success_rates(df: pd.DataFrame) -> pd.DataFrame:
    """Per (method, κ, ρ): success rate, number of instances and median seconds per instance."""
    return (
        df.assign(success=df["success"].astype(bool))
        .groupby(["method", "kappa", "rho"], as_index=False)
        .agg(
            rate=("success", "mean"),
            instances=("success", "size"),
            median_seconds=("seconds", "median"),
        )
    )


def rho_at_rate(rates: pd.DataFrame, method: str, kappa: float, rate: float = 0.9) -> float:
    """The smallest grid ρ from which on ``method`` succeeds at least at ``rate`` at κ = ``kappa``
    (at that ρ and every larger ρ of the grid); +inf when there is none, NaN when not run."""
    g = rates[(rates["method"] == method) & np.isclose(rates["kappa"], kappa)].sort_values("rho")
    if g.empty:
        return math.nan
    ok = (g["rate"] >= rate - 1e-12).to_numpy()
    sustained = np.flip(np.logical_and.accumulate(np.flip(ok)))
    first = g["rho"].to_numpy()[sustained]
    return float(first[0]) if first.size else math.inf


def _show_rho(rho: float, rates: pd.DataFrame, method: str, kappa: float) -> str:
    g = rates[(rates["method"] == method) & np.isclose(rates["kappa"], kappa)]
    if math.isinf(rho):
        return f"none ≤ {g['rho'].max():g}"
    return f"{rho:g}"


def _instances(rates: pd.DataFrame, method: str) -> str:
    n = rates.loc[rates["method"] == method, "instances"]
    return f"{n.min()}" if n.min() == n.max() else f"{n.min()}–{n.max()}"


def reaches_rate_by(
    df: pd.DataFrame, method: str, published: dict[Any, float], rate: float = 0.9
) -> Outcome:
    """``method`` succeeds at least at ``rate`` from the published ρ on, at each κ of
    ``published`` (κ → ρ), at the grid's resolution: the first grid ρ at or above the published ρ
    must be at or above ``method``'s :func:`rho_at_rate`. Fails at any κ where it is not (or the
    method never reaches the rate); not run when the method or a κ is missing, or no grid ρ is at
    or above the published one."""
    if method not in set(df["method"]):
        return _not_run(f"{method} not in the table")
    rates = success_rates(df)
    parts, fails, undecided = [], 0, []
    for k, want in published.items():
        kappa, want = float(k), float(want)
        g = rates[(rates["method"] == method) & np.isclose(rates["kappa"], kappa)]
        if g.empty:
            undecided.append(f"κ = {kappa:g} not run")
            continue
        above = g.loc[g["rho"] >= want - 1e-12, "rho"]
        if above.empty:
            undecided.append(f"no grid ρ ≥ {want:g} at κ = {kappa:g}")
            continue
        at, mine = float(above.min()), rho_at_rate(rates, method, kappa, rate)
        ok = mine <= at
        fails += not ok
        parts.append(
            f"κ = {kappa:g}: {rate:.0%} from ρ = {_show_rho(mine, rates, method, kappa)} "
            f"(stated {want:g}, grid point {at:g}: {'met' if ok else 'not met'})"
        )
    text = "; ".join(parts) + f" ({_instances(rates, method)} instances per point)"
    if fails:
        return Outcome(FAILS, text)
    if undecided:
        return _not_run("; ".join(undecided) + (f" — {text}" if parts else ""))
    return Outcome(HOLDS, text)


def rho_no_larger_than(df: pd.DataFrame, method: str, rival: str, rate: float = 0.9) -> Outcome:
    """At every κ of the table, ``method`` reaches success rate ``rate`` at a grid ρ no larger
    than ``rival`` (:func:`rho_at_rate`). Fails at the first κ where it needs more (or never
    reaches it while the rival does); not run when neither reaches it at some κ and no κ fails,
    or a method is missing."""
    missing = _missing(set(df["method"]), [method, rival])
    if missing:
        return _not_run(f"{', '.join(missing)} not in the table")
    rates = success_rates(df)
    parts, wins, losses, undecided, kappas = [], 0, 0, [], sorted(set(rates["kappa"]))
    for kappa in kappas:
        mine = rho_at_rate(rates, method, kappa, rate)
        theirs = rho_at_rate(rates, rival, kappa, rate)
        if math.isnan(mine) or math.isnan(theirs) or (math.isinf(mine) and math.isinf(theirs)):
            undecided.append(f"κ = {kappa:g}")
            word = "undecided"
        elif mine <= theirs:
            wins += 1
            word = "no larger" if mine == theirs else "smaller"
        else:
            losses += 1
            word = "larger"
        parts.append(
            f"κ = {kappa:g}: {method} {_show_rho(mine, rates, method, kappa)} vs {rival} "
            f"{_show_rho(theirs, rates, rival, kappa)} ({word})"
        )
    text = f"ρ at {rate:.0%} success — " + "; ".join(parts)
    verdict = _decide(wins, losses, undecided, len(kappas))
    if verdict == NOT_RUN:
        text = f"undecided at {', '.join(undecided)}: {text}"
    return Outcome(verdict, text)


def median_seconds_at_most(
    df: pd.DataFrame, method: str, kappa: float, rho: float, seconds: float, min_d: int = 1000
) -> Outcome:
    """``method``'s median seconds per instance at (κ, ρ) is at most ``seconds`` (a published
    time); the measured text gives every method's median there. Not run when the point is missing
    or the matrices are smaller than ``min_d`` (the published time is at 1000 × 1000)."""
    rates = success_rates(df)
    at = rates[np.isclose(rates["kappa"], float(kappa)) & np.isclose(rates["rho"], float(rho))]
    if method not in set(at["method"]):
        return _not_run(f"{method} not run at κ = {kappa:g}, ρ = {rho:g}")
    at = at.set_index("method")
    mine = float(at.loc[method, "median_seconds"])
    others = ", ".join(
        f"{m} {float(at.loc[m, 'median_seconds']):.3g} s" for m in at.index if m != method
    )
    threads = int(df["torch_threads"].max()) if "torch_threads" in df.columns else 0
    d = int(df[_d_column(df)].max())
    text = (
        f"{method} {mine:.3g} s median per instance at κ = {kappa:g}, ρ = {rho:g} "
        f"(needs ≤ {seconds:g} s); {others} ({d}×{d}, {threads} torch thread(s) per job)"
    )
    if d < min_d:
        return _not_run(f"scale: d = {d} < {min_d} ({text})")
    return Outcome(HOLDS if mine <= seconds else FAILS, text)


def standard_summary(df: pd.DataFrame, rate: float = 0.9) -> str:
    """Markdown: the ρ at which each method reaches ``rate`` success per κ, and its median seconds
    per instance at ρ = 2 (or the grid ρ nearest 2), from the phase-transition table."""
    rates = success_rates(df)
    kappas = sorted(set(rates["kappa"]))
    names = legend_order(rates["method"])
    rho2 = float(min(set(rates["rho"]), key=lambda r: abs(r - 2.0)))
    d, r = int(df[_d_column(df)].max()), int(df["rank"].max())
    head = (
        "| method | instances | "
        + " | ".join(f"ρ at {rate:.0%}, κ = {k:g}" for k in kappas)
        + " | "
        + " | ".join(f"median s at ρ = {rho2:g}, κ = {k:g}" for k in kappas)
        + " |"
    )
    lines = [
        f"Standard benchmark ({d} × {d}, rank {r}; success: relative Frobenius error < 1e-3): "
        f"the smallest grid ρ from which each method succeeds in at least {rate:.0%} of the "
        f"instances (grid: {', '.join(f'{x:g}' for x in sorted(set(rates['rho'])))}).",
        "",
        head,
        "|" + "---|" * (2 + 2 * len(kappas)),
    ]
    for m in names:
        cells = [m, _instances(rates, m)]
        cells += [_show_rho(rho_at_rate(rates, m, k, rate), rates, m, k) for k in kappas]
        for k in kappas:
            at = rates[
                (rates["method"] == m)
                & np.isclose(rates["kappa"], k)
                & np.isclose(rates["rho"], rho2)
            ]
            cells.append(f"{float(at['median_seconds'].iloc[0]):.3g}" if len(at) else "—")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


RULES: dict[str, Callable[..., Outcome]] = {
    "curves_overlap": curves_overlap,
    "best_recovery": best_recovery,
    "lowest_error": lowest_error,
    "fewest_samples": fewest_samples,
    "fewer_by_at_least": fewer_by_at_least,
    "less_ridge_better_with_rank": less_ridge_better_with_rank,
    "best_under_noise": best_under_noise,
    "speedup_at_least": speedup_at_least,
    "faster_per_iteration": faster_per_iteration,
    # beyond the paper: the standard benchmark
    "reaches_rate_by": reaches_rate_by,
    "rho_no_larger_than": rho_no_larger_than,
    "median_seconds_at_most": median_seconds_at_most,
}

# --- earlier rules, kept to report each change's verdict before and after -------------------
#
# The rules as they stood before issue 13 (git 82437f2), verbatim but for their names: a claim's
# ``changes`` entry in claims.yaml names one as ``<rule>@1`` with its arguments, and the report
# evaluates it on the same tables next to the current rule. Never used to decide a claim.


def _v1_mean_mse(df: pd.DataFrame, keys: list[str]) -> pd.Series:
    return df.groupby(keys)["test_mse"].mean().clip(lower=MSE_FLOOR)


def _v1_recovery_n(df: pd.DataFrame, target: float) -> pd.DataFrame:
    d = _d_column(df)
    mean = _v1_mean_mse(df, [d, "rank", "method", "n"]).reset_index()
    ok = mean[mean["test_mse"] < target]
    keys = mean.groupby([d, "rank", "method"]).size().index
    first = ok.groupby([d, "rank", "method"])["n"].min().reindex(keys)
    return first.rename("recovery_n").reset_index()


def _v1_curves_overlap(df: pd.DataFrame, a: str, b: str, max_decades: float = 0.5) -> Outcome:
    """Methods ``a`` and ``b`` give overlapping curves: the median over grid points of
    |log10 mean MSE_a − log10 mean MSE_b| is at most ``max_decades``."""
    d = _d_column(df)
    mean = _v1_mean_mse(df, [d, "rank", "n", "method"]).unstack("method")
    if a not in mean or b not in mean:
        return _not_run(f"{a} or {b} not in the table")
    gap = (np.log10(mean[a]) - np.log10(mean[b])).abs().dropna()
    if gap.empty:
        return _not_run("no common grid points")
    med = float(gap.median())
    return Outcome(
        HOLDS if med <= max_decades else FAILS,
        f"median |log10 MSE ratio| = {med:.2f} decades over {len(gap)} points "
        f"(max {float(gap.max()):.2f})",
    )


def _v1_best_recovery(
    df: pd.DataFrame, method: str, target: float = 1e-3, slack: float = 0.0
) -> Outcome:
    """``method`` reaches mean test MSE < ``target`` at the smallest n of every method, at every
    (d, rank) (ties allowed; ``slack`` allows a relative excess, e.g. 0.1 = 10% more samples).
    Not run when no method reaches the target anywhere."""
    rec = _v1_recovery_n(df, target)
    d = _d_column(df)
    if rec["recovery_n"].isna().all():
        return _not_run(f"no method reaches {target:g} on this grid")
    parts, ok = [], True
    for (dd, r), g in rec.groupby([d, "rank"]):
        g = g.set_index("method")["recovery_n"]
        if method not in g:
            return _not_run(f"{method} not in the table")
        mine, others = g[method], g.drop(method)
        best_other = others.min() if others.notna().any() else math.inf
        good = not math.isnan(mine) and mine <= (1 + slack) * best_other
        ok &= good
        mine_s = "none" if math.isnan(mine) else f"{int(mine)}"
        best_s = "none" if math.isinf(best_other) else f"{int(best_other)}"
        parts.append(f"d={dd} r={r}: {mine_s} vs best other {best_s}")
    return Outcome(HOLDS if ok else FAILS, "; ".join(parts))


def _v1_lowest_error(
    df: pd.DataFrame, method: str, min_fraction: float = 0.8, target: float = 1e-3
) -> Outcome:
    """``method`` has the lowest mean test MSE (within a factor 2) or is below ``target`` (the
    paper's protocol stops there, so MSEs under it are not compared) at no fewer than
    ``min_fraction`` of the grid points where some method has not yet recovered."""
    d = _d_column(df)
    mean = _v1_mean_mse(df, [d, "rank", "n", "method"]).unstack("method")
    if method not in mean:
        return _not_run(f"{method} not in the table")
    mean = mean[(mean > 1e-6).any(axis=1)]  # points where the methods can be told apart
    if mean.empty:
        return _not_run("every method recovers at every grid point")
    best_other = mean.drop(columns=method).min(axis=1)
    win = (mean[method] <= 2 * best_other) | (mean[method] < target)
    frac = float(win.mean())
    ratio = float(np.exp(np.log(best_other / mean[method]).median()))
    return Outcome(
        HOLDS if frac >= min_fraction else FAILS,
        f"lowest at {win.sum()}/{len(win)} points ({frac:.0%}); median best-other/{method} "
        f"MSE ratio {ratio:.3g}",
    )


def _v1_fewest_samples(df: pd.DataFrame, method: str) -> Outcome:
    """Fig. 4: ``method``'s threshold n is at most every other method's at every rank (a method
    that never reached the target counts as d²; ties within the bisection bracket count)."""
    if method not in set(df["method"]):
        return _not_run(f"{method} not in the table")
    parts, ok = [], True
    for r, g in df.groupby("rank"):
        d = int(g["d"].iloc[0])
        n = g.set_index("method")["threshold_n"].astype(float).fillna(d * d)
        lo = g.set_index("method")["bracket_lo"].astype(float)
        mine = n[method]
        others = n.drop(method)
        # a rival's true threshold lies in (bracket_lo, threshold_n]: compare with its lower end
        rival_lo = np.fmax(lo.drop(method).fillna(0).to_numpy(), 0.0)
        good = bool((mine <= np.maximum(others.to_numpy(), rival_lo + 1)).all())
        ok &= good
        parts.append(f"r={r}: {int(mine)} vs min other {int(others.min())}")
    return Outcome(HOLDS if ok else FAILS, "; ".join(parts))


def _v1_fewer_by_at_least(
    df: pd.DataFrame, method: str, rivals: list[str], margin: float
) -> Outcome:
    """Fig. 4: over ranks, the largest saving of ``method`` against each rival, rival threshold
    minus ours (a rival not reaching the target counts as d²), is at least ``margin`` entries.
    Not run when d² is too small for such a margin to be possible."""
    d = int(df["d"].iloc[0])
    if d * d <= margin:
        return _not_run(f"d = {d}: d² = {d * d} entries cannot show a saving of {margin:g}")
    th = df.pivot_table(index="rank", columns="method", values="threshold_n", aggfunc="first")
    th = th.astype(float).fillna(d * d)
    missing = [m for m in (method, *rivals) if m not in th.columns]
    if missing:
        return _not_run(f"{', '.join(missing)} not run in this config")
    saving = {r: float((th[r] - th[method]).max()) for r in rivals}
    ok = all(s >= margin for s in saving.values())
    return Outcome(
        HOLDS if ok else FAILS,
        ", ".join(f"up to {s:.0f} fewer than {r}" for r, s in saving.items()) + f" (d = {d})",
    )


def _v1_less_ridge_better_with_rank(df: pd.DataFrame, within: float = 2.0) -> Outcome:
    """Fig. 6: at fixed d and samples-per-degree-of-freedom, the largest ridge whose mean test MSE
    is within a factor ``within`` of the best ridge's does not grow with the rank, and it shrinks
    somewhere ("as rank increases, lowering regularization leads to better performance").

    The largest near-best ridge, not the argmin: under the paper's protocol every run stops once
    its test MSE is under 1e-3, so ridges that succeed tie near 1e-3 and the argmin among them is
    noise."""
    df = df.copy()
    d = _d_column(df)
    dof = degrees_of_freedom(df[d], df[d], df["rank"])
    df["m"] = (df["n"] / dof).round(1)
    ridge = "ridge_setting" if "ridge_setting" in df.columns else "ridge"
    mean = _v1_mean_mse(df, [d, "m", "rank", ridge]).reset_index()
    parts, ok, shrinks = [], True, False
    for (dd, m), g in mean.groupby([d, "m"]):
        if g["rank"].nunique() < 2:
            continue
        near = g[g["test_mse"] <= within * g.groupby("rank")["test_mse"].transform("min")]
        largest = near.groupby("rank")[ridge].max().sort_index()
        seq = largest.to_numpy(float)
        ok &= bool(np.all(np.diff(seq) <= 0))
        shrinks |= bool(np.any(np.diff(seq) < 0))
        parts.append(
            f"d={dd} n/dof={m:g}: largest near-best ridge "
            + ", ".join(f"r{r}→{v:g}" for r, v in largest.items())
        )
    if not parts:
        return _not_run("fewer than two ranks per (d, n/dof)")
    return Outcome(HOLDS if ok and shrinks else FAILS, "; ".join(parts))


def _v1_best_under_noise(df: pd.DataFrame, family: str = "linrfm", slack: float = 0.1) -> Outcome:
    """Fig. 7: at every noise level σ > 0 the best method of ``family`` has mean test MSE (on
    the clean entries) at most (1 + slack) × the best other method's."""
    noisy = df[df["noise_std"] > 0]
    if noisy.empty:
        return _not_run("no noise level above 0")
    mean = noisy.groupby(["noise_std", "method"])["test_mse"].mean().unstack("method")
    mine = [c for c in mean.columns if c.startswith(family)]
    if not mine:
        return _not_run(f"no {family} method in the table")
    ours, other = mean[mine].min(axis=1), mean.drop(columns=mine).min(axis=1)
    win = ours <= (1 + slack) * other
    parts = [
        f"σ={s:g}: {o:.3g} vs {t:.3g}" for s, o, t in zip(mean.index, ours, other, strict=True)
    ]
    return Outcome(HOLDS if win.all() else FAILS, "; ".join(parts))


def _v1_speedup_at_least(
    df: pd.DataFrame, slow: str, fast: str, paper_ratio: float, factor: float = 2.0
) -> Outcome:
    """Runtime: ``fast`` reaches the target at least paper_ratio / factor times sooner than
    ``slow``. A method that never reached it counts as its time limit (a lower bound on the
    ratio when ``slow`` missed; ``fast`` missing makes the claim fail)."""
    rows = df.set_index("method")
    if slow not in rows.index or fast not in rows.index:
        return _not_run("methods missing from the runtime table")
    s, f = rows.loc[[slow]], rows.loc[[fast]]
    if not f["reached"].astype(bool).all():
        return Outcome(FAILS, f"{fast} did not reach the target within its time limit")
    t_f = float(f["seconds_to_target"].mean())
    s_reached = bool(s["reached"].astype(bool).all())
    t_s = float(s["seconds_to_target"].mean() if s_reached else s["time_limit_s"].max())
    ratio = t_s / t_f
    where = f"{int(f['d'].iloc[0])}×{int(f['d'].iloc[0])}, n = {int(f['n'].iloc[0])}"
    text = (
        f"{'' if s_reached else '≥ '}{ratio:.1f}× ({slow} {'' if s_reached else '> '}"
        f"{t_s:.3g} s vs {fast} {t_f:.3g} s at {where}; {f['device'].iloc[0]})"
    )
    return Outcome(HOLDS if ratio >= paper_ratio / factor else FAILS, text)


def _v1_faster_per_iteration(df: pd.DataFrame, fast: str, slow: str) -> Outcome:
    """``fast`` takes less time per iteration than ``slow`` at every size in the table."""
    t = df.pivot_table(index="d", columns="method", values="seconds_per_iter", aggfunc="median")
    if fast not in t or slow not in t:
        return _not_run("methods missing from the table")
    ratio = t[slow] / t[fast]
    parts = [
        f"d={d}: {t.loc[d, slow] * 1e3:.3g} ms vs {t.loc[d, fast] * 1e3:.3g} ms ({r:.1f}×)"
        for d, r in ratio.items()
    ]
    return Outcome(HOLDS if (ratio > 1).all() else FAILS, "; ".join(parts))


LEGACY_RULES: dict[str, Callable[..., Outcome]] = {
    "curves_overlap@1": _v1_curves_overlap,
    "best_recovery@1": _v1_best_recovery,
    "lowest_error@1": _v1_lowest_error,
    "fewest_samples@1": _v1_fewest_samples,
    "fewer_by_at_least@1": _v1_fewer_by_at_least,
    "less_ridge_better_with_rank@1": _v1_less_ridge_better_with_rank,
    "best_under_noise@1": _v1_best_under_noise,
    "speedup_at_least@1": _v1_speedup_at_least,
    "faster_per_iteration@1": _v1_faster_per_iteration,
}


def _rule(name: str) -> Callable[..., Outcome]:
    return RULES[name] if name in RULES else LEGACY_RULES[name]


# --- registry and report -----------------------------------------------------------------------

REQUIRED = ("id", "where", "statement", "paper", "check")
#: What a figure/runtime claim (a rule check) must also say: the paper's sentence, its
#: operational reading and the tolerance with the reason for it.
READING = ("quote", "reading", "tolerance")
CHANGE_KEYS = ("date", "reason", "before")


def _check_rule_check(path: str | Path, cid: str, chk: Any, what: str) -> None:
    if not isinstance(chk, dict) or chk.get("rule") not in {**RULES, **LEGACY_RULES}:
        rule = chk.get("rule") if isinstance(chk, dict) else chk
        raise ValueError(
            f"{path}: claim {cid!r}: {what}: unknown rule {rule!r}; known: {', '.join(RULES)}"
        )
    if "table" not in chk:
        raise ValueError(f"{path}: claim {cid!r}: {what}: rule check needs a table")


def load_registry(path: str | Path) -> list[dict[str, Any]]:
    """Read and validate the claims registry (a YAML list); errors name the claim and the key.

    A rule check needs ``quote``, ``reading`` and ``tolerance`` (:data:`READING`); an optional
    ``changes`` list records each change of the rule since the registry was first written
    (``date``, ``reason``, ``before``: the check as it was; optional ``after``, default the
    current check, and ``commit``)."""
    claims = yaml.safe_load(Path(path).read_text())
    if not isinstance(claims, list) or not claims:
        raise ValueError(f"{path}: expected a non-empty list of claims")
    seen: set[str] = set()
    for i, c in enumerate(claims):
        missing = [k for k in REQUIRED if k not in c]
        if missing:
            raise ValueError(f"{path}: claim #{i} ({c.get('id', '?')}) lacks {missing}")
        if c["id"] in seen:
            raise ValueError(f"{path}: duplicate claim id {c['id']!r}")
        seen.add(c["id"])
        chk = c["check"]
        if "notebook" in chk:
            if "claim_id" not in chk:
                raise ValueError(f"{path}: claim {c['id']!r}: notebook check needs claim_id")
        else:
            if chk.get("rule") not in RULES:
                raise ValueError(
                    f"{path}: claim {c['id']!r}: unknown rule {chk.get('rule')!r}; "
                    f"known: {', '.join(RULES)}"
                )
            _check_rule_check(path, c["id"], chk, "check")
            lacks = [k for k in READING if not c.get(k)]
            if lacks:
                raise ValueError(f"{path}: claim {c['id']!r}: a rule check needs {lacks}")
        for j, ch in enumerate(c.get("changes") or []):
            lacks = [k for k in CHANGE_KEYS if k not in ch]
            if lacks:
                raise ValueError(f"{path}: claim {c['id']!r}: change #{j} lacks {lacks}")
            _check_rule_check(path, c["id"], ch["before"], f"change #{j} before")
            if "after" in ch:
                _check_rule_check(path, c["id"], ch["after"], f"change #{j} after")
    return claims


def _apply(
    chk: dict[str, Any], tables: dict[str, pd.DataFrame]
) -> tuple[dict[str, str], dict[str, str]]:
    """Verdicts and measured texts of one rule check on the tables, per protocol."""
    verdicts: dict[str, str] = {}
    measured: dict[str, str] = {}
    df = tables.get(chk["table"])
    if df is None or df.empty:
        verdicts["paper"], measured["paper"] = NOT_RUN, "table not built"
        return verdicts, measured
    rule, args = _rule(chk["rule"]), dict(chk.get("args", {}))
    groups = (
        [(p, df[df["protocol"] == p]) for p in PROTOCOLS]
        if "protocol" in df.columns
        else [("—", df)]
    )
    for protocol, sub in groups:
        why = f"no {protocol} rows in results/{chk['table']}.csv (not run under that protocol)"
        o = rule(sub, **args) if not sub.empty else _not_run(why)
        verdicts[protocol], measured[protocol] = o.verdict, o.measured
    return verdicts, measured


def evaluate(
    claims: list[dict[str, Any]],
    tables: dict[str, pd.DataFrame],
    notebooks: dict[str, pd.DataFrame],
) -> tuple[list[Verdict], list[dict[str, Any]]]:
    """Verdicts for every claim; plus the notebook rows that no claim references (reported too).
    Each change of a claim's rule is evaluated on the same tables: its check before and after."""
    out: list[Verdict] = []
    used: set[tuple[str, str]] = set()
    for c in claims:
        chk = c["check"]
        v = Verdict(c["id"], c["where"], c["statement"], str(c["paper"]), "")
        if "notebook" in chk:
            name, cid = chk["notebook"], chk["claim_id"]
            used.add((name, cid))
            v.source = f"notebook {name}"
            nb = notebooks.get(name)
            rows = None if nb is None else nb[nb["claim_id"] == cid]
            if rows is None or rows.empty:
                why = "notebook not run" if nb is None else f"{cid} not in the notebook's checks"
                v.verdicts["—"], v.measured["—"] = NOT_RUN, why
            else:
                row = rows.iloc[0]
                verdict = str(row["verdict"]).strip().lower()
                v.verdicts["—"] = verdict if verdict in (HOLDS, FAILS) else NOT_RUN
                v.measured["—"] = str(row["measured"])
                v.note = "" if pd.isna(row.get("note")) else str(row.get("note"))
        else:
            v.source = f"results/{chk['table']}.csv · {chk['rule']}"
            v.verdicts, v.measured = _apply(chk, tables)
            v.note = str(c.get("note", ""))
            v.reading = str(c.get("reading", "")).strip()
            v.tolerance = str(c.get("tolerance", "")).strip()
        for ch in c.get("changes") or []:
            after = ch.get("after", chk)
            before_v, before_m = _apply(ch["before"], tables)
            after_v, _ = _apply(after, tables)
            v.changes.append(
                dict(
                    date=str(ch["date"]),
                    commit=str(ch.get("commit", "")),
                    reason=" ".join(str(ch["reason"]).split()),
                    before_rule=_check_text(ch["before"]),
                    after_rule=_check_text(after),
                    before=before_v,
                    after=after_v,
                    before_measured=before_m,
                )
            )
        out.append(v)
    extra = [
        {"notebook": name, **row}
        for name, nb in notebooks.items()
        for row in nb.to_dict("records")
        if (name, row["claim_id"]) not in used
    ]
    return out, extra


def _check_text(chk: dict[str, Any]) -> str:
    args = ", ".join(f"{k}={v}" for k, v in (chk.get("args") or {}).items())
    return f"{chk['rule']}({args})"


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def _count(verdicts: list[Verdict], protocol: str) -> dict[str, int]:
    """Verdicts under ``protocol``; a claim without protocols (a notebook, the runtime) counts
    with its one verdict under both."""
    count: dict[str, int] = {}
    for v in verdicts:
        main = v.verdicts.get(protocol, v.verdicts.get("—", NOT_RUN))
        count[main] = count.get(main, 0) + 1
    return count


def _both(vs: dict[str, str]) -> str:
    if "—" in vs:
        return vs["—"]
    return " / ".join(f"{vs.get(p, NOT_RUN)}" for p in PROTOCOLS)


#: a claim whose ``where`` starts so is ours, not the paper's (counted apart in the report)
BEYOND_PREFIX = "beyond the paper"


def is_beyond(where: str) -> bool:
    """Whether a claim's ``where`` marks it as beyond the paper (:data:`BEYOND_PREFIX`)."""
    return str(where).strip().lower().startswith(BEYOND_PREFIX)


def render_markdown(
    verdicts: list[Verdict], extra: list[dict[str, Any]], header: str, beyond: str = ""
) -> str:
    """The report: a summary count under each protocol, one row per claim (paper protocol and
    honest side by side), how each figure/runtime claim is read, every rule change with the
    verdict before and after on these tables, and ``beyond`` (the standard benchmark's summary,
    :func:`standard_summary`) in a section of its own."""
    ours = [v for v in verdicts if is_beyond(v.where)]
    paper_claims = [v for v in verdicts if not is_beyond(v.where)]
    n_proto = sum(1 for v in paper_claims if "paper" in v.verdicts or "honest" in v.verdicts)
    counts = {p: _count(paper_claims, p) for p in PROTOCOLS}
    beyond_count = _count(ours, "—")
    lines = [
        "# Paper checks: does each claim of the paper hold?",
        "",
        header,
        "",
        f"**{len(paper_claims)} claims of the paper** — "
        + "; ".join(
            f"{p} protocol: " + ", ".join(f"{k}: {n}" for k, n in sorted(counts[p].items()))
            for p in PROTOCOLS
        )
        + f" ({n_proto} claims are decided per protocol; the other "
        f"{len(paper_claims) - n_proto} have one verdict, counted under both)."
        + (
            f" Beyond the paper (the field's standard benchmark, not counted above): {len(ours)} "
            "checks — " + ", ".join(f"{k}: {n}" for k, n in sorted(beyond_count.items())) + "."
            if ours
            else ""
        ),
        "",
        "| id | where | the paper says | reproduced (paper protocol) | verdict | honest protocol "
        "| verdict (honest) | decided by |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for v in verdicts:
        key = "paper" if "paper" in v.verdicts else "—"
        honest = v.verdicts.get("honest", "—" if key == "—" else NOT_RUN)
        lines.append(
            "| "
            + " | ".join(
                _cell(x)
                for x in (
                    v.id,
                    v.where,
                    f"{v.statement} ({v.paper})" if v.paper else v.statement,
                    v.measured.get(key, ""),
                    f"**{v.verdicts.get(key, NOT_RUN)}**",
                    v.measured.get("honest", "—"),
                    f"**{honest}**" if honest != "—" else "—",
                    v.source,
                )
            )
            + " |"
        )
    readings = [v for v in verdicts if v.reading]
    if readings:
        lines += ["", "## How each figure and runtime claim is read", ""]
        lines += [
            f"- **{v.id}**: {_cell(' '.join(v.reading.split()))} Tolerance: "
            f"{_cell(' '.join(v.tolerance.split()))}"
            for v in readings
        ]
    changed = [v for v in verdicts if v.changes]
    if changed:
        lines += [
            "",
            "## Rule changes since the registry was first written",
            "",
            "Each change's check before and after, both evaluated on this report's tables "
            "(verdicts: paper / honest protocol, or the one verdict).",
            "",
            "| id | date | change | rule before | verdict before | verdict after |",
            "|---|---|---|---|---|---|",
        ]
        for v in changed:
            for ch in v.changes:
                when = ch["date"] + (f" ({ch['commit']})" if ch["commit"] else "")
                lines.append(
                    "| "
                    + " | ".join(
                        _cell(x)
                        for x in (
                            v.id,
                            when,
                            ch["reason"],
                            ch["before_rule"],
                            _both(ch["before"]),
                            _both(ch["after"]),
                        )
                    )
                    + " |"
                )
    notes = [v for v in verdicts if v.note]
    if notes:
        lines += ["", "## Notes", ""]
        lines += [f"- **{v.id}**: {_cell(v.note)}" for v in notes]
    if beyond:
        lines += ["", "## Beyond the paper: the field's standard benchmark", "", beyond]
    if extra:
        lines += [
            "",
            "## Further checks made by the notebooks",
            "",
            "| notebook | id | where | statement | measured | verdict |",
            "|---|---|---|---|---|---|",
        ]
        lines += [
            "| "
            + " | ".join(
                _cell(r.get(k, ""))
                for k in ("notebook", "claim_id", "where", "statement", "measured")
            )
            + f" | **{_cell(r.get('verdict', ''))}** |"
            for r in extra
        ]
    return "\n".join(lines) + "\n"


def write_report(
    registry: str | Path,
    tables: dict[str, str | Path],
    notebooks: dict[str, str | Path],
    md_path: str | Path,
    json_path: str | Path,
    header: str = "",
) -> list[Verdict]:
    """Load everything that exists, evaluate, and write the markdown and JSON reports."""
    claims = load_registry(registry)
    dfs = {k: pd.read_csv(p) for k, p in tables.items() if Path(p).exists()}
    nbs = {k: pd.read_csv(p) for k, p in notebooks.items() if Path(p).exists()}
    verdicts, extra = evaluate(claims, dfs, nbs)
    std = dfs.get(STANDARD_TABLE)
    beyond = standard_summary(std) if std is not None and not std.empty else ""
    write_text(md_path, render_markdown(verdicts, extra, header, beyond))
    write_text(
        json_path,
        json.dumps(
            {"claims": [asdict(v) for v in verdicts], "notebook_checks": extra},
            indent=1,
            default=str,
        ),
    )
    return verdicts
