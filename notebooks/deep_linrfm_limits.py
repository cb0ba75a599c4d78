# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Theorem 3 and Corollary 2: the objective of deep lin-RFM and its ε → 0 limit
#
# **Algorithm 2 (depth-L lin-RFM).** Z_t = W_t M_t^(L) ⋯ M_t^(1), W_t the minimum-norm interpolant,
# M_{t+1}^(ℓ) = φ_ℓ(M_t^(ℓ)ᵀ ⋯ M_t^(L)ᵀ W_tᵀ W_t M_t^(L) ⋯ M_t^(ℓ)), φ_ℓ(s) = (s + ε)^{α_ℓ}.
#
# **Theorem 3 as printed.** With C_ℓ = Σ_{i=1}^ℓ Π_{j=1}^{i−1} α_i(1 − 2α_j), C_ℓ > 0 and
# Σ C_ℓ < 1/2, the fixed points are critical points of Σ_j ψ_ε(σ_j(Z)) s.t. 𝒜(Z) = y,
# ψ_ε(r) = ∫_0^r s h_1(s) ⋯ h_L(s) ds with h_1 = (s² + ε)^{α_1},
# h_ℓ = (s² h_1^{-2} ⋯ h_{ℓ−1}^{-2} + ε)^{α_ℓ} (Eq. 11), and lim_{ε→0} ψ_ε(r) = r^{2 − 4ΣC_ℓ}.
# Appendix D writes κ_ε(x) = x h_1(x) ⋯ h_L(x) for the singular values of Z M^(1)^{-2} ⋯ M^(L)^{-2}.
#
# **Our derivation (from the fixed-point equations of Algorithm 2).** At a fixed point,
# M^(1) = φ_1(ZᵀZ), Q_2 = Z M^(1)^{-1}, M^(2) = φ_2(M^(1)^{-1} ZᵀZ M^(1)^{-1}), …: all M^(ℓ) are
# functions of ZᵀZ, with eigenvalue h_ℓ(s) on a right singular vector of Z with singular value s
# (so Eq. 11 is right). Step 1 is Z = argmin ‖Z P^{-1}‖_F s.t. 𝒜(Z) = y, P = M^(L) ⋯ M^(1), whose
# optimality condition is Eq. (14), 2 Z P^{-2} + 𝒜*(λ) = 0. The singular values of Z P^{-2} are
# **κ_ε(s) = s h_1(s)^{-2} ⋯ h_L(s)^{-2}** — every h_ℓ carries the exponent −2 (for L = 1 this is
# Theorem 1's ψ'(s) = s/(s² + ε)^{2α}); the printed x h_1 ⋯ h_L has +1. At ε = 0, h_ℓ(s) = s^{2c_ℓ}
# with c_ℓ = α_ℓ(1 − 2Σ_{j<ℓ} c_j), i.e. **c_ℓ = α_ℓ Π_{j<ℓ}(1 − 2α_j)** (no outer sum; the printed
# C_ℓ is the cumulative sum Σ_{i≤ℓ} c_i if α_i is read outside the product, and C_1 = 1 if read
# inside). Then κ_0(s) = s^{1−4Σc} and **ψ_0(r) = r^{p}/p, p = 2 − 4Σc_ℓ = 2Π_ℓ(1 − 2α_ℓ)** — the
# factor 1/p, kept by Corollary 1 (1/(2 − 4α)), is dropped by the printed limit.
# For Corollary 2's α_ℓ = 1/(2(L − ℓ + 2)), c_ℓ = 1/(2(L + 1)) for every ℓ, p = 2/(L + 1), and
# ψ_0(r) = ((L + 1)/2) r^{2/(L+1)}.
#
# **Checks.** (A) direct runs of Algorithm 2 (`linrfm.deep_sense`) on small Gaussian sensing
# problems: the layer matrices, the singular values of Z P^{-2}, the first-order condition, and the
# exponent of each h_ℓ measured on the run; (B) ψ_ε by quadrature as ε → 0; (C) deep vs shallow
# lin-RFM (Corollary 2's closing remark).
#
# *Normalisation.* The library averages the AGOP over the d1 rows (Q_ℓᵀQ_ℓ/d1), so its layer
# matrices are h_ℓ(σ/√d1) and its Z P^{-2} has singular values √d1·κ_ε(σ/√d1).

