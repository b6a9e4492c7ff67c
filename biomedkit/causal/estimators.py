"""Average treatment effects from observational data: the naive difference, IP weighting,
standardisation (the parametric g-formula) and augmented IP weighting (doubly robust).

Each estimator takes a table and column names, checks them (``biomedkit.causal._inputs``),
and returns one :class:`EffectResult`: the estimate of E[Y^1] - E[Y^0] with its interval,
the method, and the number of people. Every one of them assumes *exchangeability given the
confounders named* (no unmeasured confounding), *positivity* and *consistency*; no
computation here can check the first.

With ``n_boot=0`` (the default) the interval is analytic: Welch's for the naive difference,
the robust sandwich (HC0) of a weighted regression for IP weighting, and the influence
function for standardisation and AIPW. With ``n_boot > 0`` it is a percentile bootstrap that
refits every model in each resample. Estimators bootstrapped with the same integer
``random_state`` on the same table resample the same rows, so :func:`effect_difference` can
compare two of them with a paired interval.

References
----------
Hernán MA, Robins JM. Causal Inference: What If. Chapman & Hall/CRC (2020), chapters 12
(IP weighting) and 13 (standardisation, with a note on doubly robust estimation).
Robins JM, Rotnitzky A, Zhao LP. Estimation of regression coefficients when some
regressors are not always observed. JASA 89(427):846-866 (1994).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from biomedkit._checks import check_level, check_n_boot, check_random_state
from biomedkit.causal import _models
from biomedkit.causal._inputs import check_bool, check_truncate, column_list, prepare


@dataclass(frozen=True, repr=False)
class EffectResult:
    """An average treatment effect, E[Y^1] - E[Y^0], with its interval.

    Attributes
    ----------
    method : str
        The estimator, e.g. ``"IP weighting (stabilised)"``.
    estimate, low, high : float
        The effect and its confidence interval, in the outcome's units.
    se : float
        Its standard error (bootstrap: the standard deviation of the replicates).
    level : float
    interval : str
        How the interval was computed.
    n, n_treated : int
        People in the analysis, and how many of them were treated.
    mean_treated, mean_untreated : float
        The estimated mean outcome had everyone been treated, and had no one been (for the
        naive difference: the observed means of the two groups).
    treatment, outcome : str
        The columns used.
    replicates : ndarray or None
        The bootstrap estimates (None without a bootstrap).
    """

    method: str
    estimate: float
    low: float
    high: float
    se: float
    level: float
    interval: str
    n: int
    n_treated: int
    mean_treated: float
    mean_untreated: float
    treatment: str
    outcome: str
    replicates: np.ndarray | None = field(default=None, compare=False)
    bootstrap_key: tuple | None = field(default=None, compare=False)

    def to_frame(self) -> pd.DataFrame:
        """One row, indexed by the method."""
        return pd.DataFrame({
            "estimate": self.estimate, "low": self.low, "high": self.high, "se": self.se,
            "mean treated": self.mean_treated, "mean untreated": self.mean_untreated,
            "n": self.n, "n treated": self.n_treated, "interval": self.interval,
        }, index=pd.Index([self.method], name="method"))

    def __str__(self) -> str:
        return (f"{self.method}: effect of {self.treatment} on {self.outcome} {self.estimate:.4g} "
                f"({self.level:.0%} CI {self.low:.4g} to {self.high:.4g}; {self.interval}), "
                f"n = {self.n:,} ({self.n_treated:,} treated)")

    __repr__ = __str__


@dataclass(frozen=True, repr=False)
class EffectDifferenceResult:
    """The difference between two effect estimates on the same people (``first - second``),
    with a paired bootstrap interval (from :func:`effect_difference`)."""

    first: str
    second: str
    difference: float
    low: float
    high: float
    se: float
    level: float
    n_boot: int

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame({"difference": self.difference, "low": self.low, "high": self.high,
                             "se": self.se, "n_boot": self.n_boot},
                            index=pd.Index([f"{self.first} - {self.second}"], name="comparison"))

    def __str__(self) -> str:
        return (f"{self.first} minus {self.second}: {self.difference:.4g} ({self.level:.0%} CI "
                f"{self.low:.4g} to {self.high:.4g}; paired bootstrap, {self.n_boot} replicates)")

    __repr__ = __str__


# --- shared plumbing -----------------------------------------------------------------------

def _check_boot(n_boot) -> int:
    n_boot = check_n_boot(n_boot, minimum=0)
    if 0 < n_boot < 20:
        raise ValueError(f"n_boot must be 0 (an analytic interval) or at least 20 replicates "
                         f"(200 or more for a 95% interval); got {n_boot}")
    return n_boot


def _normal_interval(estimate: float, se: float, level: float) -> tuple[float, float]:
    z = stats.norm.ppf(0.5 + level / 2)
    return estimate - z * se, estimate + z * se


def _result(method, estimate, se, level, interval, prep, treatment, outcome, means, *,
            boot=None, key=None, low_high=None):
    """Assemble an EffectResult; a bootstrap replaces the analytic interval."""
    if boot is not None:
        low, high = np.quantile(boot, [0.5 - level / 2, 0.5 + level / 2])
        se = float(boot.std(ddof=1))
        interval = f"bootstrap percentile, {boot.size} replicates"
    elif low_high is not None:
        low, high = low_high
    else:
        low, high = _normal_interval(estimate, se, level)
    return EffectResult(method=method, estimate=float(estimate), low=float(low), high=float(high),
                        se=float(se), level=level, interval=interval, n=int(prep.a.size),
                        n_treated=int(prep.a.sum()), mean_treated=float(means[0]),
                        mean_untreated=float(means[1]), treatment=treatment, outcome=outcome,
                        replicates=boot, bootstrap_key=key)


def _maybe_bootstrap(statistic, prep, n_boot, random_state, desc):
    check_random_state(random_state)  # a wrong seed is an error even without a bootstrap
    if not n_boot:
        return None, None
    boot = _models.bootstrap(statistic, prep.a.size, n_boot, random_state, desc=desc)
    return boot, _models.bootstrap_key(random_state, prep.a.size, n_boot, prep.a)


def _interaction_list(interactions, outcome_confounders: list[str], name="interactions") -> list[str]:
    """``"all"`` -> every outcome-model confounder; None -> none; else a subset of them."""
    if isinstance(interactions, str):
        if interactions != "all":
            raise ValueError(f"{name} must be 'all', None or a list of confounder names; got {interactions!r}")
        return list(outcome_confounders)
    if interactions is None:
        return []
    interactions = column_list(interactions, name, allow_empty=True)
    extra = [c for c in interactions if c not in outcome_confounders]
    if extra:
        raise ValueError(f"{name} names {extra}, which the outcome model does not include; "
                         f"interact the treatment only with its confounders {outcome_confounders}")
    return interactions


# --- the estimators ------------------------------------------------------------------------

@_models.single_threaded
def difference_in_means(data, *, treatment: str, outcome: str, level: float = 0.95,
                        n_boot: int = 0, random_state=None) -> EffectResult:
    """The naive comparison: mean outcome of the treated minus that of the untreated.

    It estimates the causal effect only when treatment was assigned at random (a randomised
    trial). In observational data it mixes the effect with confounding, and it is the
    baseline every adjusted estimate is compared with.

    Parameters
    ----------
    data : DataFrame or Dataset
    treatment : str
        A column of 0 (untreated) and 1 (treated).
    outcome : str
        A numeric column.
    level : float, default=0.95
    n_boot : int, default=0
        0: Welch's t interval (unequal variances). Otherwise a percentile bootstrap.
    random_state : int, Generator or None
        Seed of the bootstrap.

    Returns
    -------
    EffectResult

    Examples
    --------
    >>> bk.causal.difference_in_means(nhefs, treatment="qsmk", outcome="wt82_71")  # doctest: +SKIP
    """
    level, n_boot = check_level(level), _check_boot(n_boot)
    prep = prepare(data, treatment=treatment, outcome=outcome, confounder_sets={})
    a, y = prep.a, prep.y

    def estimate(rows):
        return y[rows][a[rows] == 1].mean() - y[rows][a[rows] == 0].mean()

    y1, y0 = y[a == 1], y[a == 0]
    welch = stats.ttest_ind(y1, y0, equal_var=False)
    ci = welch.confidence_interval(confidence_level=level)
    se = float(np.sqrt(y1.var(ddof=1) / y1.size + y0.var(ddof=1) / y0.size))
    boot, key = _maybe_bootstrap(estimate, prep, n_boot, random_state, "bootstrap (naive)")
    return _result("naive difference", estimate(np.arange(a.size)), se, level, "Welch t", prep,
                   treatment, outcome, (y1.mean(), y0.mean()), boot=boot, key=key,
                   low_high=(ci.low, ci.high))


@_models.single_threaded
def ipw(data, *, treatment: str, outcome: str, confounders, stabilized: bool = True,
        truncate: float | None = None, level: float = 0.95, n_boot: int = 0,
        random_state=None) -> EffectResult:
    """Inverse-probability weighting: the effect in a pseudo-population without confounding.

    A logistic regression of the treatment on ``confounders`` (used as given: build squared
    terms and dummies before) gives each person's propensity e = P(treated | confounders).
    Each person is weighted by 1/P(the treatment they got | confounders), times P(that
    treatment) when stabilised; the effect is the difference of the weighted mean outcomes,
    fitted as a weighted regression of the outcome on the treatment.

    Parameters
    ----------
    data : DataFrame or Dataset
    treatment : str
        A column of 0 (untreated) and 1 (treated).
    outcome : str
        A numeric column.
    confounders : list of str
        Numeric columns of the propensity model, used as given.
    stabilized : bool, default=True
        Stabilised weights P(A=a)/P(A=a|L): the same estimate here, with a mean weight near 1,
        which makes extreme weights easy to spot.
    truncate : float, optional
        In (0.5, 1): cap the weights at this quantile and floor them at ``1 - truncate``
        (``0.99``: at their 1st and 99th percentiles). Less variance, some bias.
    level : float, default=0.95
    n_boot : int, default=0
        0: the robust sandwich (HC0) interval of the weighted regression, as with the book's
        GEE; it treats the weights as known and is therefore conservative. Otherwise a
        percentile bootstrap that refits the propensity model in every resample.
    random_state : int, Generator or None
        Seed of the bootstrap.

    Returns
    -------
    EffectResult

    Notes
    -----
    On the 1,566 NHEFS participants with the book's propensity model this gives 3.44 kg
    (95 % CI 2.41 to 4.47) for the effect of quitting smoking on weight gain (What If,
    chapter 12); ``tests/test_causal.py`` checks it.

    Examples
    --------
    >>> bk.causal.ipw(frame, treatment="qsmk", outcome="wt82_71",
    ...               confounders=["sex", "age", "age_sq", "wt71"])      # doctest: +SKIP
    """
    import statsmodels.api as sm

    confounders = column_list(confounders, "confounders")
    stabilized, truncate = check_bool(stabilized, "stabilized"), check_truncate(truncate)
    level, n_boot = check_level(level), _check_boot(n_boot)
    prep = prepare(data, treatment=treatment, outcome=outcome, confounder_sets={"confounders": confounders})
    a, y = prep.a, prep.y
    X = _models.design(prep.columns, confounders, a.size)

    def weighted_means(rows):
        ps = _models.propensity(X[rows], a[rows])
        w = _models.weights(a[rows], ps, stabilized=stabilized, truncate=truncate)
        treated = a[rows] == 1
        return (np.average(y[rows][treated], weights=w[treated]),
                np.average(y[rows][~treated], weights=w[~treated]), w)

    m1, m0, w = weighted_means(np.arange(a.size))
    # The weighted regression of Y on A: its slope is m1 - m0, and its HC0 sandwich is the
    # robust variance that the book computes with GEE.
    fit = sm.WLS(y, sm.add_constant(a), weights=w).fit(cov_type="HC0")
    boot, key = _maybe_bootstrap(lambda rows: np.subtract(*weighted_means(rows)[:2]), prep, n_boot,
                                 random_state, "bootstrap (IPW)")
    name = "IP weighting" + (" (stabilised)" if stabilized else "") + (
        f" truncated at {truncate:g}" if truncate else "")
    return _result(name, fit.params[1], fit.bse[1], level, "robust sandwich (HC0)", prep,
                   treatment, outcome, (m1, m0), boot=boot, key=key)


@_models.single_threaded
def standardization(data, *, treatment: str, outcome: str, confounders, interactions="all",
                    level: float = 0.95, n_boot: int = 0, random_state=None) -> EffectResult:
    """Standardisation (the parametric g-formula): model the outcome, then predict everyone's
    outcome twice, treated and untreated, and average the difference.

    The outcome model is a linear regression of the outcome on the treatment, the
    ``confounders`` (used as given) and the products of the treatment with the columns named
    in ``interactions``, fitted by least squares.

    Parameters
    ----------
    data : DataFrame or Dataset
    treatment, outcome : str
    confounders : list of str
        Numeric columns of the outcome model, used as given.
    interactions : "all", list of str or None, default="all"
        Confounders whose effect on the outcome may differ with treatment (each enters as
        ``treatment x column``). ``"all"`` interacts every confounder, which is the same as
        fitting one outcome model per treatment group; ``None`` interacts none, and the
        estimate is then the treatment's coefficient. The book's model for NHEFS has one
        interaction, ``["smokeintensity"]``.
    level : float, default=0.95
    n_boot : int, default=0
        0: an interval from the influence function (the sandwich variance of the model's
        coefficients plus the spread of the individual predicted effects). Otherwise a
        percentile bootstrap that refits the outcome model in every resample (as the book).
    random_state : int, Generator or None

    Returns
    -------
    EffectResult

    Notes
    -----
    On the 1,566 NHEFS participants with the book's outcome model this gives 3.52 kg
    (bootstrap 95 % CI about 2.6 to 4.5; What If, chapter 13); the tests check it.

    Examples
    --------
    >>> bk.causal.standardization(frame, treatment="qsmk", outcome="wt82_71",
    ...     confounders=["sex", "age", "smokeintensity"], interactions=["smokeintensity"])  # doctest: +SKIP
    """
    confounders = column_list(confounders, "confounders")
    interactions = _interaction_list(interactions, confounders)
    level, n_boot = check_level(level), _check_boot(n_boot)
    prep = prepare(data, treatment=treatment, outcome=outcome, confounder_sets={"confounders": confounders})
    a, y, cols = prep.a, prep.y, prep.columns

    def effects(rows):
        sub = {c: v[rows] for c, v in cols.items()}
        beta, X, X1, X0 = _models.fit_outcome(a[rows], y[rows], sub, confounders, interactions)
        return X1 @ beta, X0 @ beta, beta, X, X1, X0

    y1, y0, beta, X, X1, X0 = effects(np.arange(a.size))
    tau = y1 - y0
    # Influence function of mean(X1 b - X0 b): the coefficients' HC0 sandwich along the
    # contrast c, plus the variance of the individual effects over the sample.
    c = (X1 - X0).mean(axis=0)
    bread = np.linalg.pinv(X.T @ X)
    resid = y - X @ beta
    cov = bread @ (X.T * resid**2) @ X @ bread
    se = float(np.sqrt(c @ cov @ c + tau.var() / a.size))
    boot, key = _maybe_bootstrap(lambda rows: _std_effect(effects, rows), prep, n_boot,
                                 random_state, "bootstrap (standardisation)")
    return _result("standardisation (g-formula)", tau.mean(), se, level, "influence function (HC0)",
                   prep, treatment, outcome, (y1.mean(), y0.mean()), boot=boot, key=key)


def _std_effect(effects, rows) -> float:
    y1, y0 = effects(rows)[:2]
    return float(np.mean(y1 - y0))


@_models.single_threaded
def aipw(data, *, treatment: str, outcome: str, confounders, propensity_confounders=None,
         outcome_confounders=None, interactions="all", level: float = 0.95, n_boot: int = 0,
         random_state=None) -> EffectResult:
    """Augmented inverse-probability weighting: a doubly robust estimate.

    It combines a propensity model (as :func:`ipw`) and an outcome model (as
    :func:`standardization`): each person contributes

        m1 - m0 + A (Y - m1) / e - (1 - A) (Y - m0) / (1 - e),

    the predicted effect corrected by the weighted residuals. The estimate is consistent when
    *either* model is right (Robins, Rotnitzky and Zhao 1994; What If, chapter 13).

    Parameters
    ----------
    data : DataFrame or Dataset
    treatment, outcome : str
    confounders : list of str
        Numeric columns of both models, used as given.
    propensity_confounders, outcome_confounders : list of str, optional
        Columns of one model only, in place of ``confounders`` (to see what happens when one
        model is wrong); ``[]`` fits that model with an intercept only.
    interactions : "all", list of str or None, default="all"
        Treatment interactions of the outcome model (see :func:`standardization`).
    level : float, default=0.95
    n_boot : int, default=0
        0: the influence-function interval, sd(contributions)/sqrt(n). Otherwise a percentile
        bootstrap that refits both models in every resample.
    random_state : int, Generator or None

    Returns
    -------
    EffectResult

    Examples
    --------
    >>> bk.causal.aipw(frame, treatment="treated", outcome="outcome",
    ...                confounders=["age", "severity"])                  # doctest: +SKIP
    """
    confounders = column_list(confounders, "confounders")
    ps_cols = confounders if propensity_confounders is None else column_list(
        propensity_confounders, "propensity_confounders", allow_empty=True)
    out_cols = confounders if outcome_confounders is None else column_list(
        outcome_confounders, "outcome_confounders", allow_empty=True)
    interactions = _interaction_list(interactions, out_cols)
    level, n_boot = check_level(level), _check_boot(n_boot)
    prep = prepare(data, treatment=treatment, outcome=outcome,
                   confounder_sets={"confounders": confounders, "propensity_confounders": ps_cols,
                                    "outcome_confounders": out_cols})
    a, y, cols = prep.a, prep.y, prep.columns
    Xp = _models.design(cols, ps_cols, a.size)

    def contributions(rows):
        ar, yr = a[rows], y[rows]
        ps = _models.propensity(Xp[rows], ar)
        beta, _, X1, X0 = _models.fit_outcome(ar, yr, {c: v[rows] for c, v in cols.items()},
                                              out_cols, interactions)
        m1, m0 = X1 @ beta, X0 @ beta
        return m1 + ar * (yr - m1) / ps, m0 + (1 - ar) * (yr - m0) / (1 - ps)

    p1, p0 = contributions(np.arange(a.size))
    phi = p1 - p0
    boot, key = _maybe_bootstrap(lambda rows: np.subtract(*map(np.mean, contributions(rows))), prep,
                                 n_boot, random_state, "bootstrap (AIPW)")
    return _result("AIPW (doubly robust)", phi.mean(), phi.std(ddof=1) / np.sqrt(a.size), level,
                   "influence function", prep, treatment, outcome, (p1.mean(), p0.mean()),
                   boot=boot, key=key)


def effect_difference(first: EffectResult, second: EffectResult, *, level: float | None = None
                      ) -> EffectDifferenceResult:
    """The difference between two bootstrapped estimates on the same people, with a paired
    percentile interval.

    Both must come from the same table, bootstrapped with the same ``n_boot`` and the same
    integer ``random_state``: they then resampled the same rows, and the interval of the
    differences of their replicates accounts for their correlation (two overlapping
    intervals say nothing about the difference).

    Parameters
    ----------
    first, second : EffectResult
    level : float, optional
        Defaults to the level of ``first``.

    Returns
    -------
    EffectDifferenceResult

    Examples
    --------
    >>> naive = bk.causal.difference_in_means(frame, treatment="qsmk", outcome="wt82_71",
    ...                                       n_boot=200, random_state=0)  # doctest: +SKIP
    >>> adjusted = bk.causal.ipw(frame, treatment="qsmk", outcome="wt82_71",
    ...                          confounders=cols, n_boot=200, random_state=0)  # doctest: +SKIP
    >>> print(bk.causal.effect_difference(adjusted, naive))                # doctest: +SKIP
    """
    for name, result in (("first", first), ("second", second)):
        if not isinstance(result, EffectResult):
            raise TypeError(f"{name} must be an EffectResult from bk.causal; got {type(result).__name__}")
        if result.replicates is None:
            raise ValueError(f"{name} ({result.method}) was not bootstrapped; call it with n_boot=200 "
                             "and an integer random_state, the same for both estimates")
    level = first.level if level is None else check_level(level)
    if first.bootstrap_key is None or first.bootstrap_key != second.bootstrap_key:
        raise ValueError("the two estimates did not resample the same rows: call both on the same "
                         "table with the same n_boot and the same integer random_state "
                         "(e.g. n_boot=200, random_state=0)")
    diff = first.replicates - second.replicates
    low, high = np.quantile(diff, [0.5 - level / 2, 0.5 + level / 2])
    return EffectDifferenceResult(first=first.method, second=second.method,
                                  difference=first.estimate - second.estimate, low=float(low),
                                  high=float(high), se=float(diff.std(ddof=1)), level=level,
                                  n_boot=int(diff.size))
