"""linrfm: lin-RFM (Radhakrishnan, Belkin, Drusvyatskiy, PNAS 2025), its variants and baselines.

Solvers (each returns a :class:`~linrfm.result.Result`):

- :func:`complete` — lin-RFM for matrix completion (Algorithm 1, SVD-free Section 4 form);
  :func:`complete_lowrank` the same from (row, col, value) triplets, never forming the matrix
- :func:`sense` — lin-RFM for dense matrix sensing (Algorithm 1 as written)
- :func:`sparse_regression` — lin-RFM for sparse linear regression (Algorithm 4)
- :func:`deep_sense`, :func:`deep_complete` — depth-L lin-RFM (Algorithm 2)
- :func:`irls` — IRLS-p of Mohan & Fazel (Algorithm 3), the independent reference

Every solver stops with a :class:`Status` and a message; a callback receives an
:class:`IterationState` after every iteration.
"""

from .data import completion_problem, degrees_of_freedom, sparse_regression_problem
from .imputer import LinRFMImputer
from .protocols import Selection, TestErrorWatch, honest_protocol, paper_protocol
from .result import History, IterationState, Result, Status
from .solvers.completion import complete, complete_lowrank
from .solvers.deep import deep_complete, deep_sense
from .solvers.irls import irls
from .solvers.lowrank import LowRankCompletion
from .solvers.schedule import RidgeDecay, SpectralRidge
from .solvers.sensing import sense
from .solvers.sparse import sparse_regression
from .validation import NonFiniteIterateError

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
