"""Shared by the workflow tests: a temporary copy of the workflow, and its results tables in a
form two runs can be compared in."""

import shutil
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = [sys.executable, "-m", "snakemake"]
VENV = Path(sys.executable).parent.parent
PARTS = ("Snakefile", "workflow", "config", "envs", "notebooks", "paper_checks", "bench")
PARTS += ("profiles", "Makefile", "pyproject.toml")

#: columns that differ run to run by design: provenance (versions, commit, device, threads) and
#: timings (seconds, memory); every other column must be equal, to the last bit
VOLATILE = {"device", "python", "numpy", "torch", "cvxpy", "linrfm", "git_commit"}
VOLATILE |= {"torch_threads", "peak_rss_gb"}
VOLATILE_PARTS = ("seconds", "time", "wall", "elapsed")


def copy_workflow(dst: Path) -> None:
    """The workflow's files (``PARTS``) into ``dst``, modification times kept (``make`` then sees
    the venv's install stamp as up to date)."""
    for name in PARTS:
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dst / name)
        elif src.exists():
            shutil.copy2(src, dst / name)


def volatile(column: str) -> bool:
    return column in VOLATILE or any(part in column for part in VOLATILE_PARTS)


def results_tables(workdir: Path) -> dict[str, pd.DataFrame]:
    """Every CSV under ``workdir/results`` (by relative path), volatile columns dropped."""
    out = {}
    for path in sorted((workdir / "results").rglob("*.csv")):
        if path.name.startswith("."):  # a temporary file, never a result
            continue
        df = pd.read_csv(path)
        out[str(path.relative_to(workdir))] = df[[c for c in df.columns if not volatile(c)]]
    return out


def assert_same_tables(a: dict[str, pd.DataFrame], b: dict[str, pd.DataFrame]) -> None:
    assert sorted(a) == sorted(b)
    for name in a:
        pd.testing.assert_frame_equal(a[name], b[name], check_exact=True, obj=name)
