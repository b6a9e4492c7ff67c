"""Mitigation before, during and after training, and one table to compare them.

- before: :func:`reweighing_weights` / :class:`Reweighing` (Kamiran and Calders, 2012);
- during: fairlearn's ``ExponentiatedGradient`` (use it directly) and
  :class:`AdversarialDebiasingClassifier` (Zhang, Lemoine and Mitchell, 2018) in PyTorch;
- after: :func:`biomedkit.fairness.group_thresholds`.
"""

from __future__ import annotations

import numbers

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin, MetaEstimatorMixin, clone
from sklearn.utils.validation import check_is_fitted

from biomedkit._checks import check_binary, check_int, check_scores, check_training_options, check_X_y
from biomedkit._deprecation import keyword_only_after
from biomedkit._progress import progress
from biomedkit.fairness._groups import check_groups
from biomedkit.fairness.curves import group_curves


def reweighing_weights(y, groups) -> np.ndarray:
    """Kamiran-Calders weights that make the label independent of the group.

    Each patient gets ``P(group) * P(label) / P(group, label)``: under-represented
    combinations (say, events in a group with few recorded events) count more. The
    weights have mean 1.

    Examples
    --------
    >>> w = bk.fairness.reweighing_weights(y_train, groups_train)    # doctest: +SKIP
    >>> model.fit(X_train, y_train, sample_weight=w)                  # doctest: +SKIP
    """
    return _weights(check_binary(y, "y"), groups, "groups")


def _weights(y: np.ndarray, groups, name: str) -> np.ndarray:
    g = check_groups(groups, y.size, name, n_name="y").codes
    cell = g * 2 + y
    n_cell = np.bincount(cell, minlength=2 * (g.max() + 1)).astype(float)
    if (n_cell == 0).any():
        raise ValueError("a group has only events or only non-events; reweighing needs both in each group")
    p_group = np.bincount(g) / y.size
    p_label = np.bincount(y, minlength=2) / y.size
    return p_group[g] * p_label[y] / (n_cell[cell] / y.size)


class Reweighing(MetaEstimatorMixin, ClassifierMixin, BaseEstimator):
    """Fit ``estimator`` with Kamiran-Calders weights (mitigation before training).

    ``fit(X, y, sensitive_features=groups)``; prediction does not use the groups.
    """

    def __init__(self, estimator):
        self.estimator = estimator

    def fit(self, X, y, *, sensitive_features):
        check_X_y(X, y)
        # Any two labels (0/1, 'case'/'control'): the weights only need to tell them apart.
        labels = np.asarray(y.to_numpy(dtype=object) if hasattr(y, "to_numpy") else y)
        classes = np.unique(labels)
        if classes.size != 2:
            raise ValueError(f"y must hold two classes for a binary classifier; got {classes.size}")
        weights = _weights((labels == classes[1]).astype(int), sensitive_features, "sensitive_features")
        self.estimator_ = clone(self.estimator).fit(X, y, sample_weight=weights)
        self.classes_ = self.estimator_.classes_
        return self

    def predict_proba(self, X):
        check_is_fitted(self)
        return self.estimator_.predict_proba(X)

    def predict(self, X):
        check_is_fitted(self)
        return self.estimator_.predict(X)


