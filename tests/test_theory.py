"""Numeric tests of linrfm_paper.theory against quadrature and direct runs of Algorithms 1 and 2."""

import numpy as np
import pytest
import torch

import linrfm
from linrfm_paper import nfa
from linrfm_paper import theory as T

ALPHAS = [0.125, 0.25, 0.375, 0.5, 0.75, 1.0, 1.5]
EPSS = [1.0, 1e-2, 1e-4]
CASES = [(1.0, 1.0, 1.0, 1.0), (1.0, 2.0, 1.0, 1.0), (2.0, 1.0, 0.5, 1.5), (1.0, 0.5, 2.0, 0.3)]


@pytest.mark.parametrize("alpha", ALPHAS)
@pytest.mark.parametrize("eps", EPSS)
def test_psi_closed_form_matches_quadrature(alpha: float, eps: float) -> None:
    r = np.array([0.1, 0.5, 1.0, 3.0])
    closed = T.psi_normalised(r, alpha, eps)
    np.testing.assert_allclose(closed, T.psi_quad(r, alpha, eps), rtol=1e-8, atol=1e-12)


def test_psi_closed_form_kinds() -> None:
    r = np.array([0.3, 2.0])
    assert T.psi_closed_form_kind(0.5) == "log"
    assert T.psi_closed_form_kind(1.0) == "hyperbolic"
    np.testing.assert_allclose(T.psi_closed_form(r, 1.0, 0.1), -0.5 / (r**2 + 0.1))
    np.testing.assert_allclose(T.psi_closed_form(r, 0.5, 0.1), 0.5 * np.log(r**2 + 0.1))
    np.testing.assert_allclose(T.psi_closed_form(r, 0.25, 0.0), r)  # nuclear norm


def test_spectral_gradient_is_gradient_of_F(rng: np.random.Generator) -> None:
    """∇ Σ_j ψ(σ_j(Z)) = Z φ(ZᵀZ)^{-2} (proof of Theorem 1), checked by finite differences."""
    alpha, eps = 0.75, 0.1
    Z = rng.standard_normal((3, 4))
    G = T.spectral_gradient(Z, lambda s: T.psi_prime(s, alpha, eps))
    lam, V = np.linalg.eigh(Z.T @ Z)
    np.testing.assert_allclose(G, Z @ (V * (lam + eps) ** (-2 * alpha)) @ V.T, atol=1e-12)

    def F(X: np.ndarray) -> float:
        return float(np.sum(T.psi_closed_form(np.linalg.svd(X, compute_uv=False), alpha, eps)))

    h, num = 1e-6, np.zeros_like(Z)
    for idx in np.ndindex(Z.shape):
        E = np.zeros_like(Z)
        E[idx] = h
        num[idx] = (F(Z + E) - F(Z - E)) / (2 * h)
    np.testing.assert_allclose(num, G, atol=1e-7)


def test_direct_algorithm1_matches_sense(rng: np.random.Generator) -> None:
    """lin_rfm_direct (φ(ZᵀZ)) equals linrfm.sense (φ(ZᵀZ/d1)) when ε is scaled by d1."""
    d1, d2, n = 4, 5, 12
    A = rng.standard_normal((n, d1, d2))
    y = rng.standard_normal(n)
    eps = 0.05
    Zs = T.lin_rfm_direct(A, y, alpha=0.5, eps=d1 * eps, n_steps=5)
    res = linrfm.sense(A, y, alpha=0.5, eps=eps, max_iter=5, tol=0.0, device="cpu")
    np.testing.assert_allclose(np.array(Zs), res.extras["iterates"], atol=1e-10)


def test_kappa_corrected_reduces_to_theorem1() -> None:
    x = np.linspace(0.0, 3.0, 7)
    np.testing.assert_allclose(T.kappa_corrected(x, [0.3], 0.1), T.psi_prime(x, 0.3, 0.1))


@pytest.mark.parametrize("L", [1, 2, 3, 5])
def test_corollary2_constants(L: int) -> None:
    al = T.cor2_alphas(L)
    np.testing.assert_allclose(T.C_corrected(al), 1.0 / (2 * (L + 1)))
    np.testing.assert_allclose(T.C_printed(al), np.arange(1, L + 1) / (2 * (L + 1)))
    assert T.deep_limit_exponent(al) == pytest.approx(2.0 / (L + 1))


