"""Federated averaging (FedAvg) of a logistic regression across simulated hospitals."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from biomedkit._checks import check_binary, check_float, check_int, check_random_state, check_X_y
from biomedkit._deprecation import keyword_only_after
from biomedkit._progress import progress
from biomedkit.multisite.secure import secure_sum


@dataclass(frozen=True)
class FedAvgResult:
    """A logistic regression trained by federated averaging.

    ``coef_`` (one per feature) and ``intercept_`` are the final global model;
    ``history`` (also ``to_frame()``) has one row per round (round 0 is the starting
    point, all zeros): ``round``, ``log_loss`` (the mean log-loss over all patients of all
    sites, from the per-site losses the sites report), ``intercept`` and one column per
    feature.
    """

    coef_: np.ndarray
    intercept_: float
    history: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """The model round by round: a copy of ``history``."""
        return self.history.copy()

    def predict_risk(self, X) -> np.ndarray:
        """Predicted probabilities of the event for the rows of ``X``."""
        return expit(np.asarray(X, dtype=float) @ self.coef_ + self.intercept_)


def _check_sites(X_by_site, y_by_site):
    if isinstance(X_by_site, np.ndarray) or isinstance(X_by_site, pd.DataFrame):
        raise TypeError("X_by_site must be a sequence (list) of arrays, one per site")
    Xs, ys = list(X_by_site), list(y_by_site)
    if not Xs or len(Xs) != len(ys):
        raise ValueError(f"X_by_site and y_by_site must hold the same number (>= 1) of sites; "
                         f"got {len(Xs)} and {len(ys)}")
    names = list(Xs[0].columns) if isinstance(Xs[0], pd.DataFrame) else None
    Xs = [np.asarray(X, dtype=float) for X in Xs]
    for k, (X, y) in enumerate(zip(Xs, ys)):
        if X.ndim != 2 or X.shape[1] != Xs[0].shape[1] or X.shape[0] == 0:
            raise ValueError(f"X_by_site[{k}] must be a non-empty 2-d array with "
                             f"{Xs[0].shape[1]} columns like site 0; got shape {X.shape}")
        if not np.isfinite(X).all():
            raise ValueError(f"X_by_site[{k}] contains NaN or infinite values; impute them first")
        if np.asarray(y).shape != (X.shape[0],):
            raise ValueError(f"y_by_site[{k}] must have one value per row of X_by_site[{k}] "
                             f"({X.shape[0]}); got shape {np.shape(y)}")
        if np.asarray(y).dtype.kind not in "biuf" or not np.isin(np.asarray(y, dtype=float), (0, 1)).all():
            raise ValueError(f"y_by_site[{k}] must hold only 0 and 1 (one site may have one class)")
    ys = [np.asarray(y, dtype=float) for y in ys]
    check_binary(np.concatenate(ys), "y_by_site (all sites together)")
    return Xs, ys, names or [f"x{j}" for j in range(Xs[0].shape[1])]


def _log_loss(theta: np.ndarray, X: np.ndarray, y: np.ndarray) -> float:
    z = X @ theta[1:] + theta[0]
    return float(np.mean(np.logaddexp(0, z) - y * z))


def _local_training(theta, X, y, steps, learning_rate, batch_size, alpha, rng) -> np.ndarray:
    """``steps`` steps of (mini-batch) gradient descent on one site's penalised log-loss."""
    theta = theta.copy()
    n = y.size
    for _ in range(steps):
        if batch_size is None or batch_size >= n:
            Xb, yb = X, y
        else:
            idx = rng.choice(n, size=batch_size, replace=False)
            Xb, yb = X[idx], y[idx]
        residual = expit(Xb @ theta[1:] + theta[0]) - yb
        grad = np.r_[residual.mean(), Xb.T @ residual / yb.size + alpha * theta[1:]]
        theta -= learning_rate * grad
    return theta


def _fedavg(Xs, ys, names, *, rounds, local_steps, learning_rate, batch_size, alpha, weighting,
            secure, random_state) -> FedAvgResult:
    sizes = np.array([y.size for y in ys], dtype=float)
    weights = sizes if weighting == "n" else np.ones_like(sizes)
    rng = check_random_state(random_state)
    site_rngs = rng.spawn(len(Xs))
    mask_rng, = rng.spawn(1)  # separate stream: secure=True draws the same mini-batches
    theta = np.zeros(Xs[0].shape[1] + 1)

    def record(r):
        loss = sum(s * _log_loss(theta, X, y) for s, X, y in zip(sizes, Xs, ys)) / sizes.sum()
        return [r, loss, *theta]

    history = [record(0)]
    for r in progress(range(1, rounds + 1), desc="fedavg rounds"):
        local = [_local_training(theta, X, y, local_steps, learning_rate, batch_size, alpha, g)
                 for X, y, g in zip(Xs, ys, site_rngs)]
        # each site sends its weight and its weighted model; the server divides the sums
        messages = np.column_stack([weights, weights[:, None] * np.array(local)])
        if secure and len(Xs) > 1:
            total = secure_sum(messages, random_state=mask_rng).total
        else:
            total = messages.sum(axis=0)
        theta = total[1:] / total[0]
        history.append(record(r))
    history = pd.DataFrame(history, columns=["round", "log_loss", "intercept", *names])
    _warn_if_diverged(history["log_loss"].to_numpy(), Xs, learning_rate)
    return FedAvgResult(coef_=theta[1:].copy(), intercept_=float(theta[0]),
                        history=history.astype({"round": int}))


