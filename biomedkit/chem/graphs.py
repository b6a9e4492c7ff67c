"""Molecules as graphs: atoms are nodes, bonds are edges, each with a vector of features.

The arrays are named as PyTorch Geometric names them (``x``, ``edge_index``, ``edge_attr``,
``batch``), so that code written with these small graphs reads the same at scale with that
library.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit.chem._rdkit import as_molecule_list, canonical_smiles, to_mol

# The elements of most drug-like and environmental molecules; any other is "other element".
ELEMENTS = ("C", "N", "O", "S", "F", "Cl", "Br", "I", "P")
#: Names of the columns of ``MolGraph.x``, in order.
ATOM_FEATURES = (
    *ELEMENTS, "other element",
    "degree 0", "degree 1", "degree 2", "degree 3", "degree 4+",
    "formal charge", "aromatic", "in ring",
    "H 0", "H 1", "H 2", "H 3+",
    "sp", "sp2", "sp3", "other hybridisation",
)
#: Names of the columns of ``MolGraph.edge_attr``, in order.
BOND_FEATURES = ("single", "double", "triple", "aromatic", "conjugated", "in ring")


@dataclass(frozen=True, eq=False)
class MolGraph:
    """One molecule as a graph.

    Attributes
    ----------
    x : ndarray of float32, shape (n_atoms, 26)
        One row per heavy atom (hydrogens are counted, not drawn), columns ``ATOM_FEATURES``:
        the element (one-hot: C, N, O, S, F, Cl, Br, I, P, other), the number of bonded heavy
        atoms (one-hot 0 to 4+), the formal charge (a number: -1, 0, +1...), aromatic (0/1),
        in a ring (0/1), the number of attached hydrogens (one-hot 0 to 3+) and the
        hybridisation (one-hot sp, sp2, sp3, other).
    edge_index : ndarray of int64, shape (2, 2 * n_bonds)
        Each bond twice, once in each direction: column ``2k`` goes from one atom of bond
        ``k`` to the other, column ``2k + 1`` back. Row 0 is the source atom, row 1 the target,
        so a message flows from ``edge_index[0]`` to ``edge_index[1]`` (PyTorch Geometric's
        convention).
    edge_attr : ndarray of float32, shape (2 * n_bonds, 6)
        One row per directed edge, columns ``BOND_FEATURES``: the bond type (one-hot single,
        double, triple, aromatic), conjugated (0/1) and in a ring (0/1).
    smiles : str
        RDKit's canonical SMILES of the molecule.
    atoms : tuple of str
        The element of each node, in the order of the rows of ``x``.
    """

    x: np.ndarray
    edge_index: np.ndarray
    edge_attr: np.ndarray
    smiles: str
    atoms: tuple[str, ...]

    @property
    def num_nodes(self) -> int:
        return int(self.x.shape[0])

    @property
    def num_edges(self) -> int:
        """Directed edges: twice the number of bonds."""
        return int(self.edge_index.shape[1])

    def __repr__(self) -> str:
        return (f"MolGraph({self.smiles!r}: {self.num_nodes} atoms, {self.num_edges // 2} bonds "
                f"({self.num_edges} directed edges), {self.x.shape[1]} atom features, "
                f"{self.edge_attr.shape[1]} bond features)")

    def to_frame(self) -> pd.DataFrame:
        """The node features as a table: one row per atom (``C0``, ``O1``...), one column per feature."""
        return pd.DataFrame(self.x, columns=list(ATOM_FEATURES), index=self.atom_labels())

    def edges_frame(self) -> pd.DataFrame:
        """The edges as a table: source, target and the bond features of each directed edge."""
        labels = self.atom_labels()
        frame = pd.DataFrame(self.edge_attr, columns=list(BOND_FEATURES))
        frame.insert(0, "target", [labels[j] for j in self.edge_index[1]])
        frame.insert(0, "source", [labels[i] for i in self.edge_index[0]])
        return frame

    def atom_labels(self) -> list[str]:
        """``C0``, ``C1``, ``O2``...: the element and the index of each node."""
        return [f"{symbol}{i}" for i, symbol in enumerate(self.atoms)]


def _one_hot(value, choices) -> list[float]:
    return [float(value == choice) for choice in choices]


def _atom_features(atom) -> list[float]:
    from rdkit.Chem import HybridizationType as H

    symbol = atom.GetSymbol()
    hybrid = atom.GetHybridization()
    return [
        *_one_hot(symbol, ELEMENTS), float(symbol not in ELEMENTS),
        *_one_hot(min(atom.GetDegree(), 4), range(5)),
        float(atom.GetFormalCharge()), float(atom.GetIsAromatic()), float(atom.IsInRing()),
        *_one_hot(min(atom.GetTotalNumHs(), 3), range(4)),
        *_one_hot(hybrid, (H.SP, H.SP2, H.SP3)), float(hybrid not in (H.SP, H.SP2, H.SP3)),
    ]


def _bond_features(bond) -> list[float]:
    from rdkit.Chem import BondType as B

    return [*_one_hot(bond.GetBondType(), (B.SINGLE, B.DOUBLE, B.TRIPLE, B.AROMATIC)),
            float(bond.GetIsConjugated()), float(bond.IsInRing())]


def mol_to_graph(smiles) -> MolGraph:
    """Turn a molecule into a graph: node features, edges in both directions, edge features.

    Parameters
    ----------
    smiles : str or rdkit.Chem.Mol
        The molecule, as a SMILES string (``"CCO"``) or an RDKit molecule (not changed).

    Returns
    -------
    MolGraph
        ``x`` (atoms x ``ATOM_FEATURES``), ``edge_index`` (2 x 2 n_bonds), ``edge_attr``
        (2 n_bonds x ``BOND_FEATURES``), the canonical SMILES and the element of each atom.

    Raises
    ------
    ValueError
        If RDKit cannot read the SMILES string (the message quotes it).

    Examples
    --------
    >>> g = bk.chem.mol_to_graph("CCO")           # ethanol: 3 heavy atoms, 2 bonds
    >>> g.x.shape, g.edge_index.tolist()           # doctest: +SKIP
    ((3, 26), [[0, 1, 1, 2], [1, 0, 2, 1]])
    """
    mol = to_mol(smiles)
    x = np.array([_atom_features(atom) for atom in mol.GetAtoms()], dtype=np.float32)
    pairs, attrs = [], []
    for bond in mol.GetBonds():
        i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        features = _bond_features(bond)
        pairs += [(i, j), (j, i)]
        attrs += [features, features]
    edge_index = np.array(pairs, dtype=np.int64).reshape(-1, 2).T.copy()
    edge_attr = np.array(attrs, dtype=np.float32).reshape(-1, len(BOND_FEATURES))
    return MolGraph(x, edge_index, edge_attr, canonical_smiles(mol),
                    tuple(atom.GetSymbol() for atom in mol.GetAtoms()))


def mols_to_graphs(molecules, name: str = "smiles") -> list[MolGraph]:
    """``mol_to_graph`` for each of a list of SMILES strings, Mols or ready ``MolGraph`` objects.

    An unreadable entry raises a ValueError that gives its position and quotes it.
    """
    graphs = []
    for i, molecule in enumerate(as_molecule_list(molecules, name)):
        if isinstance(molecule, MolGraph):
            graphs.append(molecule)
            continue
        try:
            graphs.append(mol_to_graph(molecule))
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"{name}[{i}]: {exc}") from None
    return graphs


@dataclass(frozen=True, eq=False)
class GraphBatch:
    """Several graphs as one: nodes and edges concatenated, and a graph index for each node.

    Attributes
    ----------
    x, edge_index, edge_attr
        As in :class:`MolGraph`, for all graphs together; the node numbers in ``edge_index``
        are shifted so that graph ``g``'s nodes follow those of graphs ``0..g-1``.
    batch : ndarray of int64, shape (n_nodes,)
        The graph each node belongs to (``0..num_graphs-1``), as PyTorch Geometric's ``batch``.
    num_graphs : int
    """

    x: np.ndarray
    edge_index: np.ndarray
    edge_attr: np.ndarray
    batch: np.ndarray
    num_graphs: int

    def __repr__(self) -> str:
        return (f"GraphBatch({self.num_graphs} graphs: {self.x.shape[0]} nodes, "
                f"{self.edge_index.shape[1]} directed edges)")


def batch_graphs(graphs) -> GraphBatch:
    """Concatenate graphs into one disconnected graph, the way graph networks train in batches.

    Nodes of different molecules are never joined by an edge, so messages stay inside each
    molecule; the ``batch`` vector tells the readout which nodes to pool into which molecule.

    Parameters
    ----------
    graphs : list of MolGraph (or of SMILES strings)

    Returns
    -------
    GraphBatch

    Examples
    --------
    >>> b = bk.chem.batch_graphs([bk.chem.mol_to_graph("CCO"), bk.chem.mol_to_graph("C=O")])
    >>> b.batch.tolist()                        # doctest: +SKIP
    [0, 0, 0, 1, 1]
    """
    graphs = mols_to_graphs(graphs, "graphs")
    sizes = np.array([g.num_nodes for g in graphs])
    offsets = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    return GraphBatch(
        x=np.concatenate([g.x for g in graphs]),
        edge_index=np.concatenate([g.edge_index + off for g, off in zip(graphs, offsets)], axis=1),
        edge_attr=np.concatenate([g.edge_attr for g in graphs]),
        batch=np.repeat(np.arange(len(graphs), dtype=np.int64), sizes),
        num_graphs=len(graphs),
    )
