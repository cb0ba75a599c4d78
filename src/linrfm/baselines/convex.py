"""Convex baselines solved with CVXPY: minimum nuclear norm completion and minimum ℓ1 regression.

These are the "min nuclear norm" and "min ℓ1" curves of Figs. 2, 3, 4 and 7 (Appendix E: "For
minimizing nuclear-norm [ℓ1-norm], we utilized the CVXPY library").

Default solvers: SCS (first-order, tolerances tightened to 1e-7) for the nuclear norm SDP, as Arora
et al. 2019 did; CLARABEL (interior point, its default tolerances 1e-8; tighter ones make it report
``optimal_inaccurate`` more often without a better solution) for the ℓ1 linear program. CLARABEL
also solves the SDP accurately but treats the (d1 + d2)-dimensional PSD cone densely, out of reach
for the paper's 100 × 100 (docs/design.md). ``solver`` picks any installed CVXPY solver
by name; ``solver_options`` is passed to ``Problem.solve`` and replaces the defaults below.
"""

from __future__ import annotations

import time
from types import ModuleType
from typing import TYPE_CHECKING, Any

import numpy as np

from ..result import History, Result, Status
from ..validation import check_completion_input, check_nonnegative, check_regression_input

if TYPE_CHECKING:
    import cvxpy as cp

#: Extra options used when the named solver is picked without ``solver_options``.
_DEFAULT_OPTIONS: dict[str, dict[str, Any]] = {
    "SCS": {"eps_abs": 1e-7, "eps_rel": 1e-7, "max_iters": 200_000},
}

_SDP_SOLVERS = ("SCS", "CLARABEL")
_LP_SOLVERS = ("CLARABEL", "SCS")


def _cvxpy() -> ModuleType:
    """CVXPY, imported on first use (it adds ~1.5 s to every job that never solves a program)."""
    import cvxpy

    return cvxpy


def _pick_solver(solver: str | None, preferred: tuple[str, ...]) -> str:
    cp = _cvxpy()
    installed = cp.installed_solvers()
    if solver is None:
        for name in preferred:
            if name in installed:
                return name
        raise ValueError(f"none of {preferred} is installed (installed: {installed})")
    if not isinstance(solver, str) or solver.upper() not in installed:
        raise ValueError(
            f"solver must be one of the installed CVXPY solvers {installed}, got {solver!r}"
        )
    return solver.upper()


def _solve(
    problem: cp.Problem,
    solver: str | None,
    solver_options: dict[str, Any] | None,
    what: str,
    preferred: tuple[str, ...],
) -> tuple[str, float, int]:
    """Solve ``problem``; return (status, seconds, solver iterations). ValueError on failure."""
    cp = _cvxpy()
    name = _pick_solver(solver, preferred)
    options = (
        dict(_DEFAULT_OPTIONS.get(name, {})) if solver_options is None else dict(solver_options)
    )
    t0 = time.perf_counter()
    try:
        problem.solve(solver=name, **options)
    except cp.error.SolverError as exc:
        raise ValueError(f"{what}: solver {name} failed ({exc})") from exc
    seconds = time.perf_counter() - t0
    status = problem.status
    if status not in (cp.OPTIMAL, cp.OPTIMAL_INACCURATE) or problem.value is None:
        raise ValueError(
            f"{what}: solver {name} returned status {status!r} (value {problem.value!r}); "
            "the constraints may be infeasible"
        )
    stats = problem.solver_stats
    n_iter = int(stats.num_iters) if stats is not None and stats.num_iters is not None else 0
    return status, seconds, n_iter


