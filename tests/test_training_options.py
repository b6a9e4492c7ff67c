"""One rule for every network's training options: ``biomedkit._checks.check_training_options``."""

import numpy as np
import pandas as pd
import pytest
import torch

import biomedkit as bk
from biomedkit._checks import check_training_options


def test_good_options_come_back_checked_and_only_those_given():
    got = check_training_options(epochs=np.int64(3), steps=5, batch_size=8, learning_rate=1, weight_decay=0,
                                 random_state=0, device="cpu")
    assert got == {"epochs": 3, "steps": 5, "batch_size": 8, "learning_rate": 1.0, "weight_decay": 0.0,
                   "random_state": 0, "device": "cpu"}
    assert type(got["epochs"]) is int and type(got["learning_rate"]) is float
    assert check_training_options() == {}
    # None is a random_state to keep (a fresh seed each fit), not an option left out
    assert check_training_options(random_state=None) == {"random_state": None}
    assert check_training_options(learning_rate=10.0, weight_decay=10.0) == {"learning_rate": 10.0,
                                                                              "weight_decay": 10.0}


@pytest.mark.parametrize("options, error, message", [
    ({"epochs": 0}, ValueError, r"epochs must be an integer >= 1; got 0"),
    ({"epochs": 2.0}, ValueError, r"epochs must be an integer >= 1; got 2\.0"),
    ({"steps": -1}, ValueError, r"steps must be an integer >= 1; got -1"),
    ({"batch_size": 2.5}, ValueError, r"batch_size must be an integer >= 1; got 2\.5"),
    ({"batch_size": True}, ValueError, r"batch_size must be an integer >= 1; got True"),
    ({"learning_rate": 0}, ValueError, r"learning_rate must be a number in \(0, 10\]; got 0"),
    ({"learning_rate": 11.0}, ValueError, r"learning_rate must be a number in \(0, 10\]; got 11\.0"),
    ({"learning_rate": float("nan")}, ValueError, r"learning_rate must be a number in \(0, 10\]; got nan"),
    ({"learning_rate": "fast"}, ValueError, r"learning_rate must be a number in \(0, 10\]; got 'fast'"),
    ({"weight_decay": -0.1}, ValueError, r"weight_decay must be a number in \[0, 10\]; got -0\.1"),
    ({"random_state": -1}, ValueError, r"random_state must be an integer >= 0; got -1"),
    ({"random_state": "zero"}, ValueError, r"random_state must be an integer >= 0; got 'zero'"),
    ({"device": 0}, TypeError, r"device must be a string such as 'cpu' or 'cuda'; got int"),
    ({"device": "gpu"}, ValueError, r"device must be 'cpu', 'cuda', 'cuda:0', 'mps', \.\.\.; got 'gpu'"),
])
def test_each_bad_option_is_named_with_the_fix(options, error, message):
    with pytest.raises(error, match=message):
        check_training_options(**options)


def test_a_bad_option_is_named_even_among_good_ones():
    with pytest.raises(ValueError, match="weight_decay"):
        check_training_options(epochs=3, batch_size=8, learning_rate=1e-3, weight_decay=20, device="cpu")


@pytest.mark.skipif(torch.cuda.is_available(), reason="this machine has a GPU")
def test_a_missing_gpu_is_named():
    with pytest.raises(ValueError, match="sees no CUDA GPU .* use device='cpu'"):
        check_training_options(device="cuda")


def test_options_are_keyword_only():
    with pytest.raises(TypeError):
        check_training_options(3)


# --- every network refuses a bad learning rate at fit, with the shared message -------------------

SEQUENCES = ["ACGTACGT", "TTGACCAA", "GGCATGCA", "CATGCATG"]
FRAME = pd.DataFrame({"a": [0.1, 0.2, 0.3, 0.4], "b": [1.0, 0.0, 1.0, 0.0]})


def _fit_mpnn(learning_rate):
    bk.chem.MPNNRegressor(epochs=1, learning_rate=learning_rate).fit(["CCO", "CCC"], [1.0, 2.0])


def _fit_sequence(learning_rate):
    bk.deep.SequenceTransformer(steps=1, learning_rate=learning_rate).fit(SEQUENCES, [0, 1, 0, 1])


def _pretrain_sequence(learning_rate):
    bk.deep.SequenceTransformer(steps=1).pretrain(SEQUENCES, steps=1, learning_rate=learning_rate)


def _fit_fusion(learning_rate):
    bk.deep.FusionClassifier({"one": ["a"], "two": ["b"]}, epochs=1,
                             learning_rate=learning_rate).fit(FRAME, [0, 1, 0, 1])


def _fit_physics(learning_rate):
    bk.deep.PhysicsInformedODE("logistic", steps=1, learning_rate=learning_rate).fit(
        [0.0, 1.0, 2.0, 3.0], [1.0, 1.5, 2.0, 2.4])


def _fit_cnn(learning_rate):
    bk.imaging.PatchCNN(epochs=1, learning_rate=learning_rate).fit(np.zeros((2, 3, 16, 16), np.float32), [0, 1])


def _fit_mlp(learning_rate):
    bk.models.TorchMLPClassifier(max_epochs=1, learning_rate=learning_rate).fit(FRAME, [0, 1, 0, 1])


def _fit_private(learning_rate):
    bk.privacy.DPMLPClassifier(epochs=1, learning_rate=learning_rate).fit(FRAME, [0, 1, 0, 1])


def _fit_debiasing(learning_rate):
    bk.fairness.AdversarialDebiasingClassifier(epochs=1, learning_rate=learning_rate).fit(
        FRAME, [0, 1, 0, 1], sensitive_features=["A", "A", "B", "B"])


@pytest.mark.parametrize("fit", [_fit_mpnn, _fit_sequence, _pretrain_sequence, _fit_fusion, _fit_physics,
                                 _fit_cnn, _fit_mlp, _fit_private, _fit_debiasing])
@pytest.mark.parametrize("learning_rate", [0.0, -1e-3, 50.0])
def test_every_network_refuses_a_bad_learning_rate_with_the_shared_message(fit, learning_rate):
    with pytest.raises(ValueError) as refused:
        check_training_options(learning_rate=learning_rate)
    with pytest.raises(ValueError, match="learning_rate must be a number in") as caught:
        fit(learning_rate)
    assert str(caught.value) == str(refused.value)
