"""linrfm: lin-RFM (Radhakrishnan, Belkin, Drusvyatskiy, PNAS 2025), its variants and baselines.

Solvers (each returns a :class:`~linrfm.result.Result`):

- :func:`complete` — lin-RFM for matrix completion (Algorithm 1, SVD-free Section 4 form);
  :func:`complete_lowrank` the same from (row, col, value) triplets, never forming the matrix;
  :func:`complete_grid` one run per fixed ridge of a grid, as one batched program
- :func:`sense` — lin-RFM for dense matrix sensing (Algorithm 1 as written)
- :func:`sparse_regression` — lin-RFM for sparse linear regression (Algorithm 4)
- :func:`deep_sense`, :func:`deep_complete` — depth-L lin-RFM (Algorithm 2)
- :func:`irls` — IRLS-p of Mohan & Fazel (Algorithm 3), the independent reference

Every solver stops with a :class:`Status` and a message; a callback receives an
:class:`IterationState` after every iteration.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

#: public name -> the submodule that defines it. Imported on first use (PEP 562), so that
#: ``import linrfm.data`` (the workflow's Snakefile does it at every start-up, twice per SLURM job)
#: does not pay for torch and scikit-learn.
_EXPORTS = {
    "completion_problem": "data",
    "degrees_of_freedom": "data",
    "sparse_regression_problem": "data",
    "LinRFMImputer": "imputer",
    "Selection": "protocols",
    "TestErrorWatch": "protocols",
    "honest_protocol": "protocols",
    "paper_protocol": "protocols",
    "History": "result",
    "IterationState": "result",
    "Result": "result",
    "Status": "result",
    "complete": "solvers.completion",
    "complete_lowrank": "solvers.completion",
    "complete_grid": "solvers.grid",
    "deep_complete": "solvers.deep",
    "deep_sense": "solvers.deep",
    "irls": "solvers.irls",
    "LowRankCompletion": "solvers.lowrank",
    "RidgeDecay": "solvers.schedule",
    "SpectralRidge": "solvers.schedule",
    "sense": "solvers.sensing",
    "sparse_regression": "solvers.sparse",
    "NonFiniteIterateError": "validation",
}

if TYPE_CHECKING:  # what static tools see; at run time the names come from __getattr__
    from .data import completion_problem, degrees_of_freedom, sparse_regression_problem
    from .imputer import LinRFMImputer
    from .protocols import Selection, TestErrorWatch, honest_protocol, paper_protocol
    from .result import History, IterationState, Result, Status
    from .solvers.completion import complete, complete_lowrank
    from .solvers.deep import deep_complete, deep_sense
    from .solvers.grid import complete_grid
    from .solvers.irls import irls
    from .solvers.lowrank import LowRankCompletion
    from .solvers.schedule import RidgeDecay, SpectralRidge
    from .solvers.sensing import sense
    from .solvers.sparse import sparse_regression
    from .validation import NonFiniteIterateError


def __getattr__(name: str) -> Any:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'linrfm' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(f".{module}", __name__), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *_EXPORTS})


__all__ = [
    "History",
    "LinRFMImputer",
    "IterationState",
    "LowRankCompletion",
    "NonFiniteIterateError",
    "Result",
    "RidgeDecay",
    "Status",
    "TestErrorWatch",
    "complete",
    "complete_lowrank",
    "complete_grid",
    "completion_problem",
    "deep_complete",
    "deep_sense",
    "honest_protocol",
    "paper_protocol",
    "Selection",
    "SpectralRidge",
    "degrees_of_freedom",
    "irls",
    "sense",
    "sparse_regression",
    "sparse_regression_problem",
]
__version__ = "0.1.0"
