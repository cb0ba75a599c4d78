"""The Snakemake DAG runs end to end on the smoke config in a temporary copy, and lints clean."""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml
from _workflow import ROOT, SNAKEMAKE, copy_workflow
from snakemake.utils import validate

BIN = Path(sys.executable).parent  # the venv's tools: ruff, snakefmt
LINT_PATHS = ["src", "tests", "workflow", "bench"]


def test_smoke_config_runs_and_second_run_has_nothing_to_do(smoke_run):
    tmp_path, cmd = smoke_run
    table = pd.read_csv(tmp_path / "results/library_check.csv")
    assert len(table) >= 1
    assert (table["relative_test_error"] < 1e-6).all()
    for column in ("seed", "n_iter", "seconds", "device", "numpy", "torch", "git_commit"):
        assert column in table.columns
    fig3 = pd.read_csv(tmp_path / "results/fig3.csv")
    assert set(fig3["protocol"]) == {"paper", "honest"}
    assert set(fig3["method"]) == {"linrfm_a0.5", "linrfm_a1", "nuclear_norm", "dln2", "dln3"}
    for column in ("d1", "rank", "n", "seed", "test_mse", "n_iter", "cvxpy", "git_commit"):
        assert fig3[column].notna().all(), column
    for stem in (
        "fig1_psi",
        "fig5_basins",
        "fig2_sparse_regression",
        "fig3_completion_vs_n",
        "fig4_threshold_vs_rank",
        "fig6_ridge_sweep",
        "fig7_noisy_completion",
        "runtime",
        "phase_transition",
        "phase_transition_time",
    ):
        for ext in ("pdf", "png"):
            assert (tmp_path / f"figures/{stem}.{ext}").stat().st_size > 1000
    for name in (
        "fixed_points",
        "irls_equivalence",
        "nfa_balancedness",
        "deep_linrfm_limits",
        "appendix_f",
    ):
        assert (tmp_path / f"results/notebooks/{name}.ipynb").stat().st_size > 1000
        checks = pd.read_csv(tmp_path / f"results/notebooks/{name}_checks.csv")
        assert set(checks["verdict"]) <= {"holds", "fails"} and len(checks) >= 3
    phase = pd.read_csv(tmp_path / "results/phase_transition.csv")
    methods = {"linrfm_a0.5", "linrfm_both_a0.5", "matrix_irls", "r2rils", "soft_impute"}
    assert set(phase["method"]) == methods
    assert len(phase) == 20 and phase["git_commit"].notna().all()  # 5 methods x 2 rho x 2
    given = phase["method"].isin(["matrix_irls", "r2rils", "linrfm_both_a0.5"])
    assert phase.loc[given, "success"].all()  # 30 x 30 rank 2, κ = 10, ρ ≥ 2: all three recover
    report = json.loads((tmp_path / "results/paper_checks.json").read_text())
    decided = [c for c in report["claims"] if set(c["verdicts"].values()) & {"holds", "fails"}]
    assert len(decided) >= 20
    md = (tmp_path / "results/paper_checks.md").read_text()
    assert "| fig4_alpha_half_fewest |" in md
    assert "## Beyond the paper: the field's standard benchmark" in md
    assert "| std_linrfm_vs_matrix_irls |" in md
    second = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert second.returncode == 0
    assert "Nothing to be done" in second.stdout + second.stderr