def nuclear_norm_completion(
    Y: np.ndarray,
    mask: np.ndarray,
    *,
    noise: float | None = None,
    solver: str | None = None,
    solver_options: dict[str, Any] | None = None,
) -> Result:
    """Minimum nuclear norm completion of the (d1, d2) matrix ``Y`` from its entries in Ω = mask.

    Exact form (``noise`` None or 0):   min ||Z||_*  s.t.  Z_Ω = Y_Ω.
    Noisy form (``noise`` = δ > 0):     min ||Z||_*  s.t.  ||Z_Ω − Y_Ω||_2 ≤ δ,

    where ``Z_Ω`` is the vector of the |Ω| observed entries, so δ bounds the Frobenius misfit on Ω
    (not the per-entry misfit). For labels with i.i.d. N(0, σ²) noise on |Ω| = n entries a natural
    choice is δ = σ·sqrt(n) (Fig. 7).

    Parameters
    ----------
    Y : (d1, d2) array; entries where ``mask`` is False are never read (they may be NaN).
    mask : (d1, d2) bool array, the observed set Ω (non-empty).
    noise : δ ≥ 0, the bound on ||Z_Ω − Y_Ω||_2, or None for exact interpolation.
    solver : name of an installed CVXPY solver; None uses SCS (else CLARABEL).
    solver_options : keyword arguments for ``cvxpy.Problem.solve`` (replace the defaults).

    Returns
    -------
    Result with ``Z`` (d1, d2), ``n_iter`` (solver iterations, 0 when the solver does not report
    them), ``converged`` (status ``optimal``; ``optimal_inaccurate`` gives False), a one-entry
    ``history`` (residual = ||Z_Ω − Y_Ω||_2 / ||Y_Ω||_2, rel_change = nan, seconds = solve time)
    and ``extras["objective"]`` = ||Z||_* at the solution (0-d array).

    Raises
    ------
    ValueError on bad inputs, or naming the solver status when the solve fails.
    """
    Y, mask = check_completion_input(Y, mask)
    if noise is not None:
        noise = check_nonnegative("noise", noise)
    rows, cols = np.nonzero(mask)
    y = Y[rows, cols]  # only observed entries are read

    cp = _cvxpy()
    Z = cp.Variable(Y.shape)
    Z_obs = Z[rows, cols]  # vectorised (fancy) indexing: the |Ω| observed entries
    if noise is None or noise == 0.0:
        constraints = [Z_obs == y]
    else:
        constraints = [cp.norm(Z_obs - y, 2) <= noise]
    problem = cp.Problem(cp.Minimize(cp.normNuc(Z)), constraints)
    status, seconds, n_iter = _solve(
        problem, solver, solver_options, "nuclear_norm_completion", _SDP_SOLVERS
    )

    Z_hat = np.asarray(Z.value, dtype=np.float64)
    return _result(
        "nuclear_norm_completion", Z_hat, Z_hat[rows, cols], y, problem, status, seconds, n_iter
    )


def l1_regression(
    X: np.ndarray,
    y: np.ndarray,
    *,
    solver: str | None = None,
    solver_options: dict[str, Any] | None = None,
) -> Result:
    """Minimum ℓ1-norm interpolant (basis pursuit):  min ||w||_1  s.t.  X w = y.

    Parameters
    ----------
    X : (n, d) design matrix; y : (n,) labels. The system must be consistent (typically n ≤ d).
    solver : name of an installed CVXPY solver; None uses CLARABEL (else SCS).
    solver_options : keyword arguments for ``cvxpy.Problem.solve`` (replace the defaults).

    Returns
    -------
    Result with ``w`` (d,), ``n_iter`` (solver iterations), ``converged`` (status ``optimal``), a
    one-entry ``history`` (residual = ||X w − y||_2 / ||y||_2) and ``extras["objective"]`` =
    ||w||_1.

    Raises
    ------
    ValueError on bad inputs, or naming the solver status (e.g. infeasible when Xw = y has no
    solution).
    """
    X, y = check_regression_input(X, y)
    cp = _cvxpy()
    w = cp.Variable(X.shape[1])
    problem = cp.Problem(cp.Minimize(cp.norm1(w)), [X @ w == y])
    status, seconds, n_iter = _solve(problem, solver, solver_options, "l1_regression", _LP_SOLVERS)

    w_hat = np.asarray(w.value, dtype=np.float64)
    return _result("l1_regression", w_hat, X @ w_hat, y, problem, status, seconds, n_iter)


def _result(
    name: str,
    x: np.ndarray,
    fitted: np.ndarray,
    y: np.ndarray,
    problem: Any,
    status: str,
    seconds: float,
    n_iter: int,
) -> Result:
    """The Result of a solved convex program: a one-entry history (residual = relative misfit of
    ``fitted`` to ``y``), status "tolerance" when the solver reports optimal."""
    y_norm = float(np.linalg.norm(y)) or 1.0
    residual = float(np.linalg.norm(fitted - y)) / y_norm
    history = History(residual=[residual], rel_change=[float("nan")], seconds=[seconds])
    ok = status == "optimal"
    return Result(
        x=x,
        n_iter=n_iter,
        status=Status.TOLERANCE if ok else Status.MAX_ITER,
        message=f"{name}: solver status {status} after {n_iter} iterations",
        history=history,
        extras={"objective": np.array(float(problem.value))},
    )