# %% tags=["parameters"]
seed = 0
d1 = 8
d2 = 10
rank = 2
n_factor_fp = 1.2  # measurements for part A, as a multiple of the degrees of freedom
eps_fp = 1e-4  # epsilon of the part A runs
run_alphas = [[0.16666666666666666, 0.25], [0.2, 0.15, 0.1]]  # alpha lists for part A
L_list = [1, 2, 3, 4]  # depths for Corollary 2
generic_alphas = [[0.2, 0.15, 0.1], [0.1, 0.3], [0.3]]
eps_limit = 1e-24  # epsilon standing for the limit in part B
n_factor_cmp = 0.8  # part C: fewer measurements than degrees of freedom
cmp_L = 2
cmp_eps = [1e-2, 3e-3, 1e-3]
tol_cmp = 1e-10  # stopping tolerance of the part C runs
max_iter = 20000
tol = 1e-12
checks_path = "checks.csv"

# %%
# ruff: noqa: E402 (the papermill parameters cell must come before the imports)
import time

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import torch
from IPython.display import display
from scipy.optimize import minimize_scalar

import linrfm
from linrfm_paper import theory as T
from linrfm_paper.claims import Checks

torch.set_num_threads(1)
t_start = time.perf_counter()
ss = np.random.SeedSequence(seed)
seed_fp, seed_cmp = ss.spawn(2)
checks = Checks()


def sensing(seed_seq, n_factor):
    """Gaussian A_i (i.i.d. N(0,1)), Y# of rank `rank` with entries of mean square 1, and
    n = n_factor · r(d1 + d2 − r) measurements: (A, y, Y#)."""
    n = int(round(n_factor * linrfm.degrees_of_freedom(d1, d2, rank)))
    return T.gaussian_sensing_problem(d1, d2, rank, n, seed_seq, unit_entries=True)


def fmt(v):
    return "[" + ", ".join(f"{x:.4g}" for x in np.atleast_1d(v)) + "]"


# %% [markdown]
# ## A. Direct runs of Algorithm 2
#
# For each α list, `deep_sense` (ridge 0, M^(ℓ)_0 = I) runs to a fixed point with ε = `eps_fp`.
# With s = σ/√d1 the singular values of Z (padded with zeros to d2):
#
# * the eigenvalues of M^(ℓ) on Z's right singular vectors vs h_ℓ(s) of Eq. (11);
# * the singular values of Z P^{-2} (P = M^(L) ⋯ M^(1), the matrices of the run) vs √d1·κ_ε(s)
#   with the printed and the corrected κ_ε;
# * the first-order condition: U diag(κ_ε(s)) Vᵀ ∈ span{A_i} (relative norm of the projection on
#   the orthogonal complement), printed and corrected κ_ε;
# * the exponent of each h_ℓ: the slope log(m_ℓ(σ_1)/m_ℓ(σ_2)) / log(σ_1/σ_2) of the run's
#   eigenvalues m_ℓ between the two large singular values, vs 2c_ℓ (corrected) and 2C_ℓ (printed).