@pytest.mark.parametrize("alphas", [[1 / 6, 1 / 4], [0.1, 0.3, 0.2]])
def test_deep_limit_from_quadrature(alphas: list[float]) -> None:
    r = np.array([0.5, 1.0, 2.0])
    lim = T.psi_deep_limit(r, alphas)
    np.testing.assert_allclose(T.psi_eps_deep(r, alphas, 1e-24), lim, rtol=1e-3)
    # the h_ℓ exponents: log h_ℓ(s) / log s → 2 c_ℓ as ε → 0
    s = np.array([1e-3, 10.0])
    h = T.deep_h(s, alphas, 0.0)
    slopes = np.diff(np.log(h), axis=1)[:, 0] / np.diff(np.log(s))[0]
    np.testing.assert_allclose(slopes, 2 * T.C_corrected(alphas), rtol=1e-10)


def test_deep_sense_fixed_point_layers(rng: np.random.Generator) -> None:
    """At a fixed point of Algorithm 2, M^(ℓ) = h_ℓ(ZᵀZ / d1) and Z P^{-2} has singular values
    √d1 κ_ε(σ/√d1) with the corrected κ_ε."""
    d1, d2, n, eps = 4, 5, 12, 0.1
    alphas = [1 / 6, 1 / 4]
    A = rng.standard_normal((n, d1, d2))
    y = rng.standard_normal(n)
    res = linrfm.deep_sense(A, y, alphas=alphas, eps=eps, max_iter=2000, tol=1e-14, device="cpu")
    Z = res.Z
    _, s, Vt = np.linalg.svd(Z)
    sz = np.concatenate([s, np.zeros(d2 - len(s))]) / np.sqrt(d1)
    h = T.deep_h(sz, alphas, eps)
    for ell in range(len(alphas)):
        M = res.extras[f"M{ell + 1}"]
        np.testing.assert_allclose(Vt @ M @ Vt.T, np.diag(h[ell]), atol=1e-8)
    P = res.extras["M2"] @ res.extras["M1"]
    sv = np.linalg.svd(Z @ np.linalg.inv(P @ P), compute_uv=False)
    kc = np.sqrt(d1) * T.kappa_corrected(s / np.sqrt(d1), alphas, eps)
    np.testing.assert_allclose(np.sort(sv), np.sort(kc), rtol=1e-7)


def _prop2_problem(a: float, b: float, c: float, d: float) -> tuple[np.ndarray, np.ndarray]:
    mask = np.array([[1, 1], [1, 0], [0, 1]], dtype=bool)
    Y = np.array([[a, b], [c, 0.0], [0.0, d]])
    return T.indicator_sensing(mask), Y[mask]


@pytest.mark.parametrize("case", CASES)
def test_prop2_map_matches_algorithm1(case: tuple[float, float, float, float]) -> None:
    a, b, c, d = case
    A, y = _prop2_problem(*case)
    for M0 in (np.eye(2), np.array([[1.5, 0.3], [0.3, 0.7]])):
        Zs = T.lin_rfm_direct(A, y, alpha=1.0, eps=0.0, M0=M0, n_steps=6)
        x, yy = T.prop2_xy_from_M(M0)
        for Z in Zs:
            np.testing.assert_allclose(Z, T.prop2_completion(x, yy, a, b, c, d), atol=1e-9)
            x, yy = T.prop2_map(x, yy, a, b, c, d)


@pytest.mark.parametrize("case", CASES)
def test_prop2_attractor_and_jacobian(case: tuple[float, float, float, float]) -> None:
    a, b, c, d = case
    u = T.prop2_attractor(a, b)
    np.testing.assert_allclose(T.prop2_map(*u, a, b, c, d), u, rtol=1e-12)
    assert np.linalg.matrix_rank(T.prop2_completion(*u, a, b, c, d)) == 1
    J = T.prop2_jacobian(a, b, c, d)
    ev = np.sort(np.abs(np.linalg.eigvals(J)))
    assert ev[0] < 1e-7  # rank-1 Jacobian
    assert ev[1] == pytest.approx(T.prop2_top_eigenvalue_printed(a, b, c, d), rel=1e-7)


