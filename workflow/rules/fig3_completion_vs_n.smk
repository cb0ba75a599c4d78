FIG3 = "fig3_completion_vs_n"


rule fig3_run:
    """One method on one (d, rank, n, seed) completion problem, under both protocols."""
    output:
        "results/fig3/d{d}_r{rank}_n{n}/{method}_s{seed}.csv",
    log:
        "logs/fig3/d{d}_r{rank}_n{n}/{method}_s{seed}.log",
    wildcard_constraints:
        method=methods.constraint("completion"),
    conda:
        "../../envs/linrfm.yaml"
    resources:
        mem_mb=2000,
        runtime=120,
    params:
        method=lambda w: w.method,
        settings=lambda w: method_settings(FIG3, w.method),
    script:
        "../scripts/run_completion.py"


TABLES["fig3"] = expand(
    "results/fig3/d{p[0]}_r{p[1]}_n{p[2]}/{method}_s{seed}.csv",
    p=completion_points(FIG3),
    method=config[FIG3]["methods"],
    seed=config[FIG3]["seeds"],
)


rule fig3_plot:
    input:
        "results/fig3.csv",
    output:
        report(
            "figures/fig3_completion_vs_n.pdf",
            caption="../report/fig3.rst",
            category="Figure 3",
        ),
        "figures/fig3_completion_vs_n.png",
    log:
        "logs/fig3_plot.log",
    conda:
        "../../envs/linrfm.yaml"
    params:
        protocol=config["protocol_shown"],
        hue="label",
        title="Fig. 3: low-rank matrix completion",
    script:
        "../scripts/plot_completion_vs_n.py"