# %%
A_fp, y_fp, Y_fp = sensing(seed_fp, n_factor_fp)
run_rows = []
for alphas in run_alphas:
    t0 = time.perf_counter()
    res = linrfm.deep_sense(
        A_fp, y_fp, alphas=alphas, eps=eps_fp, max_iter=max_iter, tol=tol, device="cpu"
    )
    Z = res.Z
    U, s, Vt = np.linalg.svd(Z)
    sz = np.concatenate([s, np.zeros(d2 - len(s))]) / np.sqrt(d1)
    h = T.deep_h(sz, alphas, eps_fp)
    Ms = [res.extras[f"M{ell + 1}"] for ell in range(len(alphas))]
    eig = np.array([np.diag(Vt @ M @ Vt.T) for M in Ms])  # m_ℓ on Z's right singular vectors
    offdiag = max(np.abs(Vt @ M @ Vt.T - np.diag(np.diag(Vt @ M @ Vt.T))).max() for M in Ms)
    h_err = float(np.max(np.abs(eig - h) / h))
    P = np.eye(d2)
    for M in Ms:
        P = M @ P
    sv = np.sort(np.linalg.svd(Z @ np.linalg.inv(P @ P), compute_uv=False))
    kc_s = np.sqrt(d1) * T.kappa_corrected(s / np.sqrt(d1), alphas, eps_fp)  # aligned with s
    kp_s = np.sqrt(d1) * T.kappa_printed(s / np.sqrt(d1), alphas, eps_fp)
    k_cor, k_pri = np.sort(kc_s), np.sort(kp_s)
    foc_cor = T.range_residual((U[:, : len(s)] * kc_s) @ Vt[: len(s)], A_fp)
    foc_pri = T.range_residual((U[:, : len(s)] * kp_s) @ Vt[: len(s)], A_fp)
    slope = np.log(eig[:, 0] / eig[:, 1]) / np.log(s[0] / s[1])
    run_rows.append(
        dict(
            alphas=fmt(alphas),
            n_iter=res.n_iter,
            converged=res.converged,
            h_rel_err=h_err,
            M_offdiag=offdiag,
            kappa_corrected_rel_err=float(np.max(np.abs(sv - k_cor) / k_cor)),
            kappa_printed_rel_err=float(np.max(np.abs(sv - k_pri) / sv)),
            foc_corrected=foc_cor,
            foc_printed=foc_pri,
            slope_2c=fmt(slope),
            corrected_2c=fmt(2 * T.C_corrected(alphas)),
            printed_2C=fmt(2 * T.C_printed(alphas)),
            slope_err_corrected=float(np.max(np.abs(slope - 2 * T.C_corrected(alphas)))),
            slope_err_printed=float(np.max(np.abs(slope - 2 * T.C_printed(alphas)))),
            seconds=time.perf_counter() - t0,
        )
    )
rundf = pd.DataFrame(run_rows)
display(rundf.T)

