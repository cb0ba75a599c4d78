"""The low-rank-plus-shift kernel (``linrfm.solvers.lowrank``) against the dense path and numpy."""

import numpy as np
import pytest
import torch

from linrfm import SpectralRidge, complete
from linrfm.data import completion_problem
from linrfm.solvers.completion import choose_kernel, complete_lowrank
from linrfm.solvers.lowrank import (
    LOWRANK_MIN_DIM,
    LOWRANK_MIN_OBS_PER_ROW,
    FactoredIterate,
    LowRankCompletion,
)
from linrfm.solvers.observed import Observed


def _observed(p):
    rows, cols = np.nonzero(p.mask)
    return rows, cols, p.Y_obs[rows, cols]


def test_untruncated_lowrank_kernel_reproduces_the_dense_iterates():
    """With every eigenpair kept (q = d2) the truncation is exact: the same λ_t and Z_t as the
    dense path with the same SpectralRidge, no Anderson."""
    p = completion_problem(30, 12, 2, 200, seed=3)
    ridge = SpectralRidge(oversample=12)
    kw = dict(alpha=0.5, ridge=ridge, max_iter=25, tol=0.0, anderson=0)
    dense = complete(p.Y_obs, p.mask, kernel="dense", features="columns", **kw)
    low = complete(p.Y_obs, p.mask, kernel="lowrank", features="columns", **kw)
    np.testing.assert_allclose(low.extras["ridge"], dense.extras["ridge"], rtol=1e-8)
    np.testing.assert_array_equal(low.extras["rank"], dense.extras["rank"])
    np.testing.assert_allclose(low.Z, dense.Z, rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("alpha", [0.5, 1.0])
def test_untruncated_lowrank_kernel_matches_dense_for_other_alpha(alpha):
    p = completion_problem(24, 10, 2, 150, seed=1)
    kw = dict(alpha=alpha, ridge=SpectralRidge(oversample=10), max_iter=8, tol=0.0, anderson=0)
    dense = complete(p.Y_obs, p.mask, kernel="dense", features="columns", **kw)
    low = complete(p.Y_obs, p.mask, kernel="lowrank", features="columns", **kw)
    np.testing.assert_allclose(low.Z, dense.Z, rtol=1e-7, atol=1e-9)


def test_lowrank_kernel_recovers_a_low_rank_matrix_and_keeps_the_observed_entries():
    p = completion_problem(200, 200, 3, 6000, seed=0)
    res = complete(p.Y_obs, p.mask, kernel="lowrank")
    assert res.converged
    assert p.test_mse(res.Z) < 1e-10
    np.testing.assert_array_equal(res.Z[p.mask], p.Y_obs[p.mask])
    assert res.extras["rank"][-1] == 3


def test_lowrank_reads_no_unobserved_entry():
    """The truth filled in off the mask gives bit-identical output to NaN there."""
    p = completion_problem(60, 60, 2, 900, seed=2)
    Y_nan = np.where(p.mask, p.Y_obs, np.nan)
    Y_true = np.where(p.mask, p.Y_obs, p.Y_true)
    a = complete(Y_nan, p.mask, kernel="lowrank", max_iter=30)
    b = complete(Y_true, p.mask, kernel="lowrank", max_iter=30)
    np.testing.assert_array_equal(a.Z, b.Z)


def test_factored_result_entries_match_its_dense_form():
    p = completion_problem(50, 40, 2, 700, seed=4)
    res = complete_lowrank(*_observed(p), p.mask.shape, max_iter=20)
    F = res.factors
    assert isinstance(F, LowRankCompletion) and res.Z is None
    Z = F.dense()
    i, j = np.nonzero(~p.mask)
    np.testing.assert_allclose(F.entries(i, j, chunk=97), Z[i, j], rtol=1e-12, atol=1e-12)
    np.testing.assert_array_equal(Z[p.mask], p.Y_obs[p.mask])


def test_factored_iterate_products_and_norm_match_dense_numpy():
    rng = np.random.default_rng(0)
    d1, d2, k = 9, 7, 3
    mask = rng.random((d1, d2)) < 0.4
    rows, cols = np.nonzero(mask)
    obs = Observed(rows, cols, (d1, d2), torch.device("cpu"))
    L = torch.as_tensor(rng.standard_normal((d1, k)))
    R = torch.as_tensor(rng.standard_normal((d2, k)))
    s = torch.as_tensor(rng.standard_normal(rows.size))
    X = FactoredIterate(obs, L, R, s)
    Zd = L.numpy() @ R.numpy().T
    Zd[rows, cols] += s.numpy()
    Q = rng.standard_normal((d2, 4))
    P = rng.standard_normal((d1, 4))
    np.testing.assert_allclose(X.mm(torch.as_tensor(Q)).numpy(), Zd @ Q, rtol=1e-12)
    np.testing.assert_allclose(X.rmm(torch.as_tensor(P)).numpy(), Zd.T @ P, rtol=1e-12)
    assert X.fro2() == pytest.approx(np.sum(Zd**2), rel=1e-12)
    V = torch.linalg.qr(torch.as_tensor(rng.standard_normal((d2, 2)))).Q
    proj = Zd - Zd @ V.numpy() @ V.numpy().T
    assert X.project_out(V).fro2() == pytest.approx(np.sum(proj**2), rel=1e-10)


def test_lowrank_runs_in_float32_and_handles_an_empty_row():
    p = completion_problem(80, 70, 2, 1600, seed=5)
    mask = p.mask.copy()
    mask[7] = False
    res = complete(p.Y_obs, mask, kernel="lowrank", dtype="float32", max_iter=200)
    assert np.isfinite(res.Z).all()
    off = ~mask
    off[7] = False
    err = np.mean((res.Z[off] - p.Y_true[off]) ** 2)
    assert err < 1e-4


def test_auto_kernel_choice():
    small = np.ones((LOWRANK_MIN_DIM - 1, LOWRANK_MIN_DIM - 1), dtype=bool)
    big = np.zeros((LOWRANK_MIN_DIM, LOWRANK_MIN_DIM), dtype=bool)
    big[:, :LOWRANK_MIN_OBS_PER_ROW] = True
    sparse = np.zeros_like(big)
    sparse[:, : LOWRANK_MIN_OBS_PER_ROW - 1] = True
    assert choose_kernel(small) == "dense"
    assert choose_kernel(big) == "lowrank"
    assert choose_kernel(sparse) == "dense"  # few samples per row: the dense kernel is robust
    assert choose_kernel(big, ridge=1e-3) == "dense"  # the paper's fixed ridge: dense path
    assert choose_kernel(big, kernel="dense") == "dense"
    assert choose_kernel(big, M0=np.eye(LOWRANK_MIN_DIM)) == "dense"


def test_lowrank_rejects_what_it_cannot_run():
    p = completion_problem(20, 20, 1, 150, seed=0)
    with pytest.raises(ValueError, match="SpectralRidge"):
        complete(p.Y_obs, p.mask, kernel="lowrank", ridge=1e-3)
    with pytest.raises(ValueError, match="M0"):
        complete(p.Y_obs, p.mask, kernel="lowrank", M0=np.eye(20))
    with pytest.raises(ValueError, match="kernel must be"):
        complete(p.Y_obs, p.mask, kernel="sparse")
    rows, cols, y = _observed(p)
    with pytest.raises(ValueError, match="duplicate"):
        complete_lowrank(np.r_[rows, rows[:1]], np.r_[cols, cols[:1]], np.r_[y, y[:1]], (20, 20))
    with pytest.raises(ValueError, match="outside"):
        complete_lowrank(rows + 1, cols, y, (20, 20))
    with pytest.raises(ValueError, match="NaN"):
        complete_lowrank(rows, cols, np.where(rows == 0, np.nan, y), (20, 20))
    with pytest.raises(ValueError, match="empty"):
        complete_lowrank(rows[:0], cols[:0], y[:0], (20, 20))
    with pytest.raises(ValueError, match="one length"):
        complete_lowrank(rows, cols[:-1], y, (20, 20))
