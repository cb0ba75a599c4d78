"""Fig. 1B: ψ of Corollary 1 for several α, normalised so that ψ(0) = 0.

ψ(r) = ∫_0^r s/(s² + ε)^{2α} ds (Theorem 1 with φ(s) = (s + ε)^α), drawn from the closed form of
Corollary 1 minus its value at 0 (``linrfm_paper.theory.psi_normalised``). The caption of Fig. 1
only says "normalized so that ψ(0) = 0"; the text gives neither the α values nor ε, so both are ours
(params ``alphas``, ``eps``; ε > 0 is needed for ψ(0) to be finite when α ≥ 1/2).

Left: ψ(r) − ψ(0) on a log axis (the scales differ by orders of magnitude: ~r for α = 1/4,
~log r for α = 1/2, saturating at 1/(2ε) for α = 1). Right: the same curves divided by their value
at r_max, to compare shapes (larger α: steeper at 0, flatter away from 0, i.e. more rank-seeking).

Snakemake: ``output.pdf``, ``output.png``, ``params.alphas``, ``params.eps``; optional
``params.r_max``. Standalone: ``python plot_fig1_psi.py OUT.pdf OUT.png`` with the α and ε of
config/config.yaml (``theory_figures``), the one source of both.
"""

import sys
from collections.abc import Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402
import yaml  # noqa: E402

from linrfm_paper.jobs import save_figure  # noqa: E402
from linrfm_paper.theory import psi_closed_form_kind, psi_normalised  # noqa: E402


def label(alpha: float) -> str:
    """Legend entry: α, p = 2 − 4α and the kind of closed form."""
    kind = {"log": "log", "hyperbolic": "−1/(2(r²+ε))", "power": "power"}[
        psi_closed_form_kind(alpha)
    ]
    if np.isclose(alpha, 0.25):
        kind = "≈ |r|, nuclear norm"
    return f"α = {alpha:g} (p = {2 - 4 * alpha:g}; {kind})"


def main(
    out_pdf: str,
    out_png: str,
    alphas: Sequence[float],
    eps: float,
    r_max: float = 2.0,
) -> None:
    """Draw Fig. 1B to ``out_pdf`` and ``out_png``."""
    r = np.linspace(0.0, r_max, 400)
    colors = sns.color_palette("viridis", n_colors=len(alphas))
    sns.set_theme(style="whitegrid", context="paper")
    fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.6))
    for a, col in zip(alphas, colors, strict=True):
        v = psi_normalised(r, float(a), eps)
        axes[0].plot(r[1:], v[1:], color=col, lw=1.6, label=label(float(a)))
        axes[1].plot(r, v / v[-1], color=col, lw=1.6)
    axes[0].set_yscale("log")
    axes[0].set_xlabel("r (singular value)")
    axes[0].set_ylabel("ψ(r) − ψ(0)")
    axes[0].set_title(f"ψ of Corollary 1, φ(s) = (s + ε)^α, ε = {eps:g}")
    axes[1].set_xlabel("r (singular value)")
    axes[1].set_ylabel(f"(ψ(r) − ψ(0)) / (ψ({r_max:g}) − ψ(0))")
    axes[1].set_title("shapes (rescaled to 1 at the right end)")
    axes[0].legend(loc="lower right", fontsize=7, frameon=True)
    fig.tight_layout()
    for out in (out_pdf, out_png):
        save_figure(fig, out, bbox_inches="tight", dpi=150)
    plt.close(fig)


if "snakemake" in globals():
    smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
    main(
        smk.output.pdf,
        smk.output.png,
        alphas=smk.params.alphas,
        eps=float(smk.params.eps),
        r_max=float(smk.params.get("r_max", 2.0)),
    )
elif __name__ == "__main__":
    config = Path(__file__).resolve().parents[2] / "config/config.yaml"
    theory = yaml.safe_load(config.read_text())["theory_figures"]
    main(*sys.argv[1:3], alphas=theory["fig1_alphas"], eps=float(theory["fig1_eps"]))