# %%
TOL_RUN, TOL_FOC, TOL_SLOPE = 1e-6, 1e-8, 1e-2
note_runs = (
    f"deep_sense on Gaussian sensing d1={d1}, d2={d2}, r={rank}, n={len(y_fp)}, ε={eps_fp:g}, "
    f"α lists {', '.join(rundf.alphas)}"
)
ok_h = bool(rundf.converged.all() and (rundf.h_rel_err < TOL_RUN).all())
checks.add(
    "thm3_h_recursion",
    "Theorem 3 (Eq. 11), Appendix D",
    "at a fixed point M^(ℓ) has eigenvalue h_ℓ(s) on a right singular vector of Z (value s)",
    f"max rel. error < {TOL_RUN:g}",
    f"{rundf.h_rel_err.max():.1e}",
    ok_h,
    note_runs + f"; off-diagonal part of Vᵀ M^(ℓ) V ≤ {rundf.M_offdiag.max():.1e}",
)
checks.add(
    "thm3_kappa_printed",
    "Appendix D, proof of Theorem 3",
    "as printed: the singular values of Z M^(1)^{-2}⋯M^(L)^{-2} are κ_ε(x) = x h_1(x)⋯h_L(x)",
    f"max rel. error < {TOL_RUN:g}",
    f"{rundf.kappa_printed_rel_err.min():.2g} or more",
    bool((rundf.kappa_printed_rel_err < TOL_RUN).all()),
    "erratum: κ_ε(x) = x h_1(x)^{-2} ⋯ h_L(x)^{-2} (each h_ℓ with exponent −2, not +1): "
    f"that matches the run to {rundf.kappa_corrected_rel_err.max():.1e} (next row)",
)
checks.add(
    "thm3_kappa_corrected",
    "Appendix D, proof of Theorem 3 (corrected)",
    "the singular values of Z M^(1)^{-2}⋯M^(L)^{-2} are κ_ε(x) = x h_1(x)^{-2}⋯h_L(x)^{-2}",
    f"max rel. error < {TOL_RUN:g}",
    f"{rundf.kappa_corrected_rel_err.max():.1e}",
    bool((rundf.kappa_corrected_rel_err < TOL_RUN).all()),
    note_runs,
)
checks.add(
    "thm3_first_order_printed",
    "Theorem 3 (ψ_ε as printed)",
    "as printed: fixed points are critical points of Σψ_ε(σ_j) with ψ_ε' = s h_1⋯h_L",
    f"‖P_⊥∇‖/‖∇‖ < {TOL_FOC:g}",
    f"{rundf.foc_printed.min():.2f} or more",
    bool((rundf.foc_printed < TOL_FOC).all()),
    "erratum: holds with ψ_ε'(s) = s h_1(s)^{-2}⋯h_L(s)^{-2} (next row)",
)
checks.add(
    "thm3_first_order_corrected",
    "Theorem 3 (corrected ψ_ε), Eq. (14)",
    "fixed points of Algorithm 2 are critical points of Σψ_ε(σ_j) with ψ_ε' = s Π h_ℓ(s)^{-2}",
    f"‖P_⊥∇‖/‖∇‖ < {TOL_FOC:g}",
    f"{rundf.foc_corrected.max():.1e}",
    bool((rundf.foc_corrected < TOL_FOC).all()),
    note_runs,
)
checks.add(
    "thm3_printed_constants",
    "Theorem 3, C_ℓ as printed",
    "h_ℓ(s) ~ s^{2C_ℓ} as ε→0 with C_ℓ = Σ_{i≤ℓ} α_i Π_{j<i}(1−2α_j) (α_i read outside Π)",
    f"|slope − 2C_ℓ| < {TOL_SLOPE:g}",
    f"{rundf.slope_err_printed.min():.2f} or more",
    bool((rundf.slope_err_printed < TOL_SLOPE).all()),
    "erratum: C_ℓ = α_ℓ Π_{j<ℓ}(1−2α_j) (no sum over i); read literally (α_i inside Π) the "
    "printed C_1 = 1 for any α. Slopes measured on the runs: "
    + "; ".join(f"{r.alphas}: {r.slope_2c} vs printed {r.printed_2C}" for r in rundf.itertuples()),
)
checks.add(
    "thm3_corrected_constants",
    "Theorem 3, C_ℓ corrected",
    "h_ℓ(s) ~ s^{2c_ℓ} as ε→0 with c_ℓ = α_ℓ Π_{j<ℓ}(1−2α_j)",
    f"|slope − 2c_ℓ| < {TOL_SLOPE:g}",
    f"{rundf.slope_err_corrected.max():.1e}",
    bool((rundf.slope_err_corrected < TOL_SLOPE).all()),
    "slopes between the two large singular values of the run: "
    + "; ".join(f"{r.alphas}: {r.slope_2c} vs {r.corrected_2c}" for r in rundf.itertuples()),
)

# %% [markdown]
# ## B. ψ_ε by quadrature as ε → 0
#
# ψ_ε(r) = ∫_0^r κ_ε(s) ds by `quad` (corrected κ_ε) at ε = `eps_limit`, for r ∈ [0.5, 4]: the
# log–log slope against the stated exponent and ψ_ε(1) against the constant (printed: 1; with the
# factor: 1/p). The convergence is slow for small p (ψ_0 − ψ_ε ~ ε^{p/2}), hence the tiny ε.

# %%
alpha_sets = [(f"Cor. 2, L={L}", T.cor2_alphas(L)) for L in L_list] + [
    (f"α={fmt(a)}", a) for a in generic_alphas
]
rgrid = np.array([0.5, 1.0, 2.0, 4.0])
lim_rows = []
for name, al in alpha_sets:
    psi = T.psi_eps_deep(rgrid, al, eps_limit)
    psi_pr = T.psi_eps_deep(rgrid, al, eps_limit, kappa="printed")
    p = T.deep_limit_exponent(al)
    p_printed = 2 - 4 * float(np.sum(T.C_printed(al)))
    lim_rows.append(
        dict(
            set=name,
            L=len(al),
            p_corrected=p,
            p_printed=p_printed,
            slope=np.polyfit(np.log(rgrid), np.log(psi), 1)[0],
            slope_printed_kappa=np.polyfit(np.log(rgrid), np.log(psi_pr), 1)[0],
            psi_at_1=float(psi[1]),
            one_over_p=1 / p,
            max_rel_err_vs_rp_over_p=float(np.max(np.abs(psi - rgrid**p / p) / (rgrid**p / p))),
        )
    )
