import math
import os

from snakemake.utils import validate

from linrfm.data import n_from_factor
from linrfm_paper import config_checks, methods

# The config is checked once, by the Snakemake process a user starts, before any job runs. The
# Snakemake processes a cluster job starts (two per SLURM job) get the same, checked config and
# skip it: the schema check imports jsonschema's format checkers, whose rfc3987-syntax grammars
# cost ~1.5 CPU-s per start-up (docs/design.md, "Start-up cost").
if workflow.is_main_process:
    validate(config, "../schemas/config.schema.yaml", set_default=False)
    # every `methods:` list names methods of the registry (src/linrfm_paper/methods.py)
    methods.check_config(config)
    # every problem size has rank < min(d1, d2) (src/linrfm_paper/config_checks.py)
    config_checks.check_sizes(config)
    # every rho of the phase transition allows r + 1 entries per row and column
    config_checks.check_phase_transition(config)


def n_grid(d, rank, multipliers):
    """Observation counts n = m · (2dr − r²) for each multiplier m, capped at d² − 1."""
    return sorted({n_from_factor(d, d, rank, m) for m in multipliers})


def path_number(x):
    """A config number as it appears in a file name: 1, 10, 100000, 1.5."""
    return f"{float(x):g}"


def regression_ns(fig, d, rank):
    """Training-set sizes of a sparse-regression figure (Fig. 2) for one {d, rank} entry of its
    "sizes": n = round(m * rank * ln d) for each m in "n_multipliers", at least 1 and at most d,
    sorted and without duplicates (rank * ln d is the scale of the sample complexity of sparse
    recovery; the paper does not state its n grid: ours)."""
    return sorted(
        {
            min(max(int(round(m * rank * math.log(d))), 1), d)
            for m in config[fig]["n_multipliers"]
        }
    )


def cell_draws(fig, d, rank):
    """Every (n, seed) draw of the (d, rank) cell of a completion figure: one job's problems."""
    c = config[fig]
    return [
        {"n": n, "seed": seed}
        for n in n_grid(d, rank, c["n_multipliers"])
        for seed in c["seeds"]
    ]


# Per-figure settings, read one way: a method's hyper-parameters are the entry of its kind (the
# registry's `settings`: linrfm, nets, diag_net; none for nuclear_norm and l1) in the figure's
# settings section, then what the figure itself changes (figure_overrides).
SETTINGS_SECTION = {
    "fig2_sparse_regression": "regression",
    "fig3_completion_vs_n": "completion",
    "fig4_threshold_vs_rank": "completion",
    "fig6_ridge_sweep": "completion",
    "fig7_noisy_completion": "completion",
    "runtime": "runtime",
    "phase_transition": "standard",
}


def figure_overrides(fig, kind):
    """What figure `fig` changes in the settings of its methods of settings kind `kind`."""
    c = config[fig]
    if fig == "runtime":  # every method: the target, time limit, device and dtype
        return {k: c[k] for k in ("target_mse", "time_limit_s", "device", "dtype")}
    if fig == "fig7_noisy_completion" and kind == "linrfm":
        return {"ridges": c["ridges"]}  # Fig. 7's own ridge grid (caption)
    out = {}
    if SETTINGS_SECTION[fig] == "completion" and kind == "nets":
        # the honest protocol's one validation split of Ω, lin-RFM's (experiments/completion.py)
        linrfm = config["completion"]["linrfm"]
        out.update(
            {k: linrfm[k] for k in ("val_fraction", "split_seed") if k in linrfm}
        )
    # a figure's own caps (Figs. 3, 4, 7 in the default config; else the shared ones)
    if kind == "nets" and "net_max_steps" in c:
        out["max_steps"] = c["net_max_steps"]
    if kind == "linrfm" and "linrfm_max_iter" in c:
        out["max_iter"] = c["linrfm_max_iter"]
    if kind == "linrfm" and c.get("linrfm_first_success", False):
        # the paper protocol's ridge search stops at its first success (experiments/completion.py)
        out["first_success"] = True
    if fig == "fig4_threshold_vs_rank" and "protocols" in c:
        out["protocols"] = c["protocols"]  # the searches' protocols (both by default)
    return out


def method_settings(fig, method):
    """Hyper-parameters of `method` in figure `fig` (see SETTINGS_SECTION)."""
    kind = methods.get(method).settings
    base = config[SETTINGS_SECTION[fig]].get(kind, {}) if kind else {}
    return {**base, **figure_overrides(fig, kind)}


# One tidy table per figure, results/<name>.csv, made by the one rule in workflow/rules/tables.smk
# from the per-job tables that the figure's rules file lists in TABLES[<name>].
TABLES = {}

# Scheduling: Snakemake starts the ready job of highest priority first. The cells whose jobs run
# longest (Figs. 3 and 7 at the paper's caps: up to ~2000 s each; Fig. 4's searches: up to ~500 s)
# start before the many short ones, so a rebuild does not end with one long job beside idle cores.
PRIORITY_LONGEST = 2
PRIORITY_LONG = 1


def config_name():
    """The config file(s) given on the command line, else the default config/config.yaml."""
    files = [os.path.relpath(f) for f in (workflow.overwrite_configfiles or [])]
    return ", ".join(files) if files else "config/config.yaml"
