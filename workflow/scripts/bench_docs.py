"""Render the benchmark's result tables (docs/benchmarks_results.md) from results/bench/*.csv.

Rule ``bench_docs`` (workflow/rules/bench.smk): ``snakemake --cores 1 bench_docs``. Also runs
alone: ``python workflow/scripts/bench_docs.py results/bench docs/benchmarks_results.md``.
Every number on the page comes from the CSVs; nothing is typed in by hand, so the page cannot
drift from the measurements. Columns a table lacks are left out; a CSV of a target this script
does not know gets a table of all its non-provenance columns.
"""

import math
import sys
from datetime import UTC, datetime
from pathlib import Path

import pandas as pd

from linrfm_paper.jobs import write_text

#: columns written by ``provenance()`` / ``bench.stamp`` (shown once per table, not per row)
PROVENANCE = ("torch_threads", "peak_rss_gb", "device", "python", "numpy", "torch", "cvxpy")
PROVENANCE += ("linrfm", "git_commit", "target", "mse_history")

#: per target: a title, what it measures, and the (column, header) pairs of its table
TARGETS: dict[str, tuple[str, str, list[tuple[str, str]]]] = {
    "target1": (
        "Target 1: the published example",
        "`complete` with defaults (features auto) and on both sides in turn (alternating) vs "
        "the published per-row numpy loop, seconds to test MSE ≤ 1e-3 and the whole call to its "
        "own stop (goal: ≥ 20× faster; issue 16: by the own stop).",
        [
            ("d", "d"),
            ("rank", "r"),
            ("n", "n"),
            ("seed", "seed"),
            ("features", "features"),
            ("kernel", "kernel"),
            ("seconds_to_target", "complete: s to 1e-3"),
            ("iterations_to_target", "its to 1e-3"),
            ("baseline_seconds", "published loop: s"),
            ("baseline_iterations", "its"),
            ("baseline_reached", "reached"),
            ("speedup", "speed-up"),
            ("iterations_total", "own stop: its"),
            ("seconds_total", "own stop: s"),
            ("speedup_own_stop", "speed-up (own stop)"),
            ("test_mse", "final test MSE"),
        ],
    ),
    "target2": (
        "Target 2: the paper's runtime case",
        "`complete` with defaults, seconds to test MSE < 1e-3 and peak memory (goal: under the "
        "paper's 559 s on a GPU, under 6 GB).",
        [
            ("d", "d"),
            ("rank", "r"),
            ("n", "n"),
            ("seed", "seed"),
            ("kernel", "kernel"),
            ("seconds_to_target", "s to 1e-3"),
            ("iterations_to_target", "its to 1e-3"),
            ("paper_gpu_seconds", "paper (GPU) s"),
            ("under_paper", "× under the paper"),
            ("seconds_total", "own stop: s"),
            ("iterations_total", "its"),
            ("test_mse", "final test MSE"),
            ("peak_rss_gb", "peak RSS GB"),
        ],
    ),
    "target3": (
        "Target 3: seconds per iteration",
        "Setup excluded (and recorded); the dense kernel's fraction of the GEMM rate measured in "
        "the same run, and its three phases timed once on the first iterate (goal: ≥ 50% of GEMM "
        "at d = 5000).",
        [
            ("kernel", "kernel"),
            ("d", "d"),
            ("n", "n"),
            ("seconds_per_iter", "s / iteration"),
            ("setup_seconds", "setup s"),
            ("fraction_of_gemm", "fraction of GEMM"),
            ("gram_seconds", "Gram s"),
            ("solve_seconds", "row solves s"),
            ("predict_seconds", "Z = C K s"),
            ("gemm_seconds", "one d×d GEMM s"),
        ],
    ),
    "target4": (
        "Target 4: iterations, default schedule vs fixed ridges",
        "To test MSE 1e-3, and to equal final accuracy a (the fixed ridge's final test MSE; the "
        "fixed ridge is credited with its first iteration under 2a, the default with its first "
        "under a). Goal: ≥ 5× fewer iterations.",
        [
            ("d", "d"),
            ("rank", "r"),
            ("n", "n"),
            ("schedule", "schedule"),
            ("kernel", "kernel"),
            ("iterations_to_target", "its to 1e-3"),
            ("fewer_to_target", "× fewer to 1e-3"),
            ("seconds_to_target", "s to 1e-3"),
            ("iterations_total", "its run"),
            ("test_mse", "final test MSE"),
            ("equal_accuracy_mse", "a"),
            ("fixed_iterations_to_equal", "fixed: its to 2a"),
            ("default_iterations_to_equal", "default: its to a"),
            ("fewer_iterations_factor", "× fewer to a"),
        ],
    ),
    "target5": (
        "Target 5: samples",
        "Per problem: draws recovered (final test MSE < 1e-3), and how many draws are "
        "identifiable (every row and column has at least r observations); then every draw not "
        "recovered.",
        [
            ("d", "d"),
            ("rank", "r"),
            ("n", "n"),
            ("n_over_dof", "n / dof"),
            ("features", "features"),
            ("draws", "draws"),
            ("recovered", "recovered"),
            ("identifiable", "identifiable"),
            ("recovered_identifiable", "recovered of identifiable"),
            ("recovered_seeds_0_4", "recovered, seeds 0–4"),
            ("median_iterations", "median its"),
        ],
    ),
    "target6": (
        "Target 6: the standard protocol",
        "`complete` with defaults and no rank given (linrfm), the same on both sides in turn "
        '(linrfm_alternating, `features="alternating"`), beside MatrixIRLS (given the rank), on '
        "the "
        "field's standard instances (Haar factors, σ log-spaced from κ to 1, ≥ r + 1 entries per "
        "line); recovered: relative Frobenius error < 1e-3 over the whole matrix. Goals (issue "
        "16): ≥ 90% of 20 draws at ρ = 2 (κ = 1, 10) and ρ = 2.5 (κ = 1e5); median seconds per "
        "recovered instance at κ = 10, ρ = 2 ≤ 10 s.",
        [
            ("method", "method"),
            ("d", "d"),
            ("rank", "r"),
            ("kappa", "κ"),
            ("rho", "ρ"),
            ("draws", "draws"),
            ("recovered", "recovered"),
            ("fraction_recovered", "rate"),
            ("median_seconds_recovered", "median s (recovered)"),
            ("median_iterations", "median its"),
            ("median_error_failed", "median rel. err (failed)"),
            ("statuses", "stops"),
        ],
    ),
    "target7": (
        "Target 7: noisy completion",
        "`complete` (features auto = the default, and alternating; refit off and on) on 300 × 300 "
        "rank 5 from 3× the degrees of freedom with N(0, σ²) noise on Ω: the whole call to its "
        "own stop, its status, and the test MSE against the clean matrix beside σ² dof / n (the "
        "formula) and the tangent-space oracle (least squares on the truth's tangent space). "
        "Goals (issue 16): stop within 5× the noiseless time; test MSE within 1.5× the formula.",
        [
            ("features", "features"),
            ("refit", "refit"),
            ("sigma", "σ"),
            ("draws", "draws"),
            ("median_seconds", "median s"),
            ("median_iterations", "median its"),
            ("median_mse_over_formula", "MSE / formula"),
            ("median_mse_over_oracle", "MSE / oracle"),
            ("statuses", "stops"),
        ],
    ),
}
FAILED_DRAWS = [
    ("d", "d"),
    ("n", "n"),
    ("features", "features"),
    ("seed", "seed"),
    ("fewest_observations_per_line", "fewest obs. in a line"),
    ("identifiable", "identifiable"),
    ("iterations_total", "its"),
    ("converged", "converged"),
    ("test_mse", "final test MSE"),
]
RECOVERED_MSE = 1e-3


