"""A glimpse of generative design: edit molecules, keep the valid ones, select by a score.

A genetic algorithm on molecular graphs in the spirit of Jensen's graph-based GA (2019):
children are made by swapping fragments of two parents (:func:`crossover`) and by small
edits (:func:`mutate`), every child is checked by RDKit's sanitisation (valences, aromaticity)
and the best-scoring molecules survive (:func:`evolve`). "Valid" means only that RDKit accepts
the structure: not that it is stable, can be made, or has the predicted property.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_float, check_int, check_random_state
from biomedkit.chem._rdkit import as_molecule_list, canonical_smiles, to_mol

#: The edits :func:`mutate` chooses from.
MUTATIONS = ("change atom", "add atom", "remove atom", "insert atom", "change bond")
# Elements a mutation may put in: the common ones of small organic molecules.
_NEW_ELEMENTS = (6, 7, 8, 9, 16, 17)  # C, N, O, F, S, Cl
_NEW_WEIGHTS = np.array([0.4, 0.2, 0.2, 0.07, 0.06, 0.07])


def is_valid_smiles(smiles) -> np.ndarray:
    """Whether RDKit can read (parse and sanitise) each SMILES string.

    Parameters
    ----------
    smiles : list of str

    Returns
    -------
    ndarray of bool

    Examples
    --------
    >>> bk.chem.is_valid_smiles(["CCO", "C1CC", "c1ccccc1"]).tolist()
    [True, False, True]
    """
    from rdkit import Chem, rdBase

    out = []
    with rdBase.BlockLogs():
        for i, s in enumerate(as_molecule_list(smiles, "smiles")):
            if not isinstance(s, str):
                raise TypeError(f"smiles[{i}] must be a string; got {type(s).__name__}")
            out.append(bool(s.strip()) and Chem.MolFromSmiles(s) is not None)
    return np.array(out, dtype=bool)


def _sanitised(rw) -> str | None:
    """Canonical SMILES of an edited molecule if RDKit accepts it (and reads it back), else None."""
    from rdkit import Chem

    mol = rw.GetMol()
    try:
        Chem.SanitizeMol(mol)
    except Exception:  # RDKit raises several kinds (valence, kekulisation); any means "invalid"
        return None
    smiles = Chem.MolToSmiles(mol)
    back = Chem.MolFromSmiles(smiles)
    return None if back is None or "." in smiles else Chem.MolToSmiles(back)


def _kekulized(mol):
    from rdkit import Chem

    rw = Chem.RWMol(mol)
    Chem.Kekulize(rw, clearAromaticFlags=True)  # explicit single/double bonds, editable
    return rw


def _edit(mol, operation: str, rng):
    """Apply one random edit of the kind ``operation`` to a copy of ``mol``; None if none applies."""
    from rdkit import Chem

    rw = _kekulized(mol)
    atoms = list(rw.GetAtoms())
    new_element = int(rng.choice(_NEW_ELEMENTS, p=_NEW_WEIGHTS / _NEW_WEIGHTS.sum()))
    if operation == "change atom":
        atom = atoms[rng.integers(len(atoms))]
        if atom.GetAtomicNum() == new_element:
            return None
        atom.SetAtomicNum(new_element)
        atom.SetFormalCharge(0)
        atom.SetNumExplicitHs(0)
        atom.SetNoImplicit(False)
    elif operation == "add atom":
        free = [a.GetIdx() for a in atoms if a.GetTotalNumHs() > 0]
        if not free:
            return None
        new = rw.AddAtom(Chem.Atom(new_element))
        rw.AddBond(int(rng.choice(free)), new, Chem.BondType.SINGLE)
    elif operation == "remove atom":
        ends = [a.GetIdx() for a in atoms if a.GetDegree() == 1]
        if not ends or len(atoms) < 2:
            return None
        rw.RemoveAtom(int(rng.choice(ends)))
    elif operation == "insert atom":
        chain = [b for b in rw.GetBonds() if not b.IsInRing() and b.GetBondType() == Chem.BondType.SINGLE]
        if not chain:
            return None
        bond = chain[rng.integers(len(chain))]
        i, j = bond.GetBeginAtomIdx(), bond.GetEndAtomIdx()
        rw.RemoveBond(i, j)
        new = rw.AddAtom(Chem.Atom(new_element))
        rw.AddBond(i, new, Chem.BondType.SINGLE)
        rw.AddBond(new, j, Chem.BondType.SINGLE)
    elif operation == "change bond":
        bonds = list(rw.GetBonds())
        if not bonds:
            return None
        bond = bonds[rng.integers(len(bonds))]
        order = {Chem.BondType.SINGLE: Chem.BondType.DOUBLE, Chem.BondType.DOUBLE: Chem.BondType.SINGLE,
                 Chem.BondType.TRIPLE: Chem.BondType.DOUBLE}.get(bond.GetBondType())
        if order is None:
            return None
        bond.SetBondType(order)
        for atom in (bond.GetBeginAtom(), bond.GetEndAtom()):
            atom.SetNumExplicitHs(0)
            atom.SetNoImplicit(False)
    return _sanitised(rw)


def mutate(smiles, *, operation: str | None = None, random_state=None, max_tries: int = 50) -> str:
    """A valid molecule one small edit away from ``smiles``.

    The molecule is kekulised (aromatic rings written with explicit double bonds), edited,
    and sanitised by RDKit; an edit RDKit refuses (a five-valent carbon, a ring that is no
    longer aromatic in a consistent way...) is discarded and another is drawn, up to
    ``max_tries`` times.

    Parameters
    ----------
    smiles : str or rdkit.Chem.Mol
    operation : str or None, default=None
        One of ``MUTATIONS``: ``"change atom"`` (to C, N, O, F, S or Cl), ``"add atom"`` (a new
        atom on an atom that carries a hydrogen), ``"remove atom"`` (an atom with one
        neighbour), ``"insert atom"`` (into a chain bond) or ``"change bond"`` (single to
        double, double to single or triple to double). None draws one at random for each try.
    random_state : int, Generator or None
    max_tries : int, default=50

    Returns
    -------
    str
        Canonical SMILES of a valid molecule, different from the input and in one piece.

    Raises
    ------
    ValueError
        If no valid edit was found in ``max_tries`` tries.

    Examples
    --------
    >>> bk.chem.mutate("CCO", random_state=0)          # doctest: +SKIP
    'CC=O'
    """
    mol = to_mol(smiles)
    if operation is not None and operation not in MUTATIONS:
        raise ValueError(f"operation must be None or one of {MUTATIONS}; got {operation!r}")
    rng = check_random_state(random_state)
    max_tries = check_int(max_tries, "max_tries", 1)
    start = canonical_smiles(mol)
    from rdkit import rdBase

    with rdBase.BlockLogs():
        for _ in range(max_tries):
            op = operation if operation is not None else MUTATIONS[rng.integers(len(MUTATIONS))]
            child = _edit(mol, op, rng)
            if child is not None and child != start:
                return child
    raise ValueError(f"no valid {operation or 'edit'} of {start!r} found in {max_tries} tries")


def _fragment(mol, rng):
    """A random piece of ``mol`` with one attachment point (a dummy atom with map number 1).

    The piece is one side of a random chain single bond; a molecule without one (benzene)
    is kept whole, attached at a random atom that carries a hydrogen.
    """
    from rdkit import Chem

    chain = [b.GetIdx() for b in mol.GetBonds()
             if not b.IsInRing() and b.GetBondType() == Chem.BondType.SINGLE]
    if chain:
        cut = Chem.FragmentOnBonds(mol, [int(rng.choice(chain))], addDummies=True, dummyLabels=[(1, 1)])
        pieces = Chem.GetMolFrags(cut, asMols=True, sanitizeFrags=False)
        piece = Chem.RWMol(pieces[rng.integers(len(pieces))])
    else:
        free = [a.GetIdx() for a in mol.GetAtoms() if a.GetTotalNumHs() > 0]
        if not free:
            return None
        piece = Chem.RWMol(mol)
        dummy = piece.AddAtom(Chem.Atom(0))
        piece.AddBond(int(rng.choice(free)), dummy, Chem.BondType.SINGLE)
    for atom in piece.GetAtoms():
        if atom.GetAtomicNum() == 0:
            atom.SetIsotope(0)
            atom.SetAtomMapNum(1)  # molzip joins the atoms bound to dummies of equal map number
    return piece


def crossover(smiles_a, smiles_b, *, random_state=None, max_tries: int = 50) -> str:
    """A child molecule made of a fragment of each parent.

    Each parent is cut at a random single bond outside its rings; one side of each cut is
    kept and the two pieces are joined where they were cut. A parent without such a bond
    (a lone ring) is used whole. The child is sanitised by RDKit; refused children are
    discarded and another cut is drawn, up to ``max_tries`` times.

    Parameters
    ----------
    smiles_a, smiles_b : str or rdkit.Chem.Mol
    random_state : int, Generator or None
    max_tries : int, default=50

    Returns
    -------
    str
        Canonical SMILES of a valid molecule, in one piece.

    Raises
    ------
    ValueError
        If no valid child was found in ``max_tries`` tries.

    Examples
    --------
    >>> bk.chem.crossover("CCCCO", "c1ccccc1CC(=O)O", random_state=0)   # doctest: +SKIP
    'OCc1ccccc1'
    """
    from rdkit import Chem, rdBase

    a, b = to_mol(smiles_a, "smiles_a"), to_mol(smiles_b, "smiles_b")
    rng = check_random_state(random_state)
    max_tries = check_int(max_tries, "max_tries", 1)
    with rdBase.BlockLogs():
        for _ in range(max_tries):
            pa, pb = _fragment(a, rng), _fragment(b, rng)
            if pa is None or pb is None:
                break
            try:
                child = Chem.molzip(Chem.CombineMols(pa, pb))
            except Exception:  # pieces that cannot be joined: draw again
                continue
            smiles = _sanitised(Chem.RWMol(child))
            if smiles is not None:
                return smiles
    raise ValueError(f"no valid child of {canonical_smiles(a)!r} and {canonical_smiles(b)!r} found "
                     f"in {max_tries} tries")


@dataclass(frozen=True, eq=False)
class EvolutionResult:
    """What a run of :func:`evolve` made.

    Attributes
    ----------
    population : DataFrame
        The last generation's survivors, best first: ``smiles``, ``score``, ``generation``
        (when each was made; 0 for the seeds).
    history : DataFrame
        One row per generation: the best, mean and worst score of the survivors, and how
        many new valid molecules were scored.
    evaluated : DataFrame
        Every molecule scored during the run (seeds included), with its score and generation.
    """

    population: pd.DataFrame
    history: pd.DataFrame
    evaluated: pd.DataFrame

    def __repr__(self) -> str:
        h = self.history
        return (f"EvolutionResult({len(h) - 1} generations, {len(self.evaluated)} molecules scored; "
                f"best score {h['best'].iloc[0]:.3f} -> {h['best'].iloc[-1]:.3f}, "
                f"best molecule {self.population['smiles'].iloc[0]!r})")

    def to_frame(self) -> pd.DataFrame:
        """The final population (``smiles``, ``score``, ``generation``), best first."""
        return self.population.copy()


def _score(score, smiles: list[str]) -> np.ndarray:
    values = np.asarray(score(list(smiles)), dtype=float)
    if values.shape != (len(smiles),):
        raise ValueError(f"score must return one number per molecule ({len(smiles)}); got shape {values.shape}")
    if not np.isfinite(values).all():
        raise ValueError("score returned NaN or infinite values; it must give every molecule a number")
    return values


def evolve(seeds, score, *, generations: int = 10, population_size: int = 50, crossover_rate: float = 0.5,
           max_atoms: int = 40, random_state=None) -> EvolutionResult:
    """A genetic algorithm that searches for molecules with a high ``score``.

    Each generation makes ``population_size`` children. A child's parents are drawn by
    tournament (the better of two random survivors); with probability ``crossover_rate``
    the child is a :func:`crossover` of both parents, then it is :func:`mutate`-d. Children
    that RDKit refuses, that were seen before, or that have more than ``max_atoms`` heavy
    atoms are dropped; the rest are scored in one call, and the best ``population_size`` of
    survivors and children survive (so the best score never falls).

    Parameters
    ----------
    seeds : list of str
        The starting molecules (SMILES); duplicates are merged.
    score : callable
        ``score(list_of_smiles) -> array of float``, higher is better: for example
        ``model.predict`` of a fitted :class:`MPNNRegressor`. Called once per generation.
    generations : int, default=10
    population_size : int, default=50
    crossover_rate : float, default=0.5
    max_atoms : int, default=40
        Largest molecule (heavy atoms) allowed: a score that rewards size would otherwise
        grow molecules without end.
    random_state : int, Generator or None

    Returns
    -------
    EvolutionResult

    Examples
    --------
    >>> result = bk.chem.evolve(["CCO", "c1ccccc1O"], model.predict, generations=5, random_state=0)  # doctest: +SKIP
    >>> result.population.head()                                                                   # doctest: +SKIP
    """
    from rdkit import rdBase

    from biomedkit._progress import progress

    if not callable(score):
        raise TypeError(f"score must be a callable score(list_of_smiles) -> array; got {type(score).__name__}")
    generations = check_int(generations, "generations", 1)
    population_size = check_int(population_size, "population_size", 2)
    crossover_rate = check_float(crossover_rate, "crossover_rate", 0, 1)
    max_atoms = check_int(max_atoms, "max_atoms", 1)
    rng = check_random_state(random_state)
    start = list(dict.fromkeys(canonical_smiles(to_mol(s, f"seeds[{i}]"))
                               for i, s in enumerate(as_molecule_list(seeds, "seeds"))))
    if len(start) < 2:
        raise ValueError("seeds must hold at least 2 different molecules (crossover needs two parents)")
    pool = pd.DataFrame({"smiles": start, "score": _score(score, start), "generation": 0})
    evaluated = [pool]
    seen = set(start)
    pool = pool.sort_values("score", ascending=False, kind="stable").head(population_size).reset_index(drop=True)
    history = [_generation_row(0, pool, len(start))]
    for generation in progress(range(1, generations + 1), desc="generations", min_total=1):
        children: list[str] = []
        with rdBase.BlockLogs():
            for _ in range(population_size):
                a, b = (_tournament(pool, rng) for _ in range(2))
                try:
                    child = crossover(a, b, random_state=rng) if rng.random() < crossover_rate else a
                    child = mutate(child, random_state=rng)
                except ValueError:  # no valid edit of these parents: skip this child
                    continue
                if child not in seen and to_mol(child).GetNumAtoms() <= max_atoms:
                    seen.add(child)
                    children.append(child)
        if children:
            new = pd.DataFrame({"smiles": children, "score": _score(score, children), "generation": generation})
            evaluated.append(new)
            pool = pd.concat([pool, new], ignore_index=True)
            pool = pool.sort_values("score", ascending=False, kind="stable").head(population_size)
            pool = pool.reset_index(drop=True)
        history.append(_generation_row(generation, pool, len(children)))
    return EvolutionResult(pool, pd.DataFrame(history), pd.concat(evaluated, ignore_index=True))


def _tournament(pool: pd.DataFrame, rng) -> str:
    i, j = rng.integers(len(pool), size=2)
    return pool["smiles"].iloc[min(i, j)]  # the pool is sorted best first


def _generation_row(generation: int, pool: pd.DataFrame, n_new: int) -> dict:
    return {"generation": generation, "best": pool["score"].max(), "mean": pool["score"].mean(),
            "worst": pool["score"].min(), "new molecules": n_new}
