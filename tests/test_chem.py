"""Molecules as graphs (bk.chem): each function against RDKit's own counts, hand computations
or scikit-learn and SciPy."""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from collections import Counter  # noqa: E402

import numpy as np  # noqa: E402
import pytest  # noqa: E402

import biomedkit as bk  # noqa: E402

Chem = pytest.importorskip("rdkit.Chem")
torch = pytest.importorskip("torch")

# Neutral, charged, aromatic (with an N-H), several fragments, one atom, an element outside the list.
MOLECULES = ["CCO", "c1ccccc1", "c1cc[nH]c1", "O=C(O)c1ccccc1O", "C[N+](C)(C)C", "CC(=O)[O-]",
             "[NH3+]CC(=O)[O-]", "C[N+](=O)[O-]", "C#N", "[Na+].[Cl-]", "C", "C[Sn](C)(C)C",
             "Clc1ccc(Br)cc1I", "O=P(O)(O)OCC(=O)O", "CS(=O)(=O)N"]


def _column(graph, name):
    return graph.x[:, bk.chem.ATOM_FEATURES.index(name)]


# --- mol_to_graph -----------------------------------------------------------------------------

@pytest.mark.parametrize("smiles", MOLECULES)
def test_graph_matches_rdkit_counts(smiles):
    mol = Chem.MolFromSmiles(smiles)
    g = bk.chem.mol_to_graph(smiles)
    assert g.x.shape == (mol.GetNumAtoms(), len(bk.chem.ATOM_FEATURES))
    assert g.edge_index.shape == (2, 2 * mol.GetNumBonds())
    assert g.edge_attr.shape == (2 * mol.GetNumBonds(), len(bk.chem.BOND_FEATURES))
    assert g.num_nodes == mol.GetNumAtoms() and g.num_edges == 2 * mol.GetNumBonds()
    # elements
    symbols = Counter(a.GetSymbol() for a in mol.GetAtoms())
    for element in ("C", "N", "O", "S", "F", "Cl", "Br", "I", "P"):
        assert _column(g, element).sum() == symbols.get(element, 0)
    assert _column(g, "other element").sum() == sum(n for s, n in symbols.items() if s not in
                                                    ("C", "N", "O", "S", "F", "Cl", "Br", "I", "P"))
    # charge, aromaticity, rings
    assert _column(g, "formal charge").sum() == Chem.GetFormalCharge(mol)
    assert _column(g, "aromatic").sum() == sum(a.GetIsAromatic() for a in mol.GetAtoms())
    assert _column(g, "in ring").sum() == sum(a.IsInRing() for a in mol.GetAtoms())
    aromatic_bonds = sum(b.GetBondType() == Chem.BondType.AROMATIC for b in mol.GetBonds())
    assert g.edge_attr[:, bk.chem.BOND_FEATURES.index("aromatic")].sum() == 2 * aromatic_bonds
    # degrees read from the edges agree with RDKit's, and with the one-hot columns
    degree = np.bincount(g.edge_index[1], minlength=g.num_nodes)
    assert degree.tolist() == [a.GetDegree() for a in mol.GetAtoms()]
    one_hot = g.x[:, [bk.chem.ATOM_FEATURES.index(f"degree {d}") for d in range(4)]]
    assert (one_hot.argmax(axis=1)[degree < 4] == degree[degree < 4]).all()


@pytest.mark.parametrize("smiles", [s for s in MOLECULES if s not in ("C", "C[N+](C)(C)C", "C[Sn](C)(C)C")])
def test_hydrogen_columns_count_the_hydrogens_rdkit_adds(smiles):
    # (molecules with a CH4 or more than 3 H on one atom are left out: the last column is "3+")
    mol = Chem.MolFromSmiles(smiles)
    g = bk.chem.mol_to_graph(smiles)
    h = g.x[:, [bk.chem.ATOM_FEATURES.index(f"H {k}") for k in (0, 1, 2)] +
            [bk.chem.ATOM_FEATURES.index("H 3+")]]
    assert h.sum(axis=1).tolist() == [1.0] * g.num_nodes
    assert (h.argmax(axis=1)).sum() == Chem.AddHs(mol).GetNumAtoms() - mol.GetNumAtoms()


