"""Baselines the paper compares lin-RFM with (Figs. 2, 3, 4, 7).

* :func:`nuclear_norm_completion`: min ||Z||_* s.t. Z_Ω = Y_Ω (or ||Z_Ω − Y_Ω||_2 ≤ δ), CVXPY.
* :func:`l1_regression`: min ||w||_1 s.t. Xw = y, CVXPY.
* :func:`deep_linear_completion`: deep linear network Z = W_L···W_1 trained with RMSProp
  (Arora et al. 2019).
* :func:`diagonal_net_regression`: depth-2 diagonal network f(x) = xᵀ(w2 ⊙ w1), gradient descent.
"""

from .convex import l1_regression, nuclear_norm_completion
from .linear_nets import deep_linear_completion, diagonal_net_regression

__all__ = [
    "deep_linear_completion",
    "diagonal_net_regression",
    "l1_regression",
    "nuclear_norm_completion",
]
