"""bk.check_env() reports versions and warns about missing, too-old and too-new packages."""

from importlib import metadata

import pytest

import biomedkit as bk
from biomedkit import _env


def _fake_versions(monkeypatch, overrides):
    real = metadata.version

    def version(dist):
        if dist in overrides:
            if overrides[dist] is None:
                raise metadata.PackageNotFoundError(dist)
            return overrides[dist]
        return real(dist)

    monkeypatch.setattr(_env.metadata, "version", version)


def test_prints_every_key_package_and_the_accelerator(capsys):
    rows = bk.check_env()
    out = capsys.readouterr().out
    for label, *_ in _env.KEY_PACKAGES:
        assert f"  {label} " in out
    assert "python" in out and "accelerator" in out
    assert ("GPU" in out) or ("torch is not installed" in out)
    assert [r.name for r in rows] == [spec[0] for spec in _env.KEY_PACKAGES]


def test_versions_match_installed_metadata():
    rows = {r.name: r for r in bk.check_env(verbose=False)}
    assert rows["numpy"].version == metadata.version("numpy")
    assert rows["scikit-learn"].version == metadata.version("scikit-learn")


def test_verbose_passed_by_position_still_works_with_a_warning(capsys):
    with pytest.warns(FutureWarning, match=r"passing verbose of check_env\(\) by position"):
        rows = bk.check_env(False)
    assert capsys.readouterr().out == ""
    assert [r.name for r in rows] == [r.name for r in bk.check_env(verbose=False)]


def test_missing_package_is_flagged_with_install_command(monkeypatch, capsys):
    _fake_versions(monkeypatch, {"shap": None})
    rows = {r.name: r for r in bk.check_env()}
    assert rows["shap"].version is None
    assert "missing" in rows["shap"].problem and "pip install shap" in rows["shap"].problem
    assert "WARNING: missing" in capsys.readouterr().out


def test_too_old_package_is_flagged(monkeypatch):
    _fake_versions(monkeypatch, {"scikit-learn": "1.2.0"})
    row = {r.name: r for r in bk.check_env(verbose=False)}["scikit-learn"]
    assert row.problem.startswith("too old: 1.2.0 < 1.6")


def test_pandas_3_is_flagged_as_too_new_for_lifelines(monkeypatch):
    _fake_versions(monkeypatch, {"pandas": "3.0.1"})
    row = {r.name: r for r in bk.check_env(verbose=False)}["pandas"]
    assert "too new" in row.problem and "lifelines" in row.problem


@pytest.mark.parametrize("dist", ["xgboost", "xgboost-cpu"])
def test_xgboost_is_found_under_either_distribution_name(monkeypatch, dist):
    other = {"xgboost": "xgboost-cpu", "xgboost-cpu": "xgboost"}[dist]
    _fake_versions(monkeypatch, {dist: "3.0.0", other: None})
    row = {r.name: r for r in bk.check_env(verbose=False)}["xgboost"]
    assert row.version == "3.0.0" and row.problem is None
