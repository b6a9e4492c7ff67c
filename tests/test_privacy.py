"""bk.privacy: k-anonymity and generalisation, membership inference, the Laplace mechanism and
DP-SGD, each checked against an independent reference (a pandas computation written here,
scikit-learn, scipy, or a published formula computed by hand)."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats
from sklearn.metrics import log_loss, roc_auc_score, roc_curve

import biomedkit as bk
from conftest import run_python

P = bk.privacy


@pytest.fixture
def people():
    rng = np.random.default_rng(0)
    n = 400
    return pd.DataFrame({
        "age": rng.integers(20, 80, n),
        "sex": rng.choice(["F", "M"], n),
        "weight": rng.normal(72, 14, n).round(1),
        "zip": rng.choice(["1000", "1001", "1002", None], n),
        "died": rng.integers(0, 2, n),
    }, index=np.arange(1000, 1000 + n))  # a non-default index: results must keep it


# --- k-anonymity -------------------------------------------------------------------------

def _sizes_by_hand(df, qis):
    """Each row's class size from a string key per row (independent of groupby and ngroup)."""
    key = df[qis].astype(str).agg("|".join, axis=1)  # None becomes 'None': a value of its own
    return key.map(key.value_counts())


@pytest.mark.parametrize("qis", [["age"], ["age", "sex"], ["sex", "zip"], ["age", "sex", "weight"]])
def test_class_sizes_match_a_pandas_count(people, qis):
    result = P.k_anonymity(people, qis)
    expected = _sizes_by_hand(people, qis)
    pd.testing.assert_series_equal(result.class_size, expected, check_names=False, check_dtype=False)
    assert result.k == expected.min()
    assert result.share_unique == pytest.approx((expected == 1).mean())
    assert result.n_classes == people[qis].astype(str).drop_duplicates().shape[0]
    assert result.share_below(5) == pytest.approx((expected < 5).mean())


def test_class_table_lists_every_class_once_smallest_first(people):
    table = P.k_anonymity(people, ["sex", "zip"]).to_frame()
    assert list(table.columns) == ["sex", "zip", "size"]
    assert table["size"].sum() == len(people)
    assert table["size"].is_monotonic_increasing
    # the missing zip code is a class of its own
    by_hand = people.assign(zip=people["zip"].fillna("missing")).groupby(["sex", "zip"]).size()
    assert sorted(table["size"]) == sorted(by_hand)


def test_hand_computed_example():
    df = pd.DataFrame({"age": [34, 34, 51, 51, 51], "sex": ["F", "F", "M", "M", "F"]})
    result = P.k_anonymity(df, ["age", "sex"])
    assert (result.k, result.share_unique, result.class_size.tolist()) == (1, 0.2, [2, 2, 2, 2, 1])
    assert P.k_anonymity(df, "age").k == 2  # a single name is accepted
    assert "k = 1" in str(result)


def test_k_anonymity_rejects_bad_input(people):
    with pytest.raises(TypeError, match="df must be a pandas DataFrame"):
        P.k_anonymity(people.to_numpy(), ["age"])
    with pytest.raises(ValueError, match=r"quasi_identifiers names columns that are not in the table: \['postcode'\]"):
        P.k_anonymity(people, ["age", "postcode"])
    with pytest.raises(ValueError, match="quasi_identifiers must name at least one column"):
        P.k_anonymity(people, [])
    with pytest.raises(ValueError, match="names a column twice"):
        P.k_anonymity(people, ["age", "age"])
    with pytest.raises(TypeError, match="quasi_identifiers must be a column name or a list"):
        P.k_anonymity(people, 3)
    with pytest.raises(ValueError, match="df has no rows"):
        P.k_anonymity(people.iloc[:0], ["age"])
    with pytest.raises(ValueError, match="k must be an integer >= 1"):
        P.k_anonymity(people, ["age"]).share_below(0)


# --- generalisation ----------------------------------------------------------------------

