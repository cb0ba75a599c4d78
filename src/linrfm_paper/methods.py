"""The one method registry: every method name the workflow runs, its label, colour, legend order,
kind and which experiments accept it.

Read by the experiment runners (:mod:`linrfm_paper.experiments`), the Snakemake rules
(``workflow/rules/common.smk`` checks every ``methods:`` list of the config against it and builds
the wildcard constraints from it), and the plot scripts (legend order and colours). Pure Python
(no numpy, no torch) so that the Snakefile can import it cheaply.

Kinds: ``linrfm`` (lin-RFM with exponent ``alpha``), ``linear_net`` (width-d linear network of
``depth`` layers, RMSProp), ``nuclear_norm`` (minimum nuclear norm, CVXPY), ``l1`` (minimum
ℓ1-norm interpolant), ``diag_net`` (depth-2 diagonal linear network), ``feature_path`` (how lin-RFM
computes its feature matrix, for the SVD-free timing of Section 4); beyond the paper, for the
standard benchmark: ``matrix_irls``, ``r2rils``, ``soft_impute`` (``linrfm.baselines``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Method:
    """One method of the paper's figures.

    ``settings`` names the config entry its hyper-parameters come from inside the figure's settings
    section (``completion``, ``regression`` or ``runtime``): ``linrfm``, ``nets``, ``diag_net``, or
    None when the method has none."""

    name: str
    label: str
    kind: str
    colour: str
    alpha: float | None = None
    depth: int | None = None
    settings: str | None = None
    #: lin-RFM's ``features`` (None: ``complete``'s default, Algorithm 1 on one side)
    features: str | None = None


# Legend order: the order of this tuple (the paper's legends: lin-RFM by α, the networks, the
# convex baselines). Colours: seaborn's "deep" palette, one per method across every figure.
REGISTRY: tuple[Method, ...] = (
    Method("linrfm_a0.25", "lin-RFM α=1/4", "linrfm", "#64B5CD", alpha=0.25, settings="linrfm"),
    Method("linrfm_a0.5", "lin-RFM α=1/2", "linrfm", "#4C72B0", alpha=0.5, settings="linrfm"),
    Method("linrfm_a1", "lin-RFM α=1", "linrfm", "#DD8452", alpha=1.0, settings="linrfm"),
    Method("dln2", "depth-2 linear net", "linear_net", "#55A868", depth=2, settings="nets"),
    Method("dln3", "depth-3 linear net", "linear_net", "#C44E52", depth=3, settings="nets"),
    Method("diag_net", "depth-2 diagonal net", "diag_net", "#937860", settings="diag_net"),
    Method("nuclear_norm", "nuclear norm", "nuclear_norm", "#8172B3"),
    Method("l1", "minimum ℓ1", "l1", "#DA8BC3"),
    # beyond the paper: the field's standard benchmark (experiments/standard.py)
    Method(
        "linrfm_both_a0.5",
        "lin-RFM α=1/2, both sides (ours)",
        "linrfm",
        "#2A9D8F",
        alpha=0.5,
        settings="linrfm",
        features="alternating",
    ),
    Method("matrix_irls", "MatrixIRLS", "matrix_irls", "#CCB974", settings="matrix_irls"),
    Method("r2rils", "R2RILS", "r2rils", "#8C613C", settings="r2rils"),
    Method("soft_impute", "Soft-Impute", "soft_impute", "#A1C9F4", settings="soft_impute"),
    Method("svd_free", "SVD-free (products only)", "feature_path", "#4C72B0"),
    Method("eigh", "eigendecomposition of ZᵀZ", "feature_path", "#8C8C8C"),
)
BY_NAME: dict[str, Method] = {m.name: m for m in REGISTRY}
UNKNOWN_COLOUR = "#404040"

#: Which methods each experiment accepts, in legend order.
FAMILIES: dict[str, tuple[str, ...]] = {
    # Figs. 3, 4, 7: matrix completion (experiments/completion.py, threshold.py)
    "completion": ("linrfm_a0.5", "linrfm_a1", "dln2", "dln3", "nuclear_norm"),
    # Fig. 2: sparse linear regression (experiments/regression.py)
    "regression": ("linrfm_a0.25", "linrfm_a0.5", "linrfm_a1", "diag_net", "l1"),
    # Section 4: time to target (experiments/runtime.py, time_to_target)
    "runtime": ("linrfm_a0.5", "dln2", "dln3"),
    # Section 4: seconds per iteration (experiments/runtime.py, seconds_per_iteration)
    "svd_free": ("svd_free", "eigh"),
    # beyond the paper: the standard benchmark's phase transition (experiments/standard.py)
    "standard": (
        "linrfm_a0.25",
        "linrfm_a0.5",
        "linrfm_both_a0.5",
        "matrix_irls",
        "r2rils",
        "soft_impute",
    ),
}

#: The config's ``methods:`` lists and the family each must come from.
CONFIG_METHOD_LISTS: dict[str, str] = {
    "fig2_sparse_regression": "regression",
    "fig3_completion_vs_n": "completion",
    "fig4_threshold_vs_rank": "completion",
    "fig7_noisy_completion": "completion",
    "runtime": "runtime",
    "phase_transition": "standard",
}


def get(name: str, family: str | None = None) -> Method:
    """The method called ``name``; with ``family``, it must also belong to it. Raises ValueError
    ("unknown method ...; known: ...") otherwise."""
    known = FAMILIES[family] if family is not None else tuple(BY_NAME)
    if name not in known:
        where = f" for {family}" if family is not None else ""
        raise ValueError(f"unknown method {name!r}{where}; known: {', '.join(known)}")
    return BY_NAME[name]


def label(name: str) -> str:
    """The legend label of method ``name``."""
    return get(name).label


def labels(family: str) -> dict[str, str]:
    """name → label for the methods of ``family``, in legend order."""
    return {m: BY_NAME[m].label for m in FAMILIES[family]}


def of_kind(family: str, kind: str) -> tuple[str, ...]:
    """The methods of ``family`` whose kind is ``kind``, in legend order."""
    return tuple(m for m in FAMILIES[family] if BY_NAME[m].kind == kind)


def legend_order(names: Iterable[str]) -> list[str]:
    """``names`` (method names or labels; duplicates dropped) in the registry's legend order;
    anything the registry does not know goes last, sorted."""
    rank = {}
    for i, m in enumerate(REGISTRY):
        rank.setdefault(m.name, i)
        rank.setdefault(m.label, i)
    present = set(names)
    known = sorted((n for n in present if n in rank), key=rank.__getitem__)
    return known + sorted(present - set(known))


def palette(names: Iterable[str]) -> dict[str, str]:
    """name or label → the method's colour for each of ``names`` (grey for names the registry
    does not know)."""
    colours = {}
    for m in REGISTRY:
        colours.setdefault(m.name, m.colour)
        colours.setdefault(m.label, m.colour)
    return {n: colours.get(n, UNKNOWN_COLOUR) for n in names}


def constraint(family: str) -> str:
    """A Snakemake wildcard constraint (regular expression) matching exactly ``family``'s names."""
    return "|".join(name.replace(".", r"\.") for name in FAMILIES[family])


def check_config(config: Mapping) -> None:
    """Every ``methods:`` list of the config names methods of its family (ValueError naming the
    config key, the unknown names and the known ones otherwise)."""
    for section, family in CONFIG_METHOD_LISTS.items():
        listed = (config.get(section) or {}).get("methods", [])
        unknown = [m for m in listed if m not in FAMILIES[family]]
        if unknown:
            raise ValueError(
                f"config {section}.methods: unknown method(s) {', '.join(map(repr, unknown))}; "
                f"known for {family} (src/linrfm_paper/methods.py): {', '.join(FAMILIES[family])}"
            )
