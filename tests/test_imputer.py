"""LinRFMImputer: recovery, equality with linrfm.complete, DataFrames, scikit-learn API and checks,
bad input, and the module without scikit-learn and pandas."""

import inspect
import subprocess
import sys
import textwrap

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import check_estimator

import linrfm
from linrfm import LinRFMImputer
from linrfm.imputer import SOLVER_OPTIONS

#: scikit-learn checks that do not apply to this transductive imputer, with the reason
#: (the same two are listed in the module docstring of linrfm.imputer)
EXPECTED_FAILED_CHECKS = {
    "check_transformer_n_iter": (
        "the check fits data without a NaN: there is nothing to complete, the solver does not run "
        "and n_iter_ is 0 (the check wants >= 1)"
    ),
    "check_dtype_object": (
        "an object array holding a dict must raise TypeError for the check; the imputer raises "
        "ValueError naming the entry, like every bad input in linrfm"
    ),
}

D1, D2, RANK = 60, 80, 3
N_OBS = 3 * linrfm.degrees_of_freedom(D1, D2, RANK)  # 1233 of 4800 entries


@pytest.fixture(scope="module")
def problem():
    return linrfm.completion_problem(D1, D2, RANK, N_OBS, seed=0)


@pytest.fixture(scope="module")
def completed(problem):
    imp = LinRFMImputer(device="cpu")
    return imp, imp.fit_transform(problem.Y_obs)


def test_recovers_low_rank_matrix_and_keeps_observed_entries(problem, completed):
    imp, Z = completed
    assert np.isnan(problem.Y_obs[~problem.mask]).all()
    assert Z.shape == (D1, D2) and Z.dtype == np.float64 and np.isfinite(Z).all()
    assert problem.relative_test_error(Z) < 1e-5
    # observed entries come back bit for bit
    assert np.array_equal(Z[problem.mask], problem.Y_obs[problem.mask])
    assert 1 <= imp.n_iter_ < 6000 and imp.n_iter_ == imp.result_.n_iter
    assert imp.n_features_in_ == D2 and not hasattr(imp, "feature_names_in_")
    assert np.array_equal(imp.mask_, problem.mask)
    assert np.array_equal(imp.completion_, Z)


def test_fit_transform_equals_fit_then_transform(problem, completed):
    _, Z = completed
    imp = LinRFMImputer(device="cpu").fit(problem.Y_obs)
    assert np.array_equal(imp.transform(problem.Y_obs), Z)
    assert np.array_equal(imp.transform(problem.Y_obs.copy()), Z)


def test_equals_complete_called_directly(problem):
    options = {"features": "rows", "anderson": 0, "max_iter": 50, "tol": 1e-12, "device": "cpu"}
    result = linrfm.complete(problem.Y_obs, problem.mask, **options)
    expected = np.where(problem.mask, problem.Y_obs, result.Z)
    imp = LinRFMImputer(**options)
    Z = imp.fit_transform(problem.Y_obs)
    np.testing.assert_array_equal(Z, expected)
    assert imp.n_iter_ == result.n_iter == 50
    # the options do reach the solver: the default side and mixing give another iterate
    other = LinRFMImputer(max_iter=50, device="cpu").fit_transform(problem.Y_obs)
    assert np.abs(other - Z).max() > 1e-3


def test_features_alternating_reaches_the_solver(problem):
    # our extension (both sides in turn) through the imputer: the same numbers as complete()
    imp = LinRFMImputer(features="alternating", device="cpu")
    Z = imp.fit_transform(problem.Y_obs)
    result = linrfm.complete(problem.Y_obs, problem.mask, features="alternating", device="cpu")
    np.testing.assert_array_equal(Z, np.where(problem.mask, problem.Y_obs, result.Z))
    assert result.extras["features"] == "alternating" and imp.n_iter_ == result.n_iter
    assert problem.relative_test_error(Z) < 1e-6


def test_defaults_are_the_solvers():
    solver = inspect.signature(linrfm.complete).parameters
    ours = inspect.signature(LinRFMImputer).parameters
    assert sorted(ours) == sorted(SOLVER_OPTIONS)
    for name in SOLVER_OPTIONS:
        assert ours[name].default == solver[name].default, name
    assert LinRFMImputer().get_params() == {name: solver[name].default for name in SOLVER_OPTIONS}