@pytest.mark.parametrize("smiles", MOLECULES)
def test_edges_are_the_bonds_in_both_directions(smiles):
    mol = Chem.MolFromSmiles(smiles)
    g = bk.chem.mol_to_graph(smiles)
    forward, backward = g.edge_index[:, 0::2], g.edge_index[:, 1::2]
    assert (forward == backward[::-1]).all()
    assert (g.edge_attr[0::2] == g.edge_attr[1::2]).all()
    pairs = {tuple(sorted(p)) for p in forward.T.tolist()}
    assert pairs == {tuple(sorted((b.GetBeginAtomIdx(), b.GetEndAtomIdx()))) for b in mol.GetBonds()}
    # each one-hot group holds exactly one 1 per atom and per edge
    for group in (range(0, 10), range(10, 15), range(18, 22), range(22, 26)):
        assert (g.x[:, list(group)].sum(axis=1) == 1).all()
    assert (g.edge_attr[:, :4].sum(axis=1) == 1).all()


def test_benzene_by_hand():
    g = bk.chem.mol_to_graph("C1=CC=CC=C1")  # Kekulé form: RDKit perceives it as aromatic
    frame = g.to_frame()
    assert g.smiles == "c1ccccc1" and g.atoms == ("C",) * 6
    assert (frame[["C", "degree 2", "aromatic", "in ring", "H 1", "sp2"]] == 1).all().all()
    assert (g.edges_frame()[["aromatic", "conjugated", "in ring"]] == 1).all().all()
    assert g.edges_frame().shape[0] == 12
    assert "6 atoms, 6 bonds" in repr(g)


def test_acetate_by_hand():
    g = bk.chem.mol_to_graph("CC(=O)[O-]")
    assert g.atom_labels() == ["C0", "C1", "O2", "O3"]
    assert _column(g, "formal charge").tolist() == [0, 0, 0, -1]
    assert g.edge_index.tolist() == [[0, 1, 1, 2, 1, 3], [1, 0, 2, 1, 3, 1]]
    assert g.edges_frame()["double"].tolist() == [0, 0, 1, 1, 0, 0]


def test_graph_from_a_mol_leaves_the_mol_unchanged():
    mol = Chem.MolFromSmiles("c1ccccc1O")
    before = Chem.MolToSmiles(mol), mol.GetNumAtoms()
    g = bk.chem.mol_to_graph(mol)
    assert (Chem.MolToSmiles(mol), mol.GetNumAtoms()) == before
    assert g.num_nodes == 7


@pytest.mark.parametrize("bad, error, match", [
    ("C1CC", ValueError, "'C1CC'"),                       # unclosed ring
    ("c1cccn1(H)", ValueError, r"\[nH\]"),                # a notation RDKit refuses
    ("C(C)(C)(C)(C)C", ValueError, "valences"),           # five-valent carbon
    ("", ValueError, "empty"),
    (42, TypeError, "SMILES string"),
    (None, TypeError, "SMILES string"),
])
def test_mol_to_graph_refuses_bad_input(bad, error, match):
    with pytest.raises(error, match=match):
        bk.chem.mol_to_graph(bad)


def test_batch_graphs_by_hand():
    b = bk.chem.batch_graphs([bk.chem.mol_to_graph("CCO"), "C=O"])
    assert b.num_graphs == 2
    assert b.batch.tolist() == [0, 0, 0, 1, 1]
    assert b.edge_index.tolist() == [[0, 1, 1, 2, 3, 4], [1, 0, 2, 1, 4, 3]]
    assert b.x.shape == (5, len(bk.chem.ATOM_FEATURES)) and b.edge_attr.shape == (6, 6)
    with pytest.raises(ValueError, match=r"graphs\[1\]"):
        bk.chem.batch_graphs(["CCO", "C1CC"])
    with pytest.raises(TypeError, match="list of molecules"):
        bk.chem.batch_graphs("CCO")


