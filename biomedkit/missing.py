"""Missing data: make it (``ampute``), fill it in several times (``multiple_imputation``)
and combine the analyses (``pool``, Rubin's rules).

Examples
--------
>>> import biomedkit as bk
>>> amputed, mask = bk.missing.ampute(df, "MAR", columns=["bmi"], random_state=0)  # doctest: +SKIP
>>> completed = bk.missing.multiple_imputation(amputed, m=5, random_state=0)       # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from biomedkit._checks import check_float, check_int, check_random_state
from biomedkit._deprecation import keyword_only_after

__all__ = ["ampute", "multiple_imputation", "pool"]

_MECHANISMS = ("MCAR", "MAR", "MNAR")
_STRENGTH = 2.0  # log-odds of being chosen per standard deviation of the driver (MAR, MNAR)


def _standardize(values: np.ndarray) -> np.ndarray:
    sd = values.std()
    return (values - values.mean()) / sd if sd > 0 else np.zeros_like(values)


def _check_frame(df: Any) -> None:
    if not isinstance(df, pd.DataFrame):
        raise ValueError(f"df must be a pandas DataFrame; got {type(df).__name__}")
    if df.shape[0] < 2:
        raise ValueError(f"df must have at least 2 rows; got {df.shape[0]}")


@keyword_only_after(2)
def ampute(
    df: pd.DataFrame,
    mechanism: str = "MCAR",
    *,
    rate: float = 0.3,
    columns: list[str] | None = None,
    random_state: int | np.random.Generator | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Remove values from a complete data set under a chosen missingness mechanism.

    In every amputed column exactly ``round(rate * n)`` of the ``n`` rows are made
    missing, independently across columns. Which rows depends on the mechanism:

    * ``"MCAR"`` (missing completely at random): a uniform random subset.
    * ``"MAR"`` (missing at random): rows are drawn without replacement with
      probability proportional to ``exp(2 * z)``, where ``z`` is the standardized sum
      of the standardized *driver* columns: the numeric columns that are not amputed
      and so stay fully observed. Missingness then depends on observed values only.
    * ``"MNAR"`` (missing not at random): the same weighted draw, but ``z`` is the
      column's own standardized (true) value, so high values go missing more often.

    The weighted draw without replacement is done with the Gumbel top-k trick: the
    ``k`` rows with the largest ``2 * z + G``, ``G`` standard Gumbel noise.

    Parameters
    ----------
    df : DataFrame
        The complete data. It is not modified.
    mechanism : {"MCAR", "MAR", "MNAR"}
    rate : float in (0, 1)
        Share of rows made missing in each amputed column.
    columns : list of str, optional
        Columns that get missing values. Default: all numeric columns; under MAR all
        numeric columns but the first, which stays complete and drives missingness.
        MCAR and MAR may ampute non-numeric columns; MNAR needs numeric ones.
    random_state : int, Generator or None

    Returns
    -------
    amputed : DataFrame
        A copy of ``df`` with NaN where values were removed (NumPy integer columns
        that receive NaN become float, boolean ones object; boolean columns count as
        numeric).
    mask : DataFrame of bool
        Same shape, index and columns as ``df``; True where a value was removed.

    Raises
    ------
    ValueError
        For an unknown mechanism, ``rate`` outside (0, 1), unknown or non-numeric
        columns where numbers are needed, MAR without a complete numeric driver
        column, or NaN already present in an amputed or driver column (amputation
        starts from complete data, so that the mask and the rate are unambiguous).

    References
    ----------
    Rubin DB. Inference and missing data. Biometrika 63:581-592 (1976).
    Schouten RM, Lugtig P, Vink G. Generating missing values for simulation purposes:
    a multivariate amputation procedure. J Stat Comput Simul 88:2909-2930 (2018).

    Examples
    --------
    >>> import numpy as np, pandas as pd, biomedkit as bk
    >>> df = pd.DataFrame(np.random.default_rng(0).normal(size=(100, 3)), columns=list("abc"))
    >>> amputed, mask = bk.missing.ampute(df, "MAR", rate=0.2, random_state=0)
    >>> mask.sum().tolist()
    [0, 20, 20]
    """
    _check_frame(df)
    if mechanism not in _MECHANISMS:
        raise ValueError(f"mechanism must be one of {_MECHANISMS}; got {mechanism!r}")
    rate = check_float(rate, "rate", 0.0, 1.0, open_low=True, open_high=True)
    columns, drivers = _amputed_and_drivers(df, mechanism, columns)
    rng = check_random_state(random_state)
    n = df.shape[0]
    k = int(round(rate * n))
    if mechanism == "MAR":
        z = _standardize(sum(_standardize(df[c].to_numpy(float)) for c in drivers))
    mask = pd.DataFrame(False, index=df.index, columns=df.columns)
    amputed = df.copy()
    for c in columns:
        if mechanism == "MCAR":
            chosen = rng.choice(n, size=k, replace=False)
        else:
            driver = z if mechanism == "MAR" else _standardize(df[c].to_numpy(float))
            keys = _STRENGTH * driver + rng.gumbel(size=n)
            chosen = np.argsort(-keys, kind="stable")[:k]
        removed = np.zeros(n, dtype=bool)
        removed[chosen] = True
        mask[c] = removed
        amputed[c] = amputed[c].mask(removed)
    return amputed, mask