def test_age_bands_by_hand():
    df = pd.DataFrame({"age": [23, 37, 41, 48, 93, np.nan], "x": range(6)})
    step = P.age_bands(df, "age", width=10, top=90)
    assert step.frame["age"].tolist()[:5] == ["20-29", "30-39", "40-49", "40-49", "90+"]
    assert pd.isna(step.frame["age"].iloc[5])  # missing stays missing
    assert list(step.frame["age"].cat.categories) == ["20-29", "30-39", "40-49", "90+"]
    assert step.frame["age"].cat.ordered
    assert (step.n_changed, step.n_removed) == (5, 0)
    assert "age" in str(step) and "10-wide bands" in str(step)
    five = P.age_bands(pd.DataFrame({"age": [40, 44, 45, 49.5]}), "age", width=5).frame["age"]
    assert five.tolist() == ["40 to <45", "40 to <45", "45 to <50", "45 to <50"]  # not whole numbers


def test_coarsen_rounds_to_the_nearest_multiple_or_maps():
    df = pd.DataFrame({"weight": [61.2, 68.0, 73.9, 70.0, np.nan], "education": [1, 2, 3, 4, 5]})
    step = P.coarsen(df, "weight", step=10)
    np.testing.assert_array_equal(step.frame["weight"], [60.0, 70.0, 70.0, 70.0, np.nan])
    assert step.n_changed == 3  # 70.0 and the missing value are unchanged
    tenth = P.coarsen(pd.DataFrame({"x": [7.14, 7.06]}), "x", step=0.1).frame["x"].tolist()
    assert tenth == [7.1, 7.1]  # no floating-point residue
    merged = P.coarsen(df, "education", mapping={4: 3, 5: 3})
    assert merged.frame["education"].tolist() == [1, 2, 3, 3, 3] and merged.n_changed == 2
    assert pd.api.types.is_integer_dtype(merged.frame["education"])
    assert "2 of 5 values changed" in str(merged)


def test_suppression_matches_a_pandas_group_by(people):
    banded = P.age_bands(people, "age", width=20).frame
    qis = ["age", "sex", "zip"]
    step = P.suppress_small_classes(banded, qis, k=20)
    sizes = banded.groupby(qis, dropna=False, observed=True)["died"].transform("size")
    expected = banded[sizes >= 20]
    pd.testing.assert_frame_equal(step.frame, expected)
    assert step.n_removed == (sizes < 20).sum() > 0
    assert P.k_anonymity(step.frame, qis).k >= 20
    assert f"removed {step.n_removed} of {len(people)} rows" in str(step)


def test_helpers_never_change_the_callers_table(people):
    before = people.copy()
    P.k_anonymity(people, ["age", "sex"])
    P.age_bands(people, "age", width=10, top=70)
    P.coarsen(people, "weight", step=5)
    P.coarsen(people, "sex", mapping={"F": "X"})
    P.suppress_small_classes(people, ["age", "sex"], k=5)
    pd.testing.assert_frame_equal(people, before)
    step = P.coarsen(people, "weight", step=5)
    copy = step.to_frame()
    copy.iloc[0, 0] = -1  # to_frame hands out a copy
    assert step.frame.iloc[0, 0] == people.iloc[0, 0]


def test_generalisation_rejects_bad_input(people):
    with pytest.raises(ValueError, match=r"column names columns that are not in the table: \['years'\]"):
        P.age_bands(people, "years")
    with pytest.raises(TypeError, match="column 'sex' must be numeric"):
        P.age_bands(people, "sex")
    with pytest.raises(ValueError, match="width must be a positive number"):
        P.age_bands(people, "age", width=0)
    with pytest.raises(TypeError, match="width must be a positive number"):
        P.age_bands(people, "age", width="10")
    with pytest.raises(ValueError, match=r"top must be a multiple of width \(10\)"):
        P.age_bands(people, "age", width=10, top=85)
    with pytest.raises(ValueError, match="give exactly one of step"):
        P.coarsen(people, "weight")
    with pytest.raises(ValueError, match="give exactly one of step"):
        P.coarsen(people, "weight", step=5, mapping={1: 2})
    with pytest.raises(TypeError, match="column 'zip' must be numeric"):
        P.coarsen(people, "zip", step=5)
    with pytest.raises(TypeError, match="mapping must be a non-empty dict"):
        P.coarsen(people, "zip", mapping=[("1000", "10xx")])
    with pytest.raises(ValueError, match="k must be an integer >= 2"):
        P.suppress_small_classes(people, ["age"], k=1)
    with pytest.raises(ValueError, match=r"quasi_identifiers names columns that are not in the table: \['postcode'\]"):
        P.suppress_small_classes(people, ["postcode"], k=5)


