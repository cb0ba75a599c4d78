FIG4 = "fig4_threshold_vs_rank"

if max(config[FIG4]["ranks"]) >= config[FIG4]["d"]:
    raise ValueError(f"{FIG4}: every rank must be below d = {config[FIG4]['d']}")


rule fig4_run:
    """Threshold search over n for one (method, rank): the fewest observed entries with test MSE
    below config's target_mse in every seed, for both protocols from the same runs."""
    output:
        "results/fig4/d{d}_r{rank}/{method}.csv",
    log:
        "logs/fig4/d{d}_r{rank}/{method}.log",
    benchmark:
        "benchmarks/fig4/d{d}_r{rank}/{method}.tsv"
    wildcard_constraints:
        d=r"\d+",
        rank=r"\d+",
        method=methods.constraint("completion"),
    priority: PRIORITY_LONG
    conda:
        "../../envs/linrfm.yaml"
    resources:
        mem_mb=2000,
        runtime=240,
    params:
        method=lambda w: w.method,
        settings=lambda w: method_settings(FIG4, w.method),
        seeds=config[FIG4]["seeds"],
        rel_tol=config[FIG4]["rel_tol"],
        target_mse=config[FIG4]["target_mse"],
    script:
        "../scripts/run_threshold.py"


TABLES["fig4"] = expand(
    "results/fig4/d{d}_r{rank}/{method}.csv",
    d=config[FIG4]["d"],
    rank=config[FIG4]["ranks"],
    method=config[FIG4]["methods"],
)


rule fig4_plot:
    input:
        "results/fig4.csv",
    output:
        report(
            "figures/fig4_threshold_vs_rank.pdf",
            caption="../report/fig4.rst",
            category="Figure 4",
        ),
        "figures/fig4_threshold_vs_rank.png",
    log:
        "logs/fig4_plot.log",
    conda:
        "../../envs/linrfm.yaml"
    params:
        protocol=config["protocol_shown"],
        title="Fig. 4: observations needed vs rank",
    script:
        "../scripts/plot_threshold.py"