def _amputed_and_drivers(df: pd.DataFrame, mechanism: str, columns) -> tuple[list, list]:
    """The columns to ampute (checked, or the default for the mechanism) and, under MAR, the
    numeric columns that stay complete and drive the missingness; all must be complete."""
    numeric = [c for c in df.columns if pd.api.types.is_numeric_dtype(df[c])]
    if columns is None:
        columns = numeric[1:] if mechanism == "MAR" else numeric
        if not columns:
            raise ValueError("columns: df has no numeric column to ampute"
                             + (" besides the driver (MAR keeps the first one complete)"
                                if mechanism == "MAR" else ""))
    else:
        columns = [columns] if isinstance(columns, str) else list(columns)
        unknown = [c for c in columns if c not in df.columns]
        if unknown or not columns:
            raise ValueError(f"columns must name columns of df; unknown: {unknown}")
        if mechanism == "MNAR" and (bad := [c for c in columns if c not in numeric]):
            raise ValueError(f"columns must be numeric under MNAR (missingness depends on "
                             f"the value itself); non-numeric: {bad}")
    drivers = [c for c in numeric if c not in columns] if mechanism == "MAR" else []
    if mechanism == "MAR" and not drivers:
        raise ValueError("columns: MAR needs at least one numeric column of df that is not "
                         "amputed, to drive the missingness; leave one out of columns")
    if has_nan := [c for c in [*columns, *drivers] if df[c].isna().any()]:
        raise ValueError(f"df already has missing values in {has_nan}; ampute expects "
                         "complete data in the amputed and driver columns")
    return columns, drivers


@keyword_only_after(2)
def multiple_imputation(
    df: pd.DataFrame,
    m: int = 5,
    *,
    random_state: int | np.random.Generator | None = None,
    max_iter: int = 10,
    estimator: Any = None,
) -> list[pd.DataFrame]:
    """Create ``m`` completed copies of ``df`` by proper multiple imputation (chained
    equations fitted to a bootstrap sample).

    For each copy the rows of ``df`` are resampled with replacement, scikit-learn's
    ``IterativeImputer(sample_posterior=True)`` is fitted to that bootstrap sample,
    and the gaps of ``df`` are then filled with draws from its predictive
    distributions. The bootstrap makes the imputation *proper* (Rubin 1987): the
    imputation models themselves differ from copy to copy as much as their estimates
    would differ between samples, so the between-imputation variance of a pooled
    analysis includes the uncertainty of the imputation model. Fitted once to all
    rows, as ``IterativeImputer`` alone does, every copy would use nearly the same
    regression and add only independent noise per value; the spread between copies,
    and with it the pooled standard errors, would be too small. This is the bootstrap
    variant of normal imputation (van Buuren 2018, sec. 3.2, ``norm.boot``). Each
    copy has its own seed, drawn from ``random_state``. Fit the analysis model to each
    copy and combine the results with :func:`pool`.

    Parameters
    ----------
    df : DataFrame
        Numeric (or boolean) columns with NaN where values are missing.
    m : int >= 2
        Number of imputations.
    random_state : int, Generator or None
    max_iter : int >= 1
        Rounds of chained equations per imputation.
    estimator : scikit-learn regressor, optional
        Must support ``predict(X, return_std=True)``; default ``BayesianRidge()``.

    Returns
    -------
    list of DataFrame
        ``m`` completed frames with the index and columns of ``df``. Observed values
        are unchanged; columns without missing values keep their dtype, the others
        are float.

    References
    ----------
    Rubin DB. Multiple Imputation for Nonresponse in Surveys. Wiley (1987), sec. 4.2
    (proper imputation).
    van Buuren S. Flexible Imputation of Missing Data, 2nd ed. CRC Press (2018),
    sec. 3.2 (Bayesian and bootstrap normal imputation).

    Examples
    --------
    >>> completed = bk.missing.multiple_imputation(amputed, m=5, random_state=0)  # doctest: +SKIP
    >>> len(completed)                                                              # doctest: +SKIP
    5
    """
    _check_frame(df)
    m = check_int(m, "m", 2)
    max_iter = check_int(max_iter, "max_iter", 1)
    if bad := [c for c in df.columns if not pd.api.types.is_numeric_dtype(df[c])]:
        raise ValueError(f"df must have numeric columns only; encode these first: {bad}")
    if empty := [c for c in df.columns if df[c].isna().all()]:
        raise ValueError(f"df has columns with no observed value, which cannot be imputed: {empty}")
    seeds = check_random_state(random_state).integers(0, 2**31 - 1, size=m)
    values = df.to_numpy(dtype=float)
    complete = [c for c in df.columns if not df[c].isna().any()]
    out = []
    for seed in seeds:
        filled = _impute_from_bootstrap(values, np.random.default_rng(int(seed)), estimator, max_iter)
        frame = pd.DataFrame(filled, index=df.index, columns=df.columns)
        for c in complete:
            frame[c] = df[c]
        out.append(frame)
    return out


