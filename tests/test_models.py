"""Tests of biomedkit.models: the scikit-learn contract and what the MLP can learn."""

import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils.estimator_checks import parametrize_with_checks

from biomedkit.models import TorchMLPClassifier


# A few epochs with a larger step keep the ~50 checks fast, yet learn the small
# blob problems that check_classifiers_train asks for.
@parametrize_with_checks([TorchMLPClassifier(max_epochs=10, learning_rate=0.02, random_state=0)])
def test_sklearn_compatible(estimator, check):
    check(estimator)


def xor_data(n, seed):
    """Two features; the class depends on the sign of their product (no linear signal)."""
    rng = np.random.default_rng(seed)
    X = rng.uniform(-1, 1, size=(n, 2))
    y = (X[:, 0] * X[:, 1] > 0).astype(int)
    return X, y


def test_learns_xor_that_logistic_regression_cannot():
    X, y = xor_data(1000, seed=0)
    X_test, y_test = xor_data(1000, seed=1)
    mlp = make_pipeline(StandardScaler(), TorchMLPClassifier(learning_rate=0.02, max_epochs=40,
                                                             random_state=0))
    auc_mlp = roc_auc_score(y_test, mlp.fit(X, y).predict_proba(X_test)[:, 1])
    auc_lr = roc_auc_score(y_test, LogisticRegression().fit(X, y).predict_proba(X_test)[:, 1])
    assert auc_lr < 0.6
    assert auc_mlp > 0.95


def test_same_random_state_same_probabilities():
    X, y = xor_data(500, seed=2)
    probas = [TorchMLPClassifier(max_epochs=15, random_state=7).fit(X, y).predict_proba(X)
              for _ in range(2)]
    np.testing.assert_array_equal(probas[0], probas[1])
    other = TorchMLPClassifier(max_epochs=15, random_state=8).fit(X, y).predict_proba(X)
    assert not np.array_equal(probas[0], other)


def test_multiclass_probabilities_and_attributes():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 4))
    y = np.array(["low", "mid", "high"])[np.digitize(X[:, 0], [-0.5, 0.5])]
    model = TorchMLPClassifier(max_epochs=30, learning_rate=0.01, random_state=0).fit(X, y)
    proba = model.predict_proba(X)
    assert proba.shape == (300, 3)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert set(model.predict(X)) <= set(model.classes_)
    assert model.n_epochs_ == len(model.loss_curve_) == len(model.validation_scores_)


def test_bad_input_raises():
    X, y = xor_data(100, seed=4)
    X_nan = X.copy()
    X_nan[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        TorchMLPClassifier(max_epochs=2).fit(X_nan, y)
    with pytest.raises(ValueError, match="one class"):
        TorchMLPClassifier(max_epochs=2).fit(X, np.ones_like(y))


def test_does_not_mutate_dataframe():
    X, y = xor_data(200, seed=5)
    frame = pd.DataFrame(X, columns=["a", "b"]).astype({"a": "float32"})
    before = frame.copy()
    model = TorchMLPClassifier(max_epochs=3, random_state=0).fit(frame, y)
    model.predict_proba(frame)
    pd.testing.assert_frame_equal(frame, before)
    assert list(model.feature_names_in_) == ["a", "b"]


def test_options_passed_by_position_still_work_with_a_warning():
    old_call = r"passing hidden_layer_sizes, alpha of TorchMLPClassifier.__init__\(\) by position"
    with pytest.warns(FutureWarning, match=old_call):
        old = TorchMLPClassifier((8,), 0.01)
    assert old.get_params() == TorchMLPClassifier(hidden_layer_sizes=(8,), alpha=0.01).get_params()


def test_import_does_not_load_torch():
    code = "import sys, biomedkit.models; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
