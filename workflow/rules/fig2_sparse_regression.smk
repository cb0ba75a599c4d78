import math

FIG2 = "fig2_sparse_regression"

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
        method=methods.constraint("regression"),
    conda:
        "../../envs/linrfm.yaml"
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        method=lambda w: w.method,
        settings=lambda w: method_settings(FIG2, w.method),
        n_test=config[FIG2].get("n_test", 10000),
    script:
        "../scripts/run_regression.py"


TABLES["fig2"] = expand(
    "results/fig2/d{p[0]}_r{p[1]}_n{p[2]}/{method}_s{seed}.csv",
    p=FIG2_POINTS,
    method=config[FIG2]["methods"],
    seed=config[FIG2]["seeds"],
)


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
    params:
        protocol=config["protocol_shown"],
        mse_floor=1e-12,
        title="Fig. 2: sparse linear regression",
    script:
        "../scripts/plot_regression.py"
