"""figures/scaling: seconds per lin-RFM iteration vs d (log-log), with the machine's GEMM line.

The dashed line is the time of one d × d × d matrix product at the GEMM rate measured in the same
run (2d³ / rate): an iteration's Gram ZᵀZ is one such product, so the gap between the two curves is
the overhead of everything else (row solves, sparse product, bookkeeping).
"""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import seaborn as sns  # noqa: E402

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
df = pd.read_csv(smk.input[0]).sort_values("d")
sns.set_theme(style="whitegrid", context="paper")
fig, ax = plt.subplots(figsize=(5.2, 3.8))
ax.loglog(df["d"], df["seconds_per_iter"], "o-", label="lin-RFM α=1/2, one iteration (measured)")
ax.loglog(df["d"], df["gemm_seconds"], "k--", label="one d×d GEMM at the measured rate")
for _, r in df.iterrows():
    ax.annotate(
        f"{r['fraction_of_gemm']:.0%}",
        (r["d"], r["seconds_per_iter"]),
        textcoords="offset points",
        xytext=(4, 6),
        fontsize=8,
    )
ax.set_xlabel(f"d (d × d, rank {int(df['rank'].iloc[0])})")
ax.set_ylabel("seconds")
first = df.iloc[0]
ax.set_title(
    f"{first['device']}, {int(first['torch_threads'])} threads, "
    f"GEMM {first['gemm_flops_per_s'] / 1e9:.0f} GFLOP/s (labels: fraction of it)",
    fontsize=9,
)
ax.legend(fontsize=8)
for out in smk.output:
    fig.savefig(out, bbox_inches="tight", dpi=150)
plt.close(fig)
