"""The paper's selection protocol (looks at test entries) and the honest one (never does)."""

import inspect

import numpy as np
import pytest

import linrfm
from linrfm.protocols import honest_protocol, paper_protocol, validation_split

GRID = [5e-2, 1e-2, 1e-3]


@pytest.fixture(scope="module")
def problem():
    return linrfm.completion_problem(40, 40, 2, 600, seed=3)


def test_paper_protocol_picks_lowest_test_error_and_stops_early(problem):
    p = problem
    sel = paper_protocol(p.Y_obs, p.mask, p.Y_true, ridges=GRID, alpha=1.0, max_iter=300)
    scores = {r["ridge"]: r["selection_score"] for r in sel.candidates}
    assert sel.ridge == min(scores, key=scores.get)
    assert p.test_mse(sel.Z) == pytest.approx(scores[sel.ridge])
    assert p.test_mse(sel.Z) < 1e-3  # the protocol's target
    stopped = [r for r in sel.candidates if r["selection_score"] < 1e-3]
    assert all(r["n_iter"] < 300 for r in stopped)  # early stop on test error


def test_honest_protocol_never_sees_truth_and_recovers(problem):
    p = problem
    assert "Y_true" not in inspect.signature(honest_protocol).parameters
    sel = honest_protocol(p.Y_obs, p.mask, ridges=GRID, alpha=1.0, max_iter=300, seed=1)
    assert sel.protocol == "honest" and sel.ridge in GRID
    assert len(sel.candidates) == len(GRID)
    assert p.test_mse(sel.Z) < 1e-3
    again = honest_protocol(p.Y_obs, p.mask, ridges=GRID, alpha=1.0, max_iter=300, seed=1)
    np.testing.assert_array_equal(sel.Z, again.Z)


def test_validation_split_is_a_partition_of_the_observed_set(problem):
    fit, val = validation_split(problem.mask, 0.2, seed=0)
    assert not (fit & val).any()
    np.testing.assert_array_equal(fit | val, problem.mask)
    assert abs(val.sum() - 0.2 * problem.mask.sum()) <= 0.02 * problem.mask.sum() + 1
    has_obs = problem.mask.any(axis=1)
    assert fit[has_obs].any(axis=1).all()


def test_protocols_reject_bad_arguments(problem):
    p = problem
    with pytest.raises(ValueError, match="ridges must hold at least one value"):
        honest_protocol(p.Y_obs, p.mask, ridges=[])
    with pytest.raises(ValueError, match="val_fraction"):
        honest_protocol(p.Y_obs, p.mask, ridges=GRID, val_fraction=1.5)
    with pytest.raises(ValueError, match="Y_true shape"):
        paper_protocol(p.Y_obs, p.mask, p.Y_true[:-1], ridges=GRID)


def test_paper_protocol_can_stop_at_the_first_ridge_that_reaches_the_target(problem):
    p = problem
    grid = [1e-1, 1e-3, 1e-4, 1e-2]
    kw = dict(ridges=grid, alpha=1.0, max_iter=300, target_mse=1e-3)
    full = paper_protocol(p.Y_obs, p.mask, p.Y_true, batch=False, **kw)  # one by one, as below
    first = paper_protocol(p.Y_obs, p.mask, p.Y_true, stop_at_success=True, **kw)
    reached = [c["ridge"] for c in full.candidates if c["selection_score"] < 1e-3]
    assert len(reached) >= 2  # a choice between successful ridges exists
    assert first.ridge == reached[0]  # the first in grid order, not necessarily the best
    assert [c["ridge"] for c in first.candidates] == grid[: grid.index(reached[0]) + 1]
    assert first.candidates == full.candidates[: len(first.candidates)]
    assert p.test_mse(first.Z) < 1e-3
