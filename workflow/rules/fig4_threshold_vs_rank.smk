FIG4 = "fig4_threshold_vs_rank"

if max(config[FIG4]["ranks"]) >= config[FIG4]["d"]:
    raise ValueError(f"{FIG4}: every rank must be below d = {config[FIG4]['d']}")


rule fig4_run:
    """Threshold search over n for one (method, rank): the fewest observed entries with test MSE
    below 1e-3 in every seed, for both protocols from the same runs."""
    output:
        "results/fig4/d{d}_r{rank}/{method}.csv",
    log:
        "logs/fig4/d{d}_r{rank}/{method}.log",
    wildcard_constraints:
        d=r"\d+",
        rank=r"\d+",
    conda:
        "../../envs/linrfm.yaml"
    threads: 1
    resources:
        mem_mb=2000,
        runtime=240,
    params:
        method=lambda w: w.method,
        # method_settings(method); the nets' step cap replaced by net_max_steps when it is set
        settings=lambda w: {
            **method_settings(w.method),
            **(
                {"max_steps": config[FIG4]["net_max_steps"]}
                if w.method.startswith("dln") and "net_max_steps" in config[FIG4]
                else {}
            ),
        },
        seeds=config[FIG4]["seeds"],
        rel_tol=config[FIG4]["rel_tol"],
    script:
        "../scripts/run_threshold.py"


rule fig4_table:
    input:
        expand(
            "results/fig4/d{d}_r{rank}/{method}.csv",
            d=config[FIG4]["d"],
            rank=config[FIG4]["ranks"],
            method=config[FIG4]["methods"],
        ),
    output:
        "results/fig4.csv",
    log:
        "logs/fig4_table.log",
    conda:
        "../../envs/linrfm.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/collect_tables.py"


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
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        protocol=config["protocol_shown"],
        hue_order=[
            "lin-RFM α=1/2",
            "lin-RFM α=1",
            "depth-2 linear net",
            "depth-3 linear net",
            "nuclear norm",
        ],
        title="Fig. 4: observations needed vs rank",
    script:
        "../scripts/plot_threshold.py"
