CHECK_TABLES = ["fig2", "fig3", "fig4", "fig6", "fig7", "runtime", SVD, PHASE]


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
    params:
        tables=CHECK_TABLES,
        notebooks=NOTEBOOKS,
        config_name=config_name(),
    script:
        "../scripts/paper_checks.py"
