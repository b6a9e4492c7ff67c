"""A small PyTorch multilayer perceptron with the scikit-learn API."""

from __future__ import annotations

import copy
import math
import numbers

import numpy as np
from scipy.special import softmax
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.model_selection import train_test_split
from sklearn.utils import check_random_state
from sklearn.utils.validation import check_is_fitted, validate_data

from biomedkit._checks import check_training_options
from biomedkit._deprecation import keyword_only_after
from biomedkit._estimators import classifier_fit_inputs
from biomedkit._progress import progress


def _build_module(n_in: int, hidden: tuple[int, ...], n_out: int, generator):
    """A ReLU network whose weights are drawn from ``generator`` (not the global RNG)."""
    import torch
    from torch import nn

    sizes = [n_in, *hidden, n_out]
    layers: list[nn.Module] = []
    for i, (fan_in, fan_out) in enumerate(zip(sizes[:-1], sizes[1:])):
        layer = nn.Linear(fan_in, fan_out)
        bound = 1 / math.sqrt(fan_in)  # PyTorch's default init, drawn from our generator
        with torch.no_grad():
            layer.weight.uniform_(-bound, bound, generator=generator)
            layer.bias.uniform_(-bound, bound, generator=generator)
        layers += [layer, nn.ReLU()] if i < len(hidden) else [layer]
    return nn.Sequential(*layers)