# --- membership inference ----------------------------------------------------------------

def _attack_data(seed=0, n=300, leak=True):
    rng = np.random.default_rng(seed)
    y_in, y_out = rng.integers(0, 2, n), rng.integers(0, 2, n)
    # members: the model is confident and right more often than on non-members
    sharp = 4.0 if leak else 1.0
    p_in = 1 / (1 + np.exp(-(2 * y_in - 1) * rng.normal(sharp, 1.0, n)))
    p_out = 1 / (1 + np.exp(-(2 * y_out - 1) * rng.normal(1.0, 1.0, n)))
    return y_in, p_in, y_out, p_out


def test_attack_matches_scikit_learn():
    y_in, p_in, y_out, p_out = _attack_data()
    result = P.membership_inference(y_in, p_in, y_out, p_out)
    # per-row cross-entropy, one call of scikit-learn's log_loss per row
    losses = np.array([log_loss([y], [p], labels=[0, 1]) for y, p in
                       zip(np.r_[y_in, y_out], np.r_[p_in, p_out])])
    np.testing.assert_allclose(-result.score, losses, rtol=1e-9)
    np.testing.assert_array_equal(result.is_member, np.r_[np.ones(300), np.zeros(300)])
    assert result.auc.auc == pytest.approx(roc_auc_score(result.is_member, -losses))
    same = bk.validation.auc_ci(result.is_member, result.score)
    assert (result.auc.low, result.auc.high) == pytest.approx((same.low, same.high))
    fpr, tpr, _ = roc_curve(result.is_member, -losses)
    assert result.advantage == pytest.approx(np.max(tpr - fpr))
    table = result.to_frame()
    assert table.loc[0, "attack_auc"] == result.auc.auc and table.loc[0, "members"] == 300
    assert table.loc[0, "mean_loss_members"] == pytest.approx(losses[:300].mean())
    assert "attack AUC" in str(result)


def test_attack_is_near_chance_when_members_look_like_non_members():
    result = P.membership_inference(*_attack_data(seed=1, n=2000, leak=False))
    assert result.auc.low < 0.5 < result.auc.high
    assert P.membership_inference(*_attack_data(seed=3)).auc.low > 0.6


def test_confident_mistakes_have_a_large_finite_loss():
    result = P.membership_inference([1, 0], [0.0, 1.0], [1, 0], [0.5, 0.5])
    assert np.isfinite(result.score).all() and result.loss_members.min() > 30


def test_attack_rejects_bad_input():
    y_in, p_in, y_out, p_out = _attack_data()
    with pytest.raises(ValueError, match="proba_members must lie in \\[0, 1\\]"):
        P.membership_inference(y_in, p_in * 3, y_out, p_out)
    with pytest.raises(ValueError, match="proba_nonmembers has 299 values but y_nonmembers has 300"):
        P.membership_inference(y_in, p_in, y_out, p_out[1:])
    with pytest.raises(ValueError, match="y_members must hold only 0 and 1"):
        P.membership_inference(y_in + 1, p_in, y_out, p_out)
    with pytest.raises(ValueError, match="proba_members has two columns"):
        P.membership_inference(y_in, np.c_[1 - p_in, p_in], y_out, p_out)
    with pytest.raises(ValueError, match="y_nonmembers must be a non-empty"):
        P.membership_inference(y_in, p_in, [], [])
    with pytest.raises(TypeError, match="y_members must hold 0/1 outcomes"):
        P.membership_inference(np.array(["a"] * 300), p_in, y_out, p_out)
    with pytest.raises(ValueError, match="level must be a number in \\(0, 1\\)"):
        P.membership_inference(y_in, p_in, y_out, p_out, level=95)


# --- the Laplace mechanism ---------------------------------------------------------------

def _laplace_scale(draws, centre):
    """The maximum-likelihood Laplace scale about a known centre: the mean absolute deviation."""
    return np.mean(np.abs(draws - centre))


