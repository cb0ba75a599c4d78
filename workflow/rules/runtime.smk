RUNTIME = "runtime"


rule runtime_run:
    """Wall time to test MSE < target for one method and seed (Section 4's runtime comparison).
    Uses the GPU when the config asks for it (device: cuda) and the job gets one."""
    output:
        "results/runtime/d{d}_r{rank}_n{n}/{method}_s{seed}.csv",
    log:
        "logs/runtime/d{d}_r{rank}_n{n}/{method}_s{seed}.log",
    wildcard_constraints:
        method="|".join(re.escape(m) for m in config[RUNTIME]["methods"]),
    conda:
        "../../envs/linrfm.yaml"
    threads: config[RUNTIME]["threads"]
    resources:
        **({"gpu": 1} if config[RUNTIME]["device"] == "cuda" else {}),
        mem_mb=config[RUNTIME]["mem_mb"],
        runtime=lambda w: int(config[RUNTIME]["time_limit_s"] / 60) + 15,
    params:
        settings=lambda w: runtime_settings(w.method),
    script:
        "../scripts/run_runtime.py"


rule runtime_table:
    input:
        expand(
            "results/runtime/d{d}_r{rank}_n{n}/{method}_s{seed}.csv",
            d=config[RUNTIME]["d"],
            rank=config[RUNTIME]["rank"],
            n=config[RUNTIME]["n"],
            method=config[RUNTIME]["methods"],
            seed=config[RUNTIME]["seeds"],
        ),
    output:
        "results/runtime.csv",
    log:
        "logs/runtime_table.log",
    conda:
        "../../envs/linrfm.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    script:
        "../scripts/collect_tables.py"


rule runtime_plot:
    input:
        "results/runtime.csv",
    output:
        report(
            "figures/runtime.pdf",
            caption="../report/runtime.rst",
            category="Runtime (Section 4)",
        ),
        "figures/runtime.png",
    log:
        "logs/runtime_plot.log",
    conda:
        "../../envs/linrfm.yaml"
    threads: 1
    resources:
        mem_mb=1000,
        runtime=5,
    params:
        method_order=["linrfm_a0.5", "dln2", "dln3"],
    script:
        "../scripts/plot_runtime.py"
