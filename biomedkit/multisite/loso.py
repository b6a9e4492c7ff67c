"""Leave-one-site-out validation: every held-out site with intervals, and a random-effects summary."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
from scipy.stats import norm

from biomedkit._checks import check_binary, check_level
from biomedkit._deprecation import keyword_only_after
from biomedkit._groups import ordered_levels
from biomedkit.validation.external import ALL, check_reserved, random_effects, validation_table

POOLED = "pooled (random effects)"  # label of the summary row of leave_one_site_out
_MEASURES = ("auc", "brier", "citl", "slope")


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

    Raises
    ------
    ValueError
        When a site is called "pooled (random effects)" or "all validation", the labels
        of the table's own summary rows (rename the site).

    Warns
    -----
    UserWarning
        When a held-out site's values cannot all be estimated, naming the site and the
        cause: a single outcome class (no AUC, no calibration), a single event or
        non-event (no DeLong interval), or risks that separate its outcomes
        (no calibration slope). Those values are NaN, the note column says why, and they
        are left out of the pooling; the other sites' rows stand.

    Examples
    --------
    >>> data, _ = bk.simulate.cohort(n=2000, n_sites=4, random_state=0)
    >>> X = data.X[["age", "sbp", "smoker", "diabetes"]]
    >>> model = make_pipeline(StandardScaler(), LogisticRegression())     # doctest: +SKIP
    >>> bk.multisite.leave_one_site_out(model, X, data.y, data.frame["site"])  # doctest: +SKIP
    """
    from sklearn.model_selection import LeaveOneGroupOut, cross_val_predict

    y, codes = _check_sites(X, y, sites)
    measures = _check_measures(scoring)
    level = check_level(level)
    risk = cross_val_predict(estimator, X, y, groups=codes.codes, cv=LeaveOneGroupOut(),
                             method="predict_proba", n_jobs=n_jobs)[:, 1]
    out = _site_rows(y, risk, codes, measures, level)
    _warn_noted(out["note"])
    out.loc[POOLED] = _pooled_row(out, risk, measures, level)
    return out.astype({"n": int, "events": int})


def _warn_noted(notes: pd.Series) -> None:
    """One warning naming the held-out sites whose values are NaN, and why."""
    single = notes.index[notes.str.startswith("one outcome class")].tolist()
    other = notes[(notes != "") & ~notes.index.isin(single)]
    parts = [f"sites {single} have a single outcome class: their AUC and calibration are NaN and they "
             "are left out of the pooled summary"] if single else []
    parts += [f"site {site!r}: {note} (NaN, left out of the pooled summary)" for site, note in other.items()]
    if parts:
        warnings.warn("; ".join(parts), UserWarning, stacklevel=3)


def _check_sites(X, y, sites) -> tuple[np.ndarray, pd.Categorical]:
    """``y`` as 0/1 and ``sites`` as a categorical in the sites' order, or a ValueError
    when a site is missing, there is one site, or a training set would hold one class."""
    y = check_binary(y, "y")
    n_rows = X.shape[0] if hasattr(X, "shape") else len(X)
    if n_rows != y.size:
        raise ValueError(f"X has {n_rows} rows but y has {y.size} values; they must match")
    site_values = pd.Series(np.asarray(sites))
    if site_values.size != y.size:
        raise ValueError(f"sites has {site_values.size} values but y has {y.size}; they must match")
    if site_values.isna().any():
        raise ValueError("sites contains missing values; give every patient a site")
    levels = ordered_levels(sites)
    check_reserved(levels, {POOLED, ALL}, "sites")
    if len(levels) < 2:
        raise ValueError(f"sites has a single site ({levels[0]!r}); leave-one-site-out needs at "
                         "least 2 sites (and 3 for a useful pooled summary)")
    codes = pd.Categorical(site_values, categories=levels)
    for site in levels:
        rest = y[(codes != site)]
        if rest.min() == rest.max():
            raise ValueError(f"sites: without {site!r} the other sites have a single outcome "
                             "class; no model can be trained to predict the held-out site")
    return y, codes


def _site_rows(y: np.ndarray, risk: np.ndarray, codes: pd.Categorical, measures: list[str],
               level: float) -> pd.DataFrame:
    """One row per held-out site: counts, then each measure with its interval and standard error."""
    levels = codes.categories
    table = validation_table(y, risk, codes, level=level).drop(index=ALL)
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
    return out


def _pooled_row(sites: pd.DataFrame, risk: np.ndarray, measures: list[str], level: float) -> pd.Series:
    """The last row of the table: all patients, and each measure pooled by random effects."""
    pooled = pool_sites(sites, level=level)
    row = {"n": sites["n"].sum(), "events": sites["events"].sum(),
           "observed_rate": sites["events"].sum() / sites["n"].sum(), "mean_predicted": risk.mean(),
           "note": "DerSimonian-Laird; pool_sites(table) adds prediction intervals"}
    for m in measures:
        if m in pooled.index:
            row.update({m: pooled.loc[m, "pooled"], f"{m}_low": pooled.loc[m, "low"],
                        f"{m}_high": pooled.loc[m, "high"]})
    return pd.Series(row)


@keyword_only_after(1)
def pool_sites(table: pd.DataFrame, *, level: float = 0.95) -> pd.DataFrame:
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
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be the DataFrame of leave_one_site_out (one row per site); "
                        f"got {type(table).__name__}")
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
