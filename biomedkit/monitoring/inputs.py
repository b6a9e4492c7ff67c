"""Drift in a model's inputs, which needs no labels: PSI, per-feature KS tests, and a
classifier that tries to tell the reference data from the current data."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_float, check_int, check_level, check_random_state
from biomedkit._groups import ordered_levels

CORRECTIONS = ("holm", "fdr_bh", None)


def _check_sample(values, name: str) -> np.ndarray:
    """A 1-d array of finite numbers, with at least one value."""
    if isinstance(values, (str, bytes)) or np.ndim(values) != 1:
        raise ValueError(f"{name} must be a one-dimensional array of numbers; got "
                         f"{'a string' if isinstance(values, (str, bytes)) else f'shape {np.shape(values)}'}")
    s = pd.Series(values)  # keeps pandas' nullable dtypes (Int64, boolean), read-only use
    if s.size == 0:
        raise ValueError(f"{name} is empty")
    if not pd.api.types.is_numeric_dtype(s):
        raise TypeError(f"{name} must hold numbers; got dtype {s.dtype}. "
                        "Monitor a categorical feature by the shares of its levels instead")
    a = s.to_numpy(dtype=float, na_value=np.nan)
    if not np.isfinite(a).all():
        raise ValueError(f"{name} contains NaN or infinite values; drop them (and monitor the "
                         "share missing on its own, as a drift in missingness is a drift too)")
    return a


def _edges(reference: np.ndarray, bins) -> np.ndarray:
    """Inner bin edges: the reference's quantiles (unique), or the edges given."""
    if isinstance(bins, (bool, np.bool_, int, np.integer)):
        b = check_int(bins, "bins", 2)
        return np.unique(np.quantile(reference, np.arange(1, b) / b))
    if isinstance(bins, (str, bytes)) or not np.ndim(bins) == 1:
        raise TypeError("bins must be an integer >= 2 (quantile bins of the reference) or a "
                        f"sequence of inner edges; got {bins!r}")
    edges = np.asarray(bins, dtype=float)
    if edges.size == 0 or not np.isfinite(edges).all() or np.any(np.diff(edges) <= 0):
        raise ValueError("bins, as a sequence, must hold strictly increasing finite inner edges; "
                         f"got {bins!r}")
    return edges


def psi_table(reference, current, *, bins=10, epsilon: float = 1e-4) -> pd.DataFrame:
    """The population stability index bin by bin (see :func:`psi`).

    Returns
    -------
    DataFrame
        One row per bin: ``low`` and ``high`` (the bin is ``low < x <= high``), ``reference``
        and ``current`` (the share of each sample in the bin, after the ``epsilon`` floor) and
        ``contribution`` ``(current - reference) * ln(current / reference)``; the PSI is the sum
        of the contributions.

    Examples
    --------
    >>> bk.monitoring.psi_table(reference_ages, current_ages)         # doctest: +SKIP
    """
    e_values = _check_sample(reference, "reference")
    a_values = _check_sample(current, "current")
    epsilon = check_float(epsilon, "epsilon", 0, 0.1, open_low=True)
    edges = _edges(e_values, bins)
    # side="left": a value equal to an edge falls in the bin below it (bins are low < x <= high)
    e = np.bincount(np.searchsorted(edges, e_values, side="left"), minlength=edges.size + 1) / e_values.size
    a = np.bincount(np.searchsorted(edges, a_values, side="left"), minlength=edges.size + 1) / a_values.size
    e, a = np.maximum(e, epsilon), np.maximum(a, epsilon)
    return pd.DataFrame({"low": np.r_[-np.inf, edges], "high": np.r_[edges, np.inf],
                         "reference": e, "current": a, "contribution": (a - e) * np.log(a / e)})


