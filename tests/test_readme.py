"""The README's worked example runs and does what it says; the README stays short and its links
resolve; the benchmark page generator (workflow/scripts/bench_docs.py) renders every target."""

import importlib.util
import re
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
#: Markdown links [text](target), without images' and external targets
LINK = re.compile(r"(?<!!)\[[^\]]*\]\(([^)\s]+)\)")


def test_readme_python_example_runs():
    text = README.read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no python example"
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102
    p, res = namespace["p"], namespace["res"]
    assert res.Z.shape == (200, 300)
    assert p.relative_test_error(res.Z) < 1e-5
    assert res.converged
    both = namespace["res2"]  # features="alternating"
    assert p.relative_test_error(both.Z) < 1e-5 and both.converged


def test_readme_is_at_most_250_lines():
    assert len(README.read_text().splitlines()) <= 250


def _local_links(page: Path) -> list[str]:
    targets = LINK.findall(page.read_text())
    return [t for t in targets if not re.match(r"[a-z]+:", t) and not t.startswith("#")]


@pytest.mark.parametrize(
    "page", ["README.md", *sorted(str(p.relative_to(ROOT)) for p in (ROOT / "docs").glob("*.md"))]
)
def test_every_local_link_resolves(page):
    path = ROOT / page
    missing = [t for t in _local_links(path) if not (path.parent / t.split("#")[0]).exists()]
    assert not missing, f"{page} links to missing files: {missing}"


def test_readme_links_every_docs_page():
    linked = {(ROOT / t.split("#")[0]).resolve() for t in _local_links(README)}
    for name in ("design", "lowrank", "testing", "benchmarks"):
        assert (ROOT / f"docs/{name}.md").resolve() in linked, name


def _bench_docs():
    spec = importlib.util.spec_from_file_location(
        "bench_docs", ROOT / "workflow/scripts/bench_docs.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_bench_docs_renders_every_target_from_the_tables_alone():
    m = _bench_docs()
    prov = {"torch_threads": 2, "peak_rss_gb": 1.5, "device": "cpu", "torch": "2.13.0"}
    prov["git_commit"] = "0123456789abcdef"
    tables = {
        "target1": pd.DataFrame(
            [{"d": 500, "seconds_to_target": 1.21, "baseline_seconds": 38.7, "speedup": 32.0}]
        ),
        "target2": pd.DataFrame(
            [{"d": 5000, "seconds_to_target": 5.2, "paper_gpu_seconds": 559.0, "kernel": "lowrank"}]
        ),
        "target3": pd.DataFrame(
            [
                {
                    "kernel": "dense",
                    "d": 5000,
                    "fraction_of_gemm": 0.22,
                    "gemm_flops_per_s": 1.66e11,
                },
                {"kernel": "lowrank", "d": 5000, "fraction_of_gemm": float("nan")},
            ]
        ),
        "target4": pd.DataFrame(
            [
                {
                    "d": 500,
                    "rank": 5,
                    "n": 10000,
                    "schedule": "default",
                    "iterations_to_target": 74,
                },
                {
                    "d": 500,
                    "rank": 5,
                    "n": 10000,
                    "schedule": "fixed 0.01",
                    "iterations_to_target": 963,
                },
            ]
        ),
        "target5": pd.DataFrame(
            [
                {
                    "d": 100,
                    "rank": 5,
                    "n": 1500,
                    "seed": s,
                    "dof": 975,
                    "identifiable": s != 1,
                    "test_mse": 4e-3 if s == 1 else 1e-11,
                    "iterations_total": 300,
                }
                for s in range(7)
            ]
        ),
    }
    tables = {k: v.assign(**prov) for k, v in tables.items()}
    page = m.render(tables)
    for title in ("Target 1", "Target 2", "Target 3", "Target 4", "Target 5"):
        assert f"## {title}" in page
    assert "| 32 |" in page and "| 22% |" in page and "166 GFLOP/s" in page
    assert "| 13 |" in page  # 963 / 74 fewer iterations, computed from the table
    assert "| 6 of 7 |" not in page and "| 4 of 5 |" in page  # seeds 0-4: seed 1 fails
    assert "Draws not recovered" in page and "0123456789ab" in page
    assert "git_commit" not in page  # provenance goes into the line under each table
