"""The claims checker: the paper's checkable claims, decided from results tables and notebooks.

A *claim* (one entry of ``paper_checks/claims.yaml``) names where it is in the paper, what it
states, and how it is decided:

- ``check: {notebook: <name>, claim_id: <id>}`` — the verdict of that row in the notebook's table
  of checks (``results/notebooks/<name>_checks.csv``); the notebook compares the printed formula
  with a direct run of the algorithm;
- ``check: {rule: <rule>, table: <table>, args: {...}}`` — one of the :data:`RULES` below applied to
  a results table (``results/<table>.csv``), once per protocol ("paper": the paper's model
  selection on test error; "honest": observed data only) when the table has a ``protocol`` column.

A verdict is ``holds``, ``fails`` or ``not run`` (the table or notebook is absent, or the config's
scale cannot decide the claim — each rule says when). Nothing here is hand-written per run: the
report is generated from the tables.
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


def _not_run(why: str) -> Outcome:
    return Outcome(NOT_RUN, why)


def _mean_mse(df: pd.DataFrame, keys: list[str]) -> pd.Series:
    """Mean over seeds of the test MSE per (keys) group, floored at MSE_FLOOR."""
    return df.groupby(keys)["test_mse"].mean().clip(lower=MSE_FLOOR)


def _d_column(df: pd.DataFrame) -> str:
    return "d" if "d" in df.columns else "d1"


def recovery_n(df: pd.DataFrame, target: float) -> pd.DataFrame:
    """Per (d, rank, method): the smallest n on the grid whose mean test MSE over seeds is below
    ``target`` (the paper's "recovery rate" reading of Figs. 2–3); NaN when none is."""
    d = _d_column(df)
    mean = _mean_mse(df, [d, "rank", "method", "n"]).reset_index()
    ok = mean[mean["test_mse"] < target]
    keys = mean.groupby([d, "rank", "method"]).size().index
    first = ok.groupby([d, "rank", "method"])["n"].min().reindex(keys)
    return first.rename("recovery_n").reset_index()


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
        df.to_csv(path, index=False)
        return df


# --- rules -------------------------------------------------------------------------------------


def curves_overlap(df: pd.DataFrame, a: str, b: str, max_decades: float = 0.5) -> Outcome:
    """Methods ``a`` and ``b`` give overlapping curves: the median over grid points of
    |log10 mean MSE_a − log10 mean MSE_b| is at most ``max_decades``."""
    d = _d_column(df)
    mean = _mean_mse(df, [d, "rank", "n", "method"]).unstack("method")
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


def best_recovery(
    df: pd.DataFrame, method: str, target: float = 1e-3, slack: float = 0.0
) -> Outcome:
    """``method`` reaches mean test MSE < ``target`` at the smallest n of every method, at every
    (d, rank) (ties allowed; ``slack`` allows a relative excess, e.g. 0.1 = 10% more samples).
    Not run when no method reaches the target anywhere."""
    rec = recovery_n(df, target)
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


def lowest_error(
    df: pd.DataFrame, method: str, min_fraction: float = 0.8, target: float = 1e-3
) -> Outcome:
    """``method`` has the lowest mean test MSE (within a factor 2) or is below ``target`` (the
    paper's protocol stops there, so MSEs under it are not compared) at no fewer than
    ``min_fraction`` of the grid points where some method has not yet recovered."""
    d = _d_column(df)
    mean = _mean_mse(df, [d, "rank", "n", "method"]).unstack("method")
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


def fewest_samples(df: pd.DataFrame, method: str) -> Outcome:
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


def fewer_by_at_least(df: pd.DataFrame, method: str, rivals: list[str], margin: float) -> Outcome:
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


def less_ridge_better_with_rank(df: pd.DataFrame, within: float = 2.0) -> Outcome:
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
    mean = _mean_mse(df, [d, "m", "rank", ridge]).reset_index()
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


def best_under_noise(df: pd.DataFrame, family: str = "linrfm", slack: float = 0.1) -> Outcome:
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


def speedup_at_least(
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


def faster_per_iteration(df: pd.DataFrame, fast: str, slow: str) -> Outcome:
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
}

# --- registry and report -----------------------------------------------------------------------

REQUIRED = ("id", "where", "statement", "paper", "check")


def load_registry(path: str | Path) -> list[dict[str, Any]]:
    """Read and validate the claims registry (a YAML list); errors name the claim and the key."""
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
        elif chk.get("rule") not in RULES:
            raise ValueError(
                f"{path}: claim {c['id']!r}: unknown rule {chk.get('rule')!r}; "
                f"known: {', '.join(RULES)}"
            )
        elif "table" not in chk:
            raise ValueError(f"{path}: claim {c['id']!r}: rule check needs a table")
    return claims


def evaluate(
    claims: list[dict[str, Any]],
    tables: dict[str, pd.DataFrame],
    notebooks: dict[str, pd.DataFrame],
) -> tuple[list[Verdict], list[dict[str, Any]]]:
    """Verdicts for every claim; plus the notebook rows that no claim references (reported too)."""
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
            name = chk["table"]
            v.source = f"results/{name}.csv · {chk['rule']}"
            df = tables.get(name)
            if df is None or df.empty:
                v.verdicts["paper"], v.measured["paper"] = NOT_RUN, "table not built"
            else:
                rule, args = RULES[chk["rule"]], dict(chk.get("args", {}))
                groups = (
                    [(p, df[df["protocol"] == p]) for p in PROTOCOLS]
                    if "protocol" in df.columns
                    else [("—", df)]
                )
                for protocol, sub in groups:
                    o = rule(sub, **args) if not sub.empty else _not_run("no rows")
                    v.verdicts[protocol], v.measured[protocol] = o.verdict, o.measured
            v.note = str(c.get("note", ""))
        out.append(v)
    extra = [
        {"notebook": name, **row}
        for name, nb in notebooks.items()
        for row in nb.to_dict("records")
        if (name, row["claim_id"]) not in used
    ]
    return out, extra


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def render_markdown(verdicts: list[Verdict], extra: list[dict[str, Any]], header: str) -> str:
    """The report: a summary count, one row per claim (paper protocol and honest side by side)."""
    count: dict[str, int] = {}
    for v in verdicts:
        main = v.verdicts.get("paper", v.verdicts.get("—", NOT_RUN))
        count[main] = count.get(main, 0) + 1
    lines = [
        "# Paper checks: does each claim of the paper hold?",
        "",
        header,
        "",
        f"**{len(verdicts)} claims** — "
        + ", ".join(f"{k}: {n}" for k, n in sorted(count.items()))
        + " (paper protocol where it applies).",
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
    notes = [v for v in verdicts if v.note]
    if notes:
        lines += ["", "## Notes", ""]
        lines += [f"- **{v.id}**: {_cell(v.note)}" for v in notes]
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
    Path(md_path).write_text(render_markdown(verdicts, extra, header))
    Path(json_path).write_text(
        json.dumps(
            {"claims": [asdict(v) for v in verdicts], "notebook_checks": extra},
            indent=1,
            default=str,
        )
    )
    return verdicts