limdf = pd.DataFrame(lim_rows)
display(limdf)

fig, ax = plt.subplots(figsize=(5, 3.4))
rr = np.linspace(0.01, 3, 60)
al = T.cor2_alphas(2)
for e in [1e-1, 1e-2, 1e-4, 1e-8]:
    ax.plot(rr, T.psi_eps_deep(rr, al, e), label=f"ψ_ε, ε={e:g}")
ax.plot(rr, 1.5 * rr ** (2 / 3), "k--", label="(3/2) r^{2/3}")
ax.plot(rr, rr ** (2 / 3), "k:", label="r^{2/3} (printed)")
ax.set_xlabel("r")
ax.set_title("Corollary 2, L = 2 (corrected κ_ε)")
ax.legend(fontsize=7)
plt.show()

# %%
TOL_LIM = 1e-2
err_slope = float(np.max(np.abs(limdf.slope - limdf.p_corrected)))
err_slope_pr = float(np.min(np.abs(limdf.slope - limdf.p_printed)[limdf.L > 1]))
checks.add(
    "thm3_limit_power_printed",
    "Theorem 3 (limit, printed constants)",
    "as printed: lim_{ε→0} ψ_ε(r) ∝ r^{2−4ΣC_ℓ}, C_ℓ as printed",
    f"|slope − (2−4ΣC_ℓ)| < {TOL_LIM:g}",
    f"{err_slope_pr:.2f} or more (L ≥ 2)",
    err_slope_pr < TOL_LIM,
    "erratum: the exponent is p = 2 − 4Σ_ℓ α_ℓΠ_{j<ℓ}(1−2α_j) = 2Π_ℓ(1−2α_ℓ) "
    "(next row); L = 1 agrees. Printed κ_ε would even give slopes "
    + fmt(limdf.slope_printed_kappa)
    + " (= 2 + 4Σc)",
)
checks.add(
    "thm3_limit_power",
    "Theorem 3 (limit, corrected constants)",
    "lim_{ε→0} ψ_ε(r) ∝ r^p, p = 2 − 4Σc_ℓ = 2Π_ℓ(1−2α_ℓ)",
    f"|slope − p| < {TOL_LIM:g}",
    f"{err_slope:.1e}",
    err_slope < TOL_LIM,
    f"quadrature at ε={eps_limit:g}, r ∈ {rgrid.tolist()}; sets: "
    + "; ".join(
        f"{r.set}: slope {r.slope:.4f} vs p {r.p_corrected:.4f}" for r in limdf.itertuples()
    ),
)
err_c = float(np.max(np.abs(limdf.psi_at_1 * limdf.p_corrected - 1)))
p_not_1 = np.abs(limdf.p_corrected - 1) > 0.05  # where the factor 1/p differs from 1
err_c_pr = float(np.min(np.abs(limdf.psi_at_1 - 1)[p_not_1]))
checks.add(
    "thm3_limit_constant",
    "Theorem 3 and Appendix D (last display)",
    "as printed: lim_{ε→0} ψ_ε(r) = r^{2−4ΣC} (no constant factor), so ψ_0(1) = 1",
    f"|ψ_ε(1) − 1| < {TOL_LIM:g}",
    f"{err_c_pr:.2f} or more (sets with p ≠ 1)",
    err_c_pr < TOL_LIM,
    "erratum: ∫_0^r s^{p−1} ds = r^p/p, so lim ψ_ε(r) = r^p/p with p = 2 − 4Σc, as Corollary 1 "
    "keeps 1/(2−4α) for L = 1 (next row). Harmless for the critical points (positive factor). "
    "ψ_ε(1) measured: " + fmt(limdf.psi_at_1) + " vs 1/p: " + fmt(limdf.one_over_p),
)
checks.add(
    "thm3_limit_constant_corrected",
    "Theorem 3 (corrected), Corollary 1 (L = 1)",
    "lim_{ε→0} ψ_ε(r) = r^p / p, p = 2 − 4Σc_ℓ (the factor of Corollary 1 kept)",
    f"max rel. error of ψ_ε vs r^p/p < {TOL_LIM:g}",
    f"{limdf.max_rel_err_vs_rp_over_p.max():.1e}",
    bool((limdf.max_rel_err_vs_rp_over_p < TOL_LIM).all()),
    f"quadrature at ε={eps_limit:g}, r ∈ {rgrid.tolist()}, all α sets above",
)