def psi(reference, current, *, bins=10, epsilon: float = 1e-4) -> float:
    """Population stability index of one feature: how far its distribution has moved.

    ``PSI = sum over bins of (a - e) * ln(a / e)``, where ``e`` is the share of the reference
    sample in a bin and ``a`` the share of the current sample. It is the symmetrised
    Kullback-Leibler divergence of the two binned distributions: 0 when the shares agree,
    larger the more they differ. A common rule of thumb (from credit scoring, not a test)
    reads below 0.1 as stable, 0.1 to 0.25 as a moderate shift and above 0.25 as a major one.
    PSI has sampling noise: with ``n`` reference and ``m`` current values in ``B`` bins and no
    change at all, it is about ``(B - 1) * (1/n + 1/m)`` on average.

    Parameters
    ----------
    reference : array-like of numbers
        The feature in the reference data (for example the development data).
    current : array-like of numbers
        The same feature in the data being monitored (for example one month).
    bins : int or sequence of float, default=10
        An integer: bins at the reference's quantiles (deciles for 10); repeated quantiles,
        as in a discrete feature, are merged, so there may be fewer bins. A sequence: the
        inner edges. Bins are ``low < x <= high``; the outer bins are open-ended, so values
        outside the reference's range still count.
    epsilon : float, default=1e-4
        A bin that is empty in one sample would make ``ln(a / e)`` infinite. Shares below
        ``epsilon`` are raised to ``epsilon`` (the other shares are not rescaled); a bin
        empty in both samples then contributes nothing.

    Returns
    -------
    float

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> round(bk.monitoring.psi(rng.normal(0, 1, 5000), rng.normal(0.5, 1, 5000)), 2)  # doctest: +SKIP
    0.27
    """
    return float(psi_table(reference, current, bins=bins, epsilon=epsilon)["contribution"].sum())


def adjust_pvalues(p_values, method: str | None = "holm") -> np.ndarray:
    """Adjusted p-values for multiple tests: Holm's (family-wise error) or Benjamini-Hochberg's
    (false discovery rate); ``None`` leaves them as they are. NaN stays NaN.

    Examples
    --------
    >>> bk.monitoring.adjust_pvalues([0.01, 0.04, 0.03], "holm")
    array([0.03, 0.06, 0.06])
    """
    if method not in CORRECTIONS:
        raise ValueError(f"correction must be 'holm', 'fdr_bh' or None; got {method!r}")
    p = np.asarray(p_values, dtype=float)
    out = p.copy()
    ok = np.isfinite(p)
    q, m = p[ok], int(ok.sum())
    if method is None or m == 0:
        return out
    order = np.argsort(q, kind="stable")
    ranked = q[order]
    if method == "holm":
        adjusted = np.maximum.accumulate((m - np.arange(m)) * ranked)
    else:  # Benjamini-Hochberg: step-up, from the largest p-value down
        adjusted = np.minimum.accumulate((m / np.arange(m, 0, -1) * ranked[::-1]))[::-1]
    result = np.empty(m)
    result[order] = np.minimum(adjusted, 1.0)
    out[ok] = result
    return out


def _check_frame(df, name: str) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame):
        raise TypeError(f"{name} must be a pandas DataFrame with one column per feature; got "
                        f"{type(df).__name__}. Wrap an array with pd.DataFrame(array, columns=[...])")
    if df.empty:
        raise ValueError(f"{name} has no rows")
    return df


def _features(reference: pd.DataFrame, current: pd.DataFrame, features) -> list:
    if features is None:
        features = [c for c in reference.columns if pd.api.types.is_numeric_dtype(reference[c])]
        if not features:
            raise ValueError("reference has no numeric columns; name the features to monitor with features=[...]")
    elif isinstance(features, str):
        features = [features]
    features = list(features)
    for name, df in (("reference", reference), ("current", current)):
        missing = [f for f in features if f not in df.columns]
        if missing:
            raise ValueError(f"{name} lacks the features {missing}; pass features= with columns both frames hold")
    return features


def _periods(current: pd.DataFrame, period):
    """The period of each current row (a column name or an array), and the periods in order."""
    if period is None:
        return None, [None]
    values = current[period] if isinstance(period, str) and period in current.columns else period
    if isinstance(values, str):
        raise ValueError(f"period must be a column of current or one value per row; "
                         f"current has no column {values!r}")
    values = pd.Series(values).reset_index(drop=True)  # by position; a categorical keeps its order
    if values.size != len(current):
        raise ValueError(f"period has {values.size} values but current has {len(current)} rows; they must match")
    if values.isna().any():
        raise ValueError("period contains missing values; give every row of current a period")
    return values.to_numpy(), ordered_levels(values)