def fmt(value: object, column: str = "") -> str:
    """One table cell: 3 significant digits, percentages for fractions, '—' for missing."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float) and column.startswith("fraction"):
        return f"{100 * value:.3g}%"
    if isinstance(value, int) or (
        isinstance(value, float) and value.is_integer() and abs(value) < 1e7
    ):
        return str(int(value))
    if isinstance(value, float):
        return f"{value:.3g}"
    return str(value).replace("|", "\\|")


def markdown_table(df: pd.DataFrame, columns: list[tuple[str, str]]) -> str:
    """A plain Markdown table of the listed columns that ``df`` has."""
    cols = [(c, h) for c, h in columns if c in df.columns]
    lines = [
        "| " + " | ".join(h for _, h in cols) + " |",
        "|" + "---|" * len(cols),
    ]
    for row in df.itertuples(index=False):
        values = row._asdict()
        lines.append("| " + " | ".join(fmt(_py(values[c]), c) for c, _ in cols) + " |")
    return "\n".join(lines)


def _py(value: object) -> object:
    """numpy scalars as Python scalars."""
    return value.item() if hasattr(value, "item") else value


def provenance_line(df: pd.DataFrame) -> str:
    """The machine and code a table was measured with, from its provenance columns."""
    parts = []
    for column, label in (
        ("device", "device"),
        ("torch_threads", "torch threads"),
        ("torch", "torch"),
        ("linrfm", "linrfm"),
        ("git_commit", "commit"),
    ):
        if column in df.columns:
            values = sorted({str(_py(v)) for v in df[column].dropna()})
            if column == "git_commit":
                values = [v[:12] + ("+dirty" if v.endswith("+dirty") else "") for v in values]
            parts.append(f"{label} {', '.join(values)}")
    if "peak_rss_gb" in df.columns:
        parts.append(f"peak RSS {df['peak_rss_gb'].max():.3g} GB")
    return "Measured with " + "; ".join(parts) + "." if parts else ""


def _target2(df: pd.DataFrame) -> pd.DataFrame:
    if {"paper_gpu_seconds", "seconds_to_target"} <= set(df.columns):
        df = df.assign(under_paper=df["paper_gpu_seconds"] / df["seconds_to_target"])
    return df


def _target4(df: pd.DataFrame) -> pd.DataFrame:
    """× fewer iterations to 1e-3: a fixed ridge's count over the default's on the same problem."""
    keys = [k for k in ("d", "rank", "n") if k in df.columns]
    if "schedule" not in df.columns or "iterations_to_target" not in df.columns:
        return df
    default = (
        df[df["schedule"] == "default"].set_index(keys)["iterations_to_target"].rename("default")
    )
    df = df.join(default, on=keys)
    fixed = df["schedule"] != "default"
    ratio = df["iterations_to_target"] / df["default"]
    return df.assign(fewer_to_target=ratio.where(fixed)).drop(columns="default")


def _target5(df: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The per-problem summary and the draws that were not recovered."""
    df = df.assign(recovered=df["test_mse"] < RECOVERED_MSE)
    if "features" not in df.columns:
        df = df.assign(features="auto")
    if "identifiable" in df.columns:
        df["identifiable"] = df["identifiable"].astype(str).str.lower() == "true"
    keys = [k for k in ("d", "rank", "n", "features") if k in df.columns]
    rows = []
    for key, g in df.groupby(keys, sort=False):
        row = dict(zip(keys, key, strict=True))
        row["draws"] = len(g)
        row["recovered"] = int(g["recovered"].sum())
        if "dof" in g.columns:
            row["n_over_dof"] = float(g["n"].iloc[0] / g["dof"].iloc[0])
        if "identifiable" in g.columns:
            ident = g["identifiable"]
            row["identifiable"] = int(ident.sum())
            row["recovered_identifiable"] = int((g["recovered"] & ident).sum())
        if "iterations_total" in g.columns:
            row["median_iterations"] = float(g["iterations_total"].median())
        if "seed" in g.columns and len(g) > 5:  # the target itself: seeds 0-4
            first = g[g["seed"].isin(range(5))]
            row["recovered_seeds_0_4"] = f"{int(first['recovered'].sum())} of {len(first)}"
        rows.append(row)
    return pd.DataFrame(rows), df[~df["recovered"]]


