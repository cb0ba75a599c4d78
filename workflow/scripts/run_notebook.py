"""Execute one theory notebook (jupytext percent .py) with papermill, parameters from the config.

Writes the executed notebook and the notebook's table of checks; both appear only when the whole
notebook ran (papermill writes to temporary files that are moved into place at the end).
"""

import os
import tempfile
from pathlib import Path

import jupytext
import papermill as pm

from linrfm_paper.jobs import TEMPORARY_PREFIX, log_to

smk = snakemake  # noqa: F821  (injected by Snakemake's script: directive)
log = log_to(smk.log[0])
out_nb, out_checks = Path(smk.output.notebook), Path(smk.output.checks)
out_nb.parent.mkdir(parents=True, exist_ok=True)
with tempfile.TemporaryDirectory(dir=out_nb.parent, prefix=TEMPORARY_PREFIX) as tmp:
    source = Path(tmp) / "input.ipynb"
    jupytext.write(jupytext.read(smk.input.notebook), source)
    executed, checks = Path(tmp) / "executed.ipynb", Path(tmp) / "checks.csv"
    parameters = {**dict(smk.params.parameters), "checks_path": str(checks.resolve())}
    log.info("executing %s with %s", smk.input.notebook, parameters)
    pm.execute_notebook(
        str(source),
        str(executed),
        parameters=parameters,
        kernel_name="python3",
        log_output=True,
        progress_bar=False,
        cwd=os.getcwd(),
    )
    os.replace(executed, out_nb)
    os.replace(checks, out_checks)