class AdversarialDebiasingClassifier(ClassifierMixin, BaseEstimator):
    """A neural classifier trained against an adversary that tries to recover the group.

    The predictor (one hidden layer) minimises its log loss minus ``alpha`` times the
    adversary's loss; the adversary sees the predictor's logit (and, for
    ``constraint="equalized_odds"``, the true label too) and predicts the group.
    With ``alpha=0`` it is a plain network. Full-batch Adam; inputs should be scaled.
    While it trains, a progress bar counts the epochs (``bk.show_progress(False)`` turns
    the bars off).

    Parameters
    ----------
    alpha : float, default=1.0
        Weight of the adversary; larger trades accuracy for parity.
    constraint : {"demographic_parity", "equalized_odds"}
    hidden : int, default=16
    epochs : int, default=300
    learning_rate : float, default=0.01
    adversary_steps : int, default=5
        Adversary updates per predictor update.
    random_state : int or None, default=0
        Seeds the weights (``torch.manual_seed`` inside fit); None gives a fresh seed each fit.
    device : str, default="cpu"
        "cpu", "cuda" or "mps"; results come back as numpy arrays.

    Examples
    --------
    >>> model = bk.fairness.AdversarialDebiasingClassifier(alpha=2.0, epochs=200)      # doctest: +SKIP
    >>> model.fit(X_train, y_train, sensitive_features=groups_train)                 # doctest: +SKIP
    """

    @keyword_only_after(1)
    def __init__(self, *, alpha: float = 1.0, constraint: str = "demographic_parity", hidden: int = 16,
                 epochs: int = 300, learning_rate: float = 0.01, adversary_steps: int = 5,
                 random_state: int | None = 0, device: str = "cpu"):
        self.alpha = alpha
        self.adversary_steps = adversary_steps
        self.constraint = constraint
        self.hidden = hidden
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.random_state = random_state
        self.device = device

    def _check_params(self) -> None:
        if self.constraint not in ("demographic_parity", "equalized_odds"):
            raise ValueError("constraint must be 'demographic_parity' or 'equalized_odds'; "
                             f"got {self.constraint!r}")
        alpha = self.alpha
        if not isinstance(alpha, numbers.Real) or isinstance(alpha, bool) or not np.isfinite(alpha) or alpha < 0:
            raise ValueError(f"alpha must be a finite number >= 0, e.g. 1.0; got {alpha!r}")
        check_int(self.hidden, "hidden", 1)
        check_int(self.adversary_steps, "adversary_steps", 1)
        check_training_options(epochs=self.epochs, learning_rate=self.learning_rate,
                               random_state=self.random_state, device=self.device)

    def fit(self, X, y, *, sensitive_features):
        import torch

        self._check_params()
        yy = check_X_y(X, y, binary=True)
        X = self._check_X(X, fitting=True)
        g = check_groups(sensitive_features, yy.size, "sensitive_features", n_name="y")
        self.classes_ = np.array([0, 1])
        seed = (int(np.random.default_rng().integers(2**31 - 1)) if self.random_state is None
                else int(self.random_state))
        torch.manual_seed(seed)
        dev = self.device
        xt, yt = torch.tensor(X, device=dev), torch.tensor(yy, dtype=torch.float32, device=dev)
        gt = torch.tensor(np.asarray(g.codes), dtype=torch.long, device=dev)
        self.predictor_ = torch.nn.Sequential(torch.nn.Linear(X.shape[1], self.hidden),
                                              torch.nn.ReLU(), torch.nn.Linear(self.hidden, 1)).to(dev)
        n_in = 2 if self.constraint == "equalized_odds" else 1
        adversary = torch.nn.Sequential(torch.nn.Linear(n_in, 8), torch.nn.ReLU(),
                                        torch.nn.Linear(8, len(g.categories))).to(dev)
        opt_p = torch.optim.Adam(self.predictor_.parameters(), lr=self.learning_rate)
        opt_a = torch.optim.Adam(adversary.parameters(), lr=5 * self.learning_rate)
        bce, ce = torch.nn.BCEWithLogitsLoss(), torch.nn.CrossEntropyLoss()

        def adversary_input(logit):
            return torch.stack([logit, yt], dim=1) if n_in == 2 else logit[:, None]

        for _ in progress(range(self.epochs), desc="AdversarialDebiasingClassifier epochs"):
            logit = self.predictor_(xt)[:, 0]
            # 1) the adversary learns to recover the group from the (frozen) predictor;
            #    a few steps keep it near its best, so that fooling it means hiding the
            #    group rather than flipping its guesses
            for _ in range(self.adversary_steps):
                opt_a.zero_grad()
                ce(adversary(adversary_input(logit.detach())), gt).backward()
                opt_a.step()
            # 2) the predictor fits the label while making the adversary fail
            opt_p.zero_grad()
            loss = bce(logit, yt) - self.alpha * ce(adversary(adversary_input(logit)), gt)
            loss.backward()
            opt_p.step()
        self.predictor_.eval()
        return self

    def _check_X(self, X, fitting: bool = False) -> np.ndarray:
        arr = np.asarray(X, dtype=np.float32)
        if arr.ndim != 2 or not np.isfinite(arr).all():
            raise ValueError("X must be a 2-d numeric table without NaN; impute or drop missing values")
        if fitting:
            self.n_features_in_ = arr.shape[1]
        elif arr.shape[1] != self.n_features_in_:
            raise ValueError(f"X has {arr.shape[1]} features; the model was fitted on {self.n_features_in_}")
        return arr

    def predict_proba(self, X):
        import torch

        check_is_fitted(self, "predictor_")
        device = next(self.predictor_.parameters()).device
        with torch.no_grad():
            p = torch.sigmoid(self.predictor_(torch.tensor(self._check_X(X), device=device))[:, 0]).cpu().numpy()
        return np.c_[1 - p, p].astype(float)

    def predict(self, X):
        return (self.predict_proba(X)[:, 1] >= 0.5).astype(int)


def compare(results: dict, y_true, groups, *, threshold=0.5, n_boot: int = 200,
            random_state=0) -> pd.DataFrame:
    """One table for several models or mitigations: accuracy, AUC and each disparity.

    Parameters
    ----------
    results : dict
        Name -> scores (flagged when ``>= threshold``) or 0/1 decisions (for
        example from a ThresholdPolicy's ``predict``).
    y_true, groups
        Outcomes and sensitive groups of the evaluation data.
    threshold : float or mapping, default=0.5
    n_boot : int, default=200
        Bootstrap replicates for the disparity intervals (0: none).

    Returns
    -------
    DataFrame
        One row per entry: accuracy, AUC with its DeLong 95% CI, and for each
        criterion the between-group difference with its bootstrap interval.
    """
    from biomedkit.validation import auc_ci

    if not isinstance(results, dict) or not results:
        raise ValueError("results must be a non-empty dict name -> scores")
    n = check_binary(y_true).size
    for name, scores in results.items():
        check_scores(scores, n, f"results[{name!r}]")  # before the curves, whose message says y_score
    rows = {}
    for name, scores in results.items():
        curves = group_curves(y_true, scores, groups)
        c = curves.counts(threshold)
        n = curves.positives.sum() + curves.negatives.sum()
        auc = auc_ci(y_true, scores)
        row = {"accuracy": (c["tp"].sum() + c["tn"].sum()) / n, "auc": auc.auc,
               "auc_low": auc.low, "auc_high": auc.high}
        d = curves.disparities(threshold, n_boot=n_boot, random_state=random_state)
        for criterion, r in d.iterrows():
            row[criterion] = r.difference
            if n_boot:
                row[f"{criterion}_low"], row[f"{criterion}_high"] = r.difference_low, r.difference_high
        rows[name] = row
    return pd.DataFrame.from_dict(rows, orient="index")
