"""Mitigation: reweighing by hand, adversarial debiasing does what it claims, the table."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.preprocessing import StandardScaler

import biomedkit as bk

pytest.importorskip("torch")


@pytest.fixture(scope="module")
def biased():
    data, truth = bk.simulate.cohort(4000, random_state=7, label_bias=0.5)
    X = data.frame[["age", "female", "smoker", "sbp", "total_chol", "hdl", "bmi", "diabetes"]]
    X = X.assign(group_b=(data.frame.group == "B").astype(int))
    return StandardScaler().fit_transform(X), data.y.to_numpy(), data.frame.group.astype(str).to_numpy()


def test_reweighing_weights_by_hand():
    y = np.array([1, 1, 0, 0, 0, 0, 1, 0])
    g = np.array(["A", "A", "A", "A", "B", "B", "B", "B"])
    w = bk.fairness.reweighing_weights(y, g)
    # P(A)=1/2, P(y=1)=3/8, P(A, y=1)=2/8 -> 0.5 * 0.375 / 0.25 = 0.75
    assert w[0] == pytest.approx(0.75)
    assert w[2] == pytest.approx(0.5 * 0.625 / 0.25)
    assert w[6] == pytest.approx(0.5 * 0.375 / 0.125)
    assert w.mean() == pytest.approx(1.0)
    # In the weighted data the label no longer depends on the group.
    for grp in ("A", "B"):
        m = g == grp
        assert np.average(y[m], weights=w[m]) == pytest.approx(y.mean())


def test_reweighing_passes_the_weights_to_the_estimator(biased):
    X, y, g = biased
    model = bk.fairness.Reweighing(LogisticRegression()).fit(X, y, sensitive_features=g)
    direct = LogisticRegression().fit(X, y, sample_weight=bk.fairness.reweighing_weights(y, g))
    np.testing.assert_allclose(model.predict_proba(X), direct.predict_proba(X))


def test_adversary_reduces_the_demographic_parity_gap(biased):
    X, y, g = biased
    gaps = []
    for alpha in (0.0, 3.0):
        model = bk.fairness.AdversarialDebiasingClassifier(alpha=alpha, epochs=200).fit(
            X, y, sensitive_features=g)
        p = model.predict_proba(X)[:, 1]
        gaps.append(abs(p[g == "A"].mean() - p[g == "B"].mean()))
    assert gaps[1] < gaps[0] / 2


def test_adversary_without_weight_is_a_plain_classifier(biased):
    from sklearn.metrics import roc_auc_score

    X, y, g = biased
    model = bk.fairness.AdversarialDebiasingClassifier(alpha=0.0, epochs=200).fit(X, y, sensitive_features=g)
    lr = LogisticRegression().fit(X, y)
    auc = roc_auc_score(y, model.predict_proba(X)[:, 1])
    assert auc >= roc_auc_score(y, lr.predict_proba(X)[:, 1]) - 0.01  # as good as logistic regression


def test_adversary_bad_input(biased):
    X, y, g = biased
    with pytest.raises(ValueError, match="constraint"):
        bk.fairness.AdversarialDebiasingClassifier(constraint="parity").fit(X, y, sensitive_features=g)
    with pytest.raises(ValueError, match="NaN"):
        bk.fairness.AdversarialDebiasingClassifier().fit(np.full_like(X, np.nan), y, sensitive_features=g)
    with pytest.raises(ValueError, match="has 3 values"):
        bk.fairness.AdversarialDebiasingClassifier().fit(X, y, sensitive_features=g[:3])


@pytest.mark.parametrize("options, error, message", [
    ({"epochs": 0}, ValueError, "epochs must be an integer >= 1; got 0"),
    ({"learning_rate": 0.0}, ValueError, r"learning_rate must be a number in \(0, 10\]; got 0\.0"),
    ({"learning_rate": "fast"}, ValueError, r"learning_rate must be a number in \(0, 10\]; got 'fast'"),
    ({"device": "gpu"}, ValueError, r"device must be 'cpu', 'cuda', 'cuda:0', 'mps', \.\.\.; got 'gpu'"),
    ({"random_state": -1}, ValueError, "random_state must be an integer >= 0"),
    ({"alpha": "strong"}, ValueError, "alpha must be a finite number >= 0"),
    ({"alpha": -1.0}, ValueError, "alpha must be a finite number >= 0"),
    ({"hidden": 0}, ValueError, "hidden must be an integer >= 1"),
    ({"adversary_steps": 0}, ValueError, "adversary_steps must be an integer >= 1"),
])
def test_adversary_refuses_bad_training_options_by_name(options, error, message):
    X, y, g = np.zeros((4, 2)), np.array([0, 1, 0, 1]), np.array(["A", "A", "B", "B"])
    with pytest.raises(error, match=message):
        bk.fairness.AdversarialDebiasingClassifier(**options).fit(X, y, sensitive_features=g)


def test_adversary_seeds_and_devices(biased):
    X, y, g = (a[:200] for a in biased)
    fit = {"epochs": 5, "hidden": 4}

    def risks(**options):
        model = bk.fairness.AdversarialDebiasingClassifier(**fit, **options).fit(X, y, sensitive_features=g)
        return model.predict_proba(X)[:, 1]

    np.testing.assert_array_equal(risks(random_state=3), risks(random_state=3, device="cpu"))
    assert not np.array_equal(risks(random_state=3), risks(random_state=4))
    assert np.isfinite(risks(random_state=None)).all()  # None: a fresh seed, no crash


def test_compare_table_agrees_with_its_parts(biased):
    from fairlearn.metrics import demographic_parity_difference
    from sklearn.metrics import roc_auc_score

    X, y, g = biased
    p = LogisticRegression().fit(X, y).predict_proba(X)[:, 1]
    table = bk.fairness.compare({"plain": p, "flags": (p >= 0.2).astype(int)}, y, g, threshold=0.2,
                                n_boot=50)
    assert table.loc["plain", "auc"] == pytest.approx(roc_auc_score(y, p))
    assert table.loc["plain", "accuracy"] == pytest.approx(((p >= 0.2) == y).mean())
    assert table.loc["plain", "demographic_parity"] == pytest.approx(
        demographic_parity_difference(y, p >= 0.2, sensitive_features=g))
    assert table.loc["flags", "accuracy"] == table.loc["plain", "accuracy"]
    assert (table.demographic_parity_low <= table.demographic_parity_high).all()
    with pytest.raises(ValueError, match="non-empty dict"):
        bk.fairness.compare({}, y, g)


def test_adversary_options_passed_by_position_warn():
    with pytest.warns(FutureWarning, match="passing alpha of .*__init__"):
        model = bk.fairness.AdversarialDebiasingClassifier(2.0)
    assert model.get_params()["alpha"] == 2.0
