"""Checks of a weighting analysis: propensities and weights (positivity), the effective
sample size, and covariate balance before and after weighting.

None of them can show that confounding is gone: they show whether the *measured* confounders
are balanced and whether the weights rest on enough comparable people.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit.causal import _models
from biomedkit.causal._inputs import check_bool, check_truncate, column_list, prepare


@_models.single_threaded
def propensity_score(data, *, treatment: str, confounders) -> pd.Series:
    """Each person's probability of treatment given the confounders (logistic regression).

    Parameters
    ----------
    data : DataFrame or Dataset
    treatment : str
        A column of 0 (untreated) and 1 (treated).
    confounders : list of str
        Numeric columns, used as given (build squared terms and dummies before).

    Returns
    -------
    Series
        Named ``"propensity"``, with the table's index.

    Examples
    --------
    >>> ps = bk.causal.propensity_score(frame, treatment="qsmk", confounders=["age", "sex"])  # doctest: +SKIP
    """
    confounders = column_list(confounders, "confounders")
    prep = prepare(data, treatment=treatment, confounder_sets={"confounders": confounders})
    ps = _models.propensity(_models.design(prep.columns, confounders, prep.a.size), prep.a)
    return pd.Series(ps, index=prep.index, name="propensity")


@_models.single_threaded
def ip_weights(data, *, treatment: str, confounders, stabilized: bool = True,
               truncate: float | None = None) -> pd.Series:
    """Inverse-probability weights, as :func:`biomedkit.causal.ipw` uses them.

    Parameters
    ----------
    data : DataFrame or Dataset
    treatment : str
    confounders : list of str
    stabilized : bool, default=True
        P(A=a) / P(A=a | L) instead of 1 / P(A=a | L).
    truncate : float, optional
        In (0.5, 1): cap the weights at this quantile and floor them at ``1 - truncate``.

    Returns
    -------
    Series
        Named ``"weight"``, with the table's index.

    Examples
    --------
    >>> w = bk.causal.ip_weights(frame, treatment="qsmk", confounders=["age", "sex"])  # doctest: +SKIP
    """
    stabilized, truncate = check_bool(stabilized, "stabilized"), check_truncate(truncate)
    ps = propensity_score(data, treatment=treatment, confounders=confounders)
    a = prepare(data, treatment=treatment, confounder_sets={}).a
    w = _models.weights(a, ps.to_numpy(), stabilized=stabilized, truncate=truncate)
    return pd.Series(w, index=ps.index, name="weight")


def effective_sample_size(weights) -> float:
    """Kish's effective sample size of weighted data, (sum w)^2 / sum w^2.

    Equal weights give the number of people; a few large weights bring it down towards the
    number of people who carry them.

    Parameters
    ----------
    weights : array-like of non-negative numbers

    Returns
    -------
    float

    Examples
    --------
    >>> bk.causal.effective_sample_size([1, 1, 1, 1])
    4.0
    >>> bk.causal.effective_sample_size([1, 1, 1, 5])   # (8 ** 2) / 28
    2.2857142857142856
    """
    w = np.asarray(weights)
    if w.ndim != 1 or w.size == 0:
        raise ValueError(f"weights must be a non-empty one-dimensional array; got shape {w.shape}")
    if w.dtype.kind not in "iufb":
        raise TypeError(f"weights must be numeric; got dtype {w.dtype}")
    w = w.astype(float)
    if not np.isfinite(w).all() or (w < 0).any() or w.sum() == 0:
        raise ValueError("weights must be finite, non-negative and not all zero")
    return float(w.sum() ** 2 / (w**2).sum())


@dataclass(frozen=True, repr=False)
class OverlapResult:
    """Propensities and weights by treatment group (from :func:`overlap`).

    Attributes
    ----------
    propensity : Series
        Each person's probability of treatment given the confounders.
    weights : Series
        Each person's inverse-probability weight.
    treated : Series of bool
    treatment : str
    """

    propensity: pd.Series
    weights: pd.Series
    treated: pd.Series
    treatment: str

    def to_frame(self) -> pd.DataFrame:
        """One row per group (treated, untreated, all): n, the range and median of the
        propensity, the weights' range and mean, and the effective sample size."""
        rows = {}
        for name, mask in (("treated", self.treated), ("untreated", ~self.treated),
                           ("all", pd.Series(True, index=self.treated.index))):
            ps, w = self.propensity[mask], self.weights[mask]
            ess = effective_sample_size(w)
            rows[name] = {"n": int(mask.sum()), "propensity min": ps.min(), "propensity median": ps.median(),
                          "propensity max": ps.max(), "weight min": w.min(), "weight mean": w.mean(),
                          "weight max": w.max(), "ESS": ess, "ESS share": ess / mask.sum()}
        return pd.DataFrame(rows).T.astype({"n": int})

    def plot(self, *, ax=None, bins: int = 30):
        """Propensity distributions of the two groups, mirrored (see :func:`plot_overlap`)."""
        from biomedkit.causal.plots import plot_overlap

        return plot_overlap(self, ax=ax, bins=bins)

    def __str__(self) -> str:
        t = self.to_frame()
        return (f"Overlap of {self.treatment}: propensity {t.loc['treated', 'propensity min']:.3f} to "
                f"{t.loc['treated', 'propensity max']:.3f} among the treated, "
                f"{t.loc['untreated', 'propensity min']:.3f} to {t.loc['untreated', 'propensity max']:.3f} "
                f"among the untreated; largest weight {t.loc['all', 'weight max']:.3g}; effective "
                f"sample size {t.loc['all', 'ESS']:.0f} of {t.loc['all', 'n']}")

    __repr__ = __str__