def _target6(df: pd.DataFrame) -> pd.DataFrame:
    """Per (method, d, r, κ, ρ): draws, recovered, rate, median seconds of the recovered draws,
    median iterations, median error of the failures and how the runs stopped."""
    success = df["success"].astype(str).str.lower() == "true"
    df = df.assign(success=success)
    keys = ["method", "d", "rank", "kappa", "rho"]
    rows = []
    for key, g in df.groupby(keys, sort=False):
        ok = g[g["success"]]
        failed = g[~g["success"]]
        counts = g["status"].value_counts()
        rows.append(
            {
                **dict(zip(keys, key, strict=True)),
                "draws": len(g),
                "recovered": int(len(ok)),
                "fraction_recovered": len(ok) / len(g),
                "median_seconds_recovered": float(ok["seconds"].median()) if len(ok) else None,
                "median_iterations": float(g["iterations"].median()),
                "median_error_failed": float(failed["relative_error"].median())
                if len(failed)
                else None,
                "statuses": ", ".join(f"{k} {v}" for k, v in counts.items()),
            }
        )
    return pd.DataFrame(rows)


def _target7(df: pd.DataFrame) -> pd.DataFrame:
    """Per (features, refit, σ): draws, median seconds and iterations, median test MSE over the
    formula and over the tangent-space oracle (σ > 0), and how the runs stopped."""
    rows = []
    for key, g in df.groupby(["features", "refit", "sigma"], sort=False):
        noisy = g["sigma"] > 0
        rows.append(
            {
                **dict(zip(["features", "refit", "sigma"], key, strict=True)),
                "draws": len(g),
                "median_seconds": float(g["seconds"].median()),
                "median_iterations": float(g["iterations"].median()),
                "median_mse_over_formula": float((g["test_mse"] / g["formula_mse"])[noisy].median())
                if noisy.any()
                else None,
                "median_mse_over_oracle": float((g["test_mse"] / g["oracle_mse"])[noisy].median())
                if noisy.any()
                else None,
                "statuses": ", ".join(f"{k} {v}" for k, v in g["status"].value_counts().items()),
            }
        )
    return pd.DataFrame(rows)


