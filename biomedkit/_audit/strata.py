"""Sections on parts of the table: sites, groups and periods of time."""

from __future__ import annotations

import warnings
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from biomedkit._audit.common import ALPHA, SEPARABLE_AUC, SHOWN, auc_table, name_list, p_text, rows_used
from biomedkit._audit.context import Context
from biomedkit._audit.report import Section
from biomedkit._audit.scan import classifier_separability
from biomedkit._audit.stats import chi2_p, crosstab
from biomedkit._stats import wilson_interval

if TYPE_CHECKING:
    from biomedkit._audit.build import Builder

_MISSING = "(missing)"


def sites(b: Builder) -> None:
    ctx, scan, info = b.ctx, b.scan, b.info
    b.tables.update(by_site=None, site_features=None)
    if ctx.site is None:
        return
    by_site, p = _outcome_by(ctx.site_codes[:ctx.n], ctx.site_levels, str(ctx.site), ctx)
    feats = info[info.site_auc.notna()]
    site_features = auc_table(feats, ctx.site_levels, "site_auc", "site_class", "site_higher")
    site_features = site_features.rename(columns={"class": "site"}).sort_values("auc", ascending=False)
    b.tables.update(by_site=by_site, site_features=site_features)
    sep = classifier_separability(scan.site_X, ctx.site_codes[scan.site_sample], ctx.seed)
    text = ""
    if sep is not None:
        b.separability.append(dict(comparison="sites", **sep))
        text = (f"A gradient-boosting classifier tells the {len(ctx.site_levels)} sites apart from "
                f"{sep['n_features']} features with AUC {sep['auc']:.3f} (0.5 is chance) and "
                f"balanced accuracy {sep['balanced_accuracy']:.3f} (chance {sep['chance']:.3f}); "
                f"3-fold cross-validation on {rows_used(sep['n_rows'], ctx.site_codes)}. ")
        if sep["auc"] >= SEPARABLE_AUC:
            b.flag("medium", "Sites", f"sites are easy to tell apart from the features (AUC "
                   f"{sep['auc']:.3f}; most different: {name_list(site_features.index[:3])}): "
                   "case mix or batch effects. Validate across sites (leave one site out)",
                   ctx.site)
    text += ("Per feature, the AUC of the best-separated site against the others (rank, or "
             f"out-of-fold encoding). Outcome by site: chi-square {p_text(p)}.")
    if p < ALPHA:
        b.flag("low", "Sites", f"the outcome differs between sites ({p_text(p)}): site may "
               "confound the outcome", ctx.site)
    b.sections.append(Section("Sites", text, [
        ("Outcome by site", by_site),
        (f"Features that differ most between sites (top {SHOWN})", site_features.head(SHOWN))]))


def groups(b: Builder) -> None:
    ctx = b.ctx
    b.tables["by_group"] = None
    if ctx.group is None:
        return
    codes, levels = pd.factorize(ctx.columns[ctx.group], sort=True)
    table, p = _outcome_by(codes, list(levels), str(ctx.group), ctx)
    b.tables["by_group"] = table
    small = table.index[table.n < 30].tolist()
    if small:
        b.flag("low", "Groups", f"{len(small)} group(s) with fewer than 30 labelled rows "
               f"({name_list(small)}): estimates for them will be noisy", ctx.group)
    if ctx.positive >= 0:
        one_class = table.index[(table.events == 0) | (table.events == table.n)].tolist()
        if one_class:
            b.flag("medium", "Groups", f"group(s) with only one outcome class: "
                   f"{name_list(one_class)}; per-group AUC and calibration are undefined",
                   ctx.group)
    shown = table.sort_values("n", ascending=False).head(SHOWN * 2)
    text = (f"{len(table)} groups; outcome by group, chi-square {p_text(p)}"
            + (f" (the {len(shown)} largest shown)" if len(shown) < len(table) else "") + ".")
    b.sections.append(Section("Groups", text, [("Outcome by group", shown)]))


