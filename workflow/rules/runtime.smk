RUNTIME = "runtime"
SVD = "svd_free_vs_eigh"


rule runtime_run:
    """Wall time to test MSE < target for one method and seed (Section 4's runtime comparison).
    Uses the GPU when the config asks for it (device: cuda) and the job gets one."""
    output:
        "results/runtime/d{d}_r{rank}_n{n}/{method}_s{seed}.csv",
    log:
        "logs/runtime/d{d}_r{rank}_n{n}/{method}_s{seed}.log",
    benchmark:
        "benchmarks/runtime/d{d}_r{rank}_n{n}/{method}_s{seed}.tsv"
    wildcard_constraints:
        method=methods.constraint("runtime"),
    conda:
        "../../envs/linrfm.yaml"
    threads: config[RUNTIME]["threads"]
    resources:
        **({"gpu": 1} if config[RUNTIME]["device"] == "cuda" else {}),
        mem_mb=config[RUNTIME]["mem_mb"],
        runtime=lambda w: int(config[RUNTIME]["time_limit_s"] / 60) + 15,
    params:
        settings=lambda w: method_settings(RUNTIME, w.method),
    script:
        "../scripts/run_runtime.py"


TABLES["runtime"] = expand(
    "results/runtime/d{d}_r{rank}_n{n}/{method}_s{seed}.csv",
    d=config[RUNTIME]["d"],
    rank=config[RUNTIME]["rank"],
    n=config[RUNTIME]["n"],
    method=config[RUNTIME]["methods"],
    seed=config[RUNTIME]["seeds"],
)


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
    script:
        "../scripts/plot_runtime.py"


rule svd_free_run:
    """Seconds per lin-RFM iteration, SVD-free vs eigendecomposition (Section 4's claim)."""
    output:
        "results/svd_free_vs_eigh/d{d}/{method}.csv",
    log:
        "logs/svd_free_vs_eigh/d{d}/{method}.log",
    benchmark:
        "benchmarks/svd_free_vs_eigh/d{d}/{method}.tsv"
    wildcard_constraints:
        method=methods.constraint("svd_free"),
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


TABLES[SVD] = expand(
    "results/svd_free_vs_eigh/d{d}/{method}.csv",
    d=config[SVD]["sizes"],
    method=methods.FAMILIES["svd_free"],
)