# --- scaffolds and the split ------------------------------------------------------------------

def test_murcko_scaffolds_by_hand():
    got = bk.chem.murcko_scaffolds(["Cc1ccccc1", "Oc1ccccc1", "CCO", "c1ccccc1Cc1ccccc1CC", "CC1CCCCC1O"])
    assert got == ["c1ccccc1", "c1ccccc1", "", "c1ccc(Cc2ccccc2)cc1", "C1CCCCC1"]


@pytest.fixture(scope="module")
def solubility_smiles():
    frame = bk.datasets.load("solubility").frame
    return frame["smiles"][bk.chem.is_valid_smiles(frame["smiles"])].tolist()


@pytest.mark.parametrize("test_size, seed", [(0.2, 0), (0.2, 1), (0.3, 5)])
def test_scaffold_split_keeps_each_scaffold_on_one_side(solubility_smiles, test_size, seed):
    train, test = bk.chem.scaffold_split(solubility_smiles, test_size=test_size, random_state=seed)
    n = len(solubility_smiles)
    assert len(np.intersect1d(train, test)) == 0
    assert np.array_equal(np.union1d(train, test), np.arange(n))
    scaffolds = np.array(bk.chem.murcko_scaffolds(solubility_smiles), dtype=object)
    assert not set(scaffolds[train]) & set(scaffolds[test])
    assert abs(len(test) / n - test_size) < 0.01
    # the common scaffolds (acyclic, benzene) are too big for the test set: always trained on
    assert "" in set(scaffolds[train]) and "c1ccccc1" in set(scaffolds[train])


def test_scaffold_split_is_deterministic_and_depends_on_the_seed(solubility_smiles):
    a = bk.chem.scaffold_split(solubility_smiles, random_state=3)
    b = bk.chem.scaffold_split(solubility_smiles, random_state=3)
    c = bk.chem.scaffold_split(solubility_smiles, random_state=4)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    assert not np.array_equal(a[1], c[1])


def test_scaffold_split_refuses_bad_input():
    smiles = ["c1ccccc1C", "c1ccccc1O", "CCO", "CCCO", "C1CCCCC1", "c1ccncc1"]
    with pytest.raises(ValueError, match="test_size"):
        bk.chem.scaffold_split(smiles, test_size=1.5)
    with pytest.raises(ValueError, match="test_size"):
        bk.chem.scaffold_split(smiles, test_size=0.01)
    with pytest.raises(TypeError, match="list of molecules"):
        bk.chem.scaffold_split("CCO")
    with pytest.raises(ValueError, match=r"smiles\[1\]"):
        bk.chem.scaffold_split(["CCO", "C1CC", "CCC"])
    with pytest.raises(ValueError, match="no scaffold group is small enough"):
        bk.chem.scaffold_split(["CCO", "CCC", "CCCC", "CCCCO"], test_size=0.25)
    with pytest.raises(TypeError, match="random_state"):
        bk.chem.scaffold_split(smiles, random_state="zero")


# --- fingerprints and similarity --------------------------------------------------------------

def test_count_fingerprints_by_hand():
    benzene = bk.chem.morgan_fingerprints(["c1ccccc1"], radius=0, counts=True)[0]
    assert sorted(benzene[benzene > 0].tolist()) == [6]  # six identical aromatic CH atoms
    ethanol = bk.chem.morgan_fingerprints(["CCO"], radius=0, counts=True)[0]
    assert sorted(ethanol[ethanol > 0].tolist()) == [1, 1, 1]  # CH3, CH2, OH
    bits = bk.chem.morgan_fingerprints(["c1ccccc1", "CCO"], n_bits=1024)
    assert bits.shape == (2, 1024) and set(np.unique(bits)) <= {0, 1}