# the monotone-convergence step of Appendix D: κ_ε ↑ g(x) = x^{1−4Σc} as ε ↓ 0
xg = np.logspace(-4, 1, 300)
mono_ok, bound_ok = True, True
for _, al in alpha_sets:
    ks = [T.kappa_corrected(xg, al, e) for e in [1.0, 1e-1, 1e-2, 1e-3, 1e-4, 0.0]]
    g = xg ** (1 - 4 * np.sum(T.C_corrected(al)))
    mono_ok &= all(np.all(ks[i + 1] >= ks[i] * (1 - 1e-12)) for i in range(len(ks) - 1))
    bound_ok &= all(np.all(k <= g * (1 + 1e-12)) for k in ks)
checks.add(
    "thm3_proof_monotone",
    "Appendix D (Monotone Convergence step)",
    "κ_ε increases as ε ↓ 0 to g(x) = x^{1−4ΣC} and κ_ε ≤ g (with corrected κ_ε, c_ℓ)",
    "monotone and bounded on a grid x ∈ [1e-4, 10], ε ∈ {1, …, 1e-4, 0}",
    f"monotone: {mono_ok}, bounded: {bound_ok}",
    mono_ok and bound_ok,
    "all α sets of part B",
)

# %% [markdown]
# ## Corollary 2's constants

# %%
cor_rows = []
for L in L_list:
    al = T.cor2_alphas(L)
    cor_rows.append(
        dict(
            L=L,
            alphas=fmt(al),
            target=1 / (2 * (L + 1)),
            C_printed=fmt(T.C_printed(al)),
            C_printed_literal=fmt(T.C_printed(al, "literal")),
            c_corrected=fmt(T.C_corrected(al)),
            sum_C_printed=float(np.sum(T.C_printed(al))),
            err_printed=float(np.max(np.abs(T.C_printed(al) - 1 / (2 * (L + 1))))),
            err_corrected=float(np.max(np.abs(T.C_corrected(al) - 1 / (2 * (L + 1))))),
        )
    )
cordf = pd.DataFrame(cor_rows)
display(cordf)
checks.add(
    "cor2_constants",
    "Corollary 2 (printed C_ℓ)",
    "α_ℓ = 1/(2(L−ℓ+2)) gives C_ℓ = 1/(2(L+1)) for the printed C_ℓ",
    "max |C_ℓ − 1/(2(L+1))| < 1e-12",
    f"{cordf.err_printed.max():.3f} (L = {L_list})",
    bool((cordf.err_printed < 1e-12).all()),
    "erratum: printed C_ℓ (α_i outside Π) = ℓ/(2(L+1)): "
    + "; ".join(f"L={r.L}: {r.C_printed}" for r in cordf.itertuples())
    + "; ΣC = L/4 ≥ 1/2 for L ≥ 2, outside Theorem 3's own assumption ΣC < 1/2. Read "
    "literally (α_i inside Π) C_1 = 1. With c_ℓ = α_ℓΠ_{j<ℓ}(1−2α_j) the claim holds (next row)",
)
checks.add(
    "cor2_constants_corrected",
    "Corollary 2 (corrected c_ℓ)",
    "α_ℓ = 1/(2(L−ℓ+2)) gives c_ℓ = α_ℓΠ_{j<ℓ}(1−2α_j) = 1/(2(L+1)) for all ℓ",
    "max |c_ℓ − 1/(2(L+1))| < 1e-12",
    f"{cordf.err_corrected.max():.1e}",
    bool((cordf.err_corrected < 1e-12).all()),
    "telescoping: Π_{j<ℓ}(1−2α_j) = (L−ℓ+2)/(L+1); also confirmed on the run (part A, "
    "first α list = Cor. 2 with L = 2)",
)
c2 = limdf[limdf.set.str.startswith("Cor. 2")]
err_c2 = float(np.max(np.abs(c2.slope - 2 / (c2.L + 1))))
checks.add(
    "cor2_limit",
    "Corollary 2 (limit exponent)",
    "lim_{ε→0} ψ_ε(r) ∝ r^{2/(L+1)} (up to a positive constant)",
    f"|slope − 2/(L+1)| < {TOL_LIM:g}",
    f"{err_c2:.1e}",
    err_c2 < TOL_LIM,
    "slopes " + fmt(c2.slope) + f" for L = {c2.L.tolist()}",
)
err_c2c = float(np.min(np.abs(c2.psi_at_1 - 1)[c2.L > 1]))
checks.add(
    "cor2_limit_printed_constant",
    "Corollary 2 (limit as printed)",
    "as printed: lim_{ε→0} ψ_ε(r) = r^{2/(L+1)}, so ψ_0(1) = 1",
    f"|ψ_ε(1) − 1| < {TOL_LIM:g}",
    f"{err_c2c:.2f} or more (L ≥ 2)",
    err_c2c < TOL_LIM,
    "erratum: lim ψ_ε(r) = ((L+1)/2) r^{2/(L+1)}; ψ_ε(1) = " + fmt(c2.psi_at_1),
)

