"""Static explanation plots (matplotlib): each takes ``ax=`` and returns the Axes.

They are also the static rendering of the interpretability explorer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from biomedkit._checks import check_random_state
from biomedkit._deprecation import keyword_only_after

# Okabe-Ito orange and blue (as in the fairness plots): pushes up and down.
UP, DOWN = "#D55E00", "#0072B2"
COLORMAP = "coolwarm"  # feature value, low (blue) to high (red)


def _ax(ax, size=(5.5, 4.5)):
    import matplotlib.pyplot as plt

    return ax if ax is not None else plt.subplots(figsize=size)[1]


def _numeric(column: pd.Series) -> np.ndarray:
    """Values to colour or place by: category codes for categorical and text columns."""
    if isinstance(column.dtype, pd.CategoricalDtype) or column.dtype.kind in "OSU":
        codes = pd.Categorical(column).codes.astype(float)
        return np.where(codes < 0, np.nan, codes)
    return column.to_numpy(float)


def _scaled(values: np.ndarray) -> np.ndarray:
    """Values mapped to [0, 1] between their 5th and 95th percentiles (outliers saturate)."""
    finite = values[np.isfinite(values)]
    if finite.size == 0:
        return np.full(values.shape, np.nan)
    low, high = np.percentile(finite, [5, 95])
    if high <= low:
        low, high = finite.min(), finite.max()
    return np.clip((values - low) / (high - low), 0, 1) if high > low else np.full(values.shape, 0.5)


def _swarm_offsets(x: np.ndarray, n_bins: int = 100, width: float = 0.4) -> np.ndarray:
    """Vertical offsets that stack points sharing an x bin, alternately above and below."""
    span = np.ptp(x) or 1.0
    bins = np.floor((x - x.min()) / span * (n_bins - 1)).astype(int)
    order = np.argsort(bins, kind="stable")
    counts = np.bincount(bins, minlength=n_bins)
    starts = np.concatenate([[0], np.cumsum(counts)[:-1]])
    rank = np.empty(x.size, dtype=int)
    rank[order] = np.arange(x.size) - np.repeat(starts, counts)
    offset = (rank + 1) // 2 * np.where(rank % 2 == 0, 1, -1)
    return offset * width / max(np.abs(offset).max(), 1)


def _check_explanation(explanation) -> None:
    from biomedkit.explain._explanation import Explanation

    if not isinstance(explanation, Explanation):
        raise TypeError("explanation must come from bk.explain.explain(model, X); "
                        f"got {type(explanation).__name__}")


@keyword_only_after(1)
def plot_summary(explanation, *, max_features: int = 15, max_points: int = 5000, ax=None,
                 random_state: int = 0):
    """Beeswarm summary: each patient's SHAP value per feature, coloured by the feature's value.

    Features are ordered by mean |SHAP| (largest on top). A red tail to the right means
    high values of the feature push the prediction up.

    Parameters
    ----------
    explanation : Explanation
    max_features : int, default=15
        Most features shown.
    max_points : int, default=5000
        Most patients drawn (a random sample beyond that, for speed).
    ax : matplotlib Axes, optional
    random_state : int, default=0
        Seed for the sample of patients drawn.

    Examples
    --------
    >>> bk.explain.plot_summary(expl)                                 # doctest: +SKIP
    """
    _check_explanation(explanation)
    import matplotlib.pyplot as plt

    top = explanation.importance()["feature"].head(max_features).tolist()
    ax = _ax(ax, (6, 0.35 * len(top) + 1.5))
    rows = np.arange(len(explanation))
    if rows.size > max_points:
        rows = np.sort(check_random_state(random_state).choice(rows, max_points, replace=False))
    cmap = plt.get_cmap(COLORMAP)
    for position, name in enumerate(reversed(top)):
        j = explanation.feature_names.index(name)
        x = explanation.values[rows, j]
        colour = _scaled(_numeric(explanation.data[name].iloc[rows]))
        y = position + _swarm_offsets(x)
        missing = np.isnan(colour)
        ax.scatter(x[missing], y[missing], s=6, color="#999999", lw=0, rasterized=True)
        ax.scatter(x[~missing], y[~missing], s=6, c=colour[~missing], cmap=cmap, vmin=0, vmax=1,
                   lw=0, rasterized=True)
    ax.axvline(0, color="grey", lw=0.8)
    ax.set_yticks(range(len(top)), list(reversed(top)))
    ax.set(xlabel=f"SHAP value ({explanation.output})", ylim=(-0.6, len(top) - 0.4),
           title="Contribution of each feature, per patient")
    bar = ax.figure.colorbar(plt.cm.ScalarMappable(cmap=cmap), ax=ax, ticks=[0, 1], aspect=30, pad=0.02)
    bar.ax.set_yticklabels(["low", "high"])
    bar.set_label("feature value")
    return ax


def _format(value) -> str:
    if isinstance(value, (float, np.floating)):
        return f"{value:.4g}"
    return str(value)


@keyword_only_after(1)
def plot_waterfall(explanation, *, row: int = 0, max_features: int = 10, ax=None):
    """One patient's prediction built up from the base value, feature by feature.

    Parameters
    ----------
    explanation : Explanation
    row : int, default=0
        Position of the patient in ``explanation``.
    max_features : int, default=10
        Features shown one by one (largest |SHAP| first); the rest share one bar.
    ax : matplotlib Axes, optional

    Examples
    --------
    >>> bk.explain.plot_waterfall(expl, row=3)                        # doctest: +SKIP
    """
    _check_explanation(explanation)
    from scipy.special import expit

    if not -len(explanation) <= row < len(explanation):
        raise ValueError(f"row must be a position in [0, {len(explanation) - 1}]; got {row}")
    values, base = explanation.values[row], float(explanation.base_values[row])
    order = np.argsort(-np.abs(values), kind="stable")
    shown, rest = order[:max_features], order[max_features:]
    labels = [f"{explanation.feature_names[j]} = {_format(explanation.data.iloc[row, j])}" for j in shown]
    steps = list(values[shown])
    if rest.size:
        labels.append(f"{rest.size} other features")
        steps.append(values[rest].sum())
    # Drawn bottom-up from the base value, the largest contribution last (on top).
    labels, steps = labels[::-1], np.asarray(steps[::-1])
    starts = base + np.concatenate([[0], np.cumsum(steps)[:-1]])
    ax = _ax(ax, (6, 0.4 * len(steps) + 1.5))
    colours = [UP if s >= 0 else DOWN for s in steps]
    ax.barh(range(len(steps)), steps, left=starts, color=colours, height=0.7)
    for i, (start, step) in enumerate(zip(starts, steps)):
        ax.text(start + step, i, f" {step:+.3g} ", va="center", ha="left" if step >= 0 else "right",
                fontsize="small")
    prediction = base + steps.sum()
    ax.axvline(base, color="grey", lw=0.8, ls=":")
    ax.axvline(prediction, color="black", lw=0.8)
    ax.set_yticks(range(len(steps)), labels)
    title = f"base {base:.3g} -> prediction {prediction:.3g} ({explanation.output})"
    if explanation.output == "log-odds":
        title += f"\nrisk {expit(base):.1%} -> {expit(prediction):.1%}"
    ax.set(xlabel=f"model output ({explanation.output})", title=title)
    ax.margins(x=0.25)  # room for the value labels beyond the outermost bars
    return ax


def interaction_partner(explanation, feature: str) -> str:
    """The feature that best explains the spread of ``feature``'s SHAP values (shap's heuristic)."""
    from shap.utils import approximate_interactions

    data = np.column_stack([_numeric(explanation.data[c]) for c in explanation.feature_names])
    j = explanation.feature_names.index(feature)
    candidates = approximate_interactions(j, explanation.values, data)
    return explanation.feature_names[next(int(k) for k in candidates if k != j)]


@keyword_only_after(2)
def plot_dependence(explanation, feature: str, *, color_by: str | None = "auto", ax=None):
    """SHAP value of one feature against its value, coloured by a second feature.

    A vertical spread at a given value means the feature's effect depends on other
    features; colouring by the right one shows the interaction.

    Parameters
    ----------
    explanation : Explanation
    feature : str
    color_by : str, "auto" or None, default="auto"
        The feature used for colour; "auto" picks the one that best explains the
        vertical spread (shap's ``approximate_interactions``); None: one colour.
    ax : matplotlib Axes, optional

    Examples
    --------
    >>> bk.explain.plot_dependence(expl, "age", color_by="smoker")   # doctest: +SKIP
    """
    _check_explanation(explanation)
    import matplotlib.pyplot as plt

    names = explanation.feature_names
    for name, value in (("feature", feature), ("color_by", color_by)):
        if value is not None and not (name == "color_by" and value == "auto") and value not in names:
            raise ValueError(f"{name} must be one of the explained features; got {value!r}")
    if color_by == "auto":
        color_by = interaction_partner(explanation, feature) if len(names) > 1 else None
    ax = _ax(ax)
    column = explanation.data[feature]
    x = _numeric(column)
    categorical = isinstance(column.dtype, pd.CategoricalDtype) or column.dtype.kind in "OSU"
    if categorical:  # spread the points of each category a little
        x = x + np.random.default_rng(0).uniform(-0.2, 0.2, x.size)
    y = explanation.values[:, names.index(feature)]
    if color_by is None:
        ax.scatter(x, y, s=8, color=DOWN, lw=0, rasterized=True)
    else:
        colour = _scaled(_numeric(explanation.data[color_by]))
        cmap = plt.get_cmap(COLORMAP)
        ax.scatter(x, y, s=8, c=colour, cmap=cmap, vmin=0, vmax=1, lw=0, rasterized=True)
        bar = ax.figure.colorbar(plt.cm.ScalarMappable(cmap=cmap), ax=ax, ticks=[0, 1], aspect=30)
        bar.ax.set_yticklabels(["low", "high"])
        bar.set_label(color_by)
    if categorical:
        categories = pd.Categorical(column).categories
        ax.set_xticks(range(len(categories)), [str(c) for c in categories])
    ax.axhline(0, color="grey", lw=0.8)
    ax.set(xlabel=feature, ylabel=f"SHAP value of {feature} ({explanation.output})",
           title=f"Dependence on {feature}" + (f", coloured by {color_by}" if color_by else ""))
    return ax


@keyword_only_after(1)
def plot_importance(importance, *, max_features: int = 15, ax=None):
    """Horizontal bars of a global importance table, with intervals where it has them.

    Parameters
    ----------
    importance : Explanation or DataFrame
        An Explanation (mean |SHAP|), or the table from ``Explanation.importance``,
        ``permutation_importance`` (drawn with its low-high interval) or
        ``impurity_importance``.
    max_features : int, default=15
    ax : matplotlib Axes, optional

    Examples
    --------
    >>> bk.explain.plot_importance(bk.explain.permutation_importance(model, X, y))  # doctest: +SKIP
    """
    table = importance.importance() if hasattr(importance, "importance") else importance
    column = next((c for c in ("mean_abs_shap", "mean", "importance") if c in table.columns), None) if (
        isinstance(table, pd.DataFrame)) else None
    if column is None or "feature" not in table.columns:
        raise ValueError("importance must be an Explanation or a table from importance(), "
                         "permutation_importance() or impurity_importance()")
    table = table.head(max_features).iloc[::-1]
    ax = _ax(ax, (5.5, 0.35 * len(table) + 1.5))
    ax.barh(table["feature"].astype(str), table[column], color=DOWN)
    if {"low", "high"} <= set(table.columns):
        ax.errorbar(table[column], np.arange(len(table)), fmt="none", ecolor="black", lw=1, capsize=2,
                    xerr=[table[column] - table["low"], table["high"] - table[column]])
    xlabel = {"mean_abs_shap": "mean |SHAP value|", "importance": "impurity importance (training data)",
              "mean": f"drop in {table.attrs.get('scoring') or 'score'} when shuffled"}[column]
    ax.axvline(0, color="grey", lw=0.8)
    ax.set(xlabel=xlabel, title="Global importance")
    return ax


@keyword_only_after(1)
def plot_partial_dependence(curves, *, n_ice: int = 50, centered: bool = False, ax=None,
                            random_state: int = 0):
    """Partial dependence (thick line) over a sample of ICE curves (thin lines).

    Parameters
    ----------
    curves : DependenceCurves
        From :func:`partial_dependence`.
    n_ice : int, default=50
        ICE curves drawn (a random sample); 0 draws none.
    centered : bool, default=False
        Start every curve at 0 (c-ICE) to compare shapes.
    ax : matplotlib Axes, optional
    random_state : int, default=0
        Seed for the sample of ICE curves.

    Examples
    --------
    >>> bk.explain.plot_partial_dependence(curves, centered=True)    # doctest: +SKIP
    """
    from biomedkit.explain.dependence import DependenceCurves

    if not isinstance(curves, DependenceCurves):
        raise TypeError("curves must be the DependenceCurves from bk.explain.partial_dependence(model, X, "
                        f"feature); got {type(curves).__name__}")
    ax = _ax(ax)
    ice = curves.centered() if centered else curves.individual
    average = ice.groupby("value", sort=False)["prediction"].mean() if centered else \
        curves.average.set_index("value")["average"]
    rows = ice["row"].unique()
    if n_ice and rows.size:
        chosen = check_random_state(random_state).choice(rows, min(n_ice, rows.size), replace=False)
        position = {v: i for i, v in enumerate(curves.average["value"])}
        for _, curve in ice[ice["row"].isin(chosen)].groupby("row", sort=False):
            x = curve["value"].map(position) if curves.categorical else curve["value"]
            ax.plot(x, curve["prediction"], color="grey", lw=0.5, alpha=0.4)
    x = np.arange(len(average)) if curves.categorical else average.index.to_numpy(float)
    ax.plot(x, average.to_numpy(), color=UP, lw=2.5, marker="o" if curves.categorical else None,
            label="partial dependence")
    if curves.categorical:
        ax.set_xticks(x, [str(v) for v in average.index])
    label = f"{'change in ' if centered else ''}{curves.response}"
    ax.set(xlabel=curves.feature, ylabel=label, title=f"Partial dependence on {curves.feature}")
    ax.legend(fontsize="small")
    return ax
