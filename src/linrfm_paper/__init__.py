"""linrfm_paper: the reproduction's machinery around the ``linrfm`` solver library.

- :mod:`linrfm_paper.experiments` — one runner per figure (tidy rows with parameters, seed,
  protocol, timings and provenance) and the fast-lin-RFM benchmark;
- :mod:`linrfm_paper.claims` — the claims checker behind ``results/paper_checks.md``;
- :mod:`linrfm_paper.theory`, :mod:`linrfm_paper.nfa` — closed forms and linear-network helpers
  used by the theory notebooks and figures;
- :mod:`linrfm_paper.jobs`, :mod:`linrfm_paper.provenance` — what every Snakemake job does first,
  and what every results row records.

Installed by the workflow environment (``envs/paper/pyproject.toml``), not by ``pip install .``.
"""
