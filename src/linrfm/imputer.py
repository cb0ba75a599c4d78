"""A scikit-learn-style imputer on top of :func:`linrfm.complete` (lin-RFM matrix completion).

``LinRFMImputer().fit_transform(X)`` fills the NaN entries of a 2-D array or DataFrame with the
lin-RFM estimate of a low-rank matrix that agrees with X on its observed entries, in the manner
of ``sklearn.impute.SimpleImputer`` / ``KNNImputer`` and fancyimpute's
``SoftImpute().fit_transform(X)``.

scikit-learn is optional (a dev dependency of linrfm). When it is importable the imputer derives
from ``sklearn.base.TransformerMixin`` and ``BaseEstimator`` (``clone``, ``Pipeline``,
``set_output``, estimator tags, ``sklearn.exceptions.NotFittedError``); otherwise from the small
``_ParamsMixin`` below, which gives ``get_params``/``set_params`` from the ``__init__`` signature
with scikit-learn's rules and nothing else. pandas is not a dependency either: a DataFrame is
recognised through ``sys.modules`` (an object can only be a DataFrame once pandas is imported),
so this module never imports it.

Departures from scikit-learn's estimator checks (``tests/test_imputer.py`` lists them, with the
same reasons, in ``EXPECTED_FAILED_CHECKS``):

- a fit on data without a NaN has nothing to complete: the solver does not run, ``n_iter_`` is 0
  (``check_transformer_n_iter`` wants ≥ 1);
- an object array with a non-number in it raises ``ValueError`` naming the entry, like every
  bad input in linrfm (``check_dtype_object`` wants ``TypeError``).
"""

from __future__ import annotations

import inspect
import numbers
import sys
import warnings

import numpy as np

from .solvers.completion import complete

try:
    from sklearn.base import BaseEstimator, TransformerMixin
    from sklearn.exceptions import NotFittedError

    HAVE_SKLEARN = True
except ImportError:  # pragma: no cover - exercised in a subprocess by the tests
    HAVE_SKLEARN = False

    class NotFittedError(ValueError, AttributeError):
        """``transform`` was called before ``fit`` (scikit-learn's class when installed)."""


class _ParamsMixin:
    """``get_params``/``set_params`` from the ``__init__`` signature: the stand-in for
    ``sklearn.base.BaseEstimator`` when scikit-learn is not installed (no nested estimators)."""

    @classmethod
    def _get_param_names(cls) -> list[str]:
        params = inspect.signature(cls.__init__).parameters.values()
        return sorted(p.name for p in params if p.name != "self" and p.kind is not p.VAR_KEYWORD)

    def get_params(self, deep: bool = True) -> dict:
        return {name: getattr(self, name) for name in self._get_param_names()}

    def set_params(self, **params):
        valid = self._get_param_names()
        for key, value in params.items():
            if key not in valid:
                raise ValueError(
                    f"Invalid parameter {key!r} for estimator {type(self).__name__}. "
                    f"Valid parameters are: {valid!r}."
                )
            setattr(self, key, value)
        return self

    def __repr__(self) -> str:
        defaults = inspect.signature(type(self).__init__).parameters
        changed = [
            f"{k}={v!r}" for k, v in self.get_params().items() if v is not defaults[k].default
        ]
        return f"{type(self).__name__}({', '.join(changed)})"


_BASES = (TransformerMixin, BaseEstimator) if HAVE_SKLEARN else (_ParamsMixin,)

#: ``complete``'s keyword defaults: the imputer's defaults have their one home in the solver.
_DEFAULTS = {
    name: p.default
    for name, p in inspect.signature(complete).parameters.items()
    if p.kind is p.KEYWORD_ONLY
}

#: the options of ``complete`` the imputer exposes, passed through unchanged
SOLVER_OPTIONS = (
    "alpha",
    "ridge",
    "eps",
    "max_iter",
    "tol",
    "device",
    "dtype",
    "features",
    "kernel",
    "anderson",
    "log_every",
)


