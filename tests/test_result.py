"""The result object, stop reasons and the callback's state, whatever the solver or kernel."""

import numpy as np
import pytest

import linrfm
from linrfm import IterationState, Status
from linrfm.data import completion_problem, sparse_regression_problem


@pytest.fixture(scope="module")
def problem():
    return completion_problem(40, 30, 2, 500, seed=1)


def test_each_stop_has_its_status_and_message(problem):
    p = problem
    certified = linrfm.complete(p.Y_obs, p.mask)
    assert certified.status is Status.CERTIFIED and certified.success
    assert (
        "tail energy" in certified.message and f"{certified.n_iter} iterations" in certified.message
    )

    tolerance = linrfm.complete(p.Y_obs, p.mask, ridge=1e-6, tol=1e-3, max_iter=500)
    assert tolerance.status == "tolerance" and tolerance.converged
    assert tolerance.history.rel_change[-1] < 1e-3 <= tolerance.history.rel_change[-2]

    capped = linrfm.complete(p.Y_obs, p.mask, max_iter=5, tol=0.0)
    assert capped.status is Status.MAX_ITER and not capped.success and capped.n_iter == 5
    assert "max_iter" in capped.message

    stopped = linrfm.complete(p.Y_obs, p.mask, callback=lambda s: s.t == 3)
    assert stopped.status is Status.CALLBACK and stopped.n_iter == 3 and not stopped.success


def test_result_views_of_the_one_estimate(problem):
    p = problem
    res = linrfm.complete(p.Y_obs, p.mask, max_iter=3)
    assert res.x is res.Z and res.w is None and res.factors is None
    s = sparse_regression_problem(30, 60, 3, seed=0)
    reg = linrfm.sparse_regression(s.X, s.y, max_iter=3)
    assert reg.x is reg.w and reg.Z is None
    rows, cols = np.nonzero(p.mask)
    low = linrfm.complete_lowrank(rows, cols, p.Y_obs[rows, cols], p.mask.shape, max_iter=3)
    assert low.Z is None and low.factors is low.x and low.x.shape == p.mask.shape


@pytest.mark.parametrize("kernel", ["dense", "lowrank"])
@pytest.mark.parametrize("features", ["columns", "rows"])
def test_callback_gets_one_state_object_and_the_last_one_is_the_result(problem, kernel, features):
    """Both kernels, both feature sides: an IterationState whose Z is the (d1, d2) estimate and
    whose entries() reads it; at the iteration cap the result is the last state's Z."""
    p = problem
    states: list[IterationState] = []
    i, j = np.nonzero(~p.mask)

    def watch(state: IterationState) -> bool:
        assert isinstance(state, IterationState)
        assert state.Z.shape == (40, 30)
        np.testing.assert_allclose(state.entries(i, j), state.Z[i, j], rtol=1e-12, atol=1e-12)
        states.append(state)
        return False

    res = linrfm.complete(
        p.Y_obs, p.mask, kernel=kernel, features=features, max_iter=12, tol=0.0, callback=watch
    )
    assert [s.t for s in states] == list(range(13))
    assert res.status is Status.MAX_ITER
    np.testing.assert_array_equal(res.Z, states[-1].Z)
    assert np.isfinite(states[-1].ridge) and states[-1].rank >= 1
    assert res.extras["kernel"] == kernel and res.extras["features"] == features


def test_factored_solver_returns_its_last_map_value_at_the_cap(problem):
    p = problem
    rows, cols = np.nonzero(p.mask)
    last = {}

    def keep(state: IterationState) -> bool:
        last["Z"] = state.Z
        return False

    res = linrfm.complete_lowrank(
        rows, cols, p.Y_obs[rows, cols], p.mask.shape, max_iter=15, tol=0.0, callback=keep
    )
    np.testing.assert_allclose(res.factors.dense(), last["Z"], rtol=1e-12, atol=1e-12)


def test_bad_log_every_is_named(problem):
    with pytest.raises(ValueError, match="log_every"):
        linrfm.complete(problem.Y_obs, problem.mask, log_every=-1)
