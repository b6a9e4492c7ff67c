"""The leakage section: features that alone predict the target suspiciously well, in the
whole table or within one site only (a shortcut that a model learns at that site)."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from biomedkit._audit.common import ALPHA, SHOWN, auc_table, name_list, p_text
from biomedkit._audit.report import Section
from biomedkit._audit.scan import MIN_EVENTS

if TYPE_CHECKING:
    from biomedkit._audit.build import Builder

ONE_SIDED_SHARE = 0.2  # rows beyond a cut, all of one outcome, that make a feature a suspect
_SITE_COLUMNS = ["site", "class", "auc_in_site", "auc_elsewhere", "auc_overall", "direction",
                 "n_in_site", "events_in_site"]  # then p_value and flag


def leakage(b: Builder) -> None:
    ctx, info = b.ctx, b.info
    feats = info[info.role == "feature"]
    table = auc_table(feats, ctx.classes, "auc", "auc_class", "higher")
    table["n_used"] = feats.n_used.astype(int)
    table["method"] = np.where(feats.kind == "categorical", "out-of-fold target mean", "rank")
    table["one_sided"] = feats.one_sided.astype(float)
    table["one_sided_p"] = feats.one_sided_p.astype(float)
    table["one_sided_rule"] = [_rule(*args, ctx.classes) for args in zip(
        feats.index, feats.one_sided, feats.one_sided_side, feats.one_sided_cut, feats.one_sided_class)]
    table["looks_like"] = feats.survival
    table = table.sort_values("auc", ascending=False, na_position="last")
    by_auc = table.auc >= b.t["leak_auc"]
    determined = (table.one_sided >= ONE_SIDED_SHARE) & (table.one_sided_p < ALPHA)
    named = table.looks_like != ""
    table["flag"] = by_auc | determined | named
    table["reason"] = [", ".join(r for r, hit in (("AUC", a), ("one-sided", d), ("name", m)) if hit)
                       for a, d, m in zip(by_auc, determined, named)]
    b.tables["leakage"] = table
    for name, row in table[table.flag].iterrows():
        _flag_leak(b, name, row, by_auc[name], determined[name])
    against, where = (("the target", "cases") if ctx.positive >= 0 else
                      ("each class against the rest (the best-separated in 'class')", "it"))
    text = (f"Each feature alone as a score for {against}: rank AUC for numeric features, "
            f"folded as max(AUC, 1 - AUC) ('direction': values higher or lower in {where}), and "
            "a 5-fold out-of-fold target-mean encoding for categorical ones. Flagged at AUC >= "
            f"{b.t['leak_auc']}: a single feature that strong is rare in clinical data. Also "
            f"flagged: a numeric feature beyond one cut of which at least {ONE_SIDED_SHARE:.0%} "
            "of the rows all have the same outcome ('one_sided': the target is fixed on that "
            f"side; chance of so long a run if outcomes were shuffled < {ALPHA}), and a column "
            "named like a follow-up time (time, futime, days, os_time, pfs) or an event "
            "indicator (event, cens, status, death): an outcome read at a horizon from such "
            "columns is given away by them ('looks_like').")
    shown = pd.concat([table[table.flag], table[~table.flag].head(SHOWN)])
    tables = [(f"Univariable AUC (the flagged and the top {SHOWN} others)", shown)]
    b.tables["site_leakage"] = None
    if ctx.site is not None:
        by_site = _within_sites(b, table.auc)
        b.tables["site_leakage"] = by_site
        text += " " + _site_text(b)
        tables.append((f"Univariable AUC within each site (the flagged and the top {SHOWN} others)",
                       pd.concat([by_site[by_site.flag], by_site[~by_site.flag].head(SHOWN)])))
    b.sections.append(Section("Possible leaks", text, tables))


def _rule(name, share, side, cut, label, classes) -> str:
    """'time >= 731 -> 0': beyond the cut the target is always that class ('' if no run)."""
    if not share > 0:
        return ""
    return f"{name} {'<=' if side < 0 else '>='} {cut:g} -> {classes[int(label)]}"


def _flag_leak(b: Builder, name, row, by_auc: bool, determined: bool) -> None:
    """One finding per flagged feature: high for a strong AUC, or for a follow-up column
    that fixes the target on one side; medium for the other reasons alone."""
    role = row.looks_like
    a_role = f"an {role}" if role[:1] in "aeiou" else f"a {role}"
    derived = ("if the target was derived from it (an event by a horizon), it gives the target "
               "away: leave it out of the features")
    beyond = "" if not determined else (
        f"all {round(row.one_sided * row.n_used)} rows ({row.one_sided:.0%}) with "
        f"{row.one_sided_rule.replace(' -> ', ' have target ')}, {p_text(row.one_sided_p)}")
    if by_auc:
        message = (f"{name!r} alone predicts the target with AUC {row.auc:.3f}: is it measured "
                   "after the outcome, or derived from it?")
        if role:
            message += f" It looks like {a_role}: {derived}"
        b.flag("high", "Possible leaks", message, name)
    elif determined and role:
        b.flag("high", "Possible leaks", f"{name!r} looks like {a_role} and fixes the target on "
               f"one side ({beyond}): the target seems derived from it; leave it out of the "
               "features", name)
    elif determined:
        b.flag("medium", "Possible leaks", f"{name!r} fixes the target on one side of a cut "
               f"({beyond}): a near-deterministic relation; is it measured after the outcome, "
               "or derived from it?", name)
    else:
        b.flag("medium", "Possible leaks", f"{name!r} looks like {a_role}: it is known only "
               f"at the end of follow-up, not when a prediction is made, and {derived}", name)


def _within_sites(b: Builder, overall: pd.Series) -> pd.DataFrame:
    """One row per feature and screened site: the AUC there (the best-separated class for
    more than two classes), at the other sites together, and whether they differ."""
    from scipy.special import ndtr

    ctx, scan = b.ctx, b.scan
    rows, unfolded = [], []
    for name, (auc, se, auc_else, se_else) in scan.site_leak.items():
        folded = np.fmax(auc, 1 - auc)
        categorical = b.info.kind[name] == "categorical"
        for s in np.flatnonzero(~np.all(np.isnan(folded), axis=1)):
            k = int(np.nanargmax(folded[s]))
            higher = "" if categorical else "higher" if auc[s, k] >= 0.5 else "lower"
            rows.append((name, str(ctx.site_levels[s]), str(ctx.classes[k]), folded[s, k],
                         max(auc_else[s, k], 1 - auc_else[s, k]), overall[name], higher,
                         int(scan.site_counts[s].sum()), int(scan.site_counts[s, k])))
            unfolded.append((auc[s, k], se[s, k], auc_else[s, k], se_else[s, k]))
    table = pd.DataFrame(rows, columns=["column", *_SITE_COLUMNS]).set_index("column")
    a, se_a, e, se_e = np.array(unfolded, dtype=float).reshape(-1, 4).T
    with np.errstate(invalid="ignore", divide="ignore"):  # a perfect AUC has no spread
        z = np.abs(a - e) / np.sqrt(se_a ** 2 + se_e ** 2)
    table["p_value"] = np.where(a == e, 1.0, 2 * ndtr(-z))
    leak = b.t["leak_auc"]
    table["flag"] = (table.auc_in_site >= leak) & (table.auc_elsewhere < leak) & (table.p_value < ALPHA)
    table = table.sort_values("auc_in_site", ascending=False, kind="stable")
    for name, rows in table[table.flag].groupby(level=0, sort=False):  # one finding per feature
        top = rows.iloc[0]
        where = (f"at {top.site} (AUC {top.auc_in_site:.3f} there" if len(rows) == 1 else
                 f"at {len(rows)} sites, {name_list(rows.site)} (AUC {top.auc_in_site:.3f} at {top.site}")
        b.flag("high", "Possible leaks", f"{name!r} predicts the target {where}, "
               f"{top.auc_elsewhere:.3f} at the other sites, {p_text(top.p_value)}): a marker of how a "
               "site records or samples its cases, which a model learns as a shortcut. Check how "
               "it is measured there, and validate leaving one site out", name)
    return table


def _site_text(b: Builder) -> str:
    """What the per-site screen did, and which sites it could not screen (a finding)."""
    ctx, scan = b.ctx, b.scan
    skipped = [str(level) for s, level in enumerate(ctx.site_levels) if not scan.site_screened[s].any()]
    if ctx.positive >= 0:
        few = f"fewer than {MIN_EVENTS} events or non-events"
        counts = {str(v): (int(c[ctx.positive]), int(c.sum() - c[ctx.positive]))
                  for v, c in zip(ctx.site_levels, scan.site_counts)}
        detail = [f"{s} ({counts[s][0]} events, {counts[s][1]} non-events)" for s in skipped]
    else:
        few = f"no class with at least {MIN_EVENTS} rows and {MIN_EVENTS} of the other classes"
        detail = skipped
    text = (f"Within each site ({ctx.site!r}): the same AUC among the rows of that site, and at "
            "the other sites together; a feature is flagged when it reaches "
            f"{b.t['leak_auc']} at one site, stays below it elsewhere, and the two differ at "
            f"p < {ALPHA} (z-test, DeLong standard errors): a label given away at one site. "
            f"{len(ctx.site_levels) - len(skipped)} of {len(ctx.site_levels)} sites screened.")
    if skipped:
        text += f" Not screened ({few} there or at the other sites): {name_list(detail)}."
        b.flag("low", "Possible leaks", f"{len(skipped)} site(s) not screened for site-specific "
               f"leaks ({few} there or at the other sites): {name_list(skipped)}", ctx.site)
    return text
