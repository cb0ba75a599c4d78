# Beyond the paper (issue 12): the field's standard benchmark, lin-RFM beside the state of the art.
PHASE = "phase_transition"


rule phase_transition_run:
    """One method on every instance of one (kappa, rho) point of the standard benchmark
    (experiments/standard.py): success = relative Frobenius error < 1e-3."""
    output:
        "results/phase_transition/d{d}_r{rank}/kappa{kappa}_rho{rho}/{method}.csv",
    log:
        "logs/phase_transition/d{d}_r{rank}/kappa{kappa}_rho{rho}/{method}.log",
    benchmark:
        "benchmarks/phase_transition/d{d}_r{rank}/kappa{kappa}_rho{rho}/{method}.tsv"
    wildcard_constraints:
        method=methods.constraint("standard"),
    conda:
        "../../envs/linrfm.yaml"
    threads: config[PHASE]["threads"]
    resources:
        mem_mb=3000,
        runtime=240,
    params:
        settings=lambda w: method_settings(PHASE, w.method),
        instances=config[PHASE]["instances"],
    script:
        "../scripts/run_standard.py"


TABLES["phase_transition"] = expand(
    "results/phase_transition/d{d}_r{rank}/kappa{kappa}_rho{rho}/{method}.csv",
    d=config[PHASE]["d"],
    rank=config[PHASE]["rank"],
    kappa=[path_number(k) for k in config[PHASE]["kappas"]],
    rho=[path_number(r) for r in config[PHASE]["rhos"]],
    method=config[PHASE]["methods"],
)


rule phase_transition_plot:
    """Success rate vs rho (one panel per kappa) and median seconds per instance."""
    input:
        "results/phase_transition.csv",
    output:
        rate=report(
            "figures/phase_transition.pdf",
            caption="../report/phase_transition.rst",
            category="Beyond the paper",
        ),
        rate_png="figures/phase_transition.png",
        time=report(
            "figures/phase_transition_time.pdf",
            caption="../report/phase_transition.rst",
            category="Beyond the paper",
        ),
        time_png="figures/phase_transition_time.png",
    log:
        "logs/phase_transition_plot.log",
    conda:
        "../../envs/linrfm.yaml"
    script:
        "../scripts/plot_phase_transition.py"
