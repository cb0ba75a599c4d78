"""Experiment runners used by the Snakemake DAG: one call per (figure, grid point, method, seed),
returning tidy rows that record parameters, seed, protocol, iterations, wall time and provenance."""
