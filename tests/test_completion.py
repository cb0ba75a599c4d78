"""lin-RFM completion: recovery with defaults, path agreement, row solves, float32, Lemma 2."""

import numpy as np
import pytest
import torch

import linrfm
from linrfm.data import completion_problem, degrees_of_freedom
from linrfm.solvers.rowsolve import RowSolver


@pytest.mark.parametrize(
    ("d1", "d2", "r", "factor"),
    [(60, 80, 3, 2.5), (120, 50, 3, 3.0), (50, 120, 3, 3.0)],
    ids=["60x80", "tall-120x50", "wide-50x120"],
)
def test_complete_recovers_low_rank_with_defaults(d1, d2, r, factor):
    n = int(factor * degrees_of_freedom(d1, d2, r))
    p = completion_problem(d1, d2, r, n, seed=0)
    res = linrfm.complete(p.Y_obs, p.mask)  # Y_obs is NaN off the mask: never read
    assert p.relative_test_error(res.Z) < 1e-4
    assert res.converged
    np.testing.assert_array_equal(res.Z[p.mask], p.Y_obs[p.mask])  # replace=True


def _plain_row_loop(K: np.ndarray, mask: np.ndarray, Y: np.ndarray, ridge: float) -> np.ndarray:
    """The published code's per-row loop: one numpy solve per row (the independent reference)."""
    Z = np.zeros(mask.shape)
    for i in range(mask.shape[0]):
        S = np.flatnonzero(mask[i])
        if S.size:
            gamma = np.linalg.solve(K[np.ix_(S, S)] + ridge * np.eye(S.size), Y[i, S])
            Z[i] = gamma @ K[S, :]
    return Z


@pytest.mark.parametrize("cached", [True, False])  # gather positions kept / recomputed
@pytest.mark.parametrize("chunk_elements", [1 << 24, 300])  # one chunk / many chunks
def test_batched_row_solves_match_plain_loop(rng, monkeypatch, chunk_elements, cached):
    if not cached:
        monkeypatch.setattr("linrfm.solvers.rowsolve.GATHER_CACHE_ENTRIES", 0)
    d1, d2 = 40, 30
    mask = rng.random((d1, d2)) < 0.3
    mask[3] = False  # a row with no observations
    mask[7] = True  # a fully observed row
    Y = rng.standard_normal((d1, d2))
    B = rng.standard_normal((d2, d2))
    K = B @ B.T / d2 + 0.1 * np.eye(d2)  # well conditioned: agreement to round-off
    rs = RowSolver(mask, torch.device("cpu"), torch.float64, chunk_elements=chunk_elements)
    Kt = torch.as_tensor(K)
    gamma = rs.solve(Kt, torch.as_tensor(Y[mask]), 1e-3)
    Z = rs.predict(gamma, Kt).numpy()
    if chunk_elements == 300:
        assert len(rs.chunks) > 3
    np.testing.assert_allclose(Z, _plain_row_loop(K, mask, Y, 1e-3), rtol=1e-10, atol=1e-10)
    assert np.all(Z[3] == 0)
    assert all((ch.source is not None) == cached for ch in rs.chunks)


