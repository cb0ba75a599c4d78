"""Fig. 4: threshold n (fewest observations with test MSE < target in every seed) vs rank.

One panel per d. Filled markers: thresholds found (error bar: the search bracket, from the largest
n seen to fail to the threshold). Open markers on the dotted line at d²: threshold not reached up
to n = d² − 1. Dashed black line: the degrees of freedom 2dr − r².
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from linrfm.data import degrees_of_freedom  # noqa: E402
from linrfm_paper import methods  # noqa: E402
from linrfm_paper.jobs import save_figure  # noqa: E402

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
protocol = smk.params.protocol
df = pd.read_csv(smk.input[0])
df = df[df["protocol"] == protocol]
order = methods.legend_order(df["label"])  # the registry's legend order and colours
colors = methods.palette(order)
markers = dict(zip(order, "osD^vPX*", strict=False))
ds = sorted(df["d"].unique())

sns.set_theme(style="whitegrid", context="paper")
fig, axes = plt.subplots(1, len(ds), figsize=(4.6 * len(ds), 3.6), squeeze=False)
for ax, d in zip(axes.flat, ds, strict=True):
    sub = df[df["d"] == d]
    ranks = np.sort(sub["rank"].unique())
    step = float(np.min(np.diff(ranks))) if len(ranks) > 1 else 1.0
    width = 0.35 * step  # horizontal dodge so that coinciding points stay visible
    for i, label in enumerate(order):
        m = sub[sub["label"] == label].sort_values("rank")
        if m.empty:
            continue
        x = m["rank"].to_numpy(float) + width * (i / max(1, len(order) - 1) - 0.5)
        ok = m["reached"].astype(bool).to_numpy()
        y = m["threshold_n"].to_numpy(float)
        lo = m["bracket_lo"].to_numpy(float)
        style = dict(color=colors[label], marker=markers[label], ms=6)
        ax.plot(x[ok], y[ok], ls="-", lw=1.2, **style)
        below = np.where(np.isnan(lo[ok]), 0.0, y[ok] - lo[ok])
        ax.errorbar(
            x[ok], y[ok], yerr=[below, np.zeros_like(below)], fmt="none", ecolor=colors[label]
        )
        ax.plot(x[~ok], np.full((~ok).sum(), d * d), ls="none", mfc="white", mew=1.3, **style)
    r = np.linspace(max(0.5, ranks.min() - 0.5 * step), ranks.max() + 0.5 * step, 200)
    ax.plot(r, degrees_of_freedom(d, d, r), "k--", lw=1.2)
    ax.axhline(d * d, color="0.4", ls=":", lw=0.9)
    ax.set_xticks(ranks)
    ax.set_xlabel("rank r")
    ax.set_ylabel("observations needed (threshold n)")
    ax.set_title(f"d = {d}")
handles = [Line2D([], [], color=colors[h], marker=markers[h], ms=6, label=h) for h in order] + [
    Line2D([], [], color="k", ls="--", label="2dr − r² (degrees of freedom)"),
    Line2D([], [], color="0.4", ls=":", marker="o", mfc="white", label="d²: not reached"),
]
target = df["target_mse"].iloc[0] if len(df) else float("nan")
seeds = int(df["n_seeds"].iloc[0]) if len(df) else 0
axes.flat[-1].legend(handles=handles, loc="upper left", bbox_to_anchor=(1.02, 1), frameon=False)
fig.suptitle(
    f"{smk.params.title}  [{protocol} protocol; test MSE < {target:g} in all {seeds} seeds]",
    y=1.02,
)
for out in smk.output:
    save_figure(fig, out, bbox_inches="tight", dpi=150)
plt.close(fig)
