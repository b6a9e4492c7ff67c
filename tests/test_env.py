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


# --- biomedkit._threads.single_threaded: one thread per pool, loaded before the limit --------

def _fresh_pools(code: str) -> dict:
    """Run ``code`` in a fresh interpreter (nothing loaded beforehand by this test session)
    with 4 threads asked of OpenMP, so that an unlimited OpenMP pool shows 4 whatever the
    machine's core count; ``code`` prints a JSON dict of ``threadpool_info()`` lists."""
    import json
    import os

    from conftest import run_python

    env = {k: v for k, v in os.environ.items() if not k.endswith("_NUM_THREADS")}
    env["OMP_NUM_THREADS"] = "4"  # OpenBLAS caps its threads at the core count, OpenMP does not
    return json.loads(run_python(code, env=env).stdout.splitlines()[-1])


def _threads(pools: list[dict]) -> dict[str, int]:
    return {f"{p['internal_api']} {p['filepath']}": p["num_threads"] for p in pools}


def test_single_threaded_limits_the_openmp_runtimes_that_the_block_uses():
    # A library first imported inside a plain threadpool_limits(1) block keeps 4 threads:
    # single_threaded imports the libraries it is given first (scikit-learn's histogram
    # gradient boosting, then torch, which brings an OpenMP runtime of its own).
    out = _fresh_pools(
        "import json\n"
        "from threadpoolctl import threadpool_info\n"
        "from biomedkit._threads import single_threaded\n"
        "with single_threaded('sklearn.ensemble'):\n"
        "    from sklearn.ensemble import HistGradientBoostingClassifier\n"
        "    sklearn_block = threadpool_info()\n"
        "after = threadpool_info()\n"
        "with single_threaded('torch'):\n"
        "    import torch\n"
        "    torch_block = threadpool_info()\n"
        "print(json.dumps(dict(sklearn_block=sklearn_block, after=after, torch_block=torch_block)))")
    for block in ("sklearn_block", "torch_block"):
        pools = _threads(out[block])
        assert any(k.startswith("openmp") for k in pools), pools  # the runtime is loaded ...
        assert set(pools.values()) == {1}, pools  # ... and limited, like every BLAS
    # afterwards the OpenMP pool has its own setting back (OMP_NUM_THREADS)
    after = [n for k, n in _threads(out["after"]).items() if k.startswith("openmp")]
    assert after == [4], out["after"]
