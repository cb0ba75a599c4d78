FIG7 = "fig7_noisy_completion"


rule fig7_run:
    """One method on every (noise level, seed) problem (labels + N(0, sigma^2)); test MSE on the
    clean entries."""
    output:
        "results/fig7/d{d}_r{rank}_n{n}/{method}.csv",
    log:
        "logs/fig7/d{d}_r{rank}_n{n}/{method}.log",
    benchmark:
        "benchmarks/fig7/d{d}_r{rank}_n{n}/{method}.tsv"
    wildcard_constraints:
        d=r"\d+",
        rank=r"\d+",
        n=r"\d+",
        method=methods.constraint("completion"),
    priority: PRIORITY_LONGEST
    conda:
        "../../envs/linrfm.yaml"
    resources:
        mem_mb=4000,
        runtime=480,
    params:
        method=lambda w: w.method,
        settings=lambda w: method_settings(FIG7, w.method),
        draws=[
            {"n": config[FIG7]["n"], "seed": seed, "noise_std": float(sigma)}
            for sigma in config[FIG7]["sigmas"]
            for seed in config[FIG7]["seeds"]
        ],
    script:
        "../scripts/run_completion_cell.py"


TABLES["fig7"] = expand(
    "results/fig7/d{d}_r{rank}_n{n}/{method}.csv",
    d=config[FIG7]["d"],
    rank=config[FIG7]["rank"],
    n=config[FIG7]["n"],
    method=config[FIG7]["methods"],
)


rule fig7_plot:
    input:
        "results/fig7.csv",
    output:
        report(
            "figures/fig7_noisy_completion.pdf",
            caption="../report/fig7.rst",
            category="Figure 7",
        ),
        "figures/fig7_noisy_completion.png",
    log:
        "logs/fig7_plot.log",
    conda:
        "../../envs/linrfm.yaml"
    params:
        protocol=config["protocol_shown"],
        x="noise_std",
        xlabel="label noise σ",
        hue="label",
        title="Fig. 7: noisy matrix completion",
    script:
        "../scripts/plot_completion_vs_n.py"