@dataclass(frozen=True, repr=False)
class FeatureDriftResult:
    """Per-feature drift of current data from reference data (from :func:`feature_drift`).

    Attributes
    ----------
    table : DataFrame
        One row per feature (per period and feature with ``period=``): ``n`` current rows,
        ``psi``, ``smd`` (difference in means over the reference's sd), the two-sample
        Kolmogorov-Smirnov statistic ``ks`` with its ``p_value`` and ``p_adjusted`` (corrected
        across the features of one period), ``psi_flag`` (PSI at or above ``psi_alarm``),
        ``ks_flag`` (adjusted p below ``alpha``) and ``alarm`` (both: a shift that is large
        and unlikely to be chance).
    """

    table: pd.DataFrame
    correction: str | None
    alpha: float
    psi_alarm: float
    bins: object = 10

    def to_frame(self) -> pd.DataFrame:
        """The per-feature table (a copy)."""
        return self.table.copy()

    def summary(self) -> pd.DataFrame:
        """One row per period: the largest PSI and its feature, the number of alarms."""
        t = self.table.reset_index()
        key = "period" if "period" in t else None
        groups = t.groupby(key, sort=False) if key else [(None, t)]
        rows = []
        for name, g in groups:
            top = g.loc[g["psi"].idxmax()]
            rows.append({"period": name, "max_psi": top["psi"], "feature": top["feature"],
                         "n_alarms": int(g["alarm"].sum()), "alarm": bool(g["alarm"].any())})
        out = pd.DataFrame(rows)
        return out.set_index("period") if key else out.drop(columns="period")

    def __repr__(self) -> str:
        t = self.table
        alarms = t.index[t["alarm"]].tolist()
        shown = ", ".join(map(str, alarms[:6])) + (" ..." if len(alarms) > 6 else "")
        return (f"<FeatureDriftResult: {len(t)} feature checks, {len(alarms)} alarms "
                f"(PSI >= {self.psi_alarm:g} and {self.correction or 'unadjusted'} p < {self.alpha:g})"
                f"{': ' + shown if alarms else ''}>")

    def _repr_html_(self) -> str:
        return self.table.to_html(float_format=lambda v: f"{v:.3g}")


def feature_drift(reference, current, *, period=None, features=None, bins=10,
                  correction: str | None = "holm", alpha: float = 0.05,
                  psi_alarm: float = 0.25) -> FeatureDriftResult:
    """PSI and a Kolmogorov-Smirnov test for every feature, optionally period by period.

    Parameters
    ----------
    reference : DataFrame
        The reference data (for example the development data or the first months of use).
    current : DataFrame
        The data being monitored.
    period : str or array-like, optional
        A column of ``current`` or one value per row (a month, a quarter): each period is
        compared with the whole reference on its own.
    features : list of str, optional
        Columns to check; by default every numeric column of ``reference``.
    bins : int or sequence, default=10
        Passed to :func:`psi`.
    correction : {"holm", "fdr_bh", None}, default="holm"
        Multiplicity correction of the KS p-values across the features of one period:
        Holm's controls the chance of any false alarm among them, Benjamini-Hochberg's
        the expected share of false alarms. (Periods are not corrected for: over many
        periods, some alarms are false; count them on stable data before trusting one.)
    alpha : float, default=0.05
        Level for the adjusted p-values.
    psi_alarm : float, default=0.25
        PSI at or above which a shift counts as large.

    Returns
    -------
    FeatureDriftResult
        ``.table`` per feature (and period), ``.summary()`` per period.

    Notes
    -----
    The KS test is ``scipy.stats.ks_2samp`` (two-sided, exact or asymptotic as scipy
    chooses). With thousands of rows it finds shifts too small to matter, and with a few
    dozen it misses large ones; hence an alarm needs both a large PSI and a small p-value.

    Examples
    --------
    >>> drift = bk.monitoring.feature_drift(development[features], deployed[features + ["month"]],
    ...                                     period="month", features=features)   # doctest: +SKIP
    >>> drift.summary()                                                         # doctest: +SKIP
    """
    from scipy.stats import ks_2samp

    reference = _check_frame(reference, "reference")
    current = _check_frame(current, "current")
    features = _features(reference, current, features)
    if correction not in CORRECTIONS:
        raise ValueError(f"correction must be 'holm', 'fdr_bh' or None; got {correction!r}")
    alpha = check_float(alpha, "alpha", 0, 1, open_low=True, open_high=True)
    psi_alarm = check_float(psi_alarm, "psi_alarm", 0, 10, open_low=True)
    ref = {f: _check_sample(reference[f], f"reference[{f!r}]") for f in features}
    _edges(np.zeros(1), bins)  # checks bins once, up front
    labels, periods = _periods(current, period)
    rows = []
    for name in periods:
        part = current if name is None else current[labels == name]
        block = []
        for f in features:
            cur = _check_sample(part[f], f"current[{f!r}]")
            ks = ks_2samp(ref[f], cur)
            sd = ref[f].std(ddof=1) if ref[f].size > 1 else np.nan
            block.append({"period": name, "feature": f, "n": cur.size,
                          "psi": psi(ref[f], cur, bins=bins),
                          "smd": (cur.mean() - ref[f].mean()) / sd if sd > 0 else np.nan,
                          "ks": float(ks.statistic), "p_value": float(ks.pvalue)})
        adjusted = adjust_pvalues([r["p_value"] for r in block], correction)
        for r, q in zip(block, adjusted):
            r["p_adjusted"] = float(q)
        rows.extend(block)
    table = pd.DataFrame(rows)
    table["psi_flag"] = table["psi"] >= psi_alarm
    table["ks_flag"] = table["p_adjusted"] < alpha
    table["alarm"] = table["psi_flag"] & table["ks_flag"]
    table = table.set_index(["period", "feature"]) if period is not None else \
        table.drop(columns="period").set_index("feature")
    return FeatureDriftResult(table=table, correction=correction, alpha=alpha, psi_alarm=psi_alarm, bins=bins)


