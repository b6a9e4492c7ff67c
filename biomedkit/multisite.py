"""Several sites, one model: leave-one-site-out validation, federated averaging of a
logistic regression, and secure aggregation by additive secret sharing.

The federated part is a small in-notebook simulation for teaching: every "hospital" is
a NumPy array in the same process. Real deployments use a framework that handles the
network, failures, authentication and the cryptography (for example Flower), and a
vetted secure-aggregation protocol.

Examples
--------
>>> import biomedkit as bk
>>> table = bk.multisite.leave_one_site_out(model, X, y, sites)          # doctest: +SKIP
>>> fit = bk.multisite.fedavg(X_by_site, y_by_site, rounds=50)           # doctest: +SKIP
>>> bk.multisite.secure_sum([update_a, update_b, update_c]).total        # doctest: +SKIP
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.special import expit
from scipy.stats import norm
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from biomedkit.simulate._common import check_float, check_int
from biomedkit.validation._checks import check_binary, check_level
from biomedkit.validation.external import _ordered_levels, external_validation, random_effects

__all__ = ["FedAvgResult", "FederatedLogisticRegression", "SecureSum", "fedavg",
           "leave_one_site_out", "pool_sites", "reconstruct", "secret_shares", "secure_sum"]

POOLED = "pooled (random effects)"  # label of the summary row of leave_one_site_out
_MEASURES = ("auc", "brier", "citl", "slope")


# --------------------------------------------------------------------------------------
# Leave-one-site-out validation
# --------------------------------------------------------------------------------------

def _check_measures(scoring) -> list[str]:
    measures = [scoring] if isinstance(scoring, str) else list(scoring)
    unknown = [m for m in measures if m not in _MEASURES]
    if unknown or not measures:
        raise ValueError(f"scoring must name measures among {_MEASURES}; unknown: {unknown}")
    return measures


def leave_one_site_out(estimator, X, y, sites, *, scoring=_MEASURES, level: float = 0.95,
                       n_jobs: int | None = 1) -> pd.DataFrame:
    """Fit on all sites but one, validate on the one left out, for every site.

    Each held-out site plays the part of a new hospital: the model (a clone of
    ``estimator``, refitted from scratch; scikit-learn's ``LeaveOneGroupOut``) has never
    seen its patients. The site rows come from
    :func:`biomedkit.validation.external_validation` on these out-of-site predictions,
    and a last row pools the sites by random-effects meta-analysis
    (:func:`biomedkit.validation.random_effects`).

    Parameters
    ----------
    estimator : scikit-learn classifier with ``predict_proba``
        Put every preprocessing step inside it (a Pipeline).
    X : array-like or DataFrame of shape (n_patients, n_features)
    y : array-like of 0/1
    sites : array-like of length n_patients
        The site (hospital, lab, study) of each patient. The order of a categorical
        is kept; other labels are sorted.
    scoring : sequence of {"auc", "brier", "citl", "slope"}
        The measures reported with their intervals and pooled.
    level : float, default=0.95
        Level of every interval.
    n_jobs : int or None, default=1
        Sites fitted in parallel (joblib).

    Returns
    -------
    DataFrame
        Indexed by ``site``: one row per held-out site, then the row
        ``"pooled (random effects)"``. Columns ``n``, ``events``, ``observed_rate``,
        ``mean_predicted``; for each measure its value, ``_low``, ``_high`` and ``_se``
        (DeLong for the AUC, Wald for calibration-in-the-large and slope, the standard
        error of a mean for the Brier score); and a ``note``. The pooled row has the
        random-effects estimate and its confidence interval (AUCs pooled on the logit
        scale); :func:`pool_sites` of the table adds prediction intervals and the
        heterogeneity.

    Warns
    -----
    UserWarning
        When a held-out site has a single outcome class: its AUC and calibration are
        NaN (no events, or no non-events, to compare) and it is left out of the pooling.

    Examples
    --------
    >>> data, _ = bk.simulate.cohort(n=2000, n_sites=4, random_state=0)
    >>> X = data.X[["age", "sbp", "smoker", "diabetes"]]
    >>> model = make_pipeline(StandardScaler(), LogisticRegression())     # doctest: +SKIP
    >>> bk.multisite.leave_one_site_out(model, X, data.y, data.frame["site"])  # doctest: +SKIP
    """
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict

    y = check_binary(y, "y")
    n_rows = X.shape[0] if hasattr(X, "shape") else len(X)
    if n_rows != y.size:
        raise ValueError(f"X has {n_rows} rows but y has {y.size} values; they must match")
    site_values = pd.Series(np.asarray(sites))
    if site_values.size != y.size:
        raise ValueError(f"sites has {site_values.size} values but y has {y.size}; they must match")
    if site_values.isna().any():
        raise ValueError("sites contains missing values; give every patient a site")
    measures = _check_measures(scoring)
    level = check_level(level)
    levels = _ordered_levels(sites)
    if len(levels) < 2:
        raise ValueError(f"sites has a single site ({levels[0]!r}); leave-one-site-out needs at "
                         "least 2 sites (and 3 for a useful pooled summary)")
    codes = pd.Categorical(site_values, categories=levels)
    for site in levels:
        rest = y[(codes != site)]
        if rest.min() == rest.max():
            raise ValueError(f"sites: without {site!r} the other sites have a single outcome "
                             "class; no model can be trained to predict the held-out site")

    risk = cross_val_predict(estimator, X, y, groups=codes.codes, cv=LeaveOneGroupOut(),
                             method="predict_proba", n_jobs=n_jobs)[:, 1]
    table = external_validation(y, risk, codes, level=level).drop(index="all validation")
    table.index.name = "site"
    z = norm.ppf(0.5 + level / 2)
    out = table[["n", "events", "observed_rate", "mean_predicted"]].copy()
    for m in measures:
        if m == "brier":
            sq = (risk - y) ** 2
            se = pd.Series({s: sq[codes == s].std(ddof=1) / np.sqrt((codes == s).sum()) for s in levels})
            out["brier"], out["brier_se"] = table["brier"], se
            out["brier_low"] = np.maximum(0.0, out["brier"] - z * se)
            out["brier_high"] = out["brier"] + z * se
        elif m in table:
            out[m], out[f"{m}_low"], out[f"{m}_high"] = table[m], table[f"{m}_low"], table[f"{m}_high"]
            # the Wald limits are estimate +- z se; the AUC's are clipped, so use its own se
            wald_se = (table[f"{m}_high"] - table[f"{m}_low"]) / (2 * z)
            out[f"{m}_se"] = table["auc_se"] if m == "auc" else wald_se
        else:  # every held-out site has a single class
            out[[m, f"{m}_low", f"{m}_high", f"{m}_se"]] = np.nan
    out = out[["n", "events", "observed_rate", "mean_predicted",
               *[f"{m}{s}" for m in measures for s in ("", "_low", "_high", "_se")]]]
    out["note"] = table["note"].fillna("")
    single = out.index[out["note"] != ""].tolist()
    if single:
        warnings.warn(f"sites {single} have a single outcome class: their AUC and calibration are "
                      "NaN and they are left out of the pooled summary", UserWarning, stacklevel=2)

    pooled = pool_sites(out, level)
    row = {"n": out["n"].sum(), "events": out["events"].sum(),
           "observed_rate": out["events"].sum() / out["n"].sum(), "mean_predicted": risk.mean(),
           "note": "DerSimonian-Laird; pool_sites(table) adds prediction intervals"}
    for m in measures:
        if m in pooled.index:
            row.update({m: pooled.loc[m, "pooled"], f"{m}_low": pooled.loc[m, "low"],
                        f"{m}_high": pooled.loc[m, "high"]})
    out.loc[POOLED] = pd.Series(row)
    return out.astype({"n": int, "events": int})


def pool_sites(table: pd.DataFrame, level: float = 0.95) -> pd.DataFrame:
    """Random-effects summary of each measure of a :func:`leave_one_site_out` table.

    Parameters
    ----------
    table : DataFrame
        The result of ``leave_one_site_out`` (its pooled row is ignored), or any table
        with one row per site and, for each measure, a column and its ``_se`` column.
    level : float, default=0.95

    Returns
    -------
    DataFrame
        One row per measure pooled from at least 2 sites: ``pooled``, ``low``, ``high``
        (confidence interval of the mean), ``prediction_low``, ``prediction_high`` (where
        the measure of a new site is expected to fall), ``tau2``, ``i2``,
        ``p_heterogeneity`` and ``k`` (sites pooled). AUCs are pooled on the logit
        scale (Debray et al. 2017) unless a site's AUC is exactly 0 or 1.

    References
    ----------
    Debray TPA, et al. A guide to systematic review and meta-analysis of prediction
    model performance. BMJ 356:i6460 (2017).

    Examples
    --------
    >>> bk.multisite.pool_sites(table).loc["auc", ["prediction_low", "prediction_high"]]  # doctest: +SKIP
    """
    level = check_level(level)
    sites = table.drop(index=POOLED, errors="ignore")
    rows = {}
    for m in _MEASURES:
        if m not in sites or f"{m}_se" not in sites:
            continue
        est, se = sites[m].to_numpy(float), sites[f"{m}_se"].to_numpy(float)
        ok = np.isfinite(est) & np.isfinite(se) & (se > 0)
        if ok.sum() < 2:
            continue
        scale = "logit" if m == "auc" and ((est[ok] > 0) & (est[ok] < 1)).all() else "identity"
        meta = random_effects(est[ok], se[ok] ** 2, level=level, scale=scale)
        rows[m] = {"pooled": meta.pooled, "low": meta.low, "high": meta.high,
                   "prediction_low": meta.prediction_low, "prediction_high": meta.prediction_high,
                   "tau2": meta.tau2, "i2": meta.i2, "p_heterogeneity": meta.p_heterogeneity, "k": meta.k}
    out = pd.DataFrame.from_dict(rows, orient="index",
                                 columns=["pooled", "low", "high", "prediction_low", "prediction_high",
                                          "tau2", "i2", "p_heterogeneity", "k"])
    out.index.name = "measure"
    return out


# --------------------------------------------------------------------------------------
# Secure aggregation by additive secret sharing
# --------------------------------------------------------------------------------------

FRACTION_BITS = 32          # fixed point: a real x is stored as round(x * 2**32) ...
_SCALE = 2.0 ** FRACTION_BITS
_LIMIT = 2.0 ** 30          # ... in the ring of integers modulo 2**64 (with room for sums)


def _encode(x: np.ndarray) -> np.ndarray:
    if not np.isfinite(x).all():
        raise ValueError("updates contain NaN or infinite values; only finite numbers can be shared")
    if np.abs(x).max(initial=0) >= _LIMIT:
        raise ValueError(f"updates must lie within +-2**30 (about 1.07e9) for the fixed-point "
                         f"encoding; got a value of {np.abs(x).max():.3g}. Rescale them first.")
    return np.ascontiguousarray(np.rint(x * _SCALE).astype(np.int64)).view(np.uint64)


def _decode(u: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(u, dtype=np.uint64).view(np.int64) / _SCALE


def _uniform_ring(rng: np.random.Generator, shape) -> np.ndarray:
    return rng.integers(0, 2**64, size=shape, dtype=np.uint64)


def secret_shares(vector, n_shares: int, random_state=None) -> np.ndarray:
    """Split a vector into additive secret shares modulo 2**64.

    The vector is encoded in fixed point (``round(x * 2**32)``, so a precision of about
    2.3e-10), then ``n_shares - 1`` shares are drawn uniformly from the integers modulo
    2**64 and the last is the encoding minus their sum. Any ``n_shares - 1`` of the
    shares are uniform and independent of the vector: only all of them together reveal
    it (:func:`reconstruct`).

    Parameters
    ----------
    vector : array-like of float, 1-d
        Values with absolute value below 2**30.
    n_shares : int >= 2
    random_state : int, Generator or None

    Returns
    -------
    ndarray of uint64, shape (n_shares, len(vector))

    References
    ----------
    Shamir A. How to share a secret. Commun ACM 22:612-613 (1979) (the additive
    n-out-of-n scheme is its simplest case).

    Examples
    --------
    >>> shares = bk.multisite.secret_shares([0.25, -3.0], n_shares=3, random_state=0)
    >>> bk.multisite.reconstruct(shares)
    array([ 0.25, -3.  ])
    """
    x = np.asarray(vector, dtype=float)
    if x.ndim != 1:
        raise ValueError(f"vector must be one-dimensional; got shape {x.shape}")
    n_shares = check_int(n_shares, "n_shares", 2)
    rng = np.random.default_rng(random_state)
    masks = _uniform_ring(rng, (n_shares - 1, x.size))
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64 wraps by design
        last = _encode(x) - masks.sum(axis=0, dtype=np.uint64)
    return np.vstack([masks, last[None, :]])


def reconstruct(shares) -> np.ndarray:
    """The vector whose additive shares (rows of ``shares``, uint64) are given."""
    s = np.asarray(shares)
    if s.dtype != np.uint64 or s.ndim != 2:
        raise ValueError("shares must be a 2-d uint64 array, one share per row, as made by secret_shares")
    return _decode(s.sum(axis=0, dtype=np.uint64))


@dataclass(frozen=True)
class SecureSum:
    """The outcome of :func:`secure_sum`.

    ``total`` is the decoded sum of the updates. ``messages`` (uint64, one row per site)
    is everything the server received: site ``j``'s row is the sum of the ``j``-th
    shares of all sites, a uniformly random element of the ring whatever the updates.
    """

    total: np.ndarray
    messages: np.ndarray


def secure_sum(updates, random_state=None) -> SecureSum:
    """Sum the sites' update vectors so that the server never sees any update alone.

    The protocol, simulated: every site splits its update into one additive secret
    share per site (:func:`secret_shares`) and sends share ``j`` to site ``j``; each site
    adds the shares it received and sends only that sum to the server; the server adds
    the sites' messages and decodes the total.

    What it protects, and what not: the server (curious but following the protocol)
    learns the total and nothing else, and a single site learns nothing from the shares
    it receives. It does not protect against a server that colludes with sites, against
    what the total itself reveals (with two sites, each can subtract its own update from
    the total), nor does it survive a site dropping out mid-round. Production protocols
    (Bonawitz et al. 2017, as in Flower's SecAgg+) use pairwise masks from key agreement
    and handle dropouts.

    Parameters
    ----------
    updates : sequence of 1-d array-like, or 2-d array (one row per site)
        At least 2 sites, vectors of equal length with values below 2**30 in absolute
        value (fixed-point encoding with 32 fractional bits).
    random_state : int, Generator or None

    Returns
    -------
    SecureSum
        ``total`` (float, equal to the plain sum within about ``n_sites * 2.3e-10``) and
        the ``messages`` the server saw.

    References
    ----------
    Bonawitz K, et al. Practical secure aggregation for privacy-preserving machine
    learning. ACM CCS 2017: 1175-1191.

    Examples
    --------
    >>> result = bk.multisite.secure_sum([[1.0, 2.0], [0.5, -1.0], [2.0, 0.25]], random_state=0)
    >>> result.total
    array([3.5 , 1.25])
    """
    try:
        u = np.asarray(updates, dtype=float)
    except ValueError as err:
        raise ValueError("updates must be vectors of equal length, one per site") from err
    if u.ndim != 2 or u.shape[0] < 2:
        raise ValueError(f"updates must hold at least 2 sites' vectors (a 2-d array, one row per "
                         f"site); got shape {u.shape}")
    if np.abs(u).sum(axis=0).max() >= 2 * _LIMIT:
        raise ValueError("updates: the sum of the absolute values is too large for the "
                         "fixed-point encoding (limit 2**31); rescale the updates first")
    rng = np.random.default_rng(random_state)
    n_sites = u.shape[0]
    shares = np.stack([secret_shares(row, n_sites, rng) for row in u])  # [sender, receiver, :]
    messages = shares.sum(axis=0, dtype=np.uint64)       # each receiver adds what it got
    total = _decode(messages.sum(axis=0, dtype=np.uint64))  # the server adds the messages
    return SecureSum(total=total, messages=messages)


# --------------------------------------------------------------------------------------
# Federated averaging of a logistic regression
# --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class FedAvgResult:
    """A logistic regression trained by federated averaging.

    ``coef_`` (one per feature) and ``intercept_`` are the final global model;
    ``history`` has one row per round (round 0 is the starting point, all zeros):
    ``round``, ``log_loss`` (the mean log-loss over all patients of all sites, from the
    per-site losses the sites report), ``intercept`` and one column per feature.
    """

    coef_: np.ndarray
    intercept_: float
    history: pd.DataFrame

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
    rng = np.random.default_rng(random_state)
    site_rngs = rng.spawn(len(Xs))
    mask_rng, = rng.spawn(1)  # separate stream: secure=True draws the same mini-batches
    theta = np.zeros(Xs[0].shape[1] + 1)

    def record(r):
        loss = sum(s * _log_loss(theta, X, y) for s, X, y in zip(sizes, Xs, ys)) / sizes.sum()
        return [r, loss, *theta]

    history = [record(0)]
    for r in range(1, rounds + 1):
        local = [_local_training(theta, X, y, local_steps, learning_rate, batch_size, alpha, g)
                 for X, y, g in zip(Xs, ys, site_rngs)]
        # each site sends its weight and its weighted model; the server divides the sums
        messages = np.column_stack([weights, weights[:, None] * np.array(local)])
        total = secure_sum(messages, mask_rng).total if secure and len(Xs) > 1 else messages.sum(axis=0)
        theta = total[1:] / total[0]
        history.append(record(r))
    history = pd.DataFrame(history, columns=["round", "log_loss", "intercept", *names])
    return FedAvgResult(coef_=theta[1:].copy(), intercept_=float(theta[0]),
                        history=history.astype({"round": int}))


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
        Communication rounds.
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

    def __init__(self, rounds: int = 100, local_steps: int = 1, learning_rate: float = 0.5,
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