class TorchMLPClassifier(ClassifierMixin, BaseEstimator):
    """A multilayer perceptron (ReLU, Adam, cross-entropy) written in PyTorch.

    Works like any scikit-learn classifier (binary or multiclass): in pipelines,
    cross-validation and grid searches. It does **not** scale its inputs: put a
    ``StandardScaler`` before it in a ``Pipeline``, or training will be slow and poor.
    While it trains, a progress bar counts the epochs (``bk.show_progress(False)`` turns
    the bars off).

    Parameters
    ----------
    hidden_layer_sizes : tuple of int, default=(32, 16)
        Number of units in each hidden layer (an int means one hidden layer).
    alpha : float, default=1e-4
        L2 penalty (weight decay) on the weights; biases are not penalised.
    learning_rate : float, default=1e-3
        Step size of the Adam optimiser.
    batch_size : int, default=128
        Number of patients per mini-batch.
    max_epochs : int, default=200
        Maximum number of passes over the training data.
    early_stopping : bool, default=True
        Hold out ``validation_fraction`` of the training data (stratified), stop when
        the validation loss has not improved for ``patience`` epochs, and keep the
        weights of the best epoch. With too few patients per class for a split, the
        model trains on all data for ``max_epochs`` instead.
    validation_fraction : float, default=0.1
        Share of the training data held out for early stopping, in (0, 1).
    patience : int, default=10
        Epochs without improvement of the validation loss before stopping.
    random_state : int, RandomState or None, default=None
        Seeds the weight initialisation, the validation split and the shuffling.
        The same integer gives the same model (PyTorch's CPU operations are deterministic).
    device : str, default="cpu"
        Where the network trains: "cpu", "cuda" or "mps"; results come back as numpy arrays.

    Attributes
    ----------
    classes_ : ndarray of shape (n_classes,)
        The class labels.
    n_features_in_ : int
        Number of features seen during ``fit``.
    feature_names_in_ : ndarray of shape (n_features_in_,)
        Column names, when ``X`` was a DataFrame with string column names.
    module_ : torch.nn.Sequential
        The trained network; it returns one logit per class.
    loss_curve_ : list of float
        Mean training cross-entropy at each epoch (without the L2 penalty).
    validation_scores_ : list of float or None
        Validation cross-entropy at each epoch (lower is better), or None when no
        early stopping was done.
    n_epochs_ : int
        Number of epochs run.

    Examples
    --------
    >>> from sklearn.datasets import make_moons
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from biomedkit.models import TorchMLPClassifier
    >>> X, y = make_moons(n_samples=500, noise=0.2, random_state=0)
    >>> model = make_pipeline(StandardScaler(), TorchMLPClassifier(random_state=0))
    >>> model.fit(X, y).score(X, y) > 0.9
    True
    """

    @keyword_only_after(1)
    def __init__(self, *, hidden_layer_sizes: tuple[int, ...] = (32, 16), alpha: float = 1e-4,
                 learning_rate: float = 1e-3, batch_size: int = 128, max_epochs: int = 200,
                 early_stopping: bool = True, validation_fraction: float = 0.1,
                 patience: int = 10, random_state: int | np.random.RandomState | None = None,
                 device: str = "cpu"):
        self.hidden_layer_sizes = hidden_layer_sizes
        self.alpha = alpha
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.max_epochs = max_epochs
        self.early_stopping = early_stopping
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.random_state = random_state
        self.device = device

    def _check_params(self) -> tuple[int, ...]:
        sizes = self.hidden_layer_sizes
        hidden = (sizes,) if isinstance(sizes, numbers.Integral) else tuple(sizes)
        # random_state may also be a RandomState here (scikit-learn's convention), so it is not passed
        check_training_options(batch_size=self.batch_size, learning_rate=self.learning_rate, device=self.device)
        counts = {"max_epochs": self.max_epochs, "patience": self.patience,
                  **{f"hidden_layer_sizes[{i}]": units for i, units in enumerate(hidden)}}
        for name, value in counts.items():
            if not isinstance(value, numbers.Integral) or value < 1:
                raise ValueError(f"{name} must be a positive integer; got {value!r}")
        if not 0 < self.validation_fraction < 1:
            raise ValueError(f"validation_fraction must be in (0, 1); got {self.validation_fraction}")
        if self.alpha < 0:
            raise ValueError(f"alpha must be >= 0; got {self.alpha!r}")
        return hidden

    def fit(self, X, y) -> TorchMLPClassifier:
        """Train the network on ``X`` (n_samples, n_features) and labels ``y``."""
        import torch

        hidden = self._check_params()
        X, y = classifier_fit_inputs(self, X, y)
        seed = int(check_random_state(self.random_state).randint(np.iinfo(np.int32).max))
        gen = torch.Generator().manual_seed(seed)

        X_val = y_val = None
        n_val = math.ceil(self.validation_fraction * len(y))
        if (self.early_stopping and np.bincount(y).min() >= 2
                and len(self.classes_) <= n_val <= len(y) - len(self.classes_)):
            X, X_val, y, y_val = train_test_split(X, y, test_size=n_val, stratify=y, random_state=seed)
            X_val, y_val = torch.tensor(X_val, device=self.device), torch.tensor(y_val, device=self.device)
        X, y = torch.tensor(X, device=self.device), torch.tensor(y, device=self.device)

        # the weights are drawn on the CPU (from gen), so a GPU starts from the same network
        self.module_ = _build_module(X.shape[1], hidden, len(self.classes_), gen).to(self.device)
        weights = [p for name, p in self.module_.named_parameters() if name.endswith("weight")]
        biases = [p for name, p in self.module_.named_parameters() if name.endswith("bias")]
        groups = [{"params": weights, "weight_decay": self.alpha}, {"params": biases, "weight_decay": 0.0}]
        optimizer = torch.optim.Adam(groups, lr=self.learning_rate)
        loss_fn = torch.nn.CrossEntropyLoss()
        self.loss_curve_, self.validation_scores_ = [], None if X_val is None else []
        best, best_state, waited = math.inf, None, 0
        # leaving the loop early (early stopping) closes the bar: its generator is closed
        for epoch in progress(range(self.max_epochs), desc="TorchMLPClassifier epochs"):
            self.module_.train()
            total = 0.0
            for batch in torch.randperm(len(y), generator=gen).split(self.batch_size):
                batch = batch.to(self.device)
                optimizer.zero_grad()
                loss = loss_fn(self.module_(X[batch]), y[batch])
                loss.backward()
                optimizer.step()
                total += loss.item() * len(batch)
            self.loss_curve_.append(total / len(y))
            self.n_epochs_ = epoch + 1
            if X_val is None:
                continue
            self.module_.eval()
            with torch.no_grad():
                val_loss = loss_fn(self.module_(X_val), y_val).item()
            self.validation_scores_.append(val_loss)
            if val_loss < best:
                best, best_state, waited = val_loss, copy.deepcopy(self.module_.state_dict()), 0
            else:
                waited += 1
                if waited >= self.patience:
                    break
        if best_state is not None:
            self.module_.load_state_dict(best_state)
        self.module_.eval()
        return self

    def _logits(self, X) -> np.ndarray:
        import torch

        check_is_fitted(self)
        X = validate_data(self, X, dtype=np.float32, reset=False)
        device = next(self.module_.parameters()).device
        with torch.no_grad():
            return self.module_(torch.tensor(X, device=device)).cpu().numpy().astype(np.float64)

    def predict_proba(self, X) -> np.ndarray:
        """Probability of each class in ``classes_``, shape (n_samples, n_classes)."""
        return softmax(self._logits(X), axis=1)

    def predict(self, X) -> np.ndarray:
        """The most probable class of each sample."""
        logits = self._logits(X)  # checks first that the model is fitted
        return self.classes_[np.argmax(logits, axis=1)]