@_models.single_threaded
def overlap(data, *, treatment: str, confounders, stabilized: bool = True,
            truncate: float | None = None) -> OverlapResult:
    """Propensities and weights by treatment group: the positivity check of a weighting analysis.

    Propensities near 0 among the treated, or near 1 among the untreated, mean that few
    comparable people received the other treatment; their weights are large, a handful of
    people then carry the estimate, and the effective sample size falls.

    Parameters
    ----------
    data : DataFrame or Dataset
    treatment : str
    confounders : list of str
    stabilized : bool, default=True
    truncate : float, optional
        As in :func:`ip_weights`.

    Returns
    -------
    OverlapResult
        ``to_frame()`` summarises each group; ``plot()`` draws the propensities.

    Examples
    --------
    >>> check = bk.causal.overlap(frame, treatment="qsmk", confounders=["age", "sex"])  # doctest: +SKIP
    >>> check.to_frame(); check.plot()                                   # doctest: +SKIP
    """
    ps = propensity_score(data, treatment=treatment, confounders=confounders)
    w = ip_weights(data, treatment=treatment, confounders=confounders, stabilized=stabilized,
                   truncate=truncate)
    a = prepare(data, treatment=treatment, confounder_sets={}).a
    return OverlapResult(propensity=ps, weights=w, treated=pd.Series(a == 1, index=ps.index, name="treated"),
                         treatment=treatment)


@dataclass(frozen=True, repr=False)
class BalanceResult:
    """Standardised mean differences before and after weighting (from :func:`balance`).

    Attributes
    ----------
    table : DataFrame
        One row per confounder: the means of each group, unweighted and weighted, and the
        standardised mean differences ``smd`` (unweighted) and ``smd weighted``.
    weights : str
        Which weights were used.
    """

    table: pd.DataFrame
    weights: str

    @property
    def max_smd(self) -> float:
        """Largest absolute SMD before weighting."""
        return float(self.table["smd"].abs().max())

    @property
    def max_smd_weighted(self) -> float:
        """Largest absolute SMD after weighting."""
        return float(self.table["smd weighted"].abs().max())

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, *, ax=None, threshold: float = 0.1):
        """A love plot (see :func:`love_plot`)."""
        from biomedkit.causal.plots import love_plot

        return love_plot(self, ax=ax, threshold=threshold)

    def __str__(self) -> str:
        t = self.table
        return (f"Balance of {len(t)} confounders ({self.weights}): largest |SMD| {self.max_smd:.3f} "
                f"before weighting, {self.max_smd_weighted:.3f} after; "
                f"{int((t['smd'].abs() > 0.1).sum())} above 0.1 before, "
                f"{int((t['smd weighted'].abs() > 0.1).sum())} after")

    __repr__ = __str__


