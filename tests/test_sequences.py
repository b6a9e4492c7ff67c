"""The sequence simulator: deterministic, and the truth it returns is the truth."""

import re

import numpy as np
import pandas as pd
import pytest
from scipy import stats

import biomedkit as bk

# The module biomedkit/simulate/sequences.py shares its name with the function: importing the
# module directly would hide the function behind it, so the constants come through the truth.
MOTIFS = {"ebox": "CACGTG", "gata": "AGATAA"}
BACKGROUND = {"A": 0.3, "C": 0.2, "G": 0.2, "T": 0.3}


@pytest.fixture(scope="module")
def spacing():
    return bk.simulate.sequences(n=600, rule="spacing", random_state=0)


@pytest.fixture(scope="module")
def presence():
    return bk.simulate.sequences(n=600, rule="presence", random_state=0)


def test_is_deterministic_for_a_seed(spacing):
    data, truth = spacing
    again, truth_again = bk.simulate.sequences(n=600, rule="spacing", random_state=0)
    other, _ = bk.simulate.sequences(n=600, rule="spacing", random_state=1)
    pd.testing.assert_frame_equal(data.frame, again.frame)
    pd.testing.assert_frame_equal(truth.sites, truth_again.sites)
    assert not data.frame.sequence.equals(other.frame.sequence)


def test_frame_card_and_truth(spacing):
    data, truth = spacing
    assert list(data.frame.columns) == ["sequence", "label"] and data.frame.index.name == "sequence_id"
    assert data.target == "label" and set(data.y.unique()) == {0, 1}
    assert data.card["name"] == "sequences" and data.card["rows"] == 600 and data.card["columns"] == 2
    assert data.truth is truth and "600 sequences of 50 bases" in repr(truth)
    assert truth.motifs == MOTIFS and truth.background == BACKGROUND and truth.spacing == 4
    assert set("".join(data.frame.sequence)) <= set("ACGT")
    assert data.frame.sequence.str.len().eq(50).all()
    assert truth.site_map.shape == (600, 50) and truth.motif_mask.sum() == 6 * len(truth.sites)
    longer, _ = bk.simulate.sequences(n=5, length=80, rule="presence", random_state=0)
    assert longer.frame.sequence.str.len().eq(80).all()


def test_loads_through_the_catalogue():
    data = bk.datasets.load("sequences", n=20, random_state=3)
    pd.testing.assert_frame_equal(data.frame, bk.simulate.sequences(n=20, random_state=3)[0].frame)


def test_sites_are_written_where_the_truth_says(spacing, presence):
    for data, truth in (spacing, presence):
        seqs = data.frame.sequence.to_numpy()
        for row in truth.sites.itertuples():
            assert seqs[row.sequence_id][row.start:row.end] == row.planted
            assert (truth.site_map[row.sequence_id, row.start:row.end]
                    == list(MOTIFS).index(row.motif)).all()


def test_exact_consensus_sites_occur_only_where_planted(presence):
    data, truth = presence
    planted = set(zip(truth.sites.sequence_id, truth.sites.start))
    for i, seq in enumerate(data.frame.sequence):
        for consensus in MOTIFS.values():
            for match in re.finditer(f"(?={consensus})", seq):
                assert (i, match.start()) in planted


def test_without_mutations_a_regular_expression_recovers_the_labels():
    # An independent reading of each rule, straight from the strings.
    data, _ = bk.simulate.sequences(n=400, rule="presence", mutation=0.0, random_state=5)
    np.testing.assert_array_equal(data.frame.sequence.str.contains("CACGTG").astype(int), data.y)
    data, _ = bk.simulate.sequences(n=400, rule="spacing", spacing=7, mutation=0.0, random_state=5)
    np.testing.assert_array_equal(data.frame.sequence.str.contains("CACGTG.{7}AGATAA").astype(int), data.y)


