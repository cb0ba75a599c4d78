"""Where a rebuild's time and memory went: Snakemake's per-job ``benchmark:`` files summarised.

Every compute rule writes ``benchmarks/<figure>/…/<job>.tsv`` (Snakemake's columns: ``s`` wall
seconds, ``max_rss`` peak resident MiB, ``cpu_time``, …). :func:`job_costs` reads them all;
:func:`summary` gives one row per figure folder (jobs, total and largest wall seconds, peak
memory); the command line prints it as Markdown, the table docs/design.md quotes:

    .venv/bin/python -m linrfm_paper.costs benchmarks
"""

from __future__ import annotations

import argparse
from pathlib import Path

import pandas as pd


def job_costs(root: str | Path) -> pd.DataFrame:
    """One row per benchmark file under ``root``: ``figure`` (its first folder), ``job`` (the
    rest of its path), ``seconds``, ``max_rss_mib``, ``cpu_seconds``. Raises FileNotFoundError
    when ``root`` holds none."""
    root = Path(root)
    rows = []
    for f in sorted(root.rglob("*.tsv")):
        t = pd.read_csv(f, sep="\t")
        if t.empty:
            continue
        rel = f.relative_to(root)
        last = t.iloc[-1]
        rows.append(
            dict(
                figure=rel.parts[0] if len(rel.parts) > 1 else "(top)",
                job=str(rel.with_suffix("")),
                seconds=float(last["s"]),
                max_rss_mib=pd.to_numeric(last.get("max_rss"), errors="coerce"),
                cpu_seconds=pd.to_numeric(last.get("cpu_time"), errors="coerce"),
            )
        )
    if not rows:
        raise FileNotFoundError(f"no Snakemake benchmark files (*.tsv) under {root}")
    return pd.DataFrame(rows)


def summary(costs: pd.DataFrame) -> pd.DataFrame:
    """Per figure: jobs, total wall seconds, the longest job's seconds and name, peak memory
    (MiB); sorted by total seconds, largest first, with a last row "all"."""
    g = costs.groupby("figure")
    longest = costs.loc[g["seconds"].idxmax()].set_index("figure")["job"]
    out = pd.DataFrame(
        dict(
            jobs=g.size(),
            seconds=g["seconds"].sum(),
            longest_seconds=g["seconds"].max(),
            longest_job=longest,
            peak_mib=g["max_rss_mib"].max(),
        )
    ).sort_values("seconds", ascending=False)
    total = pd.DataFrame(
        dict(
            jobs=[len(costs)],
            seconds=[costs["seconds"].sum()],
            longest_seconds=[costs["seconds"].max()],
            longest_job=[costs.loc[costs["seconds"].idxmax(), "job"]],
            peak_mib=[costs["max_rss_mib"].max()],
        ),
        index=["all"],
    )
    return pd.concat([out, total]).rename_axis("figure").reset_index()


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("root", nargs="?", default="benchmarks")
    args = ap.parse_args(argv)
    table = summary(job_costs(args.root))
    table["minutes"] = (table["seconds"] / 60).round(1)
    print(table.to_markdown(index=False, floatfmt=".1f"))


if __name__ == "__main__":
    main()
