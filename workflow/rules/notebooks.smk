NOTEBOOKS = list(config["notebooks"])


rule notebook:
    """Execute a theory notebook (notebooks/<name>.py) with papermill; its last cell writes the
    table of checks (claim, expected, measured, verdict) that the claims report reads.
    """
    input:
        notebook="notebooks/{name}.py",
    output:
        notebook="results/notebooks/{name}.ipynb",
        checks="results/notebooks/{name}_checks.csv",
    log:
        "logs/notebooks/{name}.log",
    benchmark:
        "benchmarks/notebooks/{name}.tsv"
    wildcard_constraints:
        name="|".join(NOTEBOOKS),
    conda:
        "../../envs/linrfm.yaml"
    resources:
        mem_mb=2000,
        runtime=30,
    params:
        parameters=lambda w: config["notebooks"][w.name],
    script:
        "../scripts/run_notebook.py"