def test_labels_follow_the_rule(spacing, presence):
    for data, truth in (spacing, presence):
        np.testing.assert_array_equal(truth.labels_from_sites(), data.y.to_numpy())
    data, truth = spacing
    wide = truth.sites.pivot(index="sequence_id", columns="motif", values="start")
    assert len(wide) == 600 and wide.notna().all().all()  # one site of each motif per sequence
    gap = (wide["gata"] - wide["ebox"] - 6).to_numpy()
    y = data.y.to_numpy()
    assert (gap[y == 1] == 4).all() and (gap[y == 0] != 4).all()
    assert (np.abs(wide["gata"] - wide["ebox"]) >= 6).all()  # sites never overlap
    # the E-box is placed alike in both classes: its position says nothing about the label
    assert stats.mannwhitneyu(wide["ebox"][y == 1], wide["ebox"][y == 0]).pvalue > 0.01
    data, truth = presence
    y = data.y.to_numpy()
    has = truth.sites.groupby("motif").sequence_id.apply(set)
    assert has["ebox"] == set(np.flatnonzero(y == 1))
    gata = np.isin(np.arange(600), list(has["gata"]))
    for label in (0, 1):  # the distractor: half of each class
        assert stats.binomtest(int(gata[y == label].sum()), int((y == label).sum()), 0.5).pvalue > 0.01


def test_mutation_rate_and_background_composition(spacing):
    data, truth = spacing
    planted = np.array([list(p) for p in truth.sites.planted])
    consensus = np.array([list(MOTIFS[m]) for m in truth.sites.motif])
    changed = int((planted != consensus).sum())
    assert stats.binomtest(changed, planted.size, 0.1).pvalue > 0.01
    letters = np.array([list(s) for s in data.frame.sequence])[~truth.motif_mask]
    observed = [int((letters == b).sum()) for b in "ACGT"]
    expected = [BACKGROUND[b] * letters.size for b in "ACGT"]
    assert stats.chisquare(observed, expected).pvalue > 0.001
    none, truth0 = bk.simulate.sequences(n=50, mutation=0.0, random_state=1)
    assert set(truth0.sites.planted) == set(MOTIFS.values())
    rich, truth_rich = bk.simulate.sequences(n=300, gc_content=0.7, random_state=1)
    letters = np.array([list(s) for s in rich.frame.sequence])[~truth_rich.motif_mask]
    gc = int(np.isin(letters, ["C", "G"]).sum())
    assert truth_rich.background == pytest.approx({"A": 0.15, "C": 0.35, "G": 0.35, "T": 0.15})
    assert stats.binomtest(gc, letters.size, 0.7).pvalue > 0.01


def test_prevalence():
    data, _ = bk.simulate.sequences(n=2000, rule="presence", prevalence=0.2, random_state=2)
    assert stats.binomtest(int(data.y.sum()), 2000, 0.2).pvalue > 0.01
    empty, truth = bk.simulate.sequences(n=30, rule="presence", prevalence=0.0, random_state=2)
    assert empty.y.sum() == 0 and "ebox" not in set(truth.sites.motif)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"n": 0}, ValueError, "n must be an integer >= 1"),
    ({"length": 10}, ValueError, "length must be an integer >= 20"),
    ({"length": 5000}, ValueError, r"length must be an integer in \[20, 1000\]"),
    ({"length": 25, "spacing": 10}, ValueError, "length must be at least 28"),
    ({"rule": "count"}, ValueError, "rule must be one of"),
    ({"rule": 1}, TypeError, "rule must be one of"),
    ({"spacing": -1}, ValueError, "spacing must be an integer >= 0"),
    ({"spacing": 60}, ValueError, r"spacing must be an integer in \[0, 50\]"),
    ({"mutation": 0.8}, ValueError, r"mutation must be a number in \[0, 0.5\]"),
    ({"prevalence": 1.5}, ValueError, "prevalence must be a number"),
    ({"gc_content": 0.95}, ValueError, r"gc_content must be a number in \[0.1, 0.9\]"),
    ({"random_state": "0"}, TypeError, "random_state must be None, an int"),
])
def test_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        bk.simulate.sequences(**{"n": 10, **kwargs})