def _warn_if_diverged(loss: np.ndarray, Xs: list, learning_rate: float) -> None:
    """Warn when training made the model worse than where it started (all zeros: log 2).

    Gradient descent with too large a step, or on features in their raw units (a
    cholesterol in mg/dL next to a 0/1 flag), overshoots and oscillates; the result looks
    like any other fit, so the learner must be told.
    """
    if np.isfinite(loss[-1]) and loss[-1] <= loss[0]:
        return
    from sklearn.exceptions import ConvergenceWarning

    sd = np.concatenate(Xs).std(axis=0)
    hint = (f"the features are not standardised (standard deviations up to {sd.max():.3g}); "
            "scale them, e.g. with StandardScaler, and " if sd.max() > 10 else "")
    warnings.warn(f"federated training diverged: the mean log-loss went from {loss[0]:.3g} to "
                  f"{loss[-1]:.3g} over the rounds; {hint}lower learning_rate (now {learning_rate:g}). "
                  "The returned coefficients are not a usable model.", ConvergenceWarning, stacklevel=3)


def _check_fedavg_args(rounds, local_steps, learning_rate, batch_size, alpha, weighting, secure):
    check_int(rounds, "rounds", 1)
    check_int(local_steps, "local_steps", 1)
    check_float(learning_rate, "learning_rate", 0, 100, open_low=True)
    if batch_size is not None:
        check_int(batch_size, "batch_size", 1)
    check_float(alpha, "alpha", 0, np.inf, open_high=True)
    if weighting not in ("n", "equal"):
        raise ValueError(f"weighting must be 'n' (by site size) or 'equal'; got {weighting!r}")
    if not isinstance(secure, (bool, np.bool_)):
        raise TypeError(f"secure must be True or False; got {secure!r}")


def fedavg(X_by_site, y_by_site, *, rounds: int = 100, local_steps: int = 1,
           learning_rate: float = 0.5, batch_size: int | None = None, alpha: float = 0.0,
           weighting: str = "n", secure: bool = False, random_state=None) -> FedAvgResult:
    """Train a logistic regression by federated averaging (FedAvg) across sites.

    Each round, the server sends the current model to every site; each site runs
    ``local_steps`` steps of gradient descent on its own patients (full batch, or
    mini-batches of ``batch_size`` drawn without replacement) and returns its model;
    the server averages the models, weighted by site size (``weighting="n"``) or
    equally. No patient data leave a site, only model parameters; with
    ``secure=True`` the server sees only their sum (:func:`secure_sum`).

    With full batches and ``local_steps=1`` a round is exactly one gradient step on the
    pooled data, so FedAvg converges to the pooled maximum-likelihood fit. With more
    local steps on sites that differ (non-IID data) the sites drift towards their own
    optima between averages and the result can settle away from the pooled fit.

    This is a simulation for teaching, in one process; a real federation runs on a
    framework such as Flower. Standardise the features first (in a federation, with
    means and variances from a secure sum): the step size depends on their scale.

    Parameters
    ----------
    X_by_site : sequence of 2-d arrays or DataFrames, one per site
    y_by_site : sequence of 1-d arrays of 0/1, one per site
    rounds : int, default=100
        Communication rounds; a progress bar counts them while they run
        (``bk.show_progress(False)`` turns the bars off).
    local_steps : int, default=1
        Gradient steps each site takes per round.
    learning_rate : float, default=0.5
    batch_size : int or None, default=None
        None: full-batch gradient descent at each site.
    alpha : float, default=0.0
        L2 penalty on the coefficients (not the intercept), added to the mean log-loss
        as ``alpha / 2 * ||coef||**2``. It matches scikit-learn's
        ``LogisticRegression(C=1 / (alpha * n_total))`` on the pooled data.
    weighting : {"n", "equal"}, default="n"
        Average by number of patients (FedAvg) or give every site the same weight.
    secure : bool, default=False
        Aggregate by additive secret sharing; the same result within the fixed-point
        precision (about 1e-9).
    random_state : int, Generator or None
        Seeds the mini-batches and the secret shares.

    Returns
    -------
    FedAvgResult
        ``coef_``, ``intercept_`` and the ``history`` of the model, round by round.

    References
    ----------
    McMahan HB, et al. Communication-efficient learning of deep networks from
    decentralized data. AISTATS 2017, PMLR 54:1273-1282.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> Xs = [rng.normal(size=(100, 2)) for _ in range(3)]
    >>> ys = [rng.binomial(1, 0.3, 100) for _ in range(3)]
    >>> fit = bk.multisite.fedavg(Xs, ys, rounds=20, random_state=0)
    >>> fit.history.shape
    (21, 5)
    """
    _check_fedavg_args(rounds, local_steps, learning_rate, batch_size, alpha, weighting, secure)
    Xs, ys, names = _check_sites(X_by_site, y_by_site)
    return _fedavg(Xs, ys, names, rounds=rounds, local_steps=local_steps,
                   learning_rate=learning_rate, batch_size=batch_size, alpha=alpha,
                   weighting=weighting, secure=secure, random_state=random_state)


