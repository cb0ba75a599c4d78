rule library_check_run:
    """lin-RFM with default arguments on one (problem, seed): recovery error, iterations, time."""
    output:
        "results/library_check/{d1}x{d2}_r{rank}_f{factor}_s{seed}.csv",
    log:
        "logs/library_check/{d1}x{d2}_r{rank}_f{factor}_s{seed}.log",
    benchmark:
        "benchmarks/library_check/{d1}x{d2}_r{rank}_f{factor}_s{seed}.tsv"
    conda:
        "../../envs/linrfm.yaml"
    resources:
        runtime=10,
    script:
        "../scripts/library_check_run.py"


TABLES["library_check"] = expand(
    "results/library_check/{p[d1]}x{p[d2]}_r{p[rank]}_f{p[factor]}_s{seed}.csv",
    p=config["library_check"]["problems"],
    seed=config["library_check"]["seeds"],
)
