"""What every results row records besides its parameters: versions, git commit, device."""

from __future__ import annotations

import functools
import platform
import subprocess
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

import torch


def _version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


@functools.cache
def git_commit(cwd: str | None = None) -> str:
    """HEAD of the repository holding ``cwd`` (default: this package's checkout), with '+dirty'
    when tracked files differ; 'unknown' outside a git checkout."""
    where = cwd or str(Path(__file__).resolve().parent)
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=where, capture_output=True, text=True, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=where,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return sha + ("+dirty" if dirty else "")


def provenance(device: str | None = None) -> dict[str, str]:
    """Versions of the numerical stack, the git commit and the device a row was computed on."""
    return {
        "device": device or ("cuda" if torch.cuda.is_available() else "cpu"),
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "torch": _version("torch"),
        "cvxpy": _version("cvxpy"),
        "linrfm": _version("linrfm"),
        "git_commit": git_commit(),
    }
