"""Runtime figure: seconds to test MSE < target per method, ours beside the paper's GPU numbers.

Left: our measured time (mean over seeds, black ticks the individual seeds; a hatched bar at the
time limit marks a method that never reached the target). Right: the paper's Titan Xp seconds at
5000 × 5000 rank 10, 10^6 observations. Above each bar: the ratio to lin-RFM.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from linrfm_paper import methods  # noqa: E402
from linrfm_paper.jobs import save_figure  # noqa: E402

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
df = pd.read_csv(smk.input[0])
order = methods.legend_order(df["method"])  # the registry's legend order and colours
labels = df.drop_duplicates("method").set_index("method")["label"]
colors = methods.palette(order)
first = df.iloc[0]
ours_title = (
    f"this run: {int(first['d'])}×{int(first['d'])} rank {int(first['rank'])}, "
    f"n = {int(first['n']):,} ({first['device']}, {int(first['torch_threads'])} threads)"
)

sns.set_theme(style="whitegrid", context="paper")
fig, axes = plt.subplots(1, 2, figsize=(9.5, 3.6))
x = np.arange(len(order))
ours, missed = [], []
for i, m in enumerate(order):
    sub = df[df["method"] == m]
    reached = sub["reached"].astype(bool)
    t = sub["seconds_to_target"].where(reached, sub["time_limit_s"])
    ours.append(float(t.mean()))
    missed.append(not reached.all())
    bar = axes[0].bar(i, ours[-1], color=colors[m], hatch=None if reached.all() else "//")
    axes[0].plot(np.full(len(t), i), t, "k_", ms=14)
paper = [float(df[df["method"] == m]["paper_seconds"].iloc[0]) for m in order]
axes[1].bar(x, paper, color=[colors[m] for m in order])


def seconds(v: float) -> str:
    return f"{v:.0f} s" if v >= 100 else f"{v:.3g} s"


for ax, vals, miss in zip(axes, (ours, paper), (missed, [False] * len(order)), strict=True):
    base = vals[order.index("linrfm_a0.5")] if "linrfm_a0.5" in order else None
    for i, v in enumerate(vals):
        ratio = f"{v / base:.1f}×" if base and order[i] != "linrfm_a0.5" else ""
        if miss[i]:
            text = f"> {seconds(v)}, not reached" + (f"\n(≥ {ratio})" if ratio else "")
        else:
            text = seconds(v) + (f"\n({ratio})" if ratio else "")
        ax.text(i, v, text, ha="center", va="bottom", fontsize=8)
    ax.set_xticks(x, [labels[m] for m in order], rotation=15)
    ax.set_ylabel(f"seconds to test MSE < {first['target_mse']:g}")
    ax.set_ylim(0, 1.25 * max(vals))
axes[0].set_title(ours_title, fontsize=9)
axes[1].set_title("paper (Section 4): 5000×5000 rank 10, n = 10⁶, Titan Xp GPU", fontsize=9)
fig.suptitle("Runtime: lin-RFM vs width-d linear networks", y=1.02)
for out in smk.output:
    save_figure(fig, out, bbox_inches="tight", dpi=150)
plt.close(fig)