class FederatedLogisticRegression(ClassifierMixin, BaseEstimator):
    """Binary logistic regression trained by :func:`fedavg`, as a scikit-learn classifier.

    ``fit(X, y, sites=...)`` splits the rows by site and runs federated averaging; without
    ``sites`` all rows form one site (plain gradient descent). Parameters are those of
    :func:`fedavg`.

    Attributes
    ----------
    coef_ : ndarray of shape (1, n_features)
    intercept_ : ndarray of shape (1,)
    classes_ : ndarray of the two labels
    history_ : DataFrame, the model round by round

    Examples
    --------
    >>> model = make_pipeline(StandardScaler(), bk.multisite.FederatedLogisticRegression())  # doctest: +SKIP
    >>> model.fit(X, y, federatedlogisticregression__sites=site)                             # doctest: +SKIP
    """

    @keyword_only_after(1)
    def __init__(self, *, rounds: int = 100, local_steps: int = 1, learning_rate: float = 0.5,
                 batch_size: int | None = None, alpha: float = 0.0, weighting: str = "n",
                 secure: bool = False, random_state=None):
        self.rounds = rounds
        self.local_steps = local_steps
        self.learning_rate = learning_rate
        self.batch_size = batch_size
        self.alpha = alpha
        self.weighting = weighting
        self.secure = secure
        self.random_state = random_state

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_class = False
        return tags

    def fit(self, X, y, sites=None):
        from sklearn.utils.multiclass import check_classification_targets

        _check_fedavg_args(self.rounds, self.local_steps, self.learning_rate, self.batch_size,
                           self.alpha, self.weighting, self.secure)
        check_X_y(X, y)  # messages naming X or y, before scikit-learn's own
        X, y = validate_data(self, X, y)
        check_classification_targets(y)
        self.classes_ = np.unique(y)
        if self.classes_.size == 1:
            raise ValueError(f"y has only one class ({self.classes_[0]!r}); a classifier needs two")
        if self.classes_.size > 2:
            raise ValueError(f"Only binary classification is supported. y has {self.classes_.size} classes.")
        target = (y == self.classes_[1]).astype(float)
        if sites is None:
            codes = np.zeros(y.size, dtype=int)
        else:
            codes = pd.Series(np.asarray(sites))
            if codes.size != y.size or codes.isna().any():
                raise ValueError(f"sites must give a site for each of the {y.size} rows, no missing values")
            codes = pd.factorize(codes, sort=False)[0]
        groups = [codes == k for k in range(codes.max() + 1)]
        names = [f"x{j}" for j in range(X.shape[1])]
        if hasattr(self, "feature_names_in_"):
            names = list(self.feature_names_in_)
        result = _fedavg([X[g] for g in groups], [target[g] for g in groups], names,
                         rounds=self.rounds, local_steps=self.local_steps,
                         learning_rate=self.learning_rate, batch_size=self.batch_size,
                         alpha=self.alpha, weighting=self.weighting, secure=self.secure,
                         random_state=self.random_state)
        self.coef_ = result.coef_[None, :]
        self.intercept_ = np.array([result.intercept_])
        self.history_ = result.history
        return self

    def decision_function(self, X):
        check_is_fitted(self)
        X = validate_data(self, X, reset=False)
        return X @ self.coef_[0] + self.intercept_[0]

    def predict_proba(self, X):
        p = expit(self.decision_function(X))
        return np.column_stack([1 - p, p])

    def predict(self, X):
        positive = self.decision_function(X) > 0
        return self.classes_[positive.astype(int)]
