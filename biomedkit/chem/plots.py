"""Draw a molecule as the graph a network sees: atoms as labelled nodes, bonds as edges."""

from __future__ import annotations

import numpy as np

from biomedkit.chem._rdkit import to_mol


def plot_molecule(smiles, *, values=None, ax=None, title: str | None = None, cmap: str | None = None,
                  colorbar: bool = True):
    """Draw a molecule's graph in 2D, optionally colouring each atom by a number.

    The layout is RDKit's 2D depiction; nodes are labelled with the element and the index
    of the atom (the row of ``MolGraph.x``); double and triple bonds are drawn thicker and
    aromatic bonds dashed. Use ``values`` to show one number per atom, such as one entry of
    each atom's state after message passing.

    Parameters
    ----------
    smiles : str or rdkit.Chem.Mol
    values : array-like of float, optional
        One number per heavy atom, in the order of ``mol_to_graph(smiles).x``.
    ax : matplotlib Axes, optional
    title : str, optional
    cmap : str, optional
        Colour map for ``values``: by default "Reds" (from 0) when no value is negative,
        else "coolwarm" (centred on 0).
    colorbar : bool, default=True
        Add a colour bar when ``values`` are given.

    Returns
    -------
    matplotlib Axes

    Examples
    --------
    >>> bk.chem.plot_molecule("CC(=O)O", values=[0.1, 0.5, -0.2, 0.3])   # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from rdkit import Chem
    from rdkit.Chem import rdDepictor

    mol = to_mol(smiles)
    n = mol.GetNumAtoms()
    if values is not None:
        values = np.asarray(values, dtype=float)
        if values.shape != (n,):
            raise ValueError(f"values must hold one number per heavy atom ({n}); got shape {values.shape}")
    rdDepictor.Compute2DCoords(mol)
    xy = mol.GetConformer().GetPositions()[:, :2]
    if ax is None:
        _, ax = plt.subplots(figsize=(4, 3.5))
    style = {Chem.BondType.DOUBLE: (3.5, "-"), Chem.BondType.TRIPLE: (5, "-"), Chem.BondType.AROMATIC: (2, "--")}
    for bond in mol.GetBonds():
        i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        width, line = style.get(bond.GetBondType(), (1.5, "-"))
        ax.plot(*xy[[i, j]].T, color="0.35", lw=width, ls=line, zorder=1)
    if values is None:
        ax.scatter(*xy.T, s=520, color="white", edgecolors="0.3", zorder=2)
    else:
        limit = float(np.abs(values).max()) or 1.0
        signed = bool((values < 0).any())
        points = ax.scatter(*xy.T, s=520, c=values, cmap=cmap or ("coolwarm" if signed else "Reds"),
                            vmin=-limit if signed else 0.0, vmax=limit, edgecolors="0.3", zorder=2)
        if colorbar:
            plt.colorbar(points, ax=ax, shrink=0.8)
    # labels in white on strongly coloured atoms, so that they stay readable
    strong = np.zeros(n, bool) if values is None else np.abs(values) > 0.6 * limit
    for i, atom in enumerate(mol.GetAtoms()):
        charge = atom.GetFormalCharge()
        sign = "" if charge == 0 else ("+" if charge > 0 else "-")
        ax.annotate(f"{atom.GetSymbol()}{sign}{i}", xy[i], ha="center", va="center", fontsize=8, zorder=3,
                    color="white" if strong[i] else "black")
    ax.set_aspect("equal")
    ax.margins(0.15)
    ax.axis("off")
    ax.set_title(title if title is not None else Chem.MolToSmiles(mol))
    return ax
