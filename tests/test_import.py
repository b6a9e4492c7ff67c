"""`import biomedkit` is light: heavy libraries load only when a submodule needs them."""

import json

import pytest

import biomedkit as bk
from conftest import run_python

HEAVY = ["torch", "xgboost", "shap", "sklearn", "pandas", "numpy", "matplotlib", "scipy"]


def test_import_loads_no_heavy_library():
    out = run_python(
        "import sys, json, biomedkit as bk; bk.__version__; "
        f"print(json.dumps([m for m in {HEAVY!r} if m in sys.modules]))"
    )
    assert json.loads(out.stdout) == []


def test_check_env_is_reachable_without_heavy_imports():
    out = run_python(
        "import sys, json, biomedkit as bk; bk.check_env; "
        "print(json.dumps([m for m in ('torch', 'sklearn', 'xgboost', 'shap') if m in sys.modules]))"
    )
    assert json.loads(out.stdout) == []


def test_submodules_load_on_first_use():
    out = run_python(
        "import sys, biomedkit as bk; assert 'biomedkit.simulate' not in sys.modules; "
        "bk.simulate; print('biomedkit.simulate' in sys.modules, 'sklearn' in sys.modules)"
    )
    assert out.stdout.split() == ["True", "False"]


def test_unknown_attribute_raises_attribute_error():
    with pytest.raises(AttributeError, match="no attribute 'not_a_module'"):
        bk.not_a_module  # noqa: B018


def test_dir_lists_public_names():
    assert {"datasets", "simulate", "models", "check_env"} <= set(dir(bk))
