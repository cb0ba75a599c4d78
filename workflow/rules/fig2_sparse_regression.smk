FIG2 = "fig2_sparse_regression"


rule fig2_run:
    """One method on every (n, seed) sparse regression problem of one (d, rank) cell, under both
    protocols."""
    output:
        "results/fig2/d{d}_r{rank}/{method}.csv",
    log:
        "logs/fig2/d{d}_r{rank}/{method}.log",
    benchmark:
        "benchmarks/fig2/d{d}_r{rank}/{method}.tsv"
    wildcard_constraints:
        d=r"\d+",
        rank=r"\d+",
        method=methods.constraint("regression"),
    conda:
        "../../envs/linrfm.yaml"
    resources:
        mem_mb=2000,
        runtime=480,
    params:
        method=lambda w: w.method,
        settings=lambda w: method_settings(FIG2, w.method),
        n_test=config[FIG2]["n_test"],
        draws=lambda w: [
            {"n": n, "seed": seed}
            for n in regression_ns(FIG2, int(w.d), int(w.rank))
            for seed in config[FIG2]["seeds"]
        ],
    script:
        "../scripts/run_regression.py"


TABLES["fig2"] = expand(
    "results/fig2/d{s[d]}_r{s[rank]}/{method}.csv",
    s=config[FIG2]["sizes"],
    method=config[FIG2]["methods"],
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
