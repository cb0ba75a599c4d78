"""The pinned environment files agree with each other and with what is installed."""

from importlib.metadata import version
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def _pins(lines: list[str]) -> dict[str, str]:
    out = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if "==" in line:
            name, ver = line.split("==")
            out[name.lower()] = ver
    return out


def test_conda_env_has_the_same_pins_as_requirements():
    reqs = _pins((ROOT / "envs/requirements.txt").read_text().splitlines())
    env = yaml.safe_load((ROOT / "envs/linrfm.yaml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert _pins(pip_section) == reqs
    assert "python=3.11" in env["dependencies"]
    assert reqs["torch"] == "2.13.0"


def test_installed_versions_match_the_pins():
    reqs = _pins((ROOT / "envs/requirements.txt").read_text().splitlines())
    for name in ("numpy", "torch", "cvxpy", "snakemake", "pandas"):
        assert version(name).split("+")[0] == reqs[name]
