"""The library installs and runs alone: numpy, scipy and torch, nothing of the workflow."""

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORKFLOW_PACKAGES = (
    "snakemake",
    "papermill",
    "jupyter",
    "jupytext",
    "seaborn",
    "matplotlib",
    "pandas",
    "cvxpy",
    "sklearn",
    "yaml",
    "linrfm_paper",
)


def test_library_requires_only_numpy_scipy_torch():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = {d.split(">")[0].split("=")[0].split("[")[0].strip() for d in project["dependencies"]}
    assert names == {"numpy", "scipy", "torch"}
    assert set(project["optional-dependencies"]) == {"baselines", "dev"}
    found = (ROOT / "pyproject.toml").read_text()
    assert 'include = ["linrfm", "linrfm.*"]' in found  # linrfm_paper is not in this project


def test_library_imports_and_completes_without_any_workflow_package():
    """Every workflow package blocked from import: `import linrfm` and `complete` still work."""
    blocked = ", ".join(repr(m) for m in WORKFLOW_PACKAGES)
    code = f"""
import sys
class Block:
    def find_spec(self, name, path=None, target=None):
        if name.split('.')[0] in ({blocked}):
            raise ImportError('blocked: ' + name)
sys.meta_path.insert(0, Block())
import linrfm
p = linrfm.completion_problem(30, 30, 2, 400, seed=0)
res = linrfm.complete(p.Y_obs, p.mask)
assert res.success and p.relative_test_error(res.Z) < 1e-5, res.message
print('ok', res.status)
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.startswith("ok certified")


def test_paper_package_is_its_own_project():
    paper = tomllib.loads((ROOT / "envs/paper/pyproject.toml").read_text())
    deps = " ".join(paper["project"]["dependencies"])
    assert "linrfm" in deps and "snakemake" in deps and "papermill" in deps
    assert "linrfm_paper" in paper["tool"]["setuptools"]["packages"]
