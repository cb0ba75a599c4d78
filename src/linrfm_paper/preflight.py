"""What ``make reproduce`` and ``make smoke`` run before Snakemake, so that the same command resumes
a run that was hard-killed, and never reads a damaged table:

    python -m linrfm_paper.preflight [workdir]

1. A stale lock. A run killed by SIGKILL (an OOM kill, a node failure, a laptop losing power)
   cannot remove its lock files (``.snakemake/locks/``); the next run would stop with
   ``LockException``. The lock is removed (Snakemake's own ``--unlock``) only when no live
   process is working on ``workdir``: no Snakemake whose working directory (or ``--directory``)
   is ``workdir``, and no job script Snakemake started there (``.snakemake/scripts/…``);
   processes are read from ``/proc`` (where there is none, the lock stays). The temporary files
   the killed jobs left half-written (``jobs.TEMPORARY_PREFIX``) are deleted with it. Outputs the
   killed run left incomplete are redone by the next run (``rerun-incomplete`` in
   ``profiles/default``); finished ones are kept.
2. Damaged tables. Every table ``jobs.write_table`` wrote has its SHA-256 beside it; a table that
   no longer matches (edited or truncated by hand, a disk error) is deleted with its checksum,
   so that Snakemake rebuilds it instead of reading it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from .jobs import TEMPORARY_PREFIX, checksum_path, sha256

#: the folders a run writes into (results tables, figures, logs, generated docs)
OUTPUT_FOLDERS = ("results", "figures", "logs", "docs")


def _cmdline(pid: str) -> list[str]:
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:  # gone, or not ours to read
        return []
    return [a for a in raw.decode(errors="replace").split("\0") if a]


def _directory(pid: str, argv: list[str]) -> Path | None:
    """The folder a Snakemake process works on: its ``--directory``/``-d``, else its cwd."""
    try:
        cwd = Path(os.readlink(f"/proc/{pid}/cwd"))
    except OSError:
        return None
    for i, arg in enumerate(argv):
        if arg in ("--directory", "-d") and i + 1 < len(argv):
            return (cwd / argv[i + 1]).resolve()
        if arg.startswith("--directory="):
            return (cwd / arg.split("=", 1)[1]).resolve()
    return cwd.resolve()


def live_processes(workdir: Path) -> list[int]:
    """Process ids of live Snakemake runs and Snakemake job scripts working on ``workdir``
    (this process and its parents excluded)."""
    workdir = workdir.resolve()
    own = {os.getpid(), os.getppid()}
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) in own:
            continue
        argv = _cmdline(entry.name)
        if not argv or not any("snakemake" in Path(a).name or ".snakemake" in a for a in argv):
            continue
        if _is_stale_lock_check(argv):
            continue
        where = _directory(entry.name, argv)
        if where is not None and (where == workdir or workdir in where.parents):
            found.append(int(entry.name))
    return sorted(found)


def _is_stale_lock_check(argv: list[str]) -> bool:
    return any(a.endswith(("preflight", "preflight.py")) for a in argv)


def lock_files(workdir: Path) -> list[Path]:
    locks = workdir / ".snakemake" / "locks"
    return sorted(locks.glob("*.lock")) if locks.is_dir() else []


def clear_stale_lock(workdir: Path, snakemake: list[str] | None = None) -> str:
    """Remove a stale lock of ``workdir`` (``snakemake --unlock``) when no live process works
    there; returns what was done, in words."""
    locks = lock_files(workdir)
    if not locks:
        return "no lock"
    if not Path("/proc").is_dir():
        return "a lock is present; no /proc to check for a live run, so it is left in place"
    alive = live_processes(workdir)
    if alive:
        return f"a lock is present and held by a live run (pids {alive}): left in place"
    cmd = snakemake or [sys.executable, "-m", "snakemake"]
    subprocess.run([*cmd, "--unlock", "--cores", "1"], cwd=workdir, check=True,
                   capture_output=True)  # fmt: skip
    removed = remove_temporaries(workdir)
    return (
        f"removed a stale lock left by a killed run ({len(locks)} lock files) and "
        f"{len(removed)} temporary files it left half-written"
    )


def remove_temporaries(workdir: Path) -> list[Path]:
    """Delete the temporary files and folders (``jobs.TEMPORARY_PREFIX``) under the workflow's
    output folders; only ever called when no run is alive."""
    found = []
    for top in OUTPUT_FOLDERS:
        if (workdir / top).is_dir():
            found += sorted((workdir / top).rglob(f"{TEMPORARY_PREFIX}*"))
    for path in found:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)
    return found


def damaged_tables(workdir: Path) -> list[Path]:
    """Tables under ``workdir/results`` whose content no longer matches the SHA-256 written with
    them (:func:`jobs.checksum_path`)."""
    results = workdir / "results"
    if not results.is_dir():
        return []
    damaged = []
    for digest in sorted(results.rglob(".*.csv.sha256")):
        table = digest.parent / digest.name[1 : -len(".sha256")]
        if table.exists() and sha256(table) != digest.read_text().strip():
            damaged.append(table)
    return damaged


def remove_damaged_tables(workdir: Path) -> list[Path]:
    """Delete the :func:`damaged_tables` and their checksums (Snakemake then rebuilds them)."""
    damaged = damaged_tables(workdir)
    for table in damaged:
        table.unlink()
        checksum_path(table).unlink(missing_ok=True)
    return damaged


def main(argv: list[str] | None = None) -> None:
    """``preflight [workdir [snakemake options…]]``: the options (``--cores``, ``--configfile``)
    are those of the run that follows; damaged tables are rebuilt with them first, so that the
    run sees them newer than what was made from them and redoes that too (Snakemake does not
    rebuild a missing intermediate file whose products are up to date)."""
    args = sys.argv[1:] if argv is None else argv
    workdir = Path(args[0] if args else ".")
    options = args[1:]
    print(f"preflight: {clear_stale_lock(workdir)}", file=sys.stderr)
    removed = remove_damaged_tables(workdir)
    for table in removed:
        print(
            f"preflight: {table} does not match the checksum written with it (edited or "
            "truncated): removed, to be rebuilt",
            file=sys.stderr,
        )
    if removed:
        targets = [str(t.relative_to(workdir)) for t in removed]
        subprocess.run([sys.executable, "-m", "snakemake", *targets, *options], cwd=workdir,
                       check=True)  # fmt: skip


if __name__ == "__main__":
    main()
