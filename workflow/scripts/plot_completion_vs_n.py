"""Test MSE vs n (or another x), one panel per (d, rank): mean over seeds, band min–max, log y."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from linrfm_paper import methods  # noqa: E402
from linrfm_paper.jobs import save_figure  # noqa: E402

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
df = pd.read_csv(smk.input[0])
df = df[df["protocol"] == smk.params.protocol].assign(d=lambda t: t["d1"])
hue, palette = smk.params.hue, None
if hue == "label":  # methods: the registry's legend order and colours
    order = methods.legend_order(df[hue])
    palette = methods.palette(order)
else:
    order = [h for h in smk.params.hue_order if h in set(df[hue])]
if pd.api.types.is_numeric_dtype(
    df[hue]
):  # numbers (e.g. ridges) as categories, not a colour scale
    df = df.assign(**{hue: df[hue].map("{:g}".format)})
    order = [f"{h:g}" for h in order]
sns.set_theme(style="whitegrid", context="paper")
g = sns.relplot(
    data=df,
    x=smk.params.get("x", "n"),
    y="test_mse",
    hue=hue,
    hue_order=order,
    palette=palette,
    col="rank",
    row="d",
    kind="line",
    marker="o",
    errorbar=("pi", 100),
    facet_kws=dict(sharex=False, sharey=False),
    height=2.8,
    aspect=1.1,
)
g.set(yscale="log")
g.set_axis_labels(smk.params.get("xlabel", "number of observed entries n"), "test MSE")
g.set_titles("d = {row_name}, rank = {col_name}")
g.figure.suptitle(smk.params.title + f"  [{smk.params.protocol} protocol]", y=1.02)
g.legend.set_title(smk.params.get("legend_title", "method"))
for ax in g.axes.flat:
    ax.axhline(1e-3, color="k", lw=0.6, ls=":")
for out in smk.output:
    save_figure(g.figure, out, bbox_inches="tight", dpi=150)
plt.close(g.figure)