def _impute_from_bootstrap(values: np.ndarray, rng: np.random.Generator, estimator: Any,
                           max_iter: int) -> np.ndarray:
    """One proper imputation of ``values``: chained equations fitted to a bootstrap sample of
    the rows, then posterior-predictive draws for the gaps of the original rows."""
    from sklearn.experimental import enable_iterative_imputer  # noqa: F401
    from sklearn.impute import IterativeImputer

    observed = ~np.isnan(values)
    n = values.shape[0]
    # A bootstrap sample that misses every observed value of a column could not fit its
    # model; drawing again keeps the sample a plain bootstrap conditional on that not
    # happening (rare unless a column has very few observed values).
    rows = rng.integers(0, n, size=n)
    while not observed[rows].any(axis=0).all():
        rows = rng.integers(0, n, size=n)
    imputer = IterativeImputer(estimator=estimator, sample_posterior=True, max_iter=max_iter,
                               random_state=int(rng.integers(0, 2**31 - 1)))
    imputer.fit(values[rows])
    return imputer.transform(values)


@keyword_only_after(2)
def pool(
    estimates: Any,
    variances: Any,
    *,
    n: int | None = None,
    k: int | None = None,
    level: float = 0.95,
) -> pd.DataFrame:
    """Combine estimates from ``m`` imputed data sets with Rubin's rules.

    With ``Q_i`` and ``U_i`` the estimate and its squared standard error in data set
    ``i``: pooled estimate ``Qbar = mean(Q_i)``, within variance ``W = mean(U_i)``,
    between variance ``B = var(Q_i)`` (divisor m - 1), total ``T = W + (1 + 1/m) B``,
    relative increase in variance ``r = (1 + 1/m) B / W``, ``lambda = (1 + 1/m) B / T``.
    Degrees of freedom: Rubin's ``nu_m = (m - 1) (1 + 1/r)^2``; when ``n`` and ``k``
    are given (complete-data df ``nu_com = n - k``), Barnard and Rubin's
    ``nu = 1 / (1/nu_m + 1/nu_obs)`` with
    ``nu_obs = (nu_com + 1) / (nu_com + 3) * nu_com * (1 - lambda)``. The fraction of
    missing information is ``fmi = (r + 2 / (nu + 3)) / (1 + r)``. Interval and
    p-value (for estimate = 0) use the t distribution with ``nu`` df.

    Parameters
    ----------
    estimates, variances : array-like, shape (m,) or (m, p)
        One row per imputation, one column per parameter; variances are squared
        standard errors. A DataFrame's columns (or a Series' name) name the parameters.
    n, k : int, optional
        Observations and estimated parameters of the complete-data analysis; give
        both to get the Barnard-Rubin small-sample degrees of freedom.
    level : float in (0, 1)
        Confidence level of the interval.

    Returns
    -------
    DataFrame
        One row per parameter with columns ``estimate, within, between, total, se,
        riv, lambda, fmi, df, statistic, p_value, ci_low, ci_high``.

    References
    ----------
    Rubin DB. Multiple Imputation for Nonresponse in Surveys. Wiley (1987).
    Barnard J, Rubin DB. Small-sample degrees of freedom with multiple imputation.
    Biometrika 86:948-955 (1999).
    van Buuren S. Flexible Imputation of Missing Data, 2nd ed. CRC Press (2018), sec. 2.3-2.4.

    Examples
    --------
    >>> import biomedkit as bk
    >>> res = bk.missing.pool([1.0, 2.0, 3.0], [1.0, 1.5, 1.5], n=20, k=2)
    >>> res.loc["estimate", ["estimate", "total", "riv", "df"]].round(4).tolist()
    [2.0, 2.6667, 1.0, 4.0354]
    """
    names, q, u = _as_matrices(estimates, variances)
    if (n is None) != (k is None):
        raise ValueError("n and k must be given together (complete-data df = n - k)")
    if n is not None:
        n, k = check_int(n, "n", 2), check_int(k, "k", 1)
        if n - k < 1:
            raise ValueError(f"n - k must be >= 1 (complete-data df); got n = {n}, k = {k}")
    level = check_float(level, "level", 0.0, 1.0, open_low=True, open_high=True)
    return _rubin(q, u, None if n is None else n - k, level, names)


