"""Fingerprints and similarity: the classical way to turn a molecule into a vector.

A Morgan fingerprint (the circular fingerprint of Rogers and Hahn, 2010, as RDKit computes
it; ECFP4 for ``radius=2``) sets one bit for each atom environment up to ``radius`` bonds
around each atom, hashed to ``n_bits`` positions. Two molecules' Tanimoto similarity is the
number of bits they share over the number set in either.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from biomedkit._checks import check_int
from biomedkit.chem._rdkit import as_molecule_list, to_mol


def _generator(radius: int, n_bits: int):
    from rdkit.Chem import rdFingerprintGenerator

    return rdFingerprintGenerator.GetMorganGenerator(radius=radius, fpSize=n_bits)


def _molecules(smiles, name: str) -> list:
    return [to_mol(molecule, f"{name}[{i}]") for i, molecule in enumerate(as_molecule_list(smiles, name))]


def morgan_fingerprints(smiles, *, radius: int = 2, n_bits: int = 2048, counts: bool = False) -> np.ndarray:
    """Morgan (circular) fingerprints as a matrix, one row per molecule.

    Parameters
    ----------
    smiles : list of str (or RDKit Mols)
    radius : int, default=2
        Bonds around each atom that an environment spans (2: ECFP4).
    n_bits : int, default=2048
        Length of each fingerprint.
    counts : bool, default=False
        False: 0/1 bits (is the environment present?). True: how many times each
        environment occurs (six aromatic CH atoms count 6, not 1), which keeps the size of a
        molecule in the fingerprint.

    Returns
    -------
    ndarray of uint8 (bits) or uint32 (counts), shape (n_molecules, n_bits)

    Examples
    --------
    >>> X = bk.chem.morgan_fingerprints(["CCO", "c1ccccc1O"])
    >>> X.shape
    (2, 2048)
    """
    radius = check_int(radius, "radius", 0)
    n_bits = check_int(n_bits, "n_bits", 8)
    if not isinstance(counts, bool):
        raise TypeError(f"counts must be True or False; got {counts!r}")
    generator = _generator(radius, n_bits)
    fingerprint = generator.GetCountFingerprintAsNumPy if counts else generator.GetFingerprintAsNumPy
    return np.stack([fingerprint(mol) for mol in _molecules(smiles, "smiles")])


def nearest_similarity(query, reference, *, radius: int = 2, n_bits: int = 2048) -> pd.DataFrame:
    """For each query molecule, its Tanimoto similarity to the most similar reference molecule.

    The usual measure of how far a molecule lies from a model's training set: 1 means an
    identical fingerprint, values below about 0.3 to 0.4 mean no close relative.

    Parameters
    ----------
    query : list of str
        The molecules to place (a test set, designed molecules).
    reference : list of str
        The molecules to compare with (the training set).
    radius, n_bits
        As in :func:`morgan_fingerprints`.

    Returns
    -------
    DataFrame
        One row per query molecule: ``similarity`` (the largest Tanimoto similarity),
        ``nearest`` (the position of that reference molecule) and ``nearest_smiles`` (its
        canonical SMILES).

    Examples
    --------
    >>> bk.chem.nearest_similarity(["CCCO"], ["CCO", "c1ccccc1"])   # doctest: +SKIP
    """
    from rdkit import Chem, DataStructs

    radius = check_int(radius, "radius", 0)
    n_bits = check_int(n_bits, "n_bits", 8)
    generator = _generator(radius, n_bits)
    query_mols = _molecules(query, "query")
    reference_mols = _molecules(reference, "reference")
    reference_fps = [generator.GetFingerprint(mol) for mol in reference_mols]
    rows = []
    for mol in query_mols:
        similarities = DataStructs.BulkTanimotoSimilarity(generator.GetFingerprint(mol), reference_fps)
        best = int(np.argmax(similarities))
        rows.append((float(similarities[best]), best, Chem.MolToSmiles(reference_mols[best])))
    return pd.DataFrame(rows, columns=["similarity", "nearest", "nearest_smiles"])
