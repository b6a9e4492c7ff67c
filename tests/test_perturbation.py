"""The knock-down screen simulator and bk.perturbation: hand-computed networks, known answers."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.linear_model import Ridge

import biomedkit as bk
from biomedkit.simulate.perturbation import _steady_state

P = bk.perturbation


def sigmoid(u):
    return 1 / (1 + math.exp(-u))


@pytest.fixture(scope="module")
def screen():
    return bk.simulate.perturbations(n_genes=40, n_perturbed=12, random_state=0)


# --- the simulator ---------------------------------------------------------------------------

# A chain G1 -> G2 -> G3: G1 activates G2 (weight 2), G2 represses G3 (weight -1). With these
# biases every gene sits at half saturation, 0.5, in unperturbed cells.
CHAIN = np.array([[0.0, 0, 0], [2.0, 0, 0], [0, -1.0, 0]])
CHAIN_BIAS = np.array([0.0, -1.0, 0.5])


def _chain_levels(model):
    knocked = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]], bool)  # none, G1, G2, G1+G2
    return _steady_state(CHAIN, CHAIN_BIAS, knocked, 0.8, model)


def test_steady_state_of_a_hand_computed_saturating_chain():
    levels = _chain_levels("saturating")
    s = sigmoid
    expected = np.array([
        [0.5, 0.5, 0.5],
        [0.1, s(-0.8), s(0.5 - s(-0.8))],                 # G1 at 20 %: G2's drive is -1 + 2 * 0.1
        [0.5, 0.1, s(0.4)],                               # G2 at 20 % of 0.5
        [0.1, 0.2 * s(-0.8), s(0.5 - 0.2 * s(-0.8))],     # both
    ])
    np.testing.assert_allclose(levels, expected, rtol=1e-12)
    change = levels - levels[0]
    interaction = change[3] - change[1] - change[2]
    # at G2 the double is 0.2 * s(-0.8) - 0.5, the singles s(-0.8) - 0.5 and -0.4
    assert interaction[1] == pytest.approx(0.4 - 0.8 * s(-0.8), rel=1e-12)
    assert interaction[0] == 0 and abs(interaction[2]) > 0.01  # a cascade: G3 hears G1 only via G2


def test_linear_chain_interaction_is_the_knockdown_times_the_cascade_feature():
    # In a linear network, knocking down G2 in the double removes the route by which G1 acted:
    # the interaction is exactly -knockdown * (G1's effect on G2 / G2's own effect) * G2's profile.
    weights = np.array([[0.0, 0, 0], [0.6, 0, 0], [0, -0.6, 0]])  # the chain, linear: all at 0.5
    knocked = np.array([[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0]], bool)
    levels = _steady_state(weights, np.array([0.5, 0.2, 0.8]), knocked, 0.8, "linear")
    np.testing.assert_allclose(levels[0], 0.5)
    change = levels - levels[0]
    genes = ["G1", "G2", "G3"]
    singles = pd.DataFrame(change[1:3], index=genes[:2], columns=genes)
    interaction = change[3] - change[1] - change[2]
    cascade = P.pair_features(singles, [("G1", "G2")])["cascade"].to_numpy()
    np.testing.assert_allclose(interaction, 0.8 * cascade, atol=1e-12)
    assert abs(interaction[2]) > 0.01


def test_is_deterministic_for_a_seed(screen):
    data, truth = screen
    again, truth_again = bk.simulate.perturbations(n_genes=40, n_perturbed=12, random_state=0)
    other, _ = bk.simulate.perturbations(n_genes=40, n_perturbed=12, random_state=1)
    pd.testing.assert_frame_equal(data.frame, again.frame)
    pd.testing.assert_frame_equal(truth.network, truth_again.network)
    assert not data.frame.equals(other.frame)


def test_frame_card_and_control(screen):
    data, truth = screen
    f = data.frame
    assert f.shape == (12 + 66, 4 + 40) and f.index.name == "experiment_id"
    assert list(f.columns[:4]) == ["perturbation", "kind", "gene_a", "gene_b"]
    assert f["kind"].value_counts().to_dict() == {"double": 66, "single": 12}
    assert data.target is None and data.card["name"] == "perturbations"
    assert data.card["rows"] == 78 and data.card["columns"] == 44
    assert data.control.index.equals(truth.network.index) and data.truth is truth
    assert truth.perturbed == [f"G{i:02d}" for i in range(1, 13)]
    doubles = f[f["kind"] == "double"]
    assert (doubles["perturbation"] == doubles["gene_a"] + "+" + doubles["gene_b"]).all()
    assert "12 perturbed genes" in repr(truth)
    some, _ = bk.simulate.perturbations(n_genes=40, n_perturbed=12, n_doubles=10, random_state=0)
    assert (some.frame["kind"] == "double").sum() == 10


def test_loads_through_the_catalogue():
    data = bk.datasets.load("perturbations", n_genes=20, n_perturbed=5, random_state=3)
    expected, _ = bk.simulate.perturbations(n_genes=20, n_perturbed=5, random_state=3)
    pd.testing.assert_frame_equal(data.frame, expected.frame)


def test_network_shape(screen):
    _, truth = screen
    w = truth.network.to_numpy()
    assert not np.triu(w).any(), "no loops: a gene is regulated only by earlier genes"
    assert not w[:, 12:].any(), "only the regulators regulate"
    n_regulators = (w[12:] != 0).sum(axis=1)
    assert n_regulators.min() >= 1 and n_regulators.max() <= 3
    assert ((truth.baseline > 0) & (truth.baseline < 1)).all()


def test_truth_is_consistent_with_its_own_response(screen):
    _, truth = screen
    for gene in truth.perturbed[:3]:
        pd.testing.assert_series_equal(truth.response(gene), truth.singles.loc[gene], check_names=False)
    for pair in truth.doubles.index[:5]:
        a, b = pair.split("+")
        np.testing.assert_allclose(truth.response([a, b]), truth.doubles.loc[pair], atol=1e-12)
        np.testing.assert_allclose(truth.interactions.loc[pair],
                                   truth.doubles.loc[pair] - truth.singles.loc[a] - truth.singles.loc[b],
                                   atol=1e-12)
    # a knocked-down gene keeps 20 % of its production; an upstream regulator keeps its level
    first = truth.perturbed[0]
    assert truth.singles.loc[first, first] == pytest.approx(-0.8 * truth.baseline[first])


def test_measurements_are_the_truth_plus_noise_of_the_stated_size():
    data, truth = bk.simulate.perturbations(n_genes=40, n_perturbed=12, noise=0.05, random_state=2)
    f = data.frame
    genes = list(truth.network.columns)
    clean = pd.concat([truth.singles, truth.doubles]).loc[f["perturbation"]].to_numpy()
    residual = f[genes].to_numpy() - clean
    # the sample variance of 3,120 normal draws: chi-squared bounds at 99.9 %
    n = residual.size
    lo, hi = stats.chi2.ppf([0.0005, 0.9995], n) / n
    assert lo < residual.var() / 0.05**2 < hi
    quiet, _ = bk.simulate.perturbations(n_genes=40, n_perturbed=12, noise=0.0, random_state=2)
    np.testing.assert_allclose(quiet.frame[genes].to_numpy(), clean, atol=1e-12)


def test_saturating_pairs_without_a_shared_descendant_do_not_interact():
    _, truth = bk.simulate.perturbations(n_genes=60, n_perturbed=20, random_state=4)
    pairs = truth.pairs
    apart = pairs[pairs["shared_targets"] == 0]
    assert len(apart) > 0
    assert np.abs(truth.interactions.loc[apart.index].to_numpy()).max() < 1e-12
    # sharing a target without a path between them is enough to interact through saturation
    shared = pairs[(pairs["path"] == "none") & (pairs["shared_targets"] > 0)]
    assert (shared["interaction"] > 1e-6).mean() > 0.9


def test_linear_pairs_without_a_path_do_not_interact():
    _, truth = bk.simulate.perturbations(n_genes=60, n_perturbed=20, model="linear", random_state=4)
    pairs = truth.pairs
    none = pairs[pairs["path"] == "none"]
    assert (none["shared_targets"] > 0).any(), "the test needs pairs that share targets"
    assert np.abs(truth.interactions.loc[none.index].to_numpy()).max() < 1e-12
    assert (pairs.loc[pairs["path"] != "none", "interaction"] > 1e-6).all()


def test_path_column_and_has_path_agree(screen):
    _, truth = screen
    w = truth.network.to_numpy() != 0
    # reachability by breadth-first search on the edges, independent of the simulator's code
    genes = list(truth.network.index)

    def reaches(a, b):
        frontier, seen = [genes.index(a)], set()
        while frontier:
            j = frontier.pop()
            for i in np.flatnonzero(w[:, j]):
                if i not in seen:
                    seen.add(i)
                    frontier.append(i)
        return genes.index(b) in seen

    for pair, row in truth.pairs.iterrows():
        a, b = row["gene_a"], row["gene_b"]
        expected = "a->b" if reaches(a, b) else "b->a" if reaches(b, a) else "none"
        assert row["path"] == expected, pair
        assert truth.has_path(a, b) == reaches(a, b)


@pytest.mark.parametrize("kwargs, error, match", [
    ({"n_genes": 3}, ValueError, "n_genes"),
    ({"n_perturbed": 60}, ValueError, "n_perturbed must be smaller"),
    ({"n_perturbed": 1}, ValueError, "n_perturbed"),
    ({"n_doubles": 1000}, ValueError, "n_doubles must be at most"),
    ({"knockdown": 0.0}, ValueError, "knockdown"),
    ({"noise": -0.1}, ValueError, "noise"),
    ({"model": "hill"}, ValueError, "model must be one of"),
    ({"model": 1}, TypeError, "model must be one of"),
    ({"random_state": "0"}, TypeError, "random_state"),
])
def test_simulator_rejects_bad_arguments(kwargs, error, match):
    with pytest.raises(error, match=match):
        bk.simulate.perturbations(**kwargs)


def test_truth_methods_reject_unknown_genes(screen):
    _, truth = screen
    with pytest.raises(ValueError, match="genes must name genes"):
        truth.response(["G01", "nope"])
    with pytest.raises(ValueError, match="source must name"):
        truth.has_path("nope", "G01")


# --- additive prediction, features, scores ----------------------------------------------------

SINGLES = pd.DataFrame([[-0.8, -0.4, 0.2], [0.0, -0.8, 0.3], [0.1, 0.0, -0.5]],
                       index=["A", "B", "C"], columns=["A", "B", "g"])


def test_additive_prediction_by_hand():
    pred = P.additive_prediction(SINGLES, [("A", "B"), ("B", "C")])
    assert list(pred.index) == ["A+B", "B+C"] and pred.index.name == "pair"
    np.testing.assert_allclose(pred.to_numpy(), [[-0.8, -1.2, 0.5], [0.1, -0.8, -0.2]])


def test_pair_features_by_hand():
    control = pd.Series({"A": 0.5, "B": 0.6, "g": 0.3})
    before = SINGLES.copy()
    f = P.pair_features(SINGLES, [("A", "B"), ("A", "C")], control=control)
    pd.testing.assert_frame_equal(SINGLES, before)  # the caller's data is untouched
    assert list(f.columns) == ["additive", "product", "cascade", "largest", "control", "knocked"]
    assert f.index.names == ["pair", "gene"] and len(f) == 6
    g = f.loc[("A+B", "g")]
    assert g["additive"] == pytest.approx(0.5) and g["product"] == pytest.approx(0.06)
    # A moves B by -0.4, half of B's own knock-down (-0.8): half of B's effect on g (0.3) is shared
    assert g["cascade"] == pytest.approx(-0.15)
    assert g["largest"] == pytest.approx(0.3) and g["control"] == 0.3 and g["knocked"] == 0
    # C is not a measured gene: no cascade term through it; A's knocked flag is set
    assert f.loc[("A+C", "g"), "cascade"] == 0 and f.loc[("A+C", "A"), "knocked"] == 1
    # symmetric in the two genes
    swapped = P.pair_features(SINGLES, [("B", "A")], control=control)
    np.testing.assert_allclose(swapped.to_numpy(), f.loc["A+B"].to_numpy())
    # the order of stack(): a pairs x genes frame lines up with the rows
    wide = pd.DataFrame([[1.0, 2, 3], [4, 5, 6]], index=pd.Index(["A+B", "A+C"], name="pair"),
                        columns=pd.Index(["A", "B", "g"], name="gene"))
    assert wide.stack().index.equals(f.index)
    assert "control" not in P.pair_features(SINGLES, [("A", "B")]).columns


@pytest.mark.parametrize("call, error, match", [
    (lambda: P.additive_prediction(SINGLES.to_numpy(), [("A", "B")]), TypeError, "singles must be a DataFrame"),
    (lambda: P.additive_prediction(SINGLES, [("A", "Z")]), ValueError, "without a single profile"),
    (lambda: P.additive_prediction(SINGLES, [("A", "A")]), ValueError, "two different genes"),
    (lambda: P.additive_prediction(SINGLES, "A+B"), TypeError, "pairs must be a sequence"),
    (lambda: P.additive_prediction(SINGLES, []), ValueError, "pairs is empty"),
    (lambda: P.additive_prediction(SINGLES.assign(g=np.nan), [("A", "B")]), ValueError, "singles contains NaN"),
    (lambda: P.pair_features(SINGLES, [("A", "B")], control=[1, 2, 3]), TypeError, "control must be a Series"),
    (lambda: P.pair_features(SINGLES, [("A", "B")], control=pd.Series({"A": 1.0})), ValueError,
     "control lacks"),
])
def test_profile_helpers_reject_bad_input(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_interaction_scores_by_hand():
    true = pd.DataFrame([[1.0, -1.0], [0.0, 0.0], [0.5, 0.5]], index=["p", "q", "r"], columns=["g1", "g2"])
    pred = pd.DataFrame([[1.0, 0.0], [0.0, 1.0], [0.5, 0.0]], index=true.index, columns=true.columns)
    res = P.interaction_scores(true, {"model": pred, "perfect": true.copy()}, random_state=0)
    table = res.to_frame()
    assert list(table.index) == ["additive", "model", "perfect"]
    # per-pair mean squares: additive 1, 0, 0.25; model 1/2, 1/2, 1/8
    np.testing.assert_allclose(res.per_pair["additive"], np.sqrt([1.0, 0.0, 0.25]))
    np.testing.assert_allclose(res.per_pair["model"], np.sqrt([0.5, 0.5, 0.125]))
    row = table.loc["model"]
    assert row["rmse"] == pytest.approx(np.sqrt((0.5 + 0.5 + 0.125) / 3))
    assert row["explained"] == pytest.approx(1 - 1.125 / 1.25)
    assert row["better"] == 2 and row["pairs"] == 3
    assert tuple(table.loc["perfect", ["explained", "low", "high"]]) == (1, 1, 1)
    assert tuple(table.loc["additive", ["explained", "low", "high"]]) == (0, 0, 0)
    assert "3 pairs" in repr(res) and "better on 2 of 3" in repr(res)


def test_interaction_scores_interval_matches_scipy_paired_bootstrap():
    rng = np.random.default_rng(1)
    true = pd.DataFrame(rng.normal(0, 1, (60, 5)))
    pred = true + rng.normal(0, 0.8, true.shape)
    res = P.interaction_scores(true, {"m": pred}, n_boot=20_000, random_state=0).to_frame().loc["m"]
    sq_m, sq_a = ((pred - true) ** 2).mean(axis=1), (true ** 2).mean(axis=1)
    ref = stats.bootstrap((sq_m.to_numpy(), sq_a.to_numpy()), lambda m, a, axis=-1:
                          1 - m.sum(axis=axis) / a.sum(axis=axis), paired=True, method="percentile",
                          n_resamples=20_000, random_state=1).confidence_interval
    assert res["low"] == pytest.approx(ref.low, abs=0.01) and res["high"] == pytest.approx(ref.high, abs=0.01)
    assert res["low"] < res["explained"] < res["high"]


def test_interaction_scores_rejects_bad_input():
    true = pd.DataFrame([[1.0, 0.0]], index=["p"], columns=["g1", "g2"])
    with pytest.raises(TypeError, match="predictions must be a non-empty dict"):
        P.interaction_scores(true, [true])
    with pytest.raises(ValueError, match="must not contain 'additive'"):
        P.interaction_scores(true, {"additive": true})
    with pytest.raises(ValueError, match="index and columns of true"):
        P.interaction_scores(true, {"m": true[["g2", "g1"]]})
    with pytest.raises(ValueError, match="level"):
        P.interaction_scores(true, {"m": true}, level=95)
    with pytest.raises(ValueError, match="n_boot"):
        P.interaction_scores(true, {"m": true}, n_boot=0)


# --- active learning --------------------------------------------------------------------------

class Lookup(BaseEstimator, RegressorMixin):
    """Knows the outcome of each experiment it was shown (column 0 is its id); says 0 for the
    others, with a predictive sd given by column 1: 1 for the 'hard' experiments, 0.1 else."""

    def fit(self, X, y):
        self.table_ = dict(zip(X[:, 0].tolist(), np.asarray(y, float).tolist()))
        return self

    def predict(self, X, return_std=False):
        seen = np.array([k in self.table_ for k in X[:, 0].tolist()])
        mean = np.array([self.table_.get(k, 0.0) for k in X[:, 0].tolist()])
        return (mean, np.where(seen, 0.0, X[:, 1])) if return_std else mean


N, HARD = 40, 8


def _lookup_pool():
    ids = np.arange(N, dtype=float)
    hard = ids < HARD
    X = np.column_stack([ids, np.where(hard, 1.0, 0.1)])
    y = hard.astype(float)  # the hard experiments have outcome 1, the others 0 (the default guess)
    return X, y


def test_uncertainty_sampling_takes_the_hard_experiments_first():
    X, y = _lookup_pool()
    res = P.active_learning_curve(X, y, None, X, y, estimator=Lookup(), initial=4, batch_size=4,
                                  n_members=None, n_repeats=20, random_state=0)
    curves = res.curves.set_index(["strategy", "repeat", "n_experiments"])["error"]
    for repeat, order in enumerate(res.chosen["uncertainty"]):
        h0 = int((order[:4] < HARD).sum())
        # every hard one left is taken before any easy one: zero error after this many
        needed = 4 + 4 * math.ceil((HARD - h0) / 4)
        assert set(order[:needed]) >= set(range(HARD))
        assert res.experiments_to_reach(0.0).loc[repeat, "uncertainty"] == needed
        # the error is the RMSE over the pool: sqrt(hard ones not yet run / N)
        assert curves["uncertainty", repeat, 4] == pytest.approx(math.sqrt((HARD - h0) / N))
        np.testing.assert_array_equal(order[:4], res.chosen["random"][repeat][:4])  # paired starts


def test_random_choice_follows_the_hypergeometric_expectation():
    X, y = _lookup_pool()
    res = P.active_learning_curve(X, y, None, X, y, estimator=Lookup(), strategies=["random"],
                                  initial=4, batch_size=6, budget=34, n_members=None, n_repeats=300,
                                  random_state=1)
    mse = res.curves.assign(mse=res.curves["error"] ** 2).groupby("n_experiments")["mse"]
    n = mse.mean().index.to_numpy()
    expected = HARD * (N - n) / N / N  # hard experiments not yet run, in expectation, over N
    se = mse.std() / np.sqrt(mse.count())
    assert (np.abs(mse.mean().to_numpy() - expected) < 4 * se.to_numpy() + 1e-12).all()
    assert list(n) == [4, 10, 16, 22, 28, 34]


def test_ensemble_uncertainty_picks_the_far_candidate_first():
    # Ordinary regression: the variance of a prediction grows with the distance from the mean
    # of the labelled x. Labelled x near 0: of the candidates at 0.3 and at 5, the ensemble's
    # spread is larger at 5.
    x = np.array([0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.3, 5.0])
    rng = np.random.default_rng(0)
    y = 2 * x + rng.normal(0, 0.3, x.size)
    X = x[:, None]
    res = P.active_learning_curve(X, y, None, X, y, estimator=Ridge(alpha=1e-6), initial=list(range(6)),
                                  batch_size=1, n_members=30, n_repeats=3, random_state=0)
    for order in res.chosen["uncertainty"]:
        assert order[6] == 7


def test_groups_reveal_whole_experiments_and_results_summarise():
    rng = np.random.default_rng(0)
    n_exp, rows = 30, 4
    groups = np.repeat([f"e{k}" for k in range(n_exp)], rows)
    X = rng.normal(size=(n_exp * rows, 3))
    y = X @ [1.0, -1.0, 0.5] + rng.normal(0, 0.1, len(X))
    X_test = rng.normal(size=(50, 3))
    y_test = X_test @ [1.0, -1.0, 0.5]
    res = P.active_learning_curve(X, y, groups, X_test, y_test, estimator=Ridge(alpha=1.0), initial=5,
                                  batch_size=5, budget=20, n_repeats=4, random_state=0)
    again = P.active_learning_curve(X, y, groups, X_test, y_test, estimator=Ridge(alpha=1.0), initial=5,
                                    batch_size=5, budget=20, n_repeats=4, random_state=0)
    pd.testing.assert_frame_equal(res.curves, again.curves)
    assert sorted(res.curves["n_experiments"].unique()) == [5, 10, 15, 20]
    for order in res.chosen["uncertainty"]:
        assert len(order) == 20 and len(set(order)) == 20 and str(order[0]).startswith("e")
    frame = res.to_frame()
    assert set(frame.columns) >= {"strategy", "n_experiments", "mean", "low", "high", "repeats"}
    first = frame[frame["n_experiments"] == 5]
    assert first["mean"].nunique() == 1, "the same start and the same ensemble: the same error"
    # the interval over repeats is scipy's t interval
    errs = res.curves.query("strategy == 'random' and n_experiments == 20")["error"]
    ci = stats.t.interval(0.95, len(errs) - 1, loc=errs.mean(), scale=stats.sem(errs))
    row = frame[(frame["strategy"] == "random") & (frame["n_experiments"] == 20)].iloc[0]
    assert (row["low"], row["high"]) == pytest.approx(ci)
    target = float(res.curves["error"].max()) + 1
    saved = res.savings(target)
    assert saved.loc[0, "saved"] == 0 and saved.loc[0, "same"] == 4 and saved.loc[0, "not_reached"] == 0
    assert res.savings(-1.0).loc[0, "not_reached"] == 4
    assert "4 repeats" in repr(res)


def test_savings_from_a_hand_made_curve():
    curves = pd.DataFrame({
        "strategy": ["uncertainty"] * 3 * 2 + ["random"] * 3 * 2,
        "repeat": [0, 0, 0, 1, 1, 1] * 2,
        "n_experiments": [5, 10, 15] * 4,
        "error": [0.9, 0.4, 0.3, 0.8, 0.6, 0.2, 0.9, 0.7, 0.5, 0.8, 0.7, 0.55]})
    res = P.ActiveLearningResult(curves, {}, 5, 0.95)
    table = res.experiments_to_reach(0.5)
    assert table["uncertainty"].tolist() == [10, 15]
    assert table["random"].iloc[0] == 15 and np.isnan(table["random"].iloc[1])  # never reached
    row = res.savings(0.5).iloc[0]
    assert row["saved"] == 5 and row["fewer"] == 1 and row["not_reached"] == 1
    with pytest.raises(TypeError, match="error must be a finite number"):
        res.experiments_to_reach("0.5")
    with pytest.raises(ValueError, match="reference must be one of"):
        res.savings(0.5, reference="greedy")


@pytest.mark.parametrize("kwargs, error, match", [
    ({"strategies": ["greedy"]}, ValueError, "strategies must be distinct"),
    ({"strategies": "random"}, TypeError, "strategies must be a sequence"),
    ({"initial": 0}, ValueError, "initial"),
    ({"initial": 40}, ValueError, "must be smaller than the pool"),
    ({"initial": ["nope"]}, ValueError, "initial must name experiments"),
    ({"batch_size": 0}, ValueError, "batch_size"),
    ({"n_members": 1}, ValueError, "n_members"),
    ({"n_members": None, "estimator": Ridge()}, ValueError, "return_std"),
    ({"estimator": "ridge"}, TypeError, "estimator must be a scikit-learn regressor"),
    ({"level": 2}, ValueError, "level"),
])
def test_active_learning_rejects_bad_arguments(kwargs, error, match):
    X, y = _lookup_pool()
    args = {"estimator": Ridge(), "initial": 4, "n_repeats": 1} | kwargs
    with pytest.raises(error, match=match):
        P.active_learning_curve(X, y, None, X, y, **args)


def test_active_learning_rejects_mismatched_data():
    X, y = _lookup_pool()
    with pytest.raises(ValueError, match="y must have one value"):
        P.active_learning_curve(X, y[:-1], None, X, y, estimator=Ridge())
    with pytest.raises(ValueError, match="X_test must have the columns"):
        P.active_learning_curve(X, y, None, X[:, :1], y, estimator=Ridge())
    with pytest.raises(ValueError, match="groups must give one experiment label"):
        P.active_learning_curve(X, y, np.arange(3), X, y, estimator=Ridge())
    with pytest.raises(ValueError, match="X contains NaN"):
        P.active_learning_curve(np.where(X > 30, np.nan, X), y, None, X, y, estimator=Ridge())
