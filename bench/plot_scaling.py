"""figures/scaling: seconds per lin-RFM iteration vs d (log-log), with the machine's GEMM line.

The dashed line is the time of one d × d × d matrix product at the GEMM rate measured in the same
run (2d³ / rate): a dense-kernel iteration's Gram ZᵀZ is one such product, so the gap between that
curve and the line is the overhead of everything else (row solves, sparse product, bookkeeping);
labels give the dense iteration's fraction of the GEMM rate. The low-rank kernel forms no d × d
matrix (O(|Ω| q²) per iteration), so its curve may fall below the line and goes on past d = 5000.
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

from linrfm_paper.jobs import save_figure  # noqa: E402

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
df = pd.read_csv(smk.input[0]).sort_values("d")
if "kernel" not in df:
    df["kernel"] = "dense"
sns.set_theme(style="whitegrid", context="paper")
fig, ax = plt.subplots(figsize=(5.6, 4.0))
names = {"dense": "dense kernel (Algorithm 1)", "lowrank": "low-rank + shift kernel"}
for kernel, part in df.groupby("kernel", sort=True):
    ax.loglog(part["d"], part["seconds_per_iter"], "o-", label=f"lin-RFM α=1/2, {names[kernel]}")
    if kernel == "dense":
        for _, r in part.iterrows():
            ax.annotate(
                f"{r['fraction_of_gemm']:.0%}",
                (r["d"], r["seconds_per_iter"]),
                textcoords="offset points",
                xytext=(4, 6),
                fontsize=8,
            )
line = df.drop_duplicates("d")
ax.loglog(line["d"], line["gemm_seconds"], "k--", label="one d×d GEMM at the measured rate")
ax.set_xlabel(f"d (d × d, rank {int(df['rank'].iloc[0])})")
ax.set_ylabel("seconds")
first = df.iloc[0]
ax.set_title(
    f"{first['device']}, {int(first['torch_threads'])} threads, "
    f"GEMM {first['gemm_flops_per_s'] / 1e9:.0f} GFLOP/s (labels: dense fraction of it)",
    fontsize=9,
)
ax.legend(fontsize=8)
for out in smk.output:
    save_figure(fig, out, bbox_inches="tight", dpi=150)
plt.close(fig)