@dataclass(frozen=True, repr=False)
class ClassifierTestResult:
    """A classifier two-sample test (from :func:`classifier_test`).

    ``auc`` is the cross-validated AUC of a classifier that tells current rows from reference
    rows: 0.5 when it cannot (no detectable drift), towards 1 the more the data have moved.
    ``low`` and ``high`` are its DeLong interval; ``p_value`` tests AUC = 0.5 against
    AUC > 0.5. ``importance`` ranks the features by how much the AUC falls when each one is
    shuffled in the out-of-fold rows (which features moved).
    """

    auc: float
    low: float
    high: float
    p_value: float
    method: str
    n_reference: int
    n_current: int
    level: float
    importance: pd.Series

    def to_frame(self) -> pd.DataFrame:
        """One row: the AUC, its interval, the p-value and the sample sizes."""
        return pd.DataFrame([{"auc": self.auc, "low": self.low, "high": self.high,
                              "p_value": self.p_value, "n_reference": self.n_reference,
                              "n_current": self.n_current, "method": self.method}])

    def __repr__(self) -> str:
        top = ", ".join(f"{k} {v:+.3f}" for k, v in self.importance.head(3).items())
        return (f"Classifier two-sample test: AUC {self.auc:.3f} ({self.level:.0%} CI {self.low:.3f} "
                f"to {self.high:.3f}), p = {self.p_value:.3g} ({self.method}); "
                f"{self.n_reference} reference vs {self.n_current} current rows; "
                f"AUC lost without each feature: {top}")


def _oof_scores(X: np.ndarray, member: np.ndarray, model, cv: int, seed: int) -> tuple[np.ndarray, list]:
    """Out-of-fold probabilities of 'current', and the fitted fold models with their rows."""
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold

    scores = np.empty(member.size)
    fitted = []
    for train, test in StratifiedKFold(cv, shuffle=True, random_state=seed).split(X, member):
        fold_model = clone(model).fit(X[train], member[train])
        scores[test] = fold_model.predict_proba(X[test])[:, 1]
        fitted.append((fold_model, test))
    return scores, fitted