def test_sparse_and_dense_predictions_agree(rng, monkeypatch):
    mask = rng.random((50, 40)) < 0.2
    K = torch.as_tensor(rng.standard_normal((40, 40)))
    rs = RowSolver(mask, torch.device("cpu"), torch.float64)
    gamma = torch.as_tensor(rng.standard_normal(rs.n))
    monkeypatch.setattr("linrfm.solvers.rowsolve.DENSE_PREDICT_DENSITY", 0.0)
    dense = rs.predict(gamma, K)
    monkeypatch.setattr("linrfm.solvers.rowsolve.DENSE_PREDICT_DENSITY", 2.0)
    sparse = rs.predict(gamma, K)
    C = np.zeros((50, 40))
    C[mask] = gamma.numpy()  # row-major observation order
    np.testing.assert_allclose(dense.numpy(), C @ K.numpy(), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(sparse.numpy(), C @ K.numpy(), rtol=1e-12, atol=1e-12)


def test_singular_row_blocks_take_the_minimum_norm_solution(rng):
    """ridge 0 and a rank-3 K = B Bᵀ: rows with more than 3 observations have singular blocks;
    with consistent data (rows of Y in the row space of Bᵀ) the prediction is the per-row
    pseudo-inverse's, as in the SVD-free iterations on exactly low-rank data."""
    d1, d2 = 20, 12
    mask = rng.random((d1, d2)) < 0.5
    B = rng.standard_normal((d2, 3))
    Y = rng.standard_normal((d1, 3)) @ B.T
    K = B @ B.T
    rs = RowSolver(mask, torch.device("cpu"), torch.float64)
    Z = rs.predict(rs.solve(torch.as_tensor(K), torch.as_tensor(Y[mask]), 0.0), torch.as_tensor(K))
    ref = np.zeros((d1, d2))
    for i in range(d1):
        S = np.flatnonzero(mask[i])
        ref[i] = np.linalg.pinv(K[np.ix_(S, S)], hermitian=True) @ Y[i, S] @ K[S, :]
    assert mask.sum(axis=1).max() > 3
    np.testing.assert_allclose(Z.numpy(), ref, rtol=1e-7, atol=1e-7)


@pytest.mark.parametrize("alpha", [0.5, 1.0])
def test_svd_free_and_eigh_paths_agree(alpha):
    p = completion_problem(30, 40, 2, 500, seed=1)
    kw = dict(alpha=alpha, ridge=1e-3, max_iter=30, tol=0, features="columns")
    a = linrfm.complete(p.Y_obs, p.mask, method="svd_free", **kw)
    b = linrfm.complete(p.Y_obs, p.mask, method="eigh", **kw)
    assert a.n_iter == b.n_iter == 30
    np.testing.assert_allclose(a.Z, b.Z, rtol=0, atol=1e-8 * np.abs(b.Z).max())


def test_non_half_integer_alpha_uses_eigh_and_svd_free_refuses():
    p = completion_problem(20, 20, 2, 200, seed=2)
    res = linrfm.complete(p.Y_obs, p.mask, alpha=0.3, ridge=1e-3, max_iter=5, tol=0)
    assert np.all(np.isfinite(res.Z))
    with pytest.raises(ValueError, match="multiple of 1/2"):
        linrfm.complete(p.Y_obs, p.mask, alpha=0.3, method="svd_free")


def test_float32_agrees_with_float64():
    p = completion_problem(40, 50, 2, 900, seed=3)
    kw = dict(ridge=1e-2, max_iter=50, tol=0)
    z64 = linrfm.complete(p.Y_obs, p.mask, **kw).Z
    z32 = linrfm.complete(p.Y_obs, p.mask, dtype="float32", **kw).Z
    assert z32.dtype == np.float32
    # stated tolerance: 1e-4 relative in the Frobenius norm after 50 iterations
    assert np.linalg.norm(z32 - z64) / np.linalg.norm(z64) < 1e-4


@pytest.mark.parametrize(("u", "v", "e"), [(1.0, 2.0, 0.5), (0.3, 1.0, -0.2), (2.0, 0.5, 1.0)])
def test_lemma2_completed_entry_follows_recursion_and_diverges(u, v, e):
    """Appendix F, Lemma 2: Y = [[1, 0], [?, 1]], alpha = 1, no ridge, M0 = [[u, e], [e, v]]."""
    Y = np.array([[1.0, 0.0], [np.nan, 1.0]])
    mask = np.array([[True, True], [False, True]])
    M0 = np.array([[u, e], [e, v]])
    a = (u + v) * e / (e**2 + v**2)  # a_1
    T = 60
    expected = []
    for _ in range(T):
        expected.append(a + a / (a**2 + 1))
        a = (a**3 + 2 * a) / (a**2 + 1)
    got = []
    for t in range(1, T + 1, 7):
        res = linrfm.complete(
            Y, mask, alpha=1.0, ridge=0.0, eps=0.0, M0=M0, max_iter=t, tol=0, features="columns"
        )
        assert res.n_iter == t
        got.append((t, res.Z[1, 0]))
    for t, z in got:
        assert z == pytest.approx(expected[t - 1], rel=1e-9)
    assert abs(got[-1][1]) > abs(got[0][1]) + 5  # |a_t| ~ sqrt(2t): unbounded growth
    assert np.all(np.diff([abs(z) for _, z in got]) > 0)


def test_rows_and_columns_without_observations_stay_finite(rng):
    p = completion_problem(30, 30, 2, 500, seed=4)
    mask = p.mask.copy()
    mask[5, :] = False
    mask[:, 9] = False
    res = linrfm.complete(p.Y_obs, mask, ridge=1e-3, max_iter=50, features="columns")
    assert np.all(np.isfinite(res.Z))
    np.testing.assert_array_equal(res.Z[5], 0.0)  # documented: empty row predicted as zero


def test_history_and_callback_stop():
    p = completion_problem(30, 30, 2, 500, seed=5)
    calls = []

    def stop_at_7(state):
        t = state.t
        calls.append(t)
        assert state.Z.shape == (30, 30)
        return t >= 7

    res = linrfm.complete(p.Y_obs, p.mask, callback=stop_at_7)
    assert res.n_iter == 7 and not res.converged
    assert res.status == linrfm.Status.CALLBACK and "callback" in res.message
    h = res.history.as_dict()
    assert len(h["residual"]) == len(h["rel_change"]) == len(h["seconds"]) == 8
    assert np.all(np.diff(h["seconds"]) >= 0)
    assert calls == list(range(8))


def test_tol_zero_runs_exactly_max_iter():
    p = completion_problem(20, 20, 2, 250, seed=6)
    res = linrfm.complete(p.Y_obs, p.mask, max_iter=13, tol=0)
    assert res.n_iter == 13 and len(res.history.residual) == 14


def test_non_finite_iterate_names_the_iteration():
    Y = np.full((4, 4), 1e160)
    mask = np.ones((4, 4), dtype=bool)
    mask[0, 0] = False
    with pytest.raises(linrfm.NonFiniteIterateError, match="iteration 1"):
        linrfm.complete(Y, mask, alpha=1.0, ridge=0.0, max_iter=5)


def test_same_seed_same_numbers():
    a = completion_problem(25, 30, 2, 300, seed=7)
    b = completion_problem(25, 30, 2, 300, seed=7)
    np.testing.assert_array_equal(a.mask, b.mask)
    np.testing.assert_array_equal(a.Y_true, b.Y_true)
    za = linrfm.complete(a.Y_obs, a.mask, max_iter=40).Z
    zb = linrfm.complete(b.Y_obs, b.mask, max_iter=40).Z
    np.testing.assert_array_equal(za, zb)


def test_feature_side_uses_the_mask_only():
    from linrfm.solvers.completion import feature_side

    mask = np.ones((6, 6), dtype=bool)
    mask[:5, 2] = False  # a column with one observation
    assert feature_side(mask) == "columns"  # auto: Algorithm 1 as written for square matrices
    assert feature_side(mask, "better_observed") == "rows"
    assert feature_side(mask, "better_observed", M0=np.eye(6)) == "columns"  # M0 is for columns
    assert feature_side(mask.T, "better_observed") == "columns"
    assert feature_side(np.ones((4, 6), dtype=bool)) == "rows"  # the smaller K
    assert feature_side(np.ones((6, 4), dtype=bool), "better_observed") == "columns"
    with pytest.raises(ValueError, match="features"):
        feature_side(mask, "diagonal")


def test_a_column_with_exactly_r_observations_is_recovered_on_the_rows():
    """100 × 100 rank 5 from 1500 entries, seed 8: one column has 5 = r observations. With the
    features on the columns the iterates crawl (test MSE 1.3e-3 after 6000 iterations); on the
    better-observed rows they converge."""
    p = completion_problem(100, 100, 5, 1500, seed=8)
    assert p.mask.sum(axis=0).min() == 5 < p.mask.sum(axis=1).min()
    res = linrfm.complete(p.Y_obs, p.mask, max_iter=1000, features="better_observed")
    assert res.converged
    assert p.test_mse(res.Z) < 1e-6
