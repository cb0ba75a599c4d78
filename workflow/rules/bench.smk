BENCH = config["bench"]
BENCH_TARGETS = ["target1", "target2", "target3", "target4", "target5"]


rule bench:
    """The fast-lin-RFM benchmark (not part of `all`): snakemake --cores 2 bench"""
    input:
        expand("results/bench/{target}.csv", target=BENCH_TARGETS),
        "figures/scaling.pdf",


rule bench_target:
    """One benchmark target (bench/targets.py); timings use the whole machine, one job at a time."""
    output:
        "results/bench/{target}.csv",
    log:
        "logs/bench/{target}.log",
    wildcard_constraints:
        target="|".join(BENCH_TARGETS),
    conda:
        "../../envs/linrfm.yaml"
    threads: BENCH["threads"]
    resources:
        mem_mb=8000,
        runtime=60,
        bench_slot=1,
    params:
        c=lambda w: BENCH[w.target],
    script:
        "../../bench/targets.py"


rule bench_scaling_plot:
    input:
        "results/bench/target3.csv",
    output:
        report(
            "figures/scaling.pdf",
            caption="../report/scaling.rst",
            category="Benchmark",
        ),
        "figures/scaling.png",
    log:
        "logs/bench_scaling_plot.log",
    conda:
        "../../envs/linrfm.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../../bench/plot_scaling.py"
