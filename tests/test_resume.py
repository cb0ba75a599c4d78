"""Faults: the README's `make smoke` hard-killed (SIGKILL of its whole process group) at three
moments, one of them while a table is being written, resumes with the same command, loses nothing,
and gives the tables of an undisturbed run; a table truncated by hand is rebuilt; two undisturbed
runs give identical tables (timing and provenance columns aside: ``_workflow.VOLATILE``)."""

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest
from _workflow import SNAKEMAKE, VENV, assert_same_tables, copy_workflow, results_tables

from linrfm_paper.jobs import TEMPORARY_PREFIX, WRITE_PAUSE_ENV
from linrfm_paper.preflight import clear_stale_lock, live_processes, lock_files

pytestmark = pytest.mark.skipif(shutil.which("make") is None, reason="needs make")

#: the README's command, with this venv (never rebuilt: -o marks its install stamp up to date)
MAKE_SMOKE = ["make", "-o", f"{VENV}/.installed", "smoke", f"VENV={VENV}", "CORES=2"]


def _start(where: Path, env: dict[str, str] | None = None) -> subprocess.Popen:
    return subprocess.Popen(
        MAKE_SMOKE,
        cwd=where,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,  # its own process group: killpg reaches make, snakemake, jobs
        env={**os.environ, **(env or {})},
    )


def _kill(run: subprocess.Popen) -> None:
    os.killpg(run.pid, signal.SIGKILL)
    run.wait(timeout=60)


def _wait_for(predicate, timeout: float) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def _temporary_files(where: Path) -> list[Path]:
    """Temporary files and folders (a killed job's, or a write in progress) under results/."""
    results = where / "results"
    return sorted(results.rglob(f"{TEMPORARY_PREFIX}*")) if results.is_dir() else []


def _tables_being_written(where: Path) -> list[Path]:
    return [p for p in _temporary_files(where) if p.is_file() and p.suffix == ".csv"]


def _finished(where: Path) -> int:
    return len(list((where / "results").rglob("*.csv"))) if (where / "results").is_dir() else 0


def test_a_hard_killed_smoke_run_resumes_and_loses_nothing(smoke_run, tmp_path):
    copy_workflow(tmp_path)
    kills = []
    # 1. early: while the first jobs run (a few tables written)
    run = _start(tmp_path)
    assert _wait_for(lambda: _finished(tmp_path) >= 3, 300), run.communicate()[0][-3000:]
    _kill(run)
    kills.append(f"after {_finished(tmp_path)} tables")
    assert lock_files(tmp_path), "a SIGKILLed Snakemake leaves its lock behind"
    # 2. while a table is being written: writes pause between the temporary file and the rename
    run = _start(tmp_path, {WRITE_PAUSE_ENV: "3"})
    assert _wait_for(lambda: bool(_tables_being_written(tmp_path)), 300), run.communicate()[0][
        -3000:
    ]
    half = _tables_being_written(tmp_path)
    _kill(run)
    kills.append(f"while writing {half[0].name}")
    assert all(p.name.startswith(TEMPORARY_PREFIX) for p in half)
    # 3. mid-way again, later in the DAG
    run = _start(tmp_path)
    n0 = _finished(tmp_path)
    assert _wait_for(lambda: _finished(tmp_path) >= n0 + 5, 300), run.communicate()[0][-3000:]
    _kill(run)
    kills.append(f"after {_finished(tmp_path)} tables")
    # the same command finishes the run
    final = subprocess.run(MAKE_SMOKE, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert final.returncode == 0, (final.stdout + final.stderr)[-3000:]
    assert "removed a stale lock" in final.stderr + final.stdout
    assert not _temporary_files(tmp_path)  # the half-written ones were removed, none is left
    assert_same_tables(results_tables(tmp_path), results_tables(smoke_run[0]))
    # and a third run has nothing to do
    third = subprocess.run(MAKE_SMOKE, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert third.returncode == 0 and "Nothing to be done" in third.stdout + third.stderr
    print("kill points:", "; ".join(kills))
    # a table truncated by hand is detected and rebuilt, not read
    job_table = sorted((tmp_path / "results/fig3").rglob("*.csv"))[0]
    for table in (job_table, tmp_path / "results/fig3.csv"):
        text = table.read_text()
        table.write_text(text[: len(text) // 2])
    fourth = subprocess.run(MAKE_SMOKE, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    out = fourth.stdout + fourth.stderr
    assert fourth.returncode == 0, out[-3000:]
    assert out.count("does not match the checksum written with it") == 2
    assert_same_tables(results_tables(tmp_path), results_tables(smoke_run[0]))


def test_two_undisturbed_smoke_runs_give_identical_tables(smoke_run, tmp_path):
    copy_workflow(tmp_path)
    cmd = [*SNAKEMAKE, "--cores", "2", "--configfile", "config/smoke.yaml"]
    run = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    assert_same_tables(results_tables(tmp_path), results_tables(smoke_run[0]))


def test_a_lock_held_by_a_live_run_is_never_cleared(tmp_path):
    copy_workflow(tmp_path)
    run = _start(tmp_path)
    try:
        assert _wait_for(lambda: bool(lock_files(tmp_path)), 120)
        assert live_processes(tmp_path)
        assert "held by a live run" in clear_stale_lock(tmp_path)
        assert lock_files(tmp_path)
    finally:
        _kill(run)
    assert _wait_for(lambda: not live_processes(tmp_path), 30)
    assert clear_stale_lock(tmp_path).startswith("removed a stale lock")
    assert not lock_files(tmp_path)