def test_benchmark_rules_run_at_smoke_size(tmp_path):
    """`snakemake bench` (not part of `all`): every target's table and the scaling figure."""
    copy_workflow(tmp_path)
    cmd = [*SNAKEMAKE, "bench", "--cores", "2", "--configfile", "config/smoke.yaml"]  # target first
    run = subprocess.run(cmd, cwd=tmp_path, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    for n in range(1, 8):
        table = pd.read_csv(tmp_path / f"results/bench/target{n}.csv")
        assert len(table) >= 1 and "git_commit" in table.columns
    t6 = pd.read_csv(tmp_path / "results/bench/target6.csv")
    assert set(t6["method"]) == {"linrfm", "linrfm_alternating", "matrix_irls"} and len(t6) == 6
    assert t6["success"].all()  # 40 x 40 rank 2, κ = 10, ρ = 3: all three recover
    t1 = pd.read_csv(tmp_path / "results/bench/target1.csv")
    assert list(t1["features"]) == ["auto", "alternating"] and (t1["speedup_own_stop"] > 0).all()
    t3 = pd.read_csv(tmp_path / "results/bench/target3.csv")
    assert set(t3["kernel"]) == {"dense", "lowrank"}
    assert 60 in set(t3.loc[t3["kernel"] == "lowrank", "d"])
    assert (tmp_path / "figures/scaling.pdf").stat().st_size > 1000


def _dry_run_smoke_with(tmp_path, old, new):
    """`snakemake -n` on a copy of the workflow whose smoke config has ``old`` replaced by
    ``new``."""
    copy_workflow(tmp_path)
    smoke = (tmp_path / "config/smoke.yaml").read_text()
    assert old in smoke
    (tmp_path / "config/bad.yaml").write_text(smoke.replace(old, new))
    return subprocess.run(
        [*SNAKEMAKE, "-n", "--configfile", "config/bad.yaml"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_the_longest_jobs_are_scheduled_first(tmp_path):
    """The default config's long cells (Figs. 3 and 7, then Fig. 4's searches) carry a higher
    Snakemake priority than the many short jobs, so the rebuild does not end on one long job."""
    copy_workflow(tmp_path)
    res = subprocess.run(
        [*SNAKEMAKE, "-n"], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stderr
    priority = {}  # rule -> the set of priorities its jobs got
    for block in res.stdout.split("\nrule ")[1:]:
        rule = block.split(":", 1)[0]
        line = [ln for ln in block.splitlines() if ln.strip().startswith("priority:")]
        priority.setdefault(rule, set()).add(int(line[0].split(":")[1]) if line else 0)
    assert priority["fig3_run"] == priority["fig7_run"] == {2}
    assert priority["fig4_run"] == {1}
    assert priority["phase_transition_run"] == priority["fig2_run"] == {0}


def test_invalid_config_is_rejected_with_a_clear_error(tmp_path):
    res = _dry_run_smoke_with(tmp_path, "protocol_shown: paper", "protocol_shown: peeking")
    assert res.returncode != 0
    assert "protocol_shown" in res.stdout + res.stderr


def test_snakemake_lint_is_clean():
    res = subprocess.run(
        [*SNAKEMAKE, "--lint"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stdout + res.stderr
    assert "Congratulations" in res.stdout + res.stderr


def test_unknown_method_in_the_config_is_rejected_naming_the_registry(tmp_path):
    res = _dry_run_smoke_with(
        tmp_path, "methods: [linrfm_a0.5, nuclear_norm, dln2]", "methods: [linrfm_a0.5, svt]"
    )
    assert res.returncode != 0
    out = res.stdout + res.stderr
    assert "fig4_threshold_vs_rank.methods" in out and "'svt'" in out
    assert "methods.py" in out


@pytest.mark.parametrize(
    "cmd",
    [
        ["snakefmt", "--check", "Snakefile", "workflow"],
        ["ruff", "format", "--check", *LINT_PATHS],
        ["ruff", "check", *LINT_PATHS],
    ],
    ids=["snakefmt", "ruff-format", "ruff-check"],
)
def test_lint_tools_are_clean(cmd):
    res = subprocess.run(
        [str(BIN / cmd[0]), *cmd[1:]], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert res.returncode == 0, res.stdout + res.stderr


def test_profiles_agree_on_the_default_resources():
    """Rules without `resources:` get the same memory and time locally and on SLURM."""
    local = yaml.safe_load((ROOT / "profiles/default/config.yaml").read_text())
    slurm = yaml.safe_load((ROOT / "profiles/slurm/config.yaml").read_text())
    for key in ("mem_mb", "runtime"):
        assert local["default-resources"][key] == slurm["default-resources"][key], key


def test_config_readme_describes_every_key():
    """config/README.md names every key of config/config.yaml as `a.b.c` (the notebooks' own
    papermill parameters excepted: each notebook documents them)."""
    readme = (ROOT / "config/README.md").read_text()
    config = yaml.safe_load((ROOT / "config/config.yaml").read_text())

    def keys(node, prefix=""):
        if isinstance(node, dict) and prefix != "notebooks.":
            for k, v in node.items():
                yield f"{prefix}{k}"
                yield from keys(v, f"{prefix}{k}.")

    missing = [k for k in keys(config) if f"`{k}`" not in readme]
    assert not missing, f"config/README.md lacks: {missing}"


@pytest.mark.parametrize("name", ["config.yaml", "smoke.yaml", "paper.yaml"])
def test_every_shipped_config_validates_against_the_schema(name):
    config = yaml.safe_load((ROOT / "config" / name).read_text())
    if name != "config.yaml":  # merged over the default, as Snakemake does
        config = {**yaml.safe_load((ROOT / "config/config.yaml").read_text()), **config}
    validate(config, str(ROOT / "workflow/schemas/config.schema.yaml"))


def test_paper_config_uses_the_papers_settings():
    paper = yaml.safe_load((ROOT / "config/paper.yaml").read_text())
    assert paper["completion"]["linrfm"]["ridges"] == [5e-2, 3e-2, 1e-2, 5e-3, 1e-3, 5e-4, 1e-4]
    assert paper["completion"]["linrfm"]["max_iter"] == 10000
    assert paper["fig3_completion_vs_n"]["seeds"] == [0, 1, 2, 3, 4]
    assert {(s["d"], s["rank"]) for s in paper["fig3_completion_vs_n"]["sizes"]} == {
        (d, r) for d in (100, 200) for r in (5, 10, 15)
    }
    assert paper["fig6_ridge_sweep"]["ridges"] == [1, 0.5, 0.1, 0.05, 0.01, 0.005, 0.001]
    assert paper["fig7_noisy_completion"]["ridges"][0] == 10
    rt = paper["runtime"]
    assert (rt["d"], rt["rank"], rt["n"], rt["device"]) == (5000, 10, 1_000_000, "cuda")


@pytest.mark.parametrize(
    ("old", "new", "named"),
    [
        ("  seeds: [0]\nfig4", "  seeds: zero\nfig4", "seeds"),  # wrong type
        ("  seeds: [0]\nfig4", "  seeds: [0]\n  sedes: [1]\nfig4", "sedes"),  # unknown key
        ("  seeds: [0]\nfig4", "  seeds: []\nfig4", "seeds"),  # empty grid
        ("  seeds: [0]\nfig4", "  seeds: [-1]\nfig4", "seeds"),  # negative seed
        (
            "  sizes: [{d: 16, rank: 2}]\n  n_multipliers: [1.5",
            "  sizes: [{d: 2, rank: 3}]\n  n_multipliers: [1.5",
            "rank",
        ),
        ("  n_multipliers: [1.5, 3.0]", "  n_multipliers: []", "n_multipliers"),
    ],
    ids=["wrong-type", "unknown-key", "empty-grid", "negative-seed", "d-below-rank", "empty-n"],
)
def test_a_bad_config_is_rejected_naming_the_key_before_any_job(tmp_path, old, new, named):
    res = _dry_run_smoke_with(tmp_path, old, new)
    out = res.stdout + res.stderr
    assert res.returncode != 0, out[-2000:]
    assert named in out and "fig3_completion_vs_n" in out, out[-2000:]
    assert not (tmp_path / "results").exists()