def _dataframe_type():
    """pandas.DataFrame if pandas is already imported, else None (never imports pandas)."""
    pd = sys.modules.get("pandas")
    return getattr(pd, "DataFrame", None)


def _is_dataframe(X) -> bool:
    DataFrame = _dataframe_type()
    return DataFrame is not None and isinstance(X, DataFrame)


def _is_missing(v) -> bool:
    """None, a float NaN, or pandas' NA scalar."""
    if v is None or type(v).__name__ == "NAType":
        return True
    return isinstance(v, float | np.floating) and np.isnan(v)


def _objects_to_float(values: np.ndarray, column: str) -> np.ndarray:
    """A 1-D object array of real numbers and missing markers as float64 (missing → NaN)."""
    out = np.empty(values.shape[0], dtype=np.float64)
    for i, v in enumerate(values):
        if _is_missing(v):
            out[i] = np.nan
        elif isinstance(v, numbers.Real | np.bool_):
            out[i] = float(v)
        else:
            raise ValueError(
                f"{column} is not numeric: entry {i} is {v!r} ({type(v).__name__}); "
                "LinRFMImputer needs real numbers, with NaN (or None) for a missing entry"
            )
    return out


def _check_not_empty(shape: tuple[int, int]) -> None:
    for k, what in enumerate(("sample", "feature")):
        if shape[k] == 0:
            raise ValueError(
                f"X is empty: found array with 0 {what}(s) (shape={shape}) while a minimum of 1 "
                "is required."
            )


def _to_float_array(X) -> tuple[np.ndarray, list, list, np.ndarray | None]:
    """X as a float64 (n, d) array with NaN for missing entries, the row and column labels used
    in error messages, and the feature names (a DataFrame's column names when all are strings,
    else None). Raises ValueError for anything that is not a non-empty 2-D array of reals."""
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise ValueError(
            "sparse input is not supported: LinRFMImputer marks missing entries with NaN in a "
            "dense array (a sparse matrix's implicit zeros would be observed zeros); "
            "use X.toarray() if that is what you mean"
        )
    if _is_dataframe(X):
        import pandas as pd  # already imported: X is a DataFrame

        types = pd.api.types
        _check_not_empty(X.shape)
        columns = []
        for label, dtype in X.dtypes.items():
            where = f"column {label!r}"
            if types.is_complex_dtype(dtype):
                raise ValueError(f"Complex data not supported: {where} has dtype {dtype}")
            if types.is_numeric_dtype(dtype):
                col = X[label].to_numpy(dtype=np.float64, na_value=np.nan)
            elif types.is_object_dtype(dtype):
                col = _objects_to_float(X[label].to_numpy(dtype=object), where)
            else:
                raise ValueError(
                    f"{where} is not numeric (dtype {dtype}); LinRFMImputer needs real "
                    "numbers (convert it, e.g. with pd.to_numeric, or drop it)"
                )
            columns.append(col)
        Y = np.column_stack(columns)
        cols = list(X.columns)
        names = np.asarray(cols, dtype=object) if all(isinstance(c, str) for c in cols) else None
        return Y, list(X.index), cols, names

    A = np.asarray(X)
    if A.ndim != 2:
        raise ValueError(
            f"X must be a 2-D array (samples × features), got {A.ndim}-D input of shape "
            f"{A.shape}. Reshape your data: X.reshape(-1, 1) for a single feature, "
            "X.reshape(1, -1) for a single sample"
        )
    _check_not_empty(A.shape)
    kind = A.dtype.kind
    if kind == "c":
        raise ValueError(f"Complex data not supported: X has dtype {A.dtype}")
    if kind in "biuf":
        Y = A.astype(np.float64)
    elif kind == "O":
        Y = np.column_stack([_objects_to_float(A[:, j], f"column {j}") for j in range(A.shape[1])])
    else:
        raise ValueError(f"X is not numeric (dtype {A.dtype}); LinRFMImputer needs real numbers")
    return Y, list(range(A.shape[0])), list(range(A.shape[1])), None


