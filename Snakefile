# Rebuild the paper's results:  snakemake --cores all   (or: make reproduce)
# One rules file per figure in workflow/rules/; settings in config/*.yaml (validated against
# workflow/schemas/config.schema.yaml). Compute and plotting are separate rules.


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/library_check.smk"
include: "workflow/rules/notebooks.smk"
include: "workflow/rules/fig2_sparse_regression.smk"
include: "workflow/rules/fig3_completion_vs_n.smk"
include: "workflow/rules/fig4_threshold_vs_rank.smk"
include: "workflow/rules/fig6_ridge_sweep.smk"
include: "workflow/rules/fig7_noisy_completion.smk"
include: "workflow/rules/runtime.smk"
include: "workflow/rules/paper_checks.smk"


rule all:
    """Every target of the reproduction."""
    input:
        "results/library_check.csv",
        expand("results/notebooks/{name}_checks.csv", name=NOTEBOOKS),
        "figures/fig2_sparse_regression.pdf",
        "figures/fig3_completion_vs_n.pdf",
        "figures/fig4_threshold_vs_rank.pdf",
        "figures/fig6_ridge_sweep.pdf",
        "figures/fig7_noisy_completion.pdf",
        "figures/runtime.pdf",
        "results/paper_checks.md",
    default_target: True
