BENCH = config["bench"]
BENCH_TARGETS = [f"target{i}" for i in range(1, 8)]
#: targets run by one job each (bench/<target>.py); target 6 runs one job per case
BENCH_SCRIPTS = [t for t in BENCH_TARGETS if t != "target6"]
STANDARD_CASES = range(len(BENCH["target6"]["cases"]))


rule bench:
    """The fast-lin-RFM benchmark (not part of `all`): snakemake --cores 2 bench"""
    input:
        expand("results/bench/{target}.csv", target=BENCH_TARGETS),
        "figures/scaling.pdf",


rule bench_target:
    """One benchmark target, bench/<target>.py; timings use the whole machine, one job at a
    time."""
    output:
        "results/bench/{target}.csv",
    log:
        "logs/bench/{target}.log",
    wildcard_constraints:
        target="|".join(BENCH_SCRIPTS),
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
        "../../bench/{wildcards.target}.py"


rule bench_standard_case:
    """Target 6, the standard protocol: one case {kappa, rho} of config[bench][target6], its
    methods and draws (bench/target6.py); a killed run keeps the cases already done."""
    output:
        "results/bench/target6/case{i}.csv",
    log:
        "logs/bench/target6_case{i}.log",
    wildcard_constraints:
        i=r"\d+",
    conda:
        "../../envs/linrfm.yaml"
    threads: BENCH["threads"]
    resources:
        mem_mb=8000,
        runtime=120,
        bench_slot=1,
    params:
        c=lambda w: {**BENCH["target6"], "cases": [BENCH["target6"]["cases"][int(w.i)]]},
    script:
        "../../bench/target6.py"


rule bench_standard:
    """Target 6's table: its cases' rows in one CSV."""
    input:
        expand("results/bench/target6/case{i}.csv", i=STANDARD_CASES),
    output:
        "results/bench/target6.csv",
    log:
        "logs/bench/target6.log",
    conda:
        "../../envs/linrfm.yaml"
    script:
        "../scripts/collect_tables.py"


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
    script:
        "../../bench/plot_scaling.py"


# The benchmark's result tables for docs/ (docs/benchmarks_results.md), rendered from the CSVs
# above so that the page cannot drift from the measurements: snakemake --cores 2 bench_docs
rule bench_docs:
    """docs/benchmarks_results.md from results/bench/*.csv (workflow/scripts/bench_docs.py)."""
    input:
        expand("results/bench/{target}.csv", target=BENCH_TARGETS),
    output:
        "docs/benchmarks_results.md",
    log:
        "logs/bench_docs.log",
    conda:
        "../../envs/linrfm.yaml"
    script:
        "../scripts/bench_docs.py"