# %% [markdown]
# ## C. Deep lin-RFM vs shallow lin-RFM with α = Σ_ℓ c_ℓ (closing remark of Section 3)
#
# *What is honestly checkable.* For ε > 0 the two objectives differ (κ_ε^deep ≠ κ_ε^shallow near
# s ≈ √ε, and at a near-low-rank fixed point those small singular values dominate the gradient), so
# the claim can only be about ε → 0, where both become Σ_j σ_j^p/p with p = 2 − 4Σc — singular at
# σ = 0. The meaningful first-order condition there is on the set of rank-r matrices: with
# T the tangent space at the rank-r truncation Z_r = U diag(σ) Vᵀ and N = T ∩ ker 𝒜,
# ⟨U diag(σ^{p−1}) Vᵀ, ξ⟩ = 0 for ξ ∈ N. N ≠ {0} needs n < r(d1 + d2 − r), so we use fewer
# measurements than degrees of freedom (then the fixed point is not Y#, and nothing is trivial).
# For deep (Cor. 2, L = `cmp_L`) and shallow (α = Σc) fixed points at decreasing ε we
# (i) estimate p̂ = argmin_p of that residual (dim N equations, one unknown), and
# (ii) measure ‖Z_deep − Z_shallow‖/‖Z_shallow‖, with shallow controls at α = Σ_ℓ α_ℓ and at the
# printed α = ΣC_ℓ.

# %%
A_c, y_c, Y_c = sensing(seed_cmp, n_factor_cmp)
al_c = T.cor2_alphas(cmp_L)
S_c = float(np.sum(T.C_corrected(al_c)))
p_c = 2 - 4 * S_c
S_pr = float(np.sum(T.C_printed(al_c)))
controls = {"Σα_ℓ": float(np.sum(al_c)), "ΣC_ℓ printed": S_pr}
dofc = rank * (d1 + d2 - rank)
print(f"n = {len(y_c)} < {dofc} degrees of freedom; α = {fmt(al_c)}, Σc = {S_c:.4f}, p = {p_c:.4f}")


def p_hat(Z):
    f = lambda q: T.fixed_rank_stationarity_residual(Z, A_c, rank, q)  # noqa: E731
    r = minimize_scalar(f, bounds=(0.02, 1.98), method="bounded", options={"xatol": 1e-5})
    return float(r.x), float(r.fun), f(1.0)