def render(tables: dict[str, pd.DataFrame], written: dict[str, str] | None = None) -> str:
    """The whole page: one section per target (in target order), from the tables alone."""
    written = written or {}
    out = [
        "# Benchmark results (generated)",
        "",
        "<!-- Generated by workflow/scripts/bench_docs.py (rule bench_docs) from results/bench/"
        "*.csv. Do not edit by hand: rerun `snakemake --cores 2 bench_docs`. -->",
        "",
        "Generated from `results/bench/*.csv` by the rule `bench_docs` "
        "(`snakemake --cores 2 bench_docs`; what each target measures and earlier runs: "
        "[benchmarks.md](benchmarks.md)). Seconds depend on the machine; iterations do not.",
    ]
    for name in sorted(tables, key=lambda s: (len(s), s)):
        df = tables[name]
        title, what, columns = TARGETS.get(
            name,
            (name, "", [(c, c) for c in df.columns if c not in PROVENANCE]),
        )
        out += ["", f"## {title}", ""]
        if what:
            out += [what, ""]
        if name == "target2":
            df = _target2(df)
        if name == "target4":
            df = _target4(df)
        if name == "target6" and "success" in df.columns:
            df = _target6(df)
        if name == "target7" and "formula_mse" in df.columns:
            df = _target7(df)
        if name == "target3" and "gemm_flops_per_s" in df.columns:
            rate = df["gemm_flops_per_s"].dropna()
            if len(rate):
                out += [
                    f"GEMM rate measured in the same run: {rate.iloc[0] / 1e9:.3g} GFLOP/s.",
                    "",
                ]
        if name == "target5" and "test_mse" in df.columns:
            summary, failed = _target5(df)
            out += [markdown_table(summary, columns), ""]
            if len(failed):
                out += ["Draws not recovered:", "", markdown_table(failed, FAILED_DRAWS), ""]
            else:
                out += ["Every draw recovered.", ""]
        else:
            out += [markdown_table(df, columns), ""]
        line = provenance_line(tables[name])
        if name in written:
            line += f" Table written {written[name]}."
        if line:
            out += [line.strip()]
    return "\n".join(out) + "\n"


def main(inputs: list[str], output: str, log: str | None = None) -> None:
    tables, written = {}, {}
    for path in map(Path, inputs):
        if path.suffix == ".csv":
            tables[path.stem] = pd.read_csv(path)
            stamp = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
            written[path.stem] = stamp.strftime("%Y-%m-%d %H:%M UTC")
    write_text(output, render(tables, written))
    if log:
        Path(log).write_text(f"{len(tables)} tables ({', '.join(sorted(tables))}) -> {output}\n")


if "snakemake" in globals():  # Snakemake's script: directive (its preamble defines snakemake)
    smk = snakemake  # noqa: F821
    main(list(smk.input), smk.output[0], smk.log[0])
elif __name__ == "__main__":
    folder, target = Path(sys.argv[1]), sys.argv[2]
    main([str(p) for p in sorted(folder.glob("*.csv"))], target)
