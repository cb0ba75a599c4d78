rule table:
    """All per-job tables of one figure (TABLES[table], filled by the figures' rules files) in
    one tidy table: results/fig2.csv, ..., results/runtime.csv, results/library_check.csv.
    """
    input:
        lambda w: TABLES[w.table],
    output:
        "results/{table}.csv",
    log:
        "logs/{table}_table.log",
    wildcard_constraints:
        table="|".join(TABLES),
    conda:
        "../../envs/linrfm.yaml"
    script:
        "../scripts/collect_tables.py"
