"""Default settings of the lin-RFM completion solvers (one place for each)."""

#: AGOP updates at most (``max_iter``)
DEFAULT_MAX_ITER = 6000
#: stop when the relative change of the iterate falls below this (``tol``)
DEFAULT_TOL = 1e-9
#: memory of the Anderson mixing with a ``SpectralRidge`` schedule (``anderson="auto"``)
DEFAULT_ANDERSON = 5
