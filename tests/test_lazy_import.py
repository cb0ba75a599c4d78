"""``linrfm``'s public names are loaded on first use: the package exports what ``__all__``
says, each name is its submodule's object, and ``import linrfm.data`` (what the Snakefile needs at
every Snakemake start-up) loads neither torch nor scikit-learn."""

import importlib
import subprocess
import sys

import pytest

import linrfm


def test_every_public_name_is_exported_and_resolves_to_its_module_object():
    assert set(linrfm._EXPORTS) == set(linrfm.__all__)
    for name, module in linrfm._EXPORTS.items():
        defining = importlib.import_module(f"linrfm.{module}")
        assert getattr(linrfm, name) is getattr(defining, name), name
    assert set(linrfm.__all__) <= set(dir(linrfm))


def test_an_unknown_name_raises_attribute_error_naming_it():
    with pytest.raises(AttributeError, match="no attribute 'not_a_solver'"):
        linrfm.not_a_solver  # noqa: B018


def test_the_workflow_imports_load_neither_torch_nor_sklearn():
    code = (
        "import sys; from linrfm.data import n_from_factor; "
        "from linrfm_paper import config_checks, methods; "
        "print(sorted(m for m in ('torch', 'sklearn', 'scipy', 'pandas') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout
