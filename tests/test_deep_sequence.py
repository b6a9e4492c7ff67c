"""Lesson 22's building blocks: tokens, k-mer counts, the small transformer, label efficiency."""

import os

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")

from collections import Counter  # noqa: E402
from itertools import product  # noqa: E402

import matplotlib  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from scipy import stats  # noqa: E402
from sklearn.linear_model import LogisticRegression  # noqa: E402
from sklearn.metrics import roc_auc_score  # noqa: E402
from sklearn.pipeline import make_pipeline  # noqa: E402
from statsmodels.stats.proportion import proportion_confint  # noqa: E402

import biomedkit as bk  # noqa: E402
from biomedkit.deep.sequence import LabelEfficiencyResult, MaskedTokenResult  # noqa: E402

matplotlib.use("Agg")
SMALL = {"d_model": 16, "n_heads": 2, "n_layers": 1, "dim_feedforward": 32}


def _random_sequences(n, length, rng, p=(0.25, 0.25, 0.25, 0.25)):
    return ["".join(row) for row in rng.choice(list("ACGT"), size=(n, length), p=p)]


@pytest.fixture(scope="module")
def repeats():
    """Sequences that repeat a random word of 4 bases: every hidden base is predictable."""
    rng = np.random.default_rng(0)
    codes = np.tile(rng.integers(0, 4, (500, 4)), (1, 6))
    seqs = ["".join("ACGT"[c] for c in row) for row in codes]
    model = bk.deep.SequenceTransformer(**SMALL, random_state=0).pretrain(seqs, steps=80, batch_size=32,
                                                                         learning_rate=3e-3)
    return seqs, model


@pytest.fixture(scope="module")
def composition():
    """GC-rich (label 1) against AT-rich (label 0) sequences: an easy classification."""
    rng = np.random.default_rng(1)
    y = rng.integers(0, 2, 400)
    seqs = [_random_sequences(1, 30, rng, (0.35, 0.15, 0.15, 0.35) if label == 0 else
                              (0.15, 0.35, 0.35, 0.15))[0] for label in y]
    return seqs, y


# --- tokens and k-mers ---------------------------------------------------------------------

def test_encode_sequences_by_hand():
    np.testing.assert_array_equal(bk.deep.encode_sequences(["ACGT", "ttga"]), [[0, 1, 2, 3], [3, 3, 2, 0]])
    np.testing.assert_array_equal(bk.deep.encode_sequences(pd.Series(["GA"])), [[2, 0]])


@pytest.mark.parametrize("value, error, match", [
    ("ACGT", TypeError, "not one string"),
    ([], ValueError, "sequences is empty"),
    (["AC", 3], TypeError, "must hold strings"),
    (["ACG", "AC"], ValueError, "the same length"),
    (["ACGN"], ValueError, "only A, C, G and T; sequence 0 has 'N'"),
    (["ACG", "AAé"], ValueError, "only A, C, G and T; sequence 1"),
])
def test_encode_sequences_bad_input(value, error, match):
    with pytest.raises(error, match=match):
        bk.deep.encode_sequences(value)


def test_kmer_counts_match_counting_substrings():
    rng = np.random.default_rng(2)
    seqs = _random_sequences(20, 17, rng)
    table = bk.deep.kmer_counts(seqs, k=(1, 3))
    assert table.shape == (20, 4 + 64)
    words3 = ["".join(w) for w in product("ACGT", repeat=3)]
    assert list(table.columns) == list("ACGT") + words3
    for i, s in enumerate(seqs):
        for k, words in ((1, list("ACGT")), (3, words3)):
            reference = Counter(s[j:j + k] for j in range(len(s) - k + 1))
            assert table.loc[i, words].tolist() == [reference[w] for w in words]
    assert (bk.deep.kmer_counts(seqs, k=2).sum(axis=1) == 16).all()


def test_kmer_transformer_in_a_pipeline(composition):
    seqs, y = composition
    transformer = bk.deep.KmerCounts(k=2).fit(seqs)
    np.testing.assert_array_equal(transformer.transform(seqs[:5]), bk.deep.kmer_counts(seqs[:5], 2).to_numpy())
    assert list(transformer.get_feature_names_out()) == [a + b for a in "ACGT" for b in "ACGT"]
    model = make_pipeline(bk.deep.KmerCounts(k=1), LogisticRegression()).fit(seqs[:300], y[:300])
    assert roc_auc_score(y[300:], model.predict_proba(seqs[300:])[:, 1]) > 0.95


@pytest.mark.parametrize("k, error, match", [
    (0, ValueError, "k must be an integer >= 1"),
    (9, ValueError, "k must be at most 8"),
    (20, ValueError, "k must be at most 8"),
    ("3", TypeError, "k must be an int or a tuple"),
    ((), TypeError, "k must be an int or a tuple"),
])
def test_kmer_counts_bad_k(k, error, match):
    with pytest.raises(error, match=match):
        bk.deep.kmer_counts(["ACGTACGTAC"], k=k)


def test_kmer_counts_other_bad_input():
    with pytest.raises(ValueError, match="longer than the sequences"):
        bk.deep.kmer_counts(["ACG"], k=4)
    with pytest.raises(ValueError, match="not fitted"):
        bk.deep.KmerCounts().transform(["ACGT"])
    with pytest.raises(ValueError, match="only A, C, G and T"):
        bk.deep.kmer_counts(["ACGU"], k=2)


# --- the transformer ---------------------------------------------------------------------

def test_pretraining_learns_what_can_be_predicted(repeats):
    seqs, model = repeats
    assert model.pretrained_ and len(model.pretrain_loss_curve_) == 80
    assert np.mean(model.pretrain_loss_curve_[-10:]) < 0.5 * np.mean(model.pretrain_loss_curve_[:10])
    result = model.predict_masked(seqs[:100], random_state=0)
    assert isinstance(result, MaskedTokenResult)
    # each base repeats 4 positions away: a model that learned that gets nearly every base
    assert result.accuracy() > 0.9
    tokens = bk.deep.encode_sequences(seqs[:100])
    np.testing.assert_array_equal(result.tokens, tokens)
    assert result.base_token == int(np.bincount(bk.deep.encode_sequences(seqs).ravel()).argmax())
    assert ((result.probability > 0) & (result.probability <= 1)).all()
    assert "accuracy" in repr(result)


def test_masked_token_result_by_hand():
    tokens = np.array([[0, 1, 2, 3], [0, 0, 1, 1]])
    predicted = np.array([[0, 1, 0, 3], [1, 0, 1, 2]])
    result = MaskedTokenResult(tokens, predicted, np.full((2, 4), 0.5), base_token=0, mask_rate=0.25)
    where = np.array([[True, True, False, False], [False, False, True, True]])
    assert result.accuracy() == 5 / 8 and result.accuracy(where) == 3 / 4
    np.testing.assert_allclose(result.per_sequence(where), [1.0, 0.5])
    np.testing.assert_allclose(result.per_sequence(base_rate=True), [0.25, 0.5])
    table = result.to_frame({"in": where, "out": ~where}, level=0.9)
    low, high = proportion_confint(3, 4, alpha=0.1, method="wilson")
    assert table.loc["in", "bases"] == 4 and table.loc["in", "accuracy"] == 0.75
    assert table.loc["in", "low"] == pytest.approx(low) and table.loc["in", "high"] == pytest.approx(high)
    assert table.loc["out", "base rate"] == 0.5
    assert np.isnan(result.per_sequence(np.zeros((2, 4), bool))).all()
    with pytest.raises(ValueError, match="boolean array of shape"):
        result.accuracy(np.ones((3, 4), bool))
    with pytest.raises(TypeError, match="regions must be a dict"):
        result.to_frame([where])


def test_attention_maps_match_a_hand_computation(repeats):
    import torch

    seqs, model = repeats
    maps = model.attention_maps(seqs[:3])
    assert maps.shape == (3, 1, 24, 24)
    np.testing.assert_allclose(maps.sum(axis=-1), 1, atol=1e-5)
    # softmax(Q K^T / sqrt(d_head)) per head, averaged over the heads, from the layer's weights
    layer = model.module_["encoder"].layers[0]
    with torch.no_grad():
        x = model._inputs(torch.from_numpy(bk.deep.encode_sequences(seqs[:3])))
        h = layer.norm1(x)
        w, b = layer.self_attn.in_proj_weight, layer.self_attn.in_proj_bias
        q, k = h @ w[:16].T + b[:16], h @ w[16:32].T + b[16:32]
        heads = [torch.softmax(q[..., s] @ k[..., s].transpose(1, 2) / np.sqrt(8), dim=-1)
                 for s in (slice(0, 8), slice(8, 16))]
        expected = torch.stack(heads).mean(dim=0).numpy()
    np.testing.assert_allclose(maps[:, 0], expected, atol=1e-5)


def test_fit_from_scratch_learns_and_is_deterministic(composition):
    seqs, y = composition
    params = dict(SMALL, steps=40, learning_rate=3e-3)
    model = bk.deep.SequenceTransformer(**params, random_state=0).fit(seqs[:300], y[:300])
    p = model.predict_proba(seqs[300:])
    assert p.shape == (100, 2) and np.allclose(p.sum(axis=1), 1)
    assert roc_auc_score(y[300:], p[:, 1]) > 0.9
    assert not model.pretrained_ and len(model.loss_curve_) == 40
    again = bk.deep.SequenceTransformer(**params, random_state=0).fit(seqs[:300], y[:300])
    np.testing.assert_allclose(again.predict_proba(seqs[300:]), p, rtol=1e-6)
    other = bk.deep.SequenceTransformer(**params, random_state=1).fit(seqs[:300], y[:300])
    assert not np.allclose(other.predict_proba(seqs[300:]), p)
    assert set(model.predict(seqs[300:])) <= {0, 1}
    assert model.embed(seqs[:4]).shape == (4, 32)
    with pytest.raises(ValueError, match="was not pre-trained"):
        model.predict_masked(seqs[:2])


def test_fine_tune_copies_and_keeps_the_pretrained_network(repeats, composition):
    import torch

    _, model = repeats
    seqs, y = composition
    seqs24 = [s[:24] for s in seqs]
    before = {k: v.clone() for k, v in model.module_.state_dict().items()}
    tuned = model.fine_tune(seqs24[:200], y[:200], steps=5, random_state=0)
    assert tuned is not model and tuned.pretrained_ and list(tuned.classes_) == [0, 1]
    for k, v in model.module_.state_dict().items():
        assert torch.equal(v, before[k]), f"fine_tune changed the pre-trained {k}"
    assert not hasattr(model, "classes_")
    probe = model.fine_tune(seqs24[:200], y[:200], steps=5, freeze_encoder=True, random_state=0)
    for k, v in probe.module_.state_dict().items():
        if not k.startswith("head"):
            assert torch.equal(v, before[k]), f"a frozen encoder changed its {k}"
    assert not torch.equal(probe.module_["head"].weight, tuned.module_["head"].weight)


def test_transformer_bad_input(repeats):
    seqs, model = repeats
    with pytest.raises(ValueError, match="d_model must be even and divisible by n_heads"):
        bk.deep.SequenceTransformer(d_model=30, n_heads=4).fit(["ACGT"] * 4, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="kernel_size must be odd"):
        bk.deep.SequenceTransformer(kernel_size=4).fit(["ACGT"] * 4, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="steps must be an integer >= 1"):
        bk.deep.SequenceTransformer(steps=0).fit(["ACGT"] * 4, [0, 1, 0, 1])
    with pytest.raises(TypeError, match="device must be a string"):
        bk.deep.SequenceTransformer(device=0).fit(["ACGT"] * 4, [0, 1, 0, 1])
    with pytest.raises(ValueError, match="only one class"):
        bk.deep.SequenceTransformer(**SMALL, steps=1).fit(["ACGT"] * 4, [1, 1, 1, 1])
    with pytest.raises(ValueError, match="y has 3 labels but sequences holds 4"):
        bk.deep.SequenceTransformer(**SMALL, steps=1).fit(["ACGT"] * 4, [0, 1, 0])
    with pytest.raises(ValueError, match="mask_rate must be a number"):
        bk.deep.SequenceTransformer(**SMALL).pretrain(["ACGT"] * 4, steps=1, mask_rate=1.0)
    with pytest.raises(ValueError, match="not trained yet"):
        bk.deep.SequenceTransformer().predict_masked(["ACGT"])
    with pytest.raises(ValueError, match="no classifier yet: call fine_tune"):
        model.predict_proba(seqs[:2])
    with pytest.raises(ValueError, match="have 10 bases but the network was trained on 24"):
        model.predict_masked(["ACGTACGTAC"])
    with pytest.raises(TypeError, match="freeze_encoder must be True or False"):
        model.fine_tune(seqs[:4], [0, 1, 0, 1], freeze_encoder="yes")


def test_masking_follows_bert_and_spans():
    import torch

    from biomedkit.deep.sequence import MASK, _mask

    generator = torch.Generator().manual_seed(0)
    batch = torch.randint(4, (2000, 50), generator=generator)
    inputs, chosen = _mask(batch, 0.15, 1, generator)
    n = int(chosen.sum())
    assert stats.binomtest(n, batch.numel(), 0.15).pvalue > 0.001
    assert not (inputs[~chosen] != batch[~chosen]).any(), "unchosen bases are never changed"
    # chosen: 80 % mask token, 10 % a random base (equal to the original one time in four), 10 % kept
    masked = int((inputs[chosen] == MASK).sum())
    kept = int((inputs[chosen] == batch[chosen]).sum())
    assert stats.binomtest(masked, n, 0.8).pvalue > 0.001
    assert stats.binomtest(kept, n, 0.1 + 0.1 / 4).pvalue > 0.001
    _, runs = _mask(batch, 0.15, 5, generator)
    # a base is chosen when a run starts (probability 0.15 / 5) at it or at one of the 4 bases before it
    expected = np.mean([1 - (1 - 0.03) ** min(5, i + 1) for i in range(50)])
    assert stats.binomtest(int(runs.sum()), batch.numel(), expected).pvalue > 0.001
    # runs of chosen bases are at least 5 long, unless cut short by the end of the sequence
    for row in runs.numpy()[:500]:
        edges = np.flatnonzero(np.diff(np.concatenate([[0], row.astype(int), [0]])))
        for start, end in zip(edges[::2], edges[1::2]):
            assert end - start >= 5 or end == len(row)


def test_bars_when_bars_are_on(monkeypatch):
    import io

    from tqdm import tqdm

    from biomedkit import _progress

    made = []

    class Recorded(tqdm):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, file=io.StringIO(), **kwargs)
            made.append(self)

    monkeypatch.setattr("tqdm.auto.tqdm", Recorded)
    X, y = np.random.default_rng(0).normal(size=(60, 2)), np.arange(60) % 2
    try:
        bk.show_progress(False)
        off = bk.deep.label_efficiency({"lr": LogisticRegression()}, X, y, X, y, sizes=(10, 20), n_draws=2,
                                       random_state=0)
        assert made == []
        bk.show_progress(True)
        on = bk.deep.label_efficiency({"lr": LogisticRegression()}, X, y, X, y, sizes=(10, 20), n_draws=2,
                                      random_state=0)
        bk.deep.SequenceTransformer(**SMALL, steps=25, random_state=0).fit(["ACGTAC", "GGGTTT"] * 4, [0, 1] * 4)
    finally:
        _progress._enabled = None
    pd.testing.assert_frame_equal(off.scores, on.scores)
    assert [(b.desc, b.total, b.n) for b in made] == [("label efficiency", 4, 4),
                                                      ("SequenceTransformer training", 25, 25)]


# --- label efficiency --------------------------------------------------------------------

class _Fixed:
    """A 'model' whose test scores are given in advance."""

    def __init__(self, scores):
        self.scores = np.asarray(scores, float)

    def predict_proba(self, X):
        return np.column_stack([1 - self.scores, self.scores])


def test_label_efficiency_draws_pairs_and_summarises():
    rng = np.random.default_rng(3)
    X_pool, y_pool = rng.normal(size=(200, 3)), (np.arange(200) < 60).astype(int)
    X_test, y_test = rng.normal(size=(100, 3)), np.tile([0, 1], 50)
    seen = {}

    def perfect(X, y, seed):
        seen.setdefault("perfect", []).append((len(y), int(y.sum()), X[:, 0].sum(), seed))
        return _Fixed(y_test)

    def noisy(X, y, seed):
        seen.setdefault("noisy", []).append((len(y), int(y.sum()), X[:, 0].sum(), seed))
        return _Fixed(np.random.default_rng(seed).random(100))

    result = bk.deep.label_efficiency({"perfect": perfect, "noisy": noisy, "logistic": LogisticRegression()},
                                      X_pool, y_pool, X_test, y_test, sizes=(20, 50), n_draws=4, random_state=0)
    assert isinstance(result, LabelEfficiencyResult) and result.methods == ["perfect", "noisy", "logistic"]
    assert len(result.scores) == 2 * 4 * 3
    assert seen["perfect"] == seen["noisy"], "every method gets the same draw"
    # stratified: 30 % of the pool is positive, so 6 of 20 and 15 of 50
    assert {(n, k) for n, k, _, _ in seen["perfect"]} == {(20, 6), (50, 15)}
    assert (result.scores.query("method == 'perfect'").auc == 1).all()
    noisy_auc = [roc_auc_score(y_test, np.random.default_rng(s).random(100)) for *_, s in seen["noisy"]]
    np.testing.assert_allclose(result.scores.query("method == 'noisy'").auc, noisy_auc)

    table = result.to_frame()
    auc = np.array(noisy_auc[:4])
    low, high = stats.t.interval(0.95, 3, loc=auc.mean(), scale=stats.sem(auc))
    assert table.loc[(20, "noisy"), "mean AUC"] == pytest.approx(auc.mean())
    assert table.loc[(20, "noisy"), "low"] == pytest.approx(low) and table.loc[(20, "noisy"), "high"] == \
        pytest.approx(high)

    compared = result.compare("perfect", "noisy")
    reference = stats.ttest_rel(np.ones(4), auc)
    ci = reference.confidence_interval(0.95)
    assert compared.loc[20, "perfect - noisy"] == pytest.approx(1 - auc.mean())
    assert compared.loc[20, "p"] == pytest.approx(reference.pvalue)
    assert compared.loc[20, "low"] == pytest.approx(ci.low) and compared.loc[20, "high"] == pytest.approx(ci.high)
    assert compared.loc[20, "wins"] == "4/4"
    assert "3 methods" in repr(result)
    ax = result.plot()
    assert ax.get_xlabel() == "labelled sequences" and len(ax.get_legend().get_texts()) == 3


def test_label_efficiency_bad_input():
    X, y = np.zeros((50, 2)), np.arange(50) % 2
    model = {"lr": LogisticRegression()}
    with pytest.raises(TypeError, match="methods must be a non-empty dict"):
        bk.deep.label_efficiency([LogisticRegression()], X, y, X, y)
    with pytest.raises(TypeError, match=r"methods\['x'\] must be a classifier"):
        bk.deep.label_efficiency({"x": 3}, X, y, X, y)
    with pytest.raises(ValueError, match="sizes must be smaller than the pool"):
        bk.deep.label_efficiency(model, X, y, X, y, sizes=(50,))
    with pytest.raises(ValueError, match="n_draws must be an integer >= 2"):
        bk.deep.label_efficiency(model, X, y, X, y, sizes=(10,), n_draws=1)
    with pytest.raises(ValueError, match="y_pool must be one-dimensional and hold both 0 and 1"):
        bk.deep.label_efficiency(model, X, y + 1, X, y, sizes=(10,))
    with pytest.raises(ValueError, match="X_test has 50 rows but y_test has 49"):
        bk.deep.label_efficiency(model, X, y, X, y[:49], sizes=(10,))
    result = bk.deep.label_efficiency(model, X, y, X, y, sizes=10, n_draws=2, random_state=0)
    with pytest.raises(ValueError, match="a must be one of the methods"):
        result.compare("rf", "lr")
