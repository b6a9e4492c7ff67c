"""RDKit at the boundary of the chem package: SMILES in, molecules out, clear errors.

Private to ``biomedkit.chem``. RDKit is imported inside the functions, so that importing the
package stays cheap.
"""

from __future__ import annotations

import numpy as np


def to_mol(molecule, name: str = "smiles"):
    """Return an RDKit molecule (sanitised) from a SMILES string or a copy of an RDKit ``Mol``.

    A string RDKit cannot read raises a ValueError that quotes it; anything else than a string
    or a ``Mol`` raises a TypeError.
    """
    from rdkit import Chem, rdBase

    if isinstance(molecule, Chem.Mol):
        mol = Chem.Mol(molecule)  # a copy: the caller's molecule is never changed
    elif isinstance(molecule, str):
        if not molecule.strip():
            raise ValueError(f"{name} is an empty string; pass a SMILES string such as 'CCO' (ethanol)")
        with rdBase.BlockLogs():  # RDKit's own messages would repeat ours in red
            mol = Chem.MolFromSmiles(molecule)
        if mol is None:
            raise ValueError(f"{name} {molecule!r} is not a SMILES string RDKit can read: check the "
                             "brackets, ring-closure digits and valences (an aromatic N-H is written "
                             "[nH], not n(H))")
    else:
        raise TypeError(f"{name} must be a SMILES string (e.g. 'CCO') or an RDKit Mol; "
                        f"got {type(molecule).__name__}")
    if mol.GetNumAtoms() == 0:
        raise ValueError(f"{name} {molecule!r} holds no atoms; pass a molecule")
    return mol


def as_molecule_list(molecules, name: str = "smiles") -> list:
    """Return ``molecules`` (a list, tuple, array or Series of SMILES or Mols) as a list.

    A lone string is refused: iterating over it would read each character as a molecule.
    """
    from rdkit import Chem

    if isinstance(molecules, (str, Chem.Mol)):
        raise TypeError(f"{name} must be a list of molecules; for one molecule pass [{name}]")
    if hasattr(molecules, "to_numpy") and hasattr(molecules, "dtype"):
        molecules = molecules.to_numpy()
    if isinstance(molecules, np.ndarray):
        if molecules.ndim != 1:
            raise ValueError(f"{name} must be one-dimensional (one molecule per entry); "
                             f"got shape {molecules.shape}")
        molecules = molecules.tolist()
    if not isinstance(molecules, (list, tuple)):
        raise TypeError(f"{name} must be a list of SMILES strings; got {type(molecules).__name__}")
    if len(molecules) == 0:
        raise ValueError(f"{name} is empty; pass at least one molecule")
    return list(molecules)


def canonical_smiles(mol) -> str:
    """RDKit's canonical SMILES of ``mol``: one string per molecule, however it was written."""
    from rdkit import Chem

    return Chem.MolToSmiles(mol)