def test_nearest_similarity_against_rdkit_and_numpy():
    from rdkit import DataStructs
    from rdkit.Chem import rdFingerprintGenerator

    query, reference = ["CCCO", "c1ccccc1N", "CCO"], ["CCO", "c1ccccc1", "c1ccccc1O", "CCCCCC"]
    got = bk.chem.nearest_similarity(query, reference)
    bits = bk.chem.morgan_fingerprints(query + reference).astype(bool)
    q, r = bits[:3], bits[3:]
    tanimoto = (q[:, None] & r[None]).sum(-1) / (q[:, None] | r[None]).sum(-1)
    np.testing.assert_allclose(got["similarity"], tanimoto.max(axis=1))
    assert got["nearest"].tolist() == tanimoto.argmax(axis=1).tolist()
    assert got.loc[2, "similarity"] == 1.0 and got.loc[2, "nearest_smiles"] == "CCO"
    gen = rdFingerprintGenerator.GetMorganGenerator(radius=2, fpSize=2048)
    one = DataStructs.TanimotoSimilarity(gen.GetFingerprint(Chem.MolFromSmiles("c1ccccc1N")),
                                         gen.GetFingerprint(Chem.MolFromSmiles("c1ccccc1O")))
    assert got.loc[1, "similarity"] == pytest.approx(one)
    with pytest.raises(ValueError, match=r"reference\[0\]"):
        bk.chem.nearest_similarity(["CCO"], ["C1CC"])
    with pytest.raises(ValueError, match="radius"):
        bk.chem.morgan_fingerprints(["CCO"], radius=-1)
    with pytest.raises(TypeError, match="counts"):
        bk.chem.morgan_fingerprints(["CCO"], counts="yes")


# --- message passing --------------------------------------------------------------------------

