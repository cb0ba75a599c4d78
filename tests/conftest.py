"""Test-session settings: one torch thread.

The suite solves many small problems, where torch's thread pool costs more than it gains, and on a
loaded 2-core machine its spinning threads slow small-matrix code by up to 100× (measured: 95
iterations of a 60×80 completion, 17 s with 2 threads against 0.19 s with 1). Experiment jobs pin
their threads the same way (``linrfm_paper.jobs.start_job``)."""

import subprocess

import numpy as np
import pytest
import torch
from _workflow import SNAKEMAKE, copy_workflow

torch.set_num_threads(1)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)


@pytest.fixture(scope="session")
def smoke_run(tmp_path_factory):
    """One undisturbed run of the smoke config in a temporary copy of the workflow, shared by the
    tests that read it: (its folder, the command)."""
    where = tmp_path_factory.mktemp("smoke")
    copy_workflow(where)
    cmd = [*SNAKEMAKE, "--cores", "2", "--configfile", "config/smoke.yaml"]
    run = subprocess.run(cmd, cwd=where, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stderr[-3000:]
    return where, cmd


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny problems: torch's intra-op threads only add contention on a shared machine. Restores
    the thread count after the module (``pytestmark = pytest.mark.usefixtures(...)``)."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)
