FIG6 = "fig6_ridge_sweep"


rule fig6_run:
    """lin-RFM alpha = 1 with one fixed ridge on every (n, seed) problem of one (d, rank) cell."""
    output:
        "results/fig6/d{d}_r{rank}/ridge{ridge}.csv",
    log:
        "logs/fig6/d{d}_r{rank}/ridge{ridge}.log",
    benchmark:
        "benchmarks/fig6/d{d}_r{rank}/ridge{ridge}.tsv"
    wildcard_constraints:
        d=r"\d+",
        rank=r"\d+",
    conda:
        "../../envs/linrfm.yaml"
    resources:
        mem_mb=2000,
        runtime=240,
    params:
        method="linrfm_a1",
        # the ridge of this job instead of the grid
        settings=lambda w: {
            **method_settings(FIG6, "linrfm_a1"),
            "ridges": [float(w.ridge)],
        },
        draws=lambda w: cell_draws(FIG6, int(w.d), int(w.rank)),
        extra=lambda w: {"ridge_setting": float(w.ridge)},
    script:
        "../scripts/run_completion_cell.py"


TABLES["fig6"] = expand(
    "results/fig6/d{s[d]}_r{s[rank]}/ridge{ridge}.csv",
    s=config[FIG6]["sizes"],
    ridge=config[FIG6]["ridges"],
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