@_models.single_threaded
def balance(data, *, treatment: str, confounders, weights=None) -> BalanceResult:
    """Standardised mean differences of the confounders, before and after weighting.

    For each column, SMD = (mean among treated - mean among untreated) / sqrt((s1^2 + s0^2) / 2),
    where s1 and s0 are the *unweighted* standard deviations of the two groups (ddof=1), so
    that weighting changes the numerator only (Austin and Stuart 2015). Weighted means are
    ``sum(w x) / sum(w)`` within each group. An |SMD| below 0.1 is the usual rule of thumb
    for balance; it concerns means only, not whole distributions.

    Parameters
    ----------
    data : DataFrame or Dataset
    treatment : str
    confounders : list of str
        Numeric columns to check.
    weights : array-like, optional
        One non-negative weight per row (a Series is matched to the rows by its index). By
        default, the stabilised inverse-probability weights of a logistic propensity model on
        ``confounders`` (:func:`ip_weights`).

    Returns
    -------
    BalanceResult
        ``to_frame()`` gives the table, ``plot()`` the love plot.

    References
    ----------
    Austin PC, Stuart EA. Moving towards best practice when using inverse probability of
    treatment weighting (IPTW) using the propensity score to estimate causal treatment effects
    in observational studies. Statistics in Medicine 34(28):3661-3679 (2015).

    Examples
    --------
    >>> bk.causal.balance(frame, treatment="qsmk", confounders=["age", "sex"]).to_frame()  # doctest: +SKIP
    """
    confounders = column_list(confounders, "confounders")
    prep = prepare(data, treatment=treatment, confounder_sets={"confounders": confounders})
    if weights is None:
        w = ip_weights(data, treatment=treatment, confounders=confounders).to_numpy()
        label = "stabilised IP weights"
    else:
        w = _check_weights(weights, prep.index)
        label = "weights given"
    treated = prep.a == 1
    rows = {}
    for c in confounders:
        x = prep.columns[c]
        x1, x0 = x[treated], x[~treated]
        scale = np.sqrt((x1.var(ddof=1) + x0.var(ddof=1)) / 2)
        mw1, mw0 = np.average(x1, weights=w[treated]), np.average(x0, weights=w[~treated])
        with np.errstate(divide="ignore", invalid="ignore"):
            rows[c] = {"mean treated": x1.mean(), "mean untreated": x0.mean(),
                       "smd": (x1.mean() - x0.mean()) / scale,
                       "mean treated weighted": mw1, "mean untreated weighted": mw0,
                       "smd weighted": (mw1 - mw0) / scale}
    table = pd.DataFrame(rows).T
    table.index.name = "confounder"
    return BalanceResult(table=table, weights=label)


def _check_weights(weights, index: pd.Index) -> np.ndarray:
    """One finite non-negative weight per row; a Series is matched to the rows by its index."""
    n = len(index)
    if isinstance(weights, pd.Series):
        if not weights.index.equals(index):
            if len(weights) != n or not weights.index.sort_values().equals(index.sort_values()):
                raise ValueError("weights is a Series whose index does not match the table's rows; "
                                 "pass one weight per row, indexed like the table")
            weights = weights.reindex(index)
        values = weights.to_numpy()
    else:
        values = np.asarray(weights)
    if values.dtype.kind not in "iufb":
        raise TypeError(f"weights must be numeric; got dtype {values.dtype}")
    values = values.astype(float)
    if values.ndim != 1 or values.size != n:
        raise ValueError(f"weights must hold one number per row ({n}); got shape {values.shape}")
    if not np.isfinite(values).all() or (values < 0).any():
        raise ValueError("weights must be finite and non-negative")
    return values