def test_transform_new_rows_uses_fitted_rows(problem):
    """New rows are completed jointly with the fitted ones: X's rows of complete([fit; X])."""
    top, bottom = problem.Y_obs[:40], problem.Y_obs[40:]
    imp = LinRFMImputer(device="cpu").fit(top)
    state = dict(vars(imp))
    Z = imp.transform(bottom)
    assert vars(imp).keys() == state.keys() and imp.completion_ is state["completion_"]
    # [fitted X; X] is the whole problem here
    direct = linrfm.complete(problem.Y_obs, problem.mask, device="cpu").Z[40:]
    m = problem.mask[40:]
    np.testing.assert_array_equal(Z, np.where(m, bottom, direct))
    truth = problem.Y_true[40:]
    assert np.linalg.norm((Z - truth)[~m]) / np.linalg.norm(truth[~m]) < 1e-5
    # data without NaN comes back as it is
    full = problem.Y_true[:5]
    assert np.array_equal(imp.transform(full), full)


def test_dataframe_in_dataframe_out(problem, completed):
    _, Z = completed
    index = pd.Index([f"s{i}" for i in range(D1)], name="sample")
    columns = [f"f{j}" for j in range(D2)]
    df = pd.DataFrame(problem.Y_obs, index=index, columns=columns)
    imp = LinRFMImputer(device="cpu")
    out = imp.fit_transform(df)
    assert isinstance(out, pd.DataFrame)
    assert out.index.equals(df.index) and list(out.columns) == columns
    np.testing.assert_array_equal(out.to_numpy(), Z)
    assert list(imp.feature_names_in_) == columns
    assert list(imp.get_feature_names_out()) == columns
    # nullable and object columns with pd.NA / None are read as numbers with NaN
    mixed = df.astype({"f0": "Float64", "f1": object})
    mixed.loc[~problem.mask[:, 0], "f0"] = pd.NA
    mixed.loc[~problem.mask[:, 1], "f1"] = None
    np.testing.assert_array_equal(LinRFMImputer(device="cpu").fit_transform(mixed).to_numpy(), Z)
    with pytest.raises(ValueError, match="Feature names unseen at fit time:\n- g0"):
        imp.transform(df.rename(columns={"f0": "g0"}))


def test_params_clone_and_pipeline(problem, completed):
    _, Z = completed
    imp = LinRFMImputer(max_iter=100, ridge=1e-6)
    params = imp.get_params()
    assert params["max_iter"] == 100 and params["ridge"] == 1e-6
    assert imp.set_params(alpha=1.0, tol=1e-8) is imp
    assert imp.get_params() == {**params, "alpha": 1.0, "tol": 1e-8}
    assert LinRFMImputer(**imp.get_params()).get_params() == imp.get_params()
    twin = clone(imp)
    assert twin is not imp and twin.get_params() == imp.get_params()
    with pytest.raises(ValueError, match="Invalid parameter 'alpah'"):
        imp.set_params(alpah=1.0)

    pipe = Pipeline([("impute", LinRFMImputer(device="cpu")), ("scale", StandardScaler())])
    out = pipe.fit_transform(problem.Y_obs)
    np.testing.assert_allclose(out, StandardScaler().fit_transform(Z), rtol=0, atol=1e-12)
    assert pipe.set_params(impute__max_iter=7).named_steps["impute"].max_iter == 7


def test_scikit_learn_estimator_checks():
    results = check_estimator(
        LinRFMImputer(max_iter=20, device="cpu"),
        expected_failed_checks=EXPECTED_FAILED_CHECKS,
        on_fail=None,
        on_skip=None,
    )
    failed = {r["check_name"]: repr(r["exception"]) for r in results if r["status"] == "failed"}
    assert failed == {}
    status = {r["check_name"]: r["status"] for r in results}
    # every listed check really fails (the list stays honest), and the rest ran
    assert {name: status[name] for name in EXPECTED_FAILED_CHECKS} == dict.fromkeys(
        EXPECTED_FAILED_CHECKS, "xfail"
    )
    passed = [name for name, s in status.items() if s == "passed"]
    assert len(passed) >= 40, status


BAD_INPUT = [
    (np.full((4, 3), np.nan), "all entries of X are NaN"),
    (np.array([[1.0, np.inf], [np.nan, 2.0]]), r"±inf at 1 entry, the first at row 0, column 1"),
    (np.array([1.0, np.nan, 3.0]), "must be a 2-D array.*1-D input of shape \\(3,\\)"),
    (np.ones((2, 2, 2)), "must be a 2-D array.*3-D"),
    (np.empty((0, 3)), r"X is empty: found array with 0 sample\(s\)"),
    (np.empty((3, 0)), r"X is empty: found array with 0 feature\(s\)"),
    (np.array([[1.0, 2.0], [np.nan, np.nan], [3.0, 4.0]]), r"1 row\(s\) of X .*\(row 1\)"),
    (np.array([[1.0, np.nan], [2.0, np.nan]]), r"1 column\(s\) of X .*\(column 1\)"),
    (np.array([["a", "b"]]), "X is not numeric \\(dtype <U1\\)"),
    (np.array([[1.0, "x"]], dtype=object), "column 1 is not numeric: entry 0 is 'x'"),
    (np.array([[1 + 1j, 2.0]]), "Complex data not supported"),
]