def periods(b: Builder) -> None:
    ctx = b.ctx
    b.tables["by_time"] = None
    if ctx.time is None:
        return
    codes, levels, how = _period_codes(ctx.columns[ctx.time], b.time_freq)
    table, p = _outcome_by(codes, levels, "period", ctx)
    # share of missing cells per row, averaged within each period (all rows, labelled or not)
    info = b.info
    cells = sum(b.scan.missing_matrix.values(), np.zeros(ctx.n)) + (info.n_missing == ctx.n).sum()
    period = np.where(codes < 0, len(levels), codes)
    with np.errstate(invalid="ignore", divide="ignore"):
        table["missing_share"] = (np.bincount(period, weights=cells, minlength=len(table))
                                  / np.bincount(period, minlength=len(table)) / len(info))[:len(table)]
    b.tables["by_time"] = table
    if p < ALPHA:
        b.flag("low", "Time", f"the outcome changes over time ({p_text(p)}): validate on a "
               "later period too (temporal validation)", ctx.time)
    text = (f"Rows, outcome and the share of missing cells per period of {ctx.time!r} ({how}); "
            f"outcome by period, chi-square {p_text(p)}.")
    b.sections.append(Section("Time", text, [("By period", table)]))


def _outcome_by(codes: np.ndarray, levels: list, name: str, ctx: Context) -> tuple[pd.DataFrame, float]:
    """Rows, and the outcome, per level of a grouping over the labelled df rows."""
    y = ctx.y[:ctx.n]
    labelled = y >= 0
    if (codes[labelled] < 0).any():
        codes, levels = np.where(codes < 0, len(levels), codes), [*levels, _MISSING]
    table = crosstab(codes, len(levels), np.where(labelled, y, -1), len(ctx.classes))
    n = table.sum(axis=1)
    out = pd.DataFrame({"n": n, "share": n / n.sum()}, index=pd.Index([str(v) for v in levels], name=name))
    if ctx.positive >= 0:
        events = table[:, ctx.positive]
        low, high = wilson_interval(events, n)
        with np.errstate(invalid="ignore", divide="ignore"):
            out = out.assign(events=events, prevalence=events / n, prevalence_low=low, prevalence_high=high)
    else:
        for k, cls in enumerate(ctx.classes):
            with np.errstate(invalid="ignore", divide="ignore"):
                out[f"share_{cls}"] = table[:, k] / n
    return out, chi2_p(table)


def _period_codes(series: pd.Series, freq) -> tuple[np.ndarray, list, str]:
    """Period codes (-1 missing), their labels and how they were made."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not pd.api.types.is_bool_dtype(series.dtype):
        if series.nunique() <= 30:
            codes, levels = pd.factorize(series, sort=True)
            return codes, list(levels), "each value"
        binned = pd.qcut(series, 10, duplicates="drop")
        codes, levels = pd.factorize(binned, sort=True)
        return codes, [str(v) for v in levels], "deciles"
    try:
        with warnings.catch_warnings():  # pandas warns when it must guess the date format
            warnings.simplefilter("ignore", UserWarning)
            dates = series if pd.api.types.is_datetime64_any_dtype(series.dtype) else pd.to_datetime(series)
    except (ValueError, TypeError) as error:
        raise ValueError(f"time={series.name!r} must hold dates or numbers (e.g. a year); "
                         f"pandas could not read it as dates: {error}") from None
    if getattr(dates.dt, "tz", None) is not None:
        dates = dates.dt.tz_convert("UTC").dt.tz_localize(None)
    if freq is None:
        freq = "D"
        for candidate in ("Y", "Q", "M", "W"):
            if dates.dt.to_period(candidate).nunique() >= 4:
                freq = candidate
                break
    try:
        periods = dates.dt.to_period(freq)
    except (ValueError, TypeError) as error:
        raise ValueError(f"time_freq={freq!r} is not a pandas period alias such as 'Y', 'Q', 'M', "
                         f"'W' or 'D': {error}") from None
    codes, levels = pd.factorize(periods, sort=True)
    return codes, [str(v) for v in levels], f"periods of {freq!r}"
