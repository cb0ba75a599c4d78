"""The DAG's last rule: the claims report results/paper_checks.md and .json, from the results."""

import datetime

from linrfm_paper.claims import write_report
from linrfm_paper.jobs import start_job
from linrfm_paper.provenance import provenance

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
log = start_job(smk.log[0], smk.threads)
prov = provenance()
header = (
    f"Generated {datetime.datetime.now(datetime.UTC):%Y-%m-%d %H:%M} UTC by the paper_checks rule "
    f"from the results of config `{smk.params.config_name}` (git {prov['git_commit'][:12]}, "
    f"linrfm {prov['linrfm']}, torch {prov['torch']}, numpy {prov['numpy']}, "
    f"cvxpy {prov['cvxpy']}, device {prov['device']}). Verdicts: **holds**, **fails**, or "
    "**not run** (the table is missing, or the data cannot decide the claim: scale, device, a "
    "missing rival, too few informative points, ties; the cell says which). Figure claims are "
    "decided twice: under the paper's protocol (ridge, early stop and best iterate chosen on test "
    "error for every method, Appendix E) and under the honest protocol (observed entries only). "
    "Rules, their readings and tolerances, and every rule change: "
    "`paper_checks/claims.yaml` and `src/linrfm_paper/claims.py`; printed formulas "
    "that disagree with direct runs: `paper_checks/ERRATA.md`."
)
verdicts = write_report(
    smk.input.registry,
    {k: smk.input[k] for k in smk.params.tables},
    {k: smk.input[f"nb_{k}"] for k in smk.params.notebooks},
    smk.output.md,
    smk.output.json,
    header=header,
)
log.info("%d claims written to %s", len(verdicts), smk.output.md)