@pytest.mark.parametrize("epsilon", [0.1, 0.5, 1.0, 4.0])
def test_count_noise_has_scale_one_over_epsilon(epsilon):
    draws = P.laplace_count(120, epsilon=epsilon, random_state=0, size=200_000)
    assert _laplace_scale(draws, 120) == pytest.approx(1 / epsilon, rel=0.01)
    assert np.std(draws) == pytest.approx(math.sqrt(2) / epsilon, rel=0.02)
    # and the distribution is scipy's Laplace of that scale (Kolmogorov-Smirnov)
    assert stats.kstest(draws[:20_000], stats.laplace(loc=120, scale=1 / epsilon).cdf).pvalue > 0.01


def test_mean_is_clipped_then_noised_with_scale_range_over_n_epsilon():
    rng = np.random.default_rng(1)
    values = rng.normal(75, 20, 500)
    lower, upper, epsilon = 40.0, 100.0, 0.5
    draws = P.laplace_mean(values, bounds=(lower, upper), epsilon=epsilon, random_state=0, size=200_000)
    clipped_mean = np.mean([min(max(v, lower), upper) for v in values])  # clipping by hand
    assert np.median(draws) == pytest.approx(clipped_mean, abs=0.01)
    assert _laplace_scale(draws, clipped_mean) == pytest.approx((upper - lower) / (500 * epsilon), rel=0.01)
    assert clipped_mean != pytest.approx(values.mean(), abs=0.05)  # the clipping did something


def test_mechanism_scale_is_sensitivity_over_epsilon_and_seeded():
    draws = P.laplace_mechanism(10.0, sensitivity=3.0, epsilon=0.25, random_state=0, size=100_000)
    assert _laplace_scale(draws, 10.0) == pytest.approx(12.0, rel=0.01)
    one = P.laplace_mechanism(10.0, sensitivity=3.0, epsilon=0.25, random_state=7)
    assert isinstance(one, float) and one == P.laplace_mechanism(10.0, sensitivity=3.0, epsilon=0.25, random_state=7)
    rng = np.random.default_rng(3)
    assert P.laplace_count(5, epsilon=1, random_state=rng) != P.laplace_count(5, epsilon=1, random_state=rng)


def test_laplace_mean_does_not_change_the_callers_values():
    values = np.array([30.0, 80.0, 200.0])
    P.laplace_mean(values, bounds=(40, 150), epsilon=1.0, random_state=0)
    np.testing.assert_array_equal(values, [30.0, 80.0, 200.0])


@pytest.mark.parametrize("epsilon, error", [(0, ValueError), (-1.0, ValueError), (math.inf, ValueError),
                                            (math.nan, ValueError), ("1", TypeError), (True, TypeError)])
def test_wrong_epsilon_is_refused_everywhere(epsilon, error):
    with pytest.raises(error, match="epsilon must be a positive"):
        P.laplace_count(10, epsilon=epsilon)
    with pytest.raises(error, match="epsilon must be a positive"):
        P.laplace_mean([1.0, 2.0], bounds=(0, 5), epsilon=epsilon)
    with pytest.raises(error, match="epsilon must be a positive"):
        P.laplace_mechanism(1.0, sensitivity=1.0, epsilon=epsilon)


def test_laplace_rejects_bad_input():
    swap = r"bounds must be \(lower, upper\) with lower < upper; got \(150, 40\): swap them"
    with pytest.raises(ValueError, match=swap):
        P.laplace_mean([60.0, 70.0], bounds=(150, 40), epsilon=1.0)
    with pytest.raises(ValueError, match="lower < upper; got \\(40, 40\\)$"):
        P.laplace_mean([60.0, 70.0], bounds=(40, 40), epsilon=1.0)
    with pytest.raises(TypeError, match="bounds must be a pair"):
        P.laplace_mean([60.0, 70.0], bounds=150, epsilon=1.0)
    with pytest.raises(ValueError, match="values contains NaN"):
        P.laplace_mean([60.0, np.nan], bounds=(40, 150), epsilon=1.0)
    with pytest.raises(TypeError, match="values must be numeric"):
        P.laplace_mean(["60"], bounds=(40, 150), epsilon=1.0)
    with pytest.raises(ValueError, match="true_count must be >= 0"):
        P.laplace_count(-3, epsilon=1.0)
    with pytest.raises(ValueError, match="true_count must be a whole number"):
        P.laplace_count(3.5, epsilon=1.0)
    with pytest.raises(TypeError, match="true_count must be a number"):
        P.laplace_count(True, epsilon=1.0)
    with pytest.raises(ValueError, match="sensitivity must be a positive number"):
        P.laplace_mechanism(1.0, sensitivity=0, epsilon=1.0)
    with pytest.raises(ValueError, match="size must be an integer >= 1"):
        P.laplace_count(3, epsilon=1.0, size=0)
    with pytest.raises(TypeError, match="random_state must be None, an int or a numpy Generator"):
        P.laplace_count(3, epsilon=1.0, random_state="seed")


def test_import_of_privacy_loads_neither_torch_nor_scikit_learn():
    out = run_python("import sys, biomedkit as bk; bk.privacy.k_anonymity; "
                     "print([m for m in ('torch', 'opacus', 'sklearn') if m in sys.modules])")
    assert out.stdout.strip() == "[]"


# --- DP-SGD with Opacus ------------------------------------------------------------------

def _rdp_epsilon_by_hand(q, sigma, steps, delta, orders):
    """(epsilon, delta) of ``steps`` Poisson-subsampled Gaussian steps, from scratch.

    RDP of one step at integer order a, 0 < q < 1 (Mironov, Talwar and Zhang 2019, the
    binomial expansion for integer orders): log(sum_k C(a, k) (1-q)^(a-k) q^k exp((k^2 - k) / (2 sigma^2))) / (a - 1);
    steps add up; conversion to (epsilon, delta) by Balle et al. 2020, Theorem 21:
    eps = rdp + log((a-1)/a) - (log(delta) + log(a)) / (a - 1), minimised over a.
    """
    best = math.inf
    for a in orders:
        terms = [math.lgamma(a + 1) - math.lgamma(k + 1) - math.lgamma(a - k + 1)
                 + (a - k) * math.log1p(-q) + k * math.log(q) + (k * k - k) / (2 * sigma**2)
                 for k in range(a + 1)]
        rdp = steps * np.logaddexp.reduce(terms) / (a - 1)
        best = min(best, rdp + math.log((a - 1) / a) - (math.log(delta) + math.log(a)) / (a - 1))
    return best


@pytest.fixture(scope="module")
def easy():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 5)).astype(np.float32)
    y = (X[:, 0] + 0.5 * X[:, 1] + rng.normal(scale=0.5, size=600) > 0).astype(int)
    return X, y


def test_full_batch_dp_sgd_epsilon_is_the_gaussian_mechanism_by_hand(easy):
    pytest.importorskip("opacus")
    X, y = easy
    model = P.DPMLPClassifier(epsilon=2.0, delta=1e-5, epochs=5, batch_size=len(y), random_state=0).fit(X, y)
    assert model.n_steps_ == 5
    # q = 1: the RDP of T Gaussian steps is T a / (2 sigma^2) (Mironov 2017)
    by_hand = min(5 * a / (2 * model.noise_multiplier_**2) + math.log((a - 1) / a)
                  - (math.log(1e-5) + math.log(a)) / (a - 1) for a in np.linspace(1.01, 300, 30_000))
    assert model.epsilon_ == pytest.approx(by_hand, rel=0.01)
    assert 1.9 <= model.epsilon_ <= 2.0 + 0.01


def test_subsampled_dp_sgd_epsilon_matches_the_integer_order_formula(easy):
    pytest.importorskip("opacus")
    X, y = easy
    model = P.DPMLPClassifier(epsilon=1.0, delta=1e-5, epochs=4, batch_size=60, random_state=0).fit(X, y)
    q = 1 / math.ceil(len(y) / 60)  # Opacus's sampling rate: one over the number of batches
    by_hand = _rdp_epsilon_by_hand(q, model.noise_multiplier_, model.n_steps_, 1e-5, range(2, 257))
    # integer orders only, so the hand value is at most slightly looser than the accountant's
    assert model.epsilon_ * (1 - 1e-9) <= by_hand <= model.epsilon_ * 1.05
    assert 0.9 <= model.epsilon_ <= 1.01


