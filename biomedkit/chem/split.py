"""Scaffold splits: test a model on molecules whose ring systems it has never seen.

A random split puts close analogues of each test molecule (same ring system, another side
chain) in the training set, so it measures interpolation among known chemistry. A new project
starts from new scaffolds; a scaffold split (Bemis and Murcko, 1996) keeps every scaffold on
one side and measures that harder task.
"""

from __future__ import annotations

import numpy as np

from biomedkit._checks import check_float, check_random_state
from biomedkit.chem._rdkit import as_molecule_list, to_mol


def murcko_scaffolds(smiles) -> list[str]:
    """The Bemis-Murcko scaffold of each molecule: its rings and the chains that link them.

    Side chains are stripped; atoms and bond orders of the ring systems are kept. A molecule
    without a ring has the empty scaffold ``""``, so all acyclic molecules form one group.

    Parameters
    ----------
    smiles : list of str (or RDKit Mols)

    Returns
    -------
    list of str
        Canonical SMILES of each scaffold (``"c1ccccc1"`` for toluene and for phenol).

    Examples
    --------
    >>> bk.chem.murcko_scaffolds(["Cc1ccccc1", "Oc1ccccc1", "CCO"])
    ['c1ccccc1', 'c1ccccc1', '']
    """
    from rdkit.Chem.Scaffolds import MurckoScaffold

    scaffolds = []
    for i, molecule in enumerate(as_molecule_list(smiles, "smiles")):
        mol = to_mol(molecule, f"smiles[{i}]")
        scaffolds.append(MurckoScaffold.MurckoScaffoldSmiles(mol=mol))
    return scaffolds


def scaffold_split(smiles, *, test_size: float = 0.2, random_state=0) -> tuple[np.ndarray, np.ndarray]:
    """Split molecules into training and test sets so that no scaffold is on both sides.

    Molecules are grouped by their Bemis-Murcko scaffold (:func:`murcko_scaffolds`). Groups
    larger than half the test set always go to training (as in chemprop's balanced scaffold
    split), so that one common ring system, or the acyclic group, cannot fill the test set on
    its own. The other groups are taken in a random order and each goes to the test set if
    it still fits in ``test_size``, else to training. The test set therefore holds scaffolds
    that are rare in the data: it is harder than a random test set, which is the point.

    Parameters
    ----------
    smiles : list of str (or RDKit Mols)
    test_size : float, default=0.2
        Target share of molecules in the test set, in (0, 1). The split reaches it to within
        the size of the last group that fitted (usually exactly, since many scaffolds are unique).
    random_state : int, Generator or None, default=0
        Seeds the order in which scaffold groups are considered.

    Returns
    -------
    train, test : ndarray of int
        Positions in ``smiles``, sorted.

    Raises
    ------
    ValueError
        If no scaffold group is small enough to go to the test set.

    Examples
    --------
    >>> train, test = bk.chem.scaffold_split(frame["smiles"], test_size=0.2, random_state=0)  # doctest: +SKIP
    """
    test_size = check_float(test_size, "test_size", 0, 1, open_low=True, open_high=True)
    rng = check_random_state(random_state)
    scaffolds = murcko_scaffolds(smiles)
    n = len(scaffolds)
    n_test = int(round(test_size * n))
    if n_test < 1 or n_test > n - 1:
        raise ValueError(f"test_size={test_size} leaves {n_test} of {n} molecules for the test set; "
                         "choose test_size so that both sets get at least one molecule")
    groups: dict[str, list[int]] = {}
    for i, scaffold in enumerate(scaffolds):
        groups.setdefault(scaffold, []).append(i)
    members = list(groups.values())  # in order of first appearance: deterministic
    small = [g for g in members if len(g) <= n_test / 2]
    test: list[int] = []
    for k in rng.permutation(len(small)):
        if len(test) + len(small[k]) <= n_test:
            test += small[k]
    if not test:
        raise ValueError(f"no scaffold group is small enough for a test set of {n_test} molecules "
                         f"({len(groups)} scaffolds in {n} molecules); use a larger test_size or "
                         "a random split")
    test_idx = np.sort(np.array(test, dtype=np.int64))
    train_idx = np.setdiff1d(np.arange(n, dtype=np.int64), test_idx)
    return train_idx, test_idx
