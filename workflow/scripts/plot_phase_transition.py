"""The phase transition: success rate vs ρ, one panel per κ (the field's criterion solid, the
paper's dashed), and the median seconds per instance vs ρ."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from linrfm_paper import methods  # noqa: E402
from linrfm_paper.jobs import save_figure, start_job  # noqa: E402

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
log = start_job(smk.log[0], 1)
df = pd.read_csv(smk.input[0])
d, r = int(df["d1"].iloc[0]), int(df["rank"].iloc[0])
order = methods.legend_order(df["label"])
palette = methods.palette(order)
rate = (
    df.groupby(["kappa", "rho", "label"], as_index=False)
    .agg(success=("success", "mean"), paper_success=("paper_success", "mean"),
         seconds=("seconds", "median"), instances=("instance", "size"))
)  # fmt: skip
kappas = sorted(rate["kappa"].unique())
# one marker per method, shrinking down the legend, so that coinciding curves stay visible
style = {
    lab: dict(marker="osD^v<>"[i % 7], ms=7.5 - 1.2 * (i % 4), mfc="none", mew=1.3)
    for i, lab in enumerate(order)
}
sns.set_theme(style="whitegrid", context="paper")

fig, axes = plt.subplots(1, len(kappas), figsize=(3.2 * len(kappas), 2.9), squeeze=False)
for ax, kappa in zip(axes[0], kappas, strict=True):
    sub = rate[rate["kappa"] == kappa]
    for lab in order:
        g = sub[sub["label"] == lab].sort_values("rho")
        if g.empty:
            continue
        ax.plot(g["rho"], g["success"], "-", color=palette[lab], label=lab, **style[lab])
        ax.plot(g["rho"], g["paper_success"], ":", color=palette[lab], lw=1)
    ax.axhline(0.9, color="k", lw=0.6, ls=":")
    ax.set(title=f"κ = {kappa:g}", xlabel="oversampling ρ = n / r(d₁+d₂−r)", ylim=(-0.03, 1.03))
axes[0][0].set_ylabel("success rate")
n_inst = int(rate["instances"].min())
fig.suptitle(
    f"Beyond the paper: standard benchmark, {d} × {d} rank {r}, {n_inst} instances per point "
    "(solid: rel. error < 1e-3; dotted: paper's test MSE < 1e-3)",
    y=1.04,
    fontsize=9,
)
axes[0][-1].legend(loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
for out in (smk.output.rate, smk.output.rate_png):
    save_figure(fig, out, bbox_inches="tight", dpi=150)
plt.close(fig)

fig, axes = plt.subplots(
    1, len(kappas), figsize=(3.2 * len(kappas), 2.9), squeeze=False, sharey=True
)
for ax, kappa in zip(axes[0], kappas, strict=True):
    sub = rate[rate["kappa"] == kappa]
    for lab in order:
        g = sub[sub["label"] == lab].sort_values("rho")
        if not g.empty:
            ax.plot(g["rho"], g["seconds"], "-", color=palette[lab], label=lab, **style[lab])
    ax.set(title=f"κ = {kappa:g}", xlabel="oversampling ρ", yscale="log")
axes[0][0].set_ylabel("median seconds per instance")
fig.suptitle(
    f"Beyond the paper: time per instance, {d} × {d} rank {r} "
    f"({int(df['torch_threads'].max())} torch thread(s) per job)",
    y=1.04,
    fontsize=9,
)
axes[0][-1].legend(loc="center left", bbox_to_anchor=(1.02, 0.5), frameon=False)
for out in (smk.output.time, smk.output.time_png):
    save_figure(fig, out, bbox_inches="tight", dpi=150)
plt.close(fig)
log.info("phase transition: %d rows, %d points", len(df), len(rate))
