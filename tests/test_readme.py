"""The README's worked example runs and does what it says."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_readme_python_example_runs():
    text = (ROOT / "README.md").read_text()
    blocks = re.findall(r"```python\n(.*?)```", text, flags=re.S)
    assert blocks, "README has no python example"
    namespace: dict = {}
    exec(compile(blocks[0], "README.md", "exec"), namespace)  # noqa: S102
    p, res = namespace["p"], namespace["res"]
    assert res.Z.shape == (200, 300)
    assert p.relative_test_error(res.Z) < 1e-5
    assert res.converged
