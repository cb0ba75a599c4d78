FIG6 = "fig6_ridge_sweep"


rule fig6_run:
    """lin-RFM alpha = 1 with one fixed ridge on one (d, rank, n, seed) problem."""
    output:
        "results/fig6/d{d}_r{rank}_n{n}/ridge{ridge}_s{seed}.csv",
    log:
        "logs/fig6/d{d}_r{rank}_n{n}/ridge{ridge}_s{seed}.log",
    conda:
        "../../envs/linrfm.yaml"
    resources:
        mem_mb=2000,
        runtime=60,
    params:
        method="linrfm_a1",
        # the ridge of this job instead of the grid
        settings=lambda w: {
            **method_settings(FIG6, "linrfm_a1"),
            "ridges": [float(w.ridge)],
        },
        extra=lambda w: {"ridge_setting": float(w.ridge)},
    script:
        "../scripts/run_completion.py"


TABLES["fig6"] = expand(
    "results/fig6/d{p[0]}_r{p[1]}_n{p[2]}/ridge{ridge}_s{seed}.csv",
    p=completion_points(FIG6),
    ridge=config[FIG6]["ridges"],
    seed=config[FIG6]["seeds"],
)


rule fig6_plot:
    input:
        "results/fig6.csv",
    output:
        report(
            "figures/fig6_ridge_sweep.pdf",
            caption="../report/fig6.rst",
            category="Figure 6",
        ),
        "figures/fig6_ridge_sweep.png",
    log:
        "logs/fig6_plot.log",
    conda:
        "../../envs/linrfm.yaml"
    params:
        protocol=config["protocol_shown"],
        hue="ridge_setting",
        legend_title="ridge λ",
        hue_order=config[FIG6]["ridges"],
        title="Fig. 6: lin-RFM α = 1 across the ridge λ",
    script:
        "../scripts/plot_completion_vs_n.py"
