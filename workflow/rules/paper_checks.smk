SVD = "svd_free_vs_eigh"
CHECK_TABLES = ["fig2", "fig3", "fig4", "fig6", "fig7", "runtime", SVD]


rule svd_free_run:
    """Seconds per lin-RFM iteration, SVD-free vs eigendecomposition (Section 4's claim)."""
    output:
        "results/svd_free_vs_eigh/d{d}/{method}.csv",
    log:
        "logs/svd_free_vs_eigh/d{d}/{method}.log",
    wildcard_constraints:
        method="svd_free|eigh",
        d=r"\d+",
    conda:
        "../../envs/linrfm.yaml"
    threads: config[SVD]["threads"]
    resources:
        mem_mb=4000,
        runtime=30,
    params:
        c=config[SVD],
    script:
        "../scripts/run_svd_free.py"


rule svd_free_table:
    input:
        expand(
            "results/svd_free_vs_eigh/d{d}/{method}.csv",
            d=config[SVD]["sizes"],
            method=["svd_free", "eigh"],
        ),
    output:
        "results/svd_free_vs_eigh.csv",
    log:
        "logs/svd_free_table.log",
    conda:
        "../../envs/linrfm.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/collect_tables.py"


rule paper_checks:
    """The claims report: one row per claim of paper_checks/claims.yaml with the paper's
    statement, the reproduced number and a verdict under each protocol."""
    input:
        unpack(
            lambda w: {
                "registry": "paper_checks/claims.yaml",
                **{t: f"results/{t}.csv" for t in CHECK_TABLES},
                **{f"nb_{n}": f"results/notebooks/{n}_checks.csv" for n in NOTEBOOKS},
            }
        ),
    output:
        md=report("results/paper_checks.md", category="Claims report"),
        json="results/paper_checks.json",
    log:
        "logs/paper_checks.log",
    conda:
        "../../envs/linrfm.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        tables=CHECK_TABLES,
        notebooks=NOTEBOOKS,
        config_name=config_name(),
    script:
        "../scripts/paper_checks.py"
