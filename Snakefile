# Rebuild the paper's results:  snakemake --cores all   (or: make reproduce)
# One rules file per figure in workflow/rules/; settings in config/*.yaml (validated against
# workflow/schemas/config.schema.yaml). Compute and plotting are separate rules.


configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
# Fig. 1 (psi of Corollary 1) and Fig. 5 (basins of Proposition 2): theory figures
include: "workflow/rules/theory_figures.smk"
# Figs. 2-4 (Section 5), Figs. 6-7 (appendix), the runtime comparisons (Section 4)
include: "workflow/rules/fig2_sparse_regression.smk"
include: "workflow/rules/fig3_completion_vs_n.smk"
include: "workflow/rules/fig4_threshold_vs_rank.smk"
include: "workflow/rules/fig6_ridge_sweep.smk"
include: "workflow/rules/fig7_noisy_completion.smk"
include: "workflow/rules/runtime.smk"
# beyond the paper: the field's standard benchmark, success rate vs rho beside MatrixIRLS, R2RILS
include: "workflow/rules/phase_transition.smk"
# Theorems 1-3, Corollaries 1-2, Appendices A-F: the theory notebooks
include: "workflow/rules/notebooks.smk"
# lin-RFM with default arguments on a few problems (a check of the library itself)
include: "workflow/rules/library_check.smk"
# every figure's per-job tables collected into one: results/fig2.csv, ..., results/runtime.csv
include: "workflow/rules/tables.smk"
# the fast-lin-RFM benchmark (opt-in target `bench`, not part of `all`)
include: "workflow/rules/bench.smk"
# last: the claims report, claim by claim, from everything above
include: "workflow/rules/paper_checks.smk"


rule all:
    """Every target of the reproduction."""
    default_target: True
    input:
        "figures/fig1_psi.pdf",
        "figures/fig2_sparse_regression.pdf",
        "figures/fig3_completion_vs_n.pdf",
        "figures/fig4_threshold_vs_rank.pdf",
        "figures/fig5_basins.pdf",
        "figures/fig6_ridge_sweep.pdf",
        "figures/fig7_noisy_completion.pdf",
        "figures/runtime.pdf",
        "figures/phase_transition.pdf",
        "figures/phase_transition_time.pdf",
        expand("results/notebooks/{name}.ipynb", name=NOTEBOOKS),
        "results/library_check.csv",
        "results/paper_checks.md",
