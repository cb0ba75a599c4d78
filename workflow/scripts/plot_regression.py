"""Fig. 2: test MSE vs n, one panel per (d, rank); mean over seeds, band min–max, log scale.

Test MSEs below ``params.mse_floor`` (exact recovery up to round-off, down to ~1e-23) are drawn at
the floor so that the axis shows the range around the 1e-3 threshold; the table keeps the values."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from linrfm_paper import methods  # noqa: E402
from linrfm_paper.jobs import save_figure  # noqa: E402

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
df = pd.read_csv(smk.input[0])
df = df[df["protocol"] == smk.params.protocol].copy()
floor = float(smk.params.mse_floor)
df["test_mse"] = df["test_mse"].clip(lower=floor)
order = methods.legend_order(df["label"])  # the registry's legend order and colours
sns.set_theme(style="whitegrid", context="paper")
g = sns.relplot(
    data=df,
    x="n",
    y="test_mse",
    hue="label",
    hue_order=order,
    palette=methods.palette(order),
    style="label",
    style_order=order,
    col="rank",
    row="d",
    kind="line",
    markers=True,
    dashes=False,
    errorbar=("pi", 100),
    facet_kws=dict(sharex=False, sharey=False),
    height=2.8,
    aspect=1.1,
)
g.set(yscale="log")
for ax in g.axes.flat:
    ax.set_ylim(bottom=floor / 3)
g.set_axis_labels("number of training samples n", "test MSE")
g.set_titles("d = {row_name}, rank = {col_name}")
g.figure.suptitle(smk.params.title + f"  [{smk.params.protocol} protocol]", y=1.02)
g.legend.set_title("method")
for ax in g.axes.flat:
    ax.axhline(1e-3, color="k", lw=0.6, ls=":")
    ax.axhline(floor, color="0.6", lw=0.6, ls="--")
for out in smk.output:
    save_figure(g.figure, out, bbox_inches="tight", dpi=150)
plt.close(g.figure)
