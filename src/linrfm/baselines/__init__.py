"""Baselines the paper compares lin-RFM with (Figs. 2, 3, 4, 7).

* :func:`nuclear_norm_completion`: min ||Z||_* s.t. Z_Ω = Y_Ω (or ||Z_Ω − Y_Ω||_2 ≤ δ), CVXPY.
* :func:`l1_regression`: min ||w||_1 s.t. Xw = y, CVXPY.
* :func:`deep_linear_completion`: deep linear network Z = W_L···W_1 trained with RMSProp
  (Arora et al. 2019); :func:`deep_linear_completion_batched` trains B of them (own seeds, own
  masks) as one batched program, each member equal to its single run.
* :func:`diagonal_net_regression`: depth-2 diagonal network f(x) = xᵀ(w2 ⊙ w1), gradient descent.

Beyond the paper, the field's standard benchmark (:func:`linrfm.data.standard_problem`):

* :func:`matrix_irls`: MatrixIRLS (Kümmerle & Verdun 2021), IRLS for the smoothed log-det with
  conjugate gradients on the tangent space, given the rank.
* :func:`r2rils`: R2RILS (Bauch, Nadler & Zilber 2021), rank-2r least squares on Ω with
  column-space averaging, given the rank.
* :func:`soft_impute`: Soft-Impute (Mazumder, Hastie & Tibshirani 2010), singular value soft
  thresholding, a single λ or a warm-started path.
"""

from .batched_nets import deep_linear_completion_batched
from .convex import l1_regression, nuclear_norm_completion
from .linear_nets import deep_linear_completion, diagonal_net_regression
from .matrix_irls import matrix_irls
from .r2rils import r2rils
from .soft_impute import soft_impute

__all__ = [
    "deep_linear_completion",
    "deep_linear_completion_batched",
    "diagonal_net_regression",
    "l1_regression",
    "matrix_irls",
    "nuclear_norm_completion",
    "r2rils",
    "soft_impute",
]