cmp_rows = []
for e in cmp_eps:
    t0 = time.perf_counter()
    kw = dict(eps=e, max_iter=max_iter, tol=tol_cmp, device="cpu")
    rd = linrfm.deep_sense(A_c, y_c, alphas=al_c, **kw)
    rs = linrfm.sense(A_c, y_c, alpha=S_c, **kw)
    pd_, resd, res1d = p_hat(rd.Z)
    ps_, ress, _ = p_hat(rs.Z)
    entry = dict(
        eps=e,
        n_iter_deep=rd.n_iter,
        n_iter_shallow=rs.n_iter,
        converged=rd.converged and rs.converged,
        p_hat_deep=pd_,
        resid_deep_at_p_hat=resd,
        resid_deep_at_p1=res1d,
        p_hat_shallow=ps_,
        resid_shallow_at_p_hat=ress,
        diff_deep_shallow=np.linalg.norm(rd.Z - rs.Z) / np.linalg.norm(rs.Z),
        rel_err_deep_to_Ytrue=np.linalg.norm(rd.Z - Y_c) / np.linalg.norm(Y_c),
        sigma3_deep=np.linalg.svd(rd.Z, compute_uv=False)[rank],
        sigma3_shallow=np.linalg.svd(rs.Z, compute_uv=False)[rank],
    )
    for name, a in controls.items():  # controls only at the smallest ε
        if e == min(cmp_eps):
            rc = linrfm.sense(A_c, y_c, alpha=a, **kw)
            diff = np.linalg.norm(rd.Z - rc.Z) / np.linalg.norm(rc.Z)
            entry[f"diff_deep_vs_shallow[{name}={a:.3f}]"] = diff
    entry["seconds"] = time.perf_counter() - t0
    cmp_rows.append(entry)
cmpdf = pd.DataFrame(cmp_rows).sort_values("eps", ascending=False).reset_index(drop=True)
display(cmpdf.T)

# %%
TOL_P = 0.05
last = cmpdf.iloc[-1]
ctrl_cols = [c for c in cmpdf.columns if c.startswith("diff_deep_vs_shallow[")]
ctrl_min = float(min(cmpdf[c].min() for c in ctrl_cols))
ok_p = abs(last.p_hat_deep - p_c) < TOL_P and abs(last.p_hat_shallow - p_c) < TOL_P
ok_diff = bool(last.diff_deep_shallow < ctrl_min)
checks.add(
    "cor2_deep_equals_shallow",
    "Section 3, remark after Corollary 2",
    "as ε→0 deep lin-RFM (Cor. 2) and shallow lin-RFM with α = Σc_ℓ have the same fixed-point "
    "equation (that of Σσ_j^p/p, p = 2/(L+1))",
    f"at the smallest ε: |p̂ − p| < {TOL_P} for both; ‖Z_deep − Z_shallow‖ below the controls",
    f"p̂ deep {last.p_hat_deep:.3f}, shallow {last.p_hat_shallow:.3f} (p = {p_c:.3f}); "
    f"‖Z_deep − Z_shallow‖/‖Z‖ {fmt(cmpdf.diff_deep_shallow)} at ε {fmt(cmpdf.eps)}",
    ok_p and ok_diff and bool(cmpdf.converged.all()),
    f"L={cmp_L}, ε ∈ {cmp_eps}, d1={d1}, d2={d2}, r={rank}, n={len(y_c)} < dof {dofc}; "
    f"stationarity residual at p̂: deep {last.resid_deep_at_p_hat:.1e}, shallow "
    f"{last.resid_shallow_at_p_hat:.1e} (at p=1, nuclear norm: {last.resid_deep_at_p1:.1e}); "
    f"controls at smallest ε: "
    + ", ".join(f"{c[21:-1]}: {last[c]:.3f}" for c in ctrl_cols)
    + ". Only the ε→0 statement is checkable; at fixed ε>0 the two objectives differ. The "
    "distance between the two fixed points need not decrease monotonically in ε (the runs reach "
    "the ε→0 critical set along different paths; see σ_3 in the table); p̂ is the robust check",
)
checks.add(
    "cor2_deep_equals_shallow_printed",
    "Section 3, remark after Corollary 2 (printed C_ℓ)",
    "as printed: deep lin-RFM matches shallow lin-RFM with α = ΣC_ℓ (printed C_ℓ)",
    f"|p̂ − (2 − 4ΣC_ℓ)| < {TOL_P}",
    f"p̂ deep {last.p_hat_deep:.3f} vs 2 − 4ΣC = {2 - 4 * S_pr:.3f}",
    abs(last.p_hat_deep - (2 - 4 * S_pr)) < TOL_P,
    f"erratum: α = Σc_ℓ = {S_c:.4f} with c_ℓ = α_ℓΠ_{{j<ℓ}}(1−2α_j), not ΣC_ℓ = {S_pr:.4f} "
    "(previous row)",
)

# %%
print(f"run time {time.perf_counter() - t_start:.1f} s")
display(checks.write(checks_path))
