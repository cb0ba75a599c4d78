# Rebuild the paper's results:  snakemake --cores all   (or: make reproduce)
# Each experiment is a config entry in config/*.yaml and a rules file in workflow/rules/.


configfile: "config/config.yaml"


include: "workflow/rules/library_check.smk"


rule all:
    """Every target of the reproduction."""
    input:
        "results/library_check.csv",
    default_target: True
