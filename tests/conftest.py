"""Test-session settings: one torch thread.

The suite solves many small problems, where torch's thread pool costs more than it gains, and on a
loaded 2-core machine its spinning threads slow small-matrix code by up to 100× (measured: 95
iterations of a 60×80 completion, 17 s with 2 threads against 0.19 s with 1). Experiment jobs pin
their threads the same way (``linrfm_paper.jobs.start_job``)."""

import numpy as np
import pytest
import torch

torch.set_num_threads(1)


@pytest.fixture
def rng() -> np.random.Generator:
    return np.random.default_rng(12345)
