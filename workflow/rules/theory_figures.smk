THEORY = config["theory_figures"]


rule fig1_psi:
    """Fig. 1: ψ of Corollary 1 for several α, normalised so that ψ(0) = 0."""
    output:
        pdf=report(
            "figures/fig1_psi.pdf", caption="../report/fig1.rst", category="Figure 1"
        ),
        png="figures/fig1_psi.png",
    log:
        "logs/fig1_psi.log",
    conda:
        "../../envs/linrfm.yaml"
    params:
        alphas=THEORY["fig1_alphas"],
        eps=THEORY["fig1_eps"],
    script:
        "../scripts/plot_fig1_psi.py"


rule fig5_basins:
    """Fig. 5: the vector fields of Proposition 2's 2-D map, the attractor (b/a, a/b) in red."""
    output:
        pdf=report(
            "figures/fig5_basins.pdf",
            caption="../report/fig5.rst",
            category="Figure 5",
        ),
        png="figures/fig5_basins.png",
    log:
        "logs/fig5_basins.log",
    conda:
        "../../envs/linrfm.yaml"
    params:
        cases=THEORY["fig5_cases"],
    script:
        "../scripts/plot_fig5_basins.py"
