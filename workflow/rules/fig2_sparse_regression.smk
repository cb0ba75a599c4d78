import math
import re

FIG2 = "fig2_sparse_regression"
FIG2_METHODS = ["linrfm_a0.25", "linrfm_a0.5", "linrfm_a1", "l1", "diag_net"]
# The paper's legend order (lin-RFM alphas, diagonal net, minimum l1), for the plot.
FIG2_LABEL_ORDER = [
    "lin-RFM α=1/4",
    "lin-RFM α=1/2",
    "lin-RFM α=1",
    "depth-2 diagonal net",
    "minimum ℓ1",
]


# Grid of Fig. 2 from config["fig2_sparse_regression"]: for each entry {d, rank} of "sizes", the
# training-set sizes n = round(m * rank * ln d) for each m in "n_multipliers", at least 1 and at
# most d, sorted and without duplicates (rank * ln d is the scale of the sample complexity of
# sparse recovery; the paper does not state its n grid: ours). FIG2_POINTS holds (d, rank, n).
FIG2_POINTS = [
    (s["d"], s["rank"], n)
    for s in config[FIG2]["sizes"]
    for n in sorted(
        {
            min(max(int(round(m * s["rank"] * math.log(s["d"]))), 1), s["d"])
            for m in config[FIG2]["n_multipliers"]
        }
    )
]
# Hyper-parameters of each method from config["regression"]: lin-RFM -> "linrfm" {max_iter, ridge};
# diag_net -> "diag_net" {lr, init_var, max_steps, check_every, tol, target_mse}; l1 has none.
FIG2_SETTINGS = {
    **{
        m: config["regression"]["linrfm"]
        for m in FIG2_METHODS
        if m.startswith("linrfm")
    },
    "l1": {},
    "diag_net": config["regression"]["diag_net"],
}


rule fig2_run:
    """One method on one (d, rank, n, seed) sparse regression problem, under both protocols."""
    output:
        "results/fig2/d{d}_r{rank}_n{n}/{method}_s{seed}.csv",
    log:
        "logs/fig2/d{d}_r{rank}_n{n}/{method}_s{seed}.log",
    wildcard_constraints:
        d=r"\d+",
        rank=r"\d+",
        n=r"\d+",
        seed=r"\d+",
        method="|".join(re.escape(m) for m in FIG2_METHODS),
    conda:
        "../../envs/linrfm.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        method=lambda w: w.method,
        settings=lambda w: FIG2_SETTINGS[w.method],
        n_test=config[FIG2].get("n_test", 10000),
    script:
        "../scripts/run_regression.py"


rule fig2_table:
    """All Fig. 2 jobs in one tidy table (both protocols)."""
    input:
        expand(
            "results/fig2/d{p[0]}_r{p[1]}_n{p[2]}/{method}_s{seed}.csv",
            p=FIG2_POINTS,
            method=config[FIG2]["methods"],
            seed=config[FIG2]["seeds"],
        ),
    output:
        "results/fig2.csv",
    log:
        "logs/fig2_table.log",
    conda:
        "../../envs/linrfm.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/collect_tables.py"


rule fig2_plot:
    """Test MSE vs n per (d, rank) under the protocol named by config['protocol_shown']."""
    input:
        "results/fig2.csv",
    output:
        report(
            "figures/fig2_sparse_regression.pdf",
            caption="../report/fig2.rst",
            category="Figure 2",
        ),
        "figures/fig2_sparse_regression.png",
    log:
        "logs/fig2_plot.log",
    conda:
        "../../envs/linrfm.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        protocol=config["protocol_shown"],
        hue_order=FIG2_LABEL_ORDER,
        mse_floor=1e-12,
        title="Fig. 2: sparse linear regression",
    script:
        "../scripts/plot_regression.py"