def test_message_passing_layer_against_a_hand_computation():
    # A 3-atom chain 0-1-2, states h (2 numbers per atom), one bond feature (1 for 0-1, 2 for 1-2).
    layer = bk.chem.MessagePassingLayer(node_dim=2, edge_dim=1, out_dim=2)
    with torch.no_grad():
        layer.message_linear.weight.copy_(torch.tensor([[1.0, 2.0, 1.0], [0.0, 1.0, -3.0]]))
        layer.update_linear.weight.copy_(torch.tensor([[1.0, 0.0], [2.0, 1.0]]))
        layer.update_linear.bias.copy_(torch.tensor([0.5, 3.0]))
    h = torch.tensor([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    edge_index = torch.tensor([[0, 1, 1, 2], [1, 0, 2, 1]])
    edge_attr = torch.tensor([[1.0], [1.0], [2.0], [2.0]])
    with torch.no_grad():
        messages = layer.message(h, edge_index, edge_attr)
        # 0->1: [1+0+1, 0+0-3]; 1->0: [0+2+1, 0+1-3]; 1->2: [0+2+2, 0+1-6]; 2->1: [1+2+2, 0+1-6]
        assert messages.tolist() == [[2, -3], [3, -2], [4, -5], [5, -5]]
        aggregated = layer.aggregate(messages, edge_index, 3)
        assert aggregated.tolist() == [[3, -2], [7, -8], [4, -5]]
        # W_upd h + b: atom 0 [1.5, 5], atom 1 [0.5, 4], atom 2 [1.5, 6]; plus the sums; ReLU
        assert layer.update(h, aggregated).tolist() == [[4.5, 3], [7.5, 0], [5.5, 1]]
        assert layer(h, edge_index, edge_attr).tolist() == [[4.5, 3], [7.5, 0], [5.5, 1]]


ALKANOLS = ["C" * k + "O" for k in range(1, 9)] + ["C" * k for k in range(2, 10)] + \
           ["CC(C)" + "C" * k + "O" for k in range(0, 6)] + ["OC" + "C" * k + "O" for k in range(1, 6)]


def _atoms(smiles):
    return np.array([Chem.MolFromSmiles(s).GetNumAtoms() for s in smiles], dtype=float)


@pytest.fixture(scope="module")
def atom_counter():
    bk.show_progress(False)
    torch.use_deterministic_algorithms(True)
    return bk.chem.MPNNRegressor(hidden=16, n_layers=2, epochs=60, batch_size=8, learning_rate=1e-2,
                                 random_state=0).fit(ALKANOLS, _atoms(ALKANOLS))


def test_mpnn_learns_to_count_atoms(atom_counter):
    # a sum readout can count: the number of heavy atoms (RDKit's count) is learnt closely
    assert atom_counter.score(ALKANOLS, _atoms(ALKANOLS)) > 0.95
    new = ["CCCCCCCCO", "CC(C)CCO", "OCCCCO"]
    np.testing.assert_allclose(atom_counter.predict(new), _atoms(new), atol=1.0)
    assert len(atom_counter.loss_curve_) == 60 and atom_counter.loss_curve_[-1] < atom_counter.loss_curve_[0]


def test_mpnn_predictions_do_not_depend_on_atom_order_or_batch(atom_counter):
    mol = Chem.MolFromSmiles("CC(C)CCCO")
    shuffled = Chem.RenumberAtoms(mol, [6, 3, 0, 5, 1, 4, 2])
    a = atom_counter.predict([bk.chem.mol_to_graph(mol)])
    b = atom_counter.predict([bk.chem.mol_to_graph(shuffled)])
    np.testing.assert_allclose(a, b, rtol=1e-5)
    alone = atom_counter.predict(["CCO"])
    together = atom_counter.predict(["CCCCCCO", "CCO", "OCCO"], batch_size=2)
    np.testing.assert_allclose(alone, together[1], rtol=1e-5)


def test_mpnn_is_deterministic_for_a_seed():
    smiles, y = ALKANOLS[:12], _atoms(ALKANOLS[:12])
    fits = [bk.chem.MPNNRegressor(hidden=8, epochs=3, random_state=7).fit(smiles, y).predict(smiles)
            for _ in range(2)]
    np.testing.assert_array_equal(*fits)
    mean = bk.chem.MPNNRegressor(hidden=8, epochs=3, readout="mean", random_state=7).fit(smiles, y)
    assert mean.predict(smiles).shape == (12,)


def test_mpnn_refuses_bad_input():
    from sklearn.base import clone

    model = bk.chem.MPNNRegressor(epochs=1)
    assert clone(model).get_params()["epochs"] == 1
    with pytest.raises(ValueError, match="not fitted"):
        model.predict(["CCO"])
    with pytest.raises(ValueError, match="readout"):
        bk.chem.MPNNRegressor(readout="max").fit(["CCO", "CCC"], [1.0, 2.0])
    with pytest.raises(ValueError, match="epochs"):
        bk.chem.MPNNRegressor(epochs=0).fit(["CCO", "CCC"], [1.0, 2.0])
    with pytest.raises(ValueError, match="device"):
        bk.chem.MPNNRegressor(device="tpu").fit(["CCO", "CCC"], [1.0, 2.0])
    with pytest.raises(ValueError, match="y has 1 values"):
        model.fit(["CCO", "CCC"], [1.0])
    with pytest.raises(ValueError, match="NaN"):
        model.fit(["CCO", "CCC"], [1.0, np.nan])
    with pytest.raises(TypeError, match="numeric"):
        model.fit(["CCO", "CCC"], ["a", "b"])
    with pytest.raises(ValueError, match=r"X\[1\]"):
        model.fit(["CCO", "C1CC"], [1.0, 2.0])
    with pytest.raises(TypeError, match="list of molecules"):
        model.fit("CCO", [1.0])


# --- metrics ----------------------------------------------------------------------------------

def _rmse(t, p, axis=-1):
    return np.sqrt(np.mean((t - p) ** 2, axis=axis))


@pytest.fixture(scope="module")
def predictions():
    rng = np.random.default_rng(0)
    y = rng.normal(-3, 2, 200)
    return y, y + rng.normal(0, 0.8, 200), y + rng.normal(0.3, 1.0, 200)


def test_regression_metrics_against_sklearn_and_scipy(predictions):
    from scipy.stats import bootstrap
    from sklearn.metrics import mean_squared_error, r2_score

    y, a, _ = predictions
    res = bk.chem.regression_metrics(y, a, n_boot=4000, random_state=0)
    assert res.rmse == pytest.approx(np.sqrt(mean_squared_error(y, a)))
    assert res.r2 == pytest.approx(r2_score(y, a))
    ref = bootstrap((y, a), _rmse, paired=True, n_resamples=4000, method="percentile",
                    random_state=1).confidence_interval
    assert res.rmse_low == pytest.approx(ref.low, abs=0.02) and res.rmse_high == pytest.approx(ref.high, abs=0.02)

    def r2(t, p, axis=-1):
        return 1 - np.sum((t - p) ** 2, axis) / np.sum((t - t.mean(axis, keepdims=True)) ** 2, axis)

    ref = bootstrap((y, a), r2, paired=True, n_resamples=4000, method="percentile",
                    random_state=1).confidence_interval
    assert res.r2_low == pytest.approx(ref.low, abs=0.01) and res.r2_high == pytest.approx(ref.high, abs=0.01)
    assert list(res.to_frame().index) == ["RMSE", "R²"] and "RMSE" in str(res)
    again = bk.chem.regression_metrics(y, a, n_boot=4000, random_state=0)
    assert again == res


def test_compare_regressors_against_scipy(predictions):
    from scipy.stats import bootstrap, ttest_rel

    y, a, b = predictions
    res = bk.chem.compare_regressors(y, a, b, n_boot=4000, random_state=0)
    assert res.difference == pytest.approx(_rmse(y, a) - _rmse(y, b))
    assert res.p_value == pytest.approx(ttest_rel((y - a) ** 2, (y - b) ** 2).pvalue)
    ref = bootstrap((y, a, b), lambda t, p, q, axis=-1: _rmse(t, p, axis) - _rmse(t, q, axis), paired=True,
                    n_resamples=4000, method="percentile", random_state=1).confidence_interval
    assert res.low == pytest.approx(ref.low, abs=0.02) and res.high == pytest.approx(ref.high, abs=0.02)
    assert res.high < 0  # a is better by construction
    assert bk.chem.compare_regressors(y, a, a, n_boot=100, random_state=0).p_value == 1.0
    assert res.to_frame().shape == (1, 7)


def test_metrics_refuse_bad_input(predictions):
    y, a, b = predictions
    with pytest.raises(ValueError, match="y_pred has 199 values"):
        bk.chem.regression_metrics(y, a[:-1])
    with pytest.raises(ValueError, match="NaN"):
        bk.chem.regression_metrics(np.r_[np.nan, y[1:]], a)
    with pytest.raises(ValueError, match="one-dimensional"):
        bk.chem.regression_metrics(y, np.c_[a, a])
    with pytest.raises(TypeError, match="numeric"):
        bk.chem.compare_regressors(y, a, np.array(["x"] * 200))
    with pytest.raises(ValueError, match="level"):
        bk.chem.compare_regressors(y, a, b, level=95)
    with pytest.raises(ValueError, match="n_boot"):
        bk.chem.regression_metrics(y, a, n_boot=1)
    original = a.copy()
    bk.chem.regression_metrics(y, a, n_boot=50, random_state=0)
    assert np.array_equal(a, original)


# --- design -----------------------------------------------------------------------------------

def _valid_single(smiles):
    mol = Chem.MolFromSmiles(smiles)
    return mol is not None and len(Chem.GetMolFrags(mol)) == 1


@pytest.mark.parametrize("operation, change", [("change atom", 0), ("add atom", 1), ("remove atom", -1),
                                               ("insert atom", 1), ("change bond", 0)])
def test_mutations_give_valid_different_molecules(operation, change):
    for seed, parent in enumerate(["c1ccccc1CC(=O)O", "CCN(CC)CCO", "Clc1ccc(cc1)C#N", "OC1CCCCC1"]):
        child = bk.chem.mutate(parent, operation=operation, random_state=seed)
        assert _valid_single(child), child
        assert child != Chem.MolToSmiles(Chem.MolFromSmiles(parent))
        assert _atoms([child])[0] == _atoms([parent])[0] + change


def test_random_mutations_and_crossovers_are_valid_and_reproducible():
    rng = np.random.default_rng(0)
    children = [bk.chem.mutate("Cc1ccc(O)cc1N", random_state=rng) for _ in range(30)]
    assert all(_valid_single(c) for c in children)
    assert children == [bk.chem.mutate("Cc1ccc(O)cc1N", random_state=r)
                        for r in [np.random.default_rng(0)] for _ in range(30)]
    kids = [bk.chem.crossover("CCCCO", "c1ccccc1CC(=O)O", random_state=s) for s in range(10)]
    assert all(_valid_single(c) for c in kids)
    assert _atoms(kids).max() <= 5 + 10
    ring = bk.chem.crossover("c1ccccc1", "c1ccncc1", random_state=0)  # no chain bond: used whole
    assert _valid_single(ring) and _atoms([ring])[0] == 12


def test_design_refuses_bad_input():
    with pytest.raises(ValueError, match="operation"):
        bk.chem.mutate("CCO", operation="explode")
    with pytest.raises(ValueError, match="'C1CC'"):
        bk.chem.mutate("C1CC")
    with pytest.raises(ValueError, match="no valid remove atom"):
        bk.chem.mutate("C", operation="remove atom", max_tries=3)
    with pytest.raises(ValueError, match="smiles_b"):
        bk.chem.crossover("CCO", "C1CC")
    assert bk.chem.is_valid_smiles(["CCO", "C1CC", "c1ccccc1", "", "c1cccn1(H)"]).tolist() == \
        [True, False, True, False, False]
    with pytest.raises(TypeError, match=r"smiles\[0\]"):
        bk.chem.is_valid_smiles([1.5])


def test_evolve_climbs_a_known_score():
    # score = the number of heavy atoms (RDKit's count): the best molecule reaches max_atoms
    result = bk.chem.evolve(["CCO", "CC(=O)O", "c1ccccc1"], _atoms, generations=8, population_size=12,
                            max_atoms=10, random_state=0)
    best = result.history["best"].to_numpy()
    assert (np.diff(best) >= 0).all() and best[-1] == 10
    pop = result.population
    assert pop["smiles"].is_unique and all(_valid_single(s) for s in pop["smiles"])
    np.testing.assert_array_equal(pop["score"], _atoms(pop["smiles"]))
    assert (pop["score"].diff().dropna() <= 0).all()  # best first
    assert len(result.evaluated) == 3 + result.history["new molecules"].iloc[1:].sum()
    again = bk.chem.evolve(["CCO", "CC(=O)O", "c1ccccc1"], _atoms, generations=8, population_size=12,
                           max_atoms=10, random_state=0)
    assert again.population.equals(result.population)
    assert "generations" in repr(result) and result.to_frame().equals(pop)


def test_evolve_refuses_bad_input():
    with pytest.raises(TypeError, match="score must be a callable"):
        bk.chem.evolve(["CCO", "CCC"], 3)
    with pytest.raises(ValueError, match="one number per molecule"):
        bk.chem.evolve(["CCO", "CCC"], lambda s: [1.0])
    with pytest.raises(ValueError, match="at least 2 different"):
        bk.chem.evolve(["CCO", "OCC"], _atoms)
    with pytest.raises(ValueError, match="generations"):
        bk.chem.evolve(["CCO", "CCC"], _atoms, generations=0)
    with pytest.raises(ValueError, match=r"seeds\[1\]"):
        bk.chem.evolve(["CCO", "C1CC"], _atoms)


# --- plot and package -------------------------------------------------------------------------

def test_plot_molecule():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    ax = bk.chem.plot_molecule("CC(=O)[O-]", values=[0.1, 0.5, -0.2, 0.3])
    labels = sorted(t.get_text() for t in ax.texts)
    assert labels == ["C0", "C1", "O-3", "O2"]
    with pytest.raises(ValueError, match="one number per heavy atom"):
        bk.chem.plot_molecule("CCO", values=[1.0])
    plt.close("all")


def test_chem_names_resolve():
    for name in bk.chem.__all__:
        assert getattr(bk.chem, name) is not None
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        bk.chem.nope  # noqa: B018
