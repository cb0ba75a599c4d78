"""The CUDA path (issue 14): every solver the paper's figures run gives on the GPU what it gives
on the CPU, to round-off. Skipped, with the reason printed, where torch sees no CUDA device;
bench/gpu_check.sh runs this module first on a machine with a GPU."""

import numpy as np
import pytest
import torch

import linrfm
from linrfm.baselines import deep_linear_completion, deep_linear_completion_batched
from linrfm.data import completion_problem

pytestmark = pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA device")


@pytest.fixture(scope="module")
def problem():
    return completion_problem(40, 40, 3, 700, seed=0)


def test_linrfm_on_cuda_equals_cpu(problem):
    kw = dict(alpha=0.5, ridge=1e-3, max_iter=200, tol=0.0)  # the paper's mode: a fixed ridge
    cpu = linrfm.complete(problem.Y_obs, problem.mask, device="cpu", **kw)
    gpu = linrfm.complete(problem.Y_obs, problem.mask, device="cuda", **kw)
    assert gpu.n_iter == cpu.n_iter
    np.testing.assert_allclose(gpu.Z, cpu.Z, rtol=1e-6, atol=1e-9)


def test_complete_defaults_on_cuda_recover(problem):
    res = linrfm.complete(problem.Y_obs, problem.mask, device="cuda")
    assert res.converged and problem.relative_test_error(res.Z) < 1e-4


@pytest.mark.parametrize("depth", [2, 3])
def test_batched_networks_on_cuda_equal_cpu_single_runs(problem, depth):
    masks = np.stack([problem.mask, problem.mask.T.copy()])
    kw = dict(depth=depth, lr=1e-2, max_iter=300, log_every=50)
    gpu = deep_linear_completion_batched(problem.Y_obs, masks, seeds=[0, 1], device="cuda", **kw)
    for b, res in enumerate(gpu):
        cpu = deep_linear_completion(problem.Y_obs, masks[b], seed=b, device="cpu", **kw)
        assert res.n_iter == cpu.n_iter
        np.testing.assert_allclose(res.Z, cpu.Z, rtol=1e-6, atol=1e-9)


def test_ridge_grid_on_cuda_equals_cpu_single_runs(problem):
    """The batched ridge grid with test-error watches (the paper protocol's), on the GPU."""
    from linrfm.protocols import paper_protocol

    kw = dict(ridges=[1e-2, 1e-3, 1e-4], alpha=0.5, max_iter=200, tol=1e-9)
    gpu = paper_protocol(problem.Y_obs, problem.mask, problem.Y_true, device="cuda", **kw)
    cpu = paper_protocol(problem.Y_obs, problem.mask, problem.Y_true, batch=False, **kw)
    assert gpu.ridge == cpu.ridge and gpu.n_iter == cpu.n_iter
    np.testing.assert_allclose(gpu.Z, cpu.Z, rtol=1e-6, atol=1e-9)