def _as_matrices(estimates: Any, variances: Any) -> tuple[list, np.ndarray, np.ndarray]:
    """The parameter names and the estimates and variances as (m, p) float arrays, checked:
    same shape, m >= 2, finite, variances non-negative."""
    names = (list(estimates.columns) if isinstance(estimates, pd.DataFrame)
             else [estimates.name if isinstance(estimates, pd.Series) and estimates.name
                   is not None else "estimate"])
    if isinstance(estimates, pd.DataFrame) and isinstance(variances, pd.DataFrame):
        variances = _aligned_by_name(estimates, variances)
    q = _as_float(estimates, "estimates")
    u = _as_float(variances, "variances")
    if q.ndim not in (1, 2):
        raise ValueError(f"estimates must be 1-d (m,) or 2-d (m, p); got shape {q.shape}")
    q = q.reshape(q.shape[0], -1)
    if u.size != q.size:
        raise ValueError(f"variances must have the shape of estimates {q.shape}; got {u.shape}")
    u = u.reshape(q.shape)
    m = q.shape[0]
    if m < 2:
        raise ValueError(f"estimates must come from m >= 2 imputations; got m = {m}")
    if len(names) != q.shape[1]:
        names = list(range(q.shape[1]))
    for name, a in (("estimates", q), ("variances", u)):
        if not np.isfinite(a).all():
            raise ValueError(f"{name} must be finite; {int((~np.isfinite(a)).sum())} value(s) are "
                             "NaN or infinite (a model that failed to fit in one imputed data set?)")
    if (u < 0).any():
        raise ValueError("variances must be non-negative (squared standard errors)")
    return names, q, u


def _aligned_by_name(estimates: pd.DataFrame, variances: pd.DataFrame) -> pd.DataFrame:
    """The variances in the column order of the estimates: a parameter's estimate and its
    variance pair by name, never by position."""
    if set(estimates.columns) != set(variances.columns):
        raise ValueError(f"variances must have the columns of estimates; estimates has "
                         f"{list(estimates.columns)}, variances has {list(variances.columns)}")
    return variances[list(estimates.columns)]


def _as_float(values: Any, name: str) -> np.ndarray:
    try:
        return np.asarray(values, dtype=float)
    except (TypeError, ValueError):
        raise TypeError(f"{name} must hold numbers (one row per imputation); got "
                        f"{type(values).__name__}") from None


def _rubin(q: np.ndarray, u: np.ndarray, nu_com: int | None, level: float, names: list) -> pd.DataFrame:
    """Rubin's rules on (m, p) estimates and variances (see :func:`pool`); ``nu_com`` the
    complete-data degrees of freedom, or None for Rubin's original df."""
    from scipy import stats

    m = q.shape[0]
    qbar, w, b = q.mean(axis=0), u.mean(axis=0), q.var(axis=0, ddof=1)
    t = w + (1 + 1 / m) * b
    with np.errstate(divide="ignore", invalid="ignore"):
        riv = (1 + 1 / m) * b / w
        lam = np.where(t > 0, (1 + 1 / m) * b / t, 0.0)
        df_old = np.where(lam > 0, (m - 1) / lam**2, np.inf)
        if nu_com is None:
            df = df_old
        else:
            df_obs = (nu_com + 1) / (nu_com + 3) * nu_com * (1 - lam)
            df = 1 / (1 / df_old + 1 / df_obs)
        fmi = (riv + 2 / (df + 3)) / (1 + riv)
        se = np.sqrt(t)
        stat = qbar / se
    half = stats.t.ppf(0.5 + level / 2, df) * se
    return pd.DataFrame({
        "estimate": qbar, "within": w, "between": b, "total": t, "se": se, "riv": riv,
        "lambda": lam, "fmi": fmi, "df": df, "statistic": stat,
        "p_value": 2 * stats.t.sf(np.abs(stat), df), "ci_low": qbar - half, "ci_high": qbar + half,
    }, index=pd.Index(names, name="term"))
