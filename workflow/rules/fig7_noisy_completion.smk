FIG7 = "fig7_noisy_completion"


rule fig7_run:
    """One method on one noisy problem (labels + N(0, sigma^2)); test MSE on clean entries."""
    output:
        "results/fig7/d{d}_r{rank}_n{n}_sigma{sigma}/{method}_s{seed}.csv",
    log:
        "logs/fig7/d{d}_r{rank}_n{n}_sigma{sigma}/{method}_s{seed}.log",
    wildcard_constraints:
        method=methods.constraint("completion"),
    conda:
        "../../envs/linrfm.yaml"
    resources:
        mem_mb=2000,
        runtime=120,
    params:
        method=lambda w: w.method,
        settings=lambda w: method_settings(FIG7, w.method),
        noise_std=lambda w: float(w.sigma),
    script:
        "../scripts/run_completion.py"


TABLES["fig7"] = expand(
    "results/fig7/d{d}_r{rank}_n{n}_sigma{sigma}/{method}_s{seed}.csv",
    d=config[FIG7]["d"],
    rank=config[FIG7]["rank"],
    n=config[FIG7]["n"],
    sigma=config[FIG7]["sigmas"],
    method=config[FIG7]["methods"],
    seed=config[FIG7]["seeds"],
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