def test_prop2_printed_variants_differ() -> None:
    a, b, c, d = 1.0, 2.0, 0.5, 1.5
    x, y = 0.3, 0.8
    fx, fy = T.prop2_map(x, y, a, b, c, d)
    px, py = T.prop2_step_printed_ABC(x, y, a, b, c, d)
    assert py == pytest.approx(fy) and abs(px - fx) > 1e-3  # (A²+C²) is wrong, (B²+C²) right
    qx, qy = T.prop2_map_printed(x, y, a, b, c, d)
    assert qx == pytest.approx(fx) and abs(qy - fy) > 1e-3  # "x²d²" is wrong unless c = d
    u = T.prop2_attractor(a, b)
    assert abs(T.prop2_map_printed(*u, a, b, c, d)[1] - u[1]) > 1e-3
    np.testing.assert_allclose(T.prop2_map_printed(x, y, a, b, c, c), T.prop2_map(x, y, a, b, c, c))


def test_prop1_and_lemma2_maps_match_algorithm1() -> None:
    a, b, cs = 2.0, 1.0, (1.0, 0.5)
    s = sum(c * c for c in cs)
    mask = np.array([[1, 1], [0, 1], [0, 1]], dtype=bool)
    A = T.indicator_sensing(mask)
    y = np.array([a, b, *cs])
    u, v, e = 0.7, 1.2, 0.4
    Zs = T.lin_rfm_direct(A, y, alpha=1.0, M0=np.array([[u, e], [e, v]]), n_steps=6)
    k = T.prop1_k1(u, v, e)
    for Z in Zs:  # Z_t row i = Y_i2 [k_{t+1}, 1]
        np.testing.assert_allclose(Z[1:, 0], np.array(cs) * k, rtol=1e-9)
        k = T.prop1_k_map(k, a, b, s)
    assert T.prop1_k_map(a / b, a, b, s) == pytest.approx(a / b)
    thr = T.prop1_threshold(a, b, s)
    assert T.prop1_k_map(thr, a, b, s) == pytest.approx(thr)

    A2 = T.indicator_sensing(np.array([[1, 1], [0, 1]], dtype=bool))
    Zs = T.lin_rfm_direct(A2, np.array([1.0, 0.0, 1.0]), M0=np.array([[u, e], [e, v]]), n_steps=8)
    at = T.prop1_k1(u, v, e)
    for Z in Zs:
        np.testing.assert_allclose(Z[1, 0], at, rtol=1e-9)
        at = T.lem2_map(at)


def test_indicator_sensing_serves_completion_and_the_network() -> None:
    """One helper for both former uses: theory's (Appendix F runs of Algorithm 1) and nfa's
    (the network trained on completion). Rows in the order of Y[mask]; 0/1 masks are accepted."""
    mask = np.array([[1, 0, 1], [0, 1, 1]])
    A = T.indicator_sensing(mask)
    expected = np.zeros((4, 2, 3))
    for i, (j, k) in enumerate([(0, 0), (0, 2), (1, 1), (1, 2)]):
        expected[i, j, k] = 1.0
    np.testing.assert_array_equal(A, expected)
    np.testing.assert_array_equal(T.indicator_sensing(mask.astype(bool)), expected)
    Y = np.arange(6.0).reshape(2, 3) + 1.0
    np.testing.assert_array_equal(np.einsum("nij,ij->n", A, Y), Y[mask.astype(bool)])
    # theory's use: Algorithm 1 with ε = 0 interpolates the observed entries
    Zs = T.lin_rfm_direct(A, Y[mask.astype(bool)], alpha=1.0, eps=0.0, n_steps=3)
    for Z in Zs:
        np.testing.assert_allclose(Z[mask.astype(bool)], Y[mask.astype(bool)], atol=1e-10)
    # nfa's use: the network f(A_i) = ⟨A_i, W^(L)⋯W^(1)⟩ reads the entries of the end-to-end matrix
    Ws = nfa.gaussian_init(3, 2, np.random.default_rng(0))
    band = np.eye(3, dtype=bool) | np.eye(3, k=1, dtype=bool)
    P = nfa.end_to_end(Ws)
    np.testing.assert_allclose(nfa.predict(T.indicator_sensing(band), Ws), P[band], atol=1e-14)
    with pytest.raises(ValueError, match="mask"):
        T.indicator_sensing(np.ones(4, dtype=bool))