@pytest.mark.parametrize(("X", "match"), BAD_INPUT)
def test_bad_input_is_a_value_error_naming_it(X, match):
    with pytest.raises(ValueError, match=match):
        LinRFMImputer().fit(X)


def test_bad_dataframe_input_names_the_column():
    df = pd.DataFrame({"height": [1.0, np.nan, 3.0], "city": ["a", "b", "c"]})
    with pytest.raises(ValueError, match="column 'city' is not numeric \\(dtype (str|object)\\)"):
        LinRFMImputer().fit(df)
    df = pd.DataFrame({"height": [1.0, np.nan, 3.0], "note": pd.Series([2.0, "n/a", None])})
    with pytest.raises(ValueError, match="column 'note' is not numeric: entry 1 is 'n/a'"):
        LinRFMImputer().fit(df)
    df = pd.DataFrame({"height": [1.0, np.nan, 3.0], "day": pd.date_range("2020", periods=3)})
    with pytest.raises(ValueError, match="column 'day' is not numeric \\(dtype datetime64"):
        LinRFMImputer().fit(df)
    df = pd.DataFrame({"a": [1.0, np.nan], "b": [np.inf, 2.0]}, index=["x", "y"])
    with pytest.raises(ValueError, match="±inf .* row 'x', column 'b'"):
        LinRFMImputer().fit(df)
    df = pd.DataFrame({"a": [1.0, np.nan, 2.0], "b": [np.nan, np.nan, 2.0]}, index=["x", "y", "z"])
    with pytest.raises(ValueError, match=r"1 row\(s\) of X have no observed entry \(row 'y'\)"):
        LinRFMImputer().fit(df)
    with pytest.raises(ValueError, match="1-D input"):
        LinRFMImputer().fit(df["a"])


def test_transform_checks(problem):
    imp = LinRFMImputer(device="cpu")
    with pytest.raises(ValueError, match="not fitted yet"):
        imp.transform(problem.Y_obs)
    imp.fit(problem.Y_obs[:40])
    with pytest.raises(ValueError, match="X has 79 features, but LinRFMImputer is expecting 80"):
        imp.transform(problem.Y_obs[40:, 1:])
    bad = problem.Y_obs[40:].copy()
    bad[3] = np.nan
    with pytest.raises(ValueError, match=r"1 row\(s\) of X have no observed entry \(row 3\)"):
        imp.transform(bad)
    with pytest.raises(ValueError, match="alpha must be a finite number > 0"):
        LinRFMImputer(alpha=-1.0).fit(problem.Y_obs)  # options are checked at fit by the solver


def test_imports_and_works_without_scikit_learn_and_pandas():
    """The fallback base class: get_params/set_params from the __init__ signature."""
    code = textwrap.dedent(
        """
        import sys
        sys.modules["sklearn"] = None  # any import of it raises ImportError
        sys.modules["pandas"] = None
        import numpy as np, torch
        torch.set_num_threads(1)
        from linrfm.imputer import HAVE_SKLEARN, LinRFMImputer
        assert not HAVE_SKLEARN
        imp = LinRFMImputer(max_iter=30)
        assert imp.get_params()["max_iter"] == 30 and imp.set_params(alpha=1.0) is imp
        assert imp.get_params()["alpha"] == 1.0
        assert repr(imp) == "LinRFMImputer(alpha=1.0, max_iter=30)", repr(imp)
        try:
            imp.set_params(nope=1)
        except ValueError as e:
            assert "Invalid parameter 'nope'" in str(e)
        else:
            raise AssertionError("set_params accepted an unknown name")
        try:
            imp.transform(np.ones((2, 2)))
        except ValueError as e:
            assert "not fitted" in str(e)
        X = np.array([[1.0, 2.0, 3.0], [2.0, np.nan, 6.0], [3.0, 6.0, np.nan]])
        Z = imp.fit_transform(X)
        assert np.isfinite(Z).all() and np.array_equal(Z[~np.isnan(X)], X[~np.isnan(X)])
        print("ok")
        """
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == "ok"
