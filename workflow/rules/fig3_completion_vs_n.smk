FIG3 = "fig3_completion_vs_n"


rule fig3_run:
    """One method on every (n, seed) problem of one (d, rank) cell, under both protocols."""
    output:
        "results/fig3/d{d}_r{rank}/{method}.csv",
    log:
        "logs/fig3/d{d}_r{rank}/{method}.log",
    benchmark:
        "benchmarks/fig3/d{d}_r{rank}/{method}.tsv"
    wildcard_constraints:
        d=r"\d+",
        rank=r"\d+",
        method=methods.constraint("completion"),
    priority: PRIORITY_LONGEST
    conda:
        "../../envs/linrfm.yaml"
    resources:
        mem_mb=4000,
        runtime=720,
    params:
        method=lambda w: w.method,
        settings=lambda w: method_settings(FIG3, w.method),
        draws=lambda w: cell_draws(FIG3, int(w.d), int(w.rank)),
    script:
        "../scripts/run_completion_cell.py"


TABLES["fig3"] = expand(
    "results/fig3/d{s[d]}_r{s[rank]}/{method}.csv",
    s=config[FIG3]["sizes"],
    method=config[FIG3]["methods"],
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