def test_sym_power_serves_phi_and_the_nfa_power(rng: np.random.Generator) -> None:
    """One numpy (G + εI)^power for both former uses: φ(G) = (G + εI)^α (theory.sym_fun, used by
    lin_rfm_direct and fixed_points) and G^{1/k} of a PSD G (nfa.psd_power, Theorem 2); and it
    agrees with the library's torch linrfm.matfun.sym_power."""
    from linrfm.matfun import sym_power as torch_sym_power

    B = rng.standard_normal((5, 3))
    G = B @ B.T  # PSD of rank 3: eigenvalues at 0 up to round-off (possibly negative)
    eps = 0.1
    # φ: α = 1 is G + εI; α = 1/2 squares back to G + εI; α = 3/4 through the eigenvalues
    np.testing.assert_allclose(T.sym_power(G, 1.0, eps), G + eps * np.eye(5), atol=1e-12)
    half = T.sym_power(G, 0.5, eps)
    np.testing.assert_allclose(half @ half, G + eps * np.eye(5), atol=1e-12)
    lam, V = np.linalg.eigh(G)
    np.testing.assert_allclose(
        T.sym_power(G, 0.75, eps), (V * (np.clip(lam, 0, None) + eps) ** 0.75) @ V.T, atol=1e-12
    )
    # the NFA power (ε = 0): (G^{1/3})³ = G, eigenvalues below zero clipped, result symmetric PSD
    third = T.sym_power(G, 1.0 / 3.0)
    np.testing.assert_allclose(third @ third @ third, G, atol=1e-10)
    np.testing.assert_allclose(third, third.T, atol=1e-15)
    assert np.linalg.eigvalsh(third).min() > -1e-12
    np.testing.assert_allclose(T.sym_power(G, 1.0), G, atol=1e-12)
    # the library's torch version, same arguments (a full-rank G: a fractional power of the
    # round-off eigenvalues of a singular one, ~1e-16^{1/3}, differs between eigensolvers)
    C = rng.standard_normal((5, 7))
    G = C @ C.T
    for power, e in [
        (1.0, 0.0),
        (0.5, eps),
        (1.0 / 3.0, 0.0),
        (-0.5, eps),
        (-1.0, 0.0),
        (2.0, eps),
    ]:
        lib = torch_sym_power(torch.as_tensor(G), power, e).numpy()
        np.testing.assert_allclose(T.sym_power(G, power, e), lib, rtol=1e-10, atol=1e-12)
    with pytest.raises(ValueError, match="singular"):
        T.sym_power(np.zeros((2, 2)), -1.0)
    with pytest.raises(ValueError, match="singular"):
        torch_sym_power(torch.zeros(2, 2, dtype=torch.float64), -1.0)


@pytest.mark.parametrize("unit_entries", [True, False])
def test_gaussian_sensing_problem_is_the_notebooks_draw(unit_entries: bool) -> None:
    """gaussian_sensing_problem reproduces the draws the notebooks made inline: fixed_points and
    deep_linrfm_limits (Y# scaled to entries of mean square 1) and irls_equivalence (unscaled)."""
    d1, d2, r, n = 4, 5, 2, 13
    seed = np.random.SeedSequence(7).spawn(2)[1]
    rng = np.random.default_rng(seed)  # the former inline code
    Y = rng.standard_normal((d1, r)) @ rng.standard_normal((r, d2))
    if unit_entries:
        Y *= np.sqrt(d1 * d2) / np.linalg.norm(Y)
    A_ref = rng.standard_normal((n, d1, d2))
    A, y, Yt = T.gaussian_sensing_problem(d1, d2, r, n, seed, unit_entries=unit_entries)
    np.testing.assert_array_equal(A, A_ref)
    np.testing.assert_array_equal(Yt, Y)
    np.testing.assert_array_equal(y, np.einsum("nij,ij->n", A_ref, Y))
    assert A.shape == (n, d1, d2) and np.linalg.matrix_rank(Yt) == r
    if unit_entries:
        assert np.mean(Yt**2) == pytest.approx(1.0)
    # a Generator is drawn from in place: the stream continues as after the inline code
    g = np.random.default_rng(seed)
    prob = T.gaussian_sensing_problem(d1, d2, r, n, g, unit_entries=unit_entries)
    np.testing.assert_array_equal(prob.A, A_ref)
    assert g.standard_normal() == rng.standard_normal()
    with pytest.raises(ValueError, match="seed"):
        T.gaussian_sensing_problem(d1, d2, r, n, None)