class LinRFMImputer(*_BASES):
    """Fill the missing entries of a matrix by lin-RFM low-rank matrix completion.

    Given X ∈ ℝ^{n×d} (samples × features) with NaN at the missing entries, the observed set is
    Ω = {(i, j) : X_ij is not NaN}. The imputer runs Algorithm 1 of Radhakrishnan, Belkin and
    Drusvyatskiy (PNAS 2025) through ``linrfm.complete(X, Ω, **options)``: with K_t = M_tᵀM_t,
    each row of Z_t is the minimum-norm interpolant of that row's observed entries in the metric
    K_t (a ridge λ_t added), the observed entries are re-imposed, (Z_t)_Ω = X_Ω, and the feature
    matrix is updated from the AGOP, M_{t+1} = (Z_tᵀZ_t / n + εI)^α (on the smaller side of the
    matrix when ``features="auto"``). The iterates approach a low-rank Z with Z_Ω = X_Ω; the
    missing entries are read off Z and the observed entries are returned unchanged, bit for bit.

    No centring or scaling is done: put a ``StandardScaler`` (it passes NaN through) in front in a
    ``Pipeline`` if the features have very different scales.

    Parameters
    ----------
    alpha, ridge, eps, max_iter, tol, device, dtype, features, kernel, anderson, log_every :
        the options of :func:`linrfm.complete`, with its defaults, stored unchanged and passed
        through at fit time, where the solver validates them (a bad value is a ``ValueError``
        from ``complete``). Briefly: ``alpha`` the power of φ(s) = (s + eps)^alpha;
        ``ridge`` "auto" (spectral-gap schedule) or a fixed λ ≥ 0; ``max_iter``/``tol`` the
        iteration budget and stopping tolerance; ``device``/``dtype`` the torch device (None:
        CUDA when available) and precision (None: float64); ``features`` the side the feature
        matrix acts on ("alternating": both sides in turn, our extension, see ``complete``);
        ``kernel`` "auto"/"dense"/"lowrank"; ``anderson`` the Anderson memory; ``log_every``
        log progress every this many iterations (0: never).

    Attributes (set by ``fit``)
    ---------------------------
    result_ : linrfm.Result or None
        What ``complete`` returned for the fitted X (``result_.Z``, ``result_.n_iter``, ...);
        None when X had no missing entry (there is nothing to complete: the solver is not run
        and its options are not checked).
    n_iter_ : int
        ``result_.n_iter`` (0 when the solver did not run).
    completion_ : ndarray of shape (n, d), float64
        The completed fitted X: ``result_.Z`` with X's observed entries re-imposed exactly.
    mask_ : ndarray of shape (n, d), bool
        The observed set Ω of the fitted X.
    n_features_in_ : int
        d, the number of columns of the fitted X.
    feature_names_in_ : ndarray of shape (d,), object
        The column names, only when X was a DataFrame whose column names are all strings.

    Transduction
    ------------
    Matrix completion learns from the very matrix it completes, so ``fit`` does the work:
    ``fit(X)`` completes X and stores the completion. ``transform(X)`` then returns

    - for the fitted X itself (same shape, same Ω, same observed values): the stored completion,
      so ``fit_transform(X)`` equals ``fit(X).transform(X)`` exactly and costs one solve;
    - for other rows with the same d columns: the completion of the stacked matrix
      [fitted X; X], solved afresh with the same options, of which X's rows are returned (the
      fitted rows lend the new ones their column structure, as ``KNNImputer`` uses its training
      rows). ``transform`` changes no attribute.

    Either way the observed entries of the given X come back unchanged, and an input without NaN
    comes back as it is (as float64).

    Input
    -----
    A 2-D array-like or pandas DataFrame of real numbers (bool, int, float, or object entries that
    are numbers or None/NaN/pd.NA); a DataFrame comes back as a DataFrame with the same index and
    columns, an array as a float64 ndarray. A ``ValueError`` names the problem for: input that is
    not 2-D, empty input, sparse input, a non-numeric or complex column (named for a DataFrame),
    ±inf anywhere (only NaN marks a missing entry), all entries NaN, a different number of columns
    or different column names at transform time than at fit time, and a row or a column with no
    observed entry at all. Nothing can be learned about such a line (the solver would predict a
    row with no observation as zero, a column likewise): drop it or fill it before imputing. (At
    transform time only the rows of the new X are checked; every column is observed in the
    fitted part.)

    Examples
    --------
    >>> import numpy as np, linrfm
    >>> p = linrfm.completion_problem(60, 80, 3, 1200, seed=0)  # NaN off Ω
    >>> Z = LinRFMImputer().fit_transform(p.Y_obs)
    >>> bool(p.relative_test_error(Z) < 1e-5), bool(np.array_equal(Z[p.mask], p.Y_obs[p.mask]))
    (True, True)
    """

    def __init__(
        self,
        *,
        alpha=_DEFAULTS["alpha"],
        ridge=_DEFAULTS["ridge"],
        eps=_DEFAULTS["eps"],
        max_iter=_DEFAULTS["max_iter"],
        tol=_DEFAULTS["tol"],
        device=_DEFAULTS["device"],
        dtype=_DEFAULTS["dtype"],
        features=_DEFAULTS["features"],
        kernel=_DEFAULTS["kernel"],
        anderson=_DEFAULTS["anderson"],
        log_every=_DEFAULTS["log_every"],
    ):
        self.alpha = alpha
        self.ridge = ridge
        self.eps = eps
        self.max_iter = max_iter
        self.tol = tol
        self.device = device
        self.dtype = dtype
        self.features = features
        self.kernel = kernel
        self.anderson = anderson
        self.log_every = log_every

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags

    # -- the solver -------------------------------------------------------------------------

    def _solve(self, Y: np.ndarray, mask: np.ndarray):
        """(Z, Result or None) for the float array Y with observed set ``mask``; Z_Ω = Y_Ω."""
        if mask.all():
            return Y.copy(), None
        options = {name: getattr(self, name) for name in SOLVER_OPTIONS}
        result = complete(Y, mask, **options)
        return np.where(mask, Y, result.Z).astype(np.float64, copy=False), result

    # -- input checks -----------------------------------------------------------------------

    def _check_feature_names(self, names: np.ndarray | None) -> None:
        """scikit-learn's rules and messages for the column names seen at transform time."""
        fitted = getattr(self, "feature_names_in_", None)
        cls = type(self).__name__
        if fitted is None and names is not None:
            warnings.warn(
                f"X has feature names, but {cls} was fitted without feature names",
                UserWarning,
                stacklevel=3,
            )
        elif fitted is not None and names is None:
            warnings.warn(
                f"X does not have valid feature names, but {cls} was fitted with feature names",
                UserWarning,
                stacklevel=3,
            )
        elif fitted is not None and not np.array_equal(fitted, names):
            unseen = sorted(set(names) - set(fitted))
            missing = sorted(set(fitted) - set(names))
            message = "The feature names should match those that were passed during fit.\n"
            for title, group in (
                ("Feature names unseen at fit time:\n", unseen),
                ("Feature names seen at fit time, yet now missing:\n", missing),
            ):
                if group:
                    message += title + "".join(f"- {g}\n" for g in group[:5])
                    message += "- ...\n" if len(group) > 5 else ""
            if not unseen and not missing:
                message += "Feature names must be in the same order as they were in fit.\n"
            raise ValueError(message)

    def _validate(self, X, reset: bool) -> tuple[np.ndarray, np.ndarray, list, list]:
        """Float array, observed set and labels of X; on ``reset`` store the input attributes,
        else check X against them."""
        Y, rows, cols, names = _to_float_array(X)
        inf = np.isinf(Y)
        if inf.any():
            i, j = np.argwhere(inf)[0]
            raise ValueError(
                f"X holds ±inf at {int(inf.sum())} entr{'y' if inf.sum() == 1 else 'ies'}, the "
                f"first at row {rows[i]!r}, column {cols[j]!r}; only NaN may mark a missing entry"
            )
        d = Y.shape[1]
        if reset:
            self.n_features_in_ = d
            if names is not None:
                self.feature_names_in_ = names
            elif hasattr(self, "feature_names_in_"):
                del self.feature_names_in_
        else:
            self._check_feature_names(names)
            if d != self.n_features_in_:
                raise ValueError(
                    f"X has {d} features, but {type(self).__name__} is expecting "
                    f"{self.n_features_in_} features as input"
                )
        mask = ~np.isnan(Y)
        if not mask.any():
            raise ValueError(f"all entries of X are NaN (shape {Y.shape}): nothing is observed")
        lines = [("row", rows, mask.any(axis=1))]
        if reset:
            lines.append(("column", cols, mask.any(axis=0)))
        for what, labels, seen in lines:
            if not seen.all():
                empty = [labels[k] for k in np.flatnonzero(~seen)]
                shown = ", ".join(repr(e) for e in empty[:5]) + (", ..." if len(empty) > 5 else "")
                raise ValueError(
                    f"{len(empty)} {what}(s) of X have no observed entry ({what} {shown}): "
                    f"nothing can be learned about an all-NaN {what}; drop or fill it first"
                )
        return Y, mask, rows, cols

    def _output(self, X, Z: np.ndarray):
        if _is_dataframe(X):
            return type(X)(Z, index=X.index, columns=X.columns)
        return Z

    # -- the estimator API ------------------------------------------------------------------

    def fit(self, X, y=None):
        """Complete X (n, d; NaN = missing) and store the completion (see the class docstring).
        ``y`` is ignored. Returns self."""
        Y, mask, _, _ = self._validate(X, reset=True)
        Z, result = self._solve(Y, mask)
        self.result_ = result
        self.n_iter_ = 0 if result is None else int(result.n_iter)
        self.completion_ = Z
        self.mask_ = mask
        return self

    def transform(self, X):
        """X (m, d) with its NaN entries filled: the stored completion when X is the fitted X,
        else X's rows of the completion of [fitted X; X]. Observed entries are unchanged."""
        if not hasattr(self, "completion_"):
            raise NotFittedError(
                f"This {type(self).__name__} instance is not fitted yet. Call 'fit' with "
                "appropriate arguments before using this estimator."
            )
        Y, mask, _, _ = self._validate(X, reset=False)
        if mask.shape == self.mask_.shape and np.array_equal(mask, self.mask_):
            same = np.array_equal(Y[mask], self.completion_[mask])
        else:
            same = False
        if same:
            Z = self.completion_
        elif mask.all():
            Z = Y
        else:
            fitted = np.where(self.mask_, self.completion_, np.nan)
            Z, _ = self._solve(np.vstack([fitted, Y]), np.vstack([self.mask_, mask]))
            Z = Z[fitted.shape[0] :]
        return self._output(X, np.where(mask, Y, Z))

    def fit_transform(self, X, y=None):
        """``fit(X).transform(X)``, one solve: X (n, d) with its NaN entries filled."""
        return self.fit(X, y).transform(X)

    def get_feature_names_out(self, input_features=None) -> np.ndarray:
        """The output column names: the input's (the imputer keeps every column)."""
        if not hasattr(self, "n_features_in_"):
            raise NotFittedError(f"This {type(self).__name__} instance is not fitted yet.")
        fitted = getattr(self, "feature_names_in_", None)
        if input_features is None:
            if fitted is not None:
                return fitted.copy()
            return np.asarray([f"x{i}" for i in range(self.n_features_in_)], dtype=object)
        names = np.asarray(input_features, dtype=object)
        if len(names) != self.n_features_in_:
            raise ValueError(
                f"input_features should have length equal to number of features "
                f"({self.n_features_in_}), got {len(names)}"
            )
        if fitted is not None and not np.array_equal(fitted, names):
            raise ValueError("input_features is not equal to feature_names_in_")
        return names
