"""The method registry (linrfm_paper.methods) is the one source of method names and labels."""

import re
from pathlib import Path

import pytest
import yaml

from linrfm_paper import methods
from linrfm_paper.experiments import completion, regression, runtime, threshold

ROOT = Path(__file__).resolve().parents[1]


def test_names_and_labels_are_unique_and_families_are_registered():
    names = [m.name for m in methods.REGISTRY]
    labels = [m.label for m in methods.REGISTRY]
    assert len(set(names)) == len(names) and len(set(labels)) == len(labels)
    for family, members in methods.FAMILIES.items():
        assert set(members) <= set(names), family
        assert list(members) == methods.legend_order(members), family
    for m in methods.REGISTRY:
        assert (m.kind == "linrfm") == (m.alpha is not None), m.name
        assert (m.kind == "linear_net") == (m.depth is not None), m.name


def test_legend_orders_are_the_papers():
    assert list(regression.LABELS.values()) == [
        "lin-RFM α=1/4",
        "lin-RFM α=1/2",
        "lin-RFM α=1",
        "depth-2 diagonal net",
        "minimum ℓ1",
    ]
    assert list(completion.LABELS.values()) == [
        "lin-RFM α=1/2",
        "lin-RFM α=1",
        "depth-2 linear net",
        "depth-3 linear net",
        "nuclear norm",
    ]
    assert methods.legend_order(["nuclear norm", "zzz", "lin-RFM α=1"]) == [
        "lin-RFM α=1",
        "nuclear norm",
        "zzz",
    ]
    assert set(methods.palette(["dln2", "zzz"])) == {"dln2", "zzz"}


def test_experiment_modules_reexport_the_registry():
    assert completion.METHODS == threshold.METHODS == methods.FAMILIES["completion"]
    assert regression.METHODS == methods.FAMILIES["regression"]
    assert runtime.RUNTIME_METHODS == methods.FAMILIES["runtime"]
    assert set(runtime.PAPER_SECONDS) == set(runtime.RUNTIME_METHODS)
    for module, family in ((completion, "completion"), (regression, "regression")):
        assert module.LABELS == methods.labels(family)
    assert runtime.LABELS == methods.labels("runtime")


def test_schema_lists_no_method_names():
    """The schema leaves method names to the registry (common.smk checks them), so the two
    cannot drift: no enum of the schema holds a method name (the bench section aside: its
    target 6 names bench/target6.py's own solvers, ``linrfm`` and ``matrix_irls``)."""
    schema = yaml.safe_load((ROOT / "workflow/schemas/config.schema.yaml").read_text())
    enums = []

    def walk(node):
        if isinstance(node, dict):
            enums.extend(node.get("enum", []))
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk({k: v for k, v in schema["properties"].items() if k != "bench"})
    walk(schema["definitions"])
    assert not set(enums) & set(methods.BY_NAME)
    for section in methods.CONFIG_METHOD_LISTS:
        assert schema["properties"][section]["properties"]["methods"] == {
            "$ref": "#/definitions/methods"
        }


@pytest.mark.parametrize("name", ["config.yaml", "smoke.yaml", "paper.yaml"])
def test_shipped_configs_name_registered_methods(name):
    methods.check_config(yaml.safe_load((ROOT / "config" / name).read_text()))


def test_unknown_or_misplaced_methods_are_rejected():
    with pytest.raises(ValueError, match=r"runtime\.methods.*'nuclear_norm'.*methods\.py"):
        methods.check_config({"runtime": {"methods": ["linrfm_a0.5", "nuclear_norm"]}})
    with pytest.raises(ValueError, match="unknown method 'svt'"):
        methods.get("svt")
    with pytest.raises(ValueError, match="unknown method 'l1' for completion"):
        methods.get("l1", "completion")


def test_wildcard_constraints_match_exactly_the_family():
    pattern = re.compile(f"^(?:{methods.constraint('completion')})$")
    assert all(pattern.match(m) for m in methods.FAMILIES["completion"])
    assert not pattern.match("linrfm_a0x5") and not pattern.match("l1")


def test_claims_registry_names_registered_methods():
    claims = yaml.safe_load((ROOT / "paper_checks/claims.yaml").read_text())
    entries = claims if isinstance(claims, list) else claims.get("claims", [])
    named = []
    for c in entries:
        args = (c.get("check") or {}).get("args") or {}
        named += [args["method"]] if "method" in args else []
        named += list(args.get("rivals", []))
    assert named and set(named) <= set(methods.BY_NAME)
