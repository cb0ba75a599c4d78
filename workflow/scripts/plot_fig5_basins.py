"""Fig. 5: the 2-D dynamics of lin-RFM (φ = identity) on 3 × 2 matrices, Proposition 2.

Y = [[a, b], [c, ?], [?, d]] observed; Algorithm 1 completes it as [[a, b], [c, c x_t], [d y_t, d]]
with (x_{t+1}, y_{t+1}) = f(x_t, y_t), f = (B(A+C)/(A²+B²), B(A+C)/(B²+C²)),
A = a² + c² + d²y², B = ab + c²x + d²y, C = b² + d² + c²x² (derived from Algorithm 1 and checked
against direct runs in notebooks/appendix_f.py; ``linrfm_paper.theory.prop2_map``). Each panel shows
the vector field f(x, y) − (x, y) (one step of the map; streamlines coloured by the step length),
the attractor u = (b/a, a/b) in red (the rank-1 completion), and the orbit from x_0 = y_0 = 0
(M_0 = I) in black. Panel titles give the Jacobian's top eigenvalue at u,
λ = (a²d² + b²c²)/(a²b² + a²d² + b²c²) (smaller λ, stronger attractor). The paper does not list
its (a, b, c, d) values; ``params.cases`` chooses them (the last ones may scale a, b with c, d
fixed, as the caption's right-hand plot).

Snakemake: ``output.pdf``, ``output.png``, ``params.cases`` = list of {a, b, c, d}; optional
``params.steps`` (orbit length). Standalone: ``python plot_fig5_basins.py OUT.pdf OUT.png`` with
the cases of config/config.yaml (``theory_figures.fig5_cases``), the one source of them.
"""

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import seaborn as sns  # noqa: E402
import yaml  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402

from linrfm_paper.jobs import save_figure  # noqa: E402
from linrfm_paper.theory import prop2_attractor, prop2_map, prop2_top_eigenvalue_printed  # noqa: E402


def orbit(a: float, b: float, c: float, d: float, steps: int) -> np.ndarray:
    """(x_t, y_t), t = 0..steps, from x_0 = y_0 = 0 (M_0 = I)."""
    xy = [(0.0, 0.0)]
    for _ in range(steps):
        xy.append(tuple(float(v) for v in prop2_map(*xy[-1], a, b, c, d)))
    return np.array(xy)


def main(
    out_pdf: str,
    out_png: str,
    cases: Sequence[Mapping[str, float]],
    steps: int = 30,
    grid: int = 41,
) -> None:
    """Draw one vector-field panel per case to ``out_pdf`` and ``out_png``."""
    sns.set_theme(style="white", context="paper")
    n = len(cases)
    fig, axes = plt.subplots(
        1, n, figsize=(3.4 * n + 0.8, 3.4), squeeze=False, layout="constrained"
    )
    for ax, case in zip(axes.flat, cases, strict=True):
        a, b, c, d = (float(case[k]) for k in "abcd")
        ux, uy = prop2_attractor(a, b)
        xmax, ymax = max(2.0, 2.0 * ux), max(2.0, 2.0 * uy)
        X, Y = np.meshgrid(np.linspace(0.0, xmax, grid), np.linspace(0.0, ymax, grid))
        FX, FY = prop2_map(X, Y, a, b, c, d)
        U, V = FX - X, FY - Y
        speed = np.hypot(U, V)
        strm = ax.streamplot(
            X,
            Y,
            U,
            V,
            color=speed,
            cmap="viridis",
            norm=LogNorm(vmin=max(speed.min(), 1e-3), vmax=speed.max()),
            density=1.1,
            linewidth=0.9,
            arrowsize=0.9,
        )
        orb = orbit(a, b, c, d, steps)
        ax.plot(orb[:, 0], orb[:, 1], "k.-", ms=3.5, lw=0.7, label="orbit from M_0 = I")
        ax.plot(ux, uy, "o", color="red", ms=8, mec="white", label="attractor u = (b/a, a/b)")
        lam = prop2_top_eigenvalue_printed(a, b, c, d)
        ax.set_title(f"a={a:g}, b={b:g}, c={c:g}, d={d:g}\nλ_max(J_f(u)) = {lam:.3f}", fontsize=9)
        ax.set_xlim(0.0, xmax)
        ax.set_ylim(0.0, ymax)
        ax.set_xlabel("x")
        ax.set_ylabel("y")
    fig.colorbar(strm.lines, ax=axes.ravel().tolist(), shrink=0.85, label="‖f(x, y) − (x, y)‖")
    axes.flat[0].legend(loc="upper right", fontsize=6.5, framealpha=0.9)
    for out in (out_pdf, out_png):
        save_figure(fig, out, bbox_inches="tight", dpi=150)
    plt.close(fig)


if "snakemake" in globals():
    smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
    main(
        smk.output.pdf,
        smk.output.png,
        cases=smk.params.cases,
        steps=int(smk.params.get("steps", 30)),
    )
elif __name__ == "__main__":
    config = Path(__file__).resolve().parents[2] / "config/config.yaml"
    main(*sys.argv[1:3], cases=yaml.safe_load(config.read_text())["theory_figures"]["fig5_cases"])