def classifier_test(reference, current, *, features=None, model=None, cv: int = 5,
                    n_permutations: int = 0, level: float = 0.95,
                    random_state=None) -> ClassifierTestResult:
    """Can a classifier tell the current data from the reference data?

    Reference rows are labelled 0 and current rows 1; a classifier is trained and scored by
    ``cv``-fold cross-validation, and the AUC of its out-of-fold scores measures how
    separable the two samples are. Unlike per-feature tests, it sees changes in the joint
    distribution (a new combination of values that no single feature shows) and asks one
    question instead of one per feature.

    Parameters
    ----------
    reference, current : DataFrame
        The two samples, with the same feature columns.
    features : list of str, optional
        Columns to use; by default every numeric column of ``reference``.
    model : classifier, optional
        Any scikit-learn classifier with ``predict_proba``; by default a standardised
        logistic regression (fast; sees shifts in means). A tree ensemble also sees changes
        in spread and interactions, at more cost.
    cv : int, default=5
        Folds of the stratified cross-validation.
    n_permutations : int, default=0
        0: the p-value is the one-sided Mann-Whitney test of the out-of-fold scores (current
        above reference), which is fast and close to exact with hundreds of rows. More:
        a permutation test that shuffles the sample labels and repeats the whole
        cross-validation ``n_permutations`` times; its p-value,
        ``(1 + #{permuted AUC >= AUC}) / (1 + n_permutations)``, is valid at any size.
    level : float, default=0.95
        Level of the DeLong interval of the AUC.
    random_state : int, Generator or None
        Seeds the folds, the permutations and the shuffles of the importance.

    Returns
    -------
    ClassifierTestResult

    References
    ----------
    Lopez-Paz D, Oquab M. Revisiting classifier two-sample tests. ICLR (2017).

    Examples
    --------
    >>> bk.monitoring.classifier_test(development[features], month_30[features], random_state=0)  # doctest: +SKIP
    """
    from scipy.stats import mannwhitneyu
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    from biomedkit.validation import auc_ci

    reference = _check_frame(reference, "reference")
    current = _check_frame(current, "current")
    features = _features(reference, current, features)
    cv = check_int(cv, "cv", 2)
    n_permutations = check_int(n_permutations, "n_permutations", 0)
    level = check_level(level)
    rng = check_random_state(random_state)
    if min(len(reference), len(current)) < cv:
        raise ValueError(f"each sample needs at least cv={cv} rows; got {len(reference)} reference "
                         f"and {len(current)} current rows")
    if model is None:
        # Newton's method: a few exact steps, many times faster than L-BFGS for a few features
        model = make_pipeline(StandardScaler(), LogisticRegression(solver="newton-cholesky"))
    elif not hasattr(model, "fit") or not hasattr(model, "predict_proba"):
        raise TypeError("model must be a scikit-learn classifier with fit and predict_proba; "
                        f"got {type(model).__name__}")
    X = np.vstack([np.column_stack([_check_sample(df[f], f"{name}[{f!r}]") for f in features])
                   for name, df in (("reference", reference), ("current", current))])
    member = np.r_[np.zeros(len(reference), int), np.ones(len(current), int)]
    seed = int(rng.integers(2**31 - 1))
    scores, fitted = _oof_scores(X, member, model, cv, seed)
    result = auc_ci(member, scores, level=level)
    if n_permutations:
        exceed = 0
        for _ in range(n_permutations):
            shuffled = rng.permutation(member)
            perm_scores, _ = _oof_scores(X, shuffled, model, cv, int(rng.integers(2**31 - 1)))
            exceed += auc_ci(shuffled, perm_scores).auc >= result.auc
        p_value, method = (1 + exceed) / (1 + n_permutations), f"permutation, {n_permutations} shuffles"
    else:
        p_value = mannwhitneyu(scores[member == 1], scores[member == 0], alternative="greater").pvalue
        method = "Mann-Whitney, out-of-fold scores"
    importance = _importance(X, member, fitted, features, result.auc, rng)
    return ClassifierTestResult(auc=result.auc, low=result.low, high=result.high, p_value=float(p_value),
                                method=method, n_reference=len(reference), n_current=len(current),
                                level=level, importance=importance)


def _importance(X, member, fitted, features, auc, rng) -> pd.Series:
    """AUC lost when one feature is shuffled in each fold's held-out rows (the fold models
    are not refitted), largest first."""
    from biomedkit.validation import auc_ci

    lost = {}
    for j, name in enumerate(features):
        scores = np.empty(member.size)
        for fold_model, test in fitted:
            Xt = X[test].copy()
            Xt[:, j] = rng.permutation(Xt[:, j])
            scores[test] = fold_model.predict_proba(Xt)[:, 1]
        lost[name] = auc - auc_ci(member, scores).auc
    return pd.Series(lost, name="auc_lost").sort_values(ascending=False)