def test_dp_sgd_learns_and_is_reproducible(easy):
    pytest.importorskip("opacus")
    X, y = easy
    before = X.copy()
    a = P.DPMLPClassifier(epsilon=8.0, epochs=10, batch_size=32, random_state=0).fit(X, y)
    b = P.DPMLPClassifier(epsilon=8.0, epochs=10, batch_size=32, random_state=0).fit(X, y)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    np.testing.assert_array_equal(X, before)
    assert roc_auc_score(y, a.predict_proba(X)[:, 1]) > 0.85
    assert a.noise_multiplier_ > 0 and a.predict(X[:3]).shape == (3,)
    plain = P.DPMLPClassifier(epsilon=None, epochs=10, batch_size=32, random_state=0).fit(X, y)
    assert plain.epsilon_ == math.inf and plain.noise_multiplier_ == 0.0
    assert roc_auc_score(y, plain.predict_proba(X)[:, 1]) > 0.9
    assert len(plain.loss_curve_) == 10 and plain.loss_curve_[-1] < plain.loss_curve_[0]


def test_dp_classifier_is_a_scikit_learn_estimator(easy):
    pytest.importorskip("opacus")
    from sklearn.base import clone

    X, y = easy
    model = clone(P.DPMLPClassifier(epsilon=3.0, hidden_layer_sizes=(8,), epochs=1))
    assert model.get_params()["epsilon"] == 3.0
    with pytest.raises(TypeError):
        P.DPMLPClassifier(3.0)  # options are keyword-only


@pytest.mark.parametrize("params, error, message", [
    ({"epsilon": 0}, ValueError, "epsilon must be a positive, finite number"),
    ({"epsilon": "1"}, TypeError, "epsilon must be None or a positive number"),
    ({"delta": 1.5}, ValueError, r"delta must be a number in \(0, 1\)"),
    ({"max_grad_norm": -1}, ValueError, "max_grad_norm must be a positive"),
    ({"epochs": 0}, ValueError, "epochs must be an integer >= 1"),
    ({"hidden_layer_sizes": (8, 0)}, ValueError, r"hidden_layer_sizes\[1\] must be an integer >= 1"),
    ({"batch_size": 10_000}, ValueError, r"batch_size \(10000\) is larger than the training set"),
    ({"batch_size": 0}, ValueError, "batch_size must be an integer >= 1"),
    ({"learning_rate": "fast"}, ValueError, r"learning_rate must be a number in \(0, 10\]; got 'fast'"),
    ({"device": "gpu"}, ValueError, r"device must be 'cpu', 'cuda', 'cuda:0', 'mps', \.\.\.; got 'gpu'"),
    ({"device": 0}, TypeError, "device must be a string such as 'cpu' or 'cuda'"),
    ({"random_state": "zero"}, TypeError, "random_state must be None, an int or a numpy Generator"),
])
def test_dp_classifier_rejects_bad_settings(easy, params, error, message):
    pytest.importorskip("opacus")
    X, y = easy
    with pytest.raises(error, match=message):
        P.DPMLPClassifier(**params).fit(X, y)


@pytest.mark.parametrize("learning_rate", [0.0, -1e-3, 50.0])
def test_dp_classifier_refuses_a_bad_learning_rate_as_every_network_does(easy, learning_rate):
    # the reference: the shared rule's own message, word for word
    from biomedkit._checks import check_training_options

    with pytest.raises(ValueError) as refused:
        check_training_options(learning_rate=learning_rate)
    with pytest.raises(ValueError) as caught:
        P.DPMLPClassifier(learning_rate=learning_rate).fit(*easy)
    assert str(caught.value) == str(refused.value)


def test_dp_classifier_takes_a_torch_device_and_a_generator(easy):
    # documented: device may be a torch.device, random_state a Generator
    pytest.importorskip("opacus")
    import torch

    X, y = easy
    options = {"epsilon": None, "hidden_layer_sizes": (4,), "epochs": 1, "batch_size": 100}
    by_name = P.DPMLPClassifier(device="cpu", random_state=0, **options).fit(X, y)
    by_device = P.DPMLPClassifier(device=torch.device("cpu"), random_state=0, **options).fit(X, y)
    np.testing.assert_array_equal(by_name.predict_proba(X), by_device.predict_proba(X))
    from_generator = P.DPMLPClassifier(random_state=np.random.default_rng(0), **options).fit(X, y)
    assert from_generator.predict_proba(X[:2]).shape == (2, 2)
