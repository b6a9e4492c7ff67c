"""Partial dependence and ICE curves as tidy tables (scikit-learn computes them)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from biomedkit._checks import check_int
from biomedkit._deprecation import keyword_only_after
from biomedkit._estimators import as_frame, check_fitted
from biomedkit.explain._inputs import check_output_index, is_classifier, sample_rows


@dataclass(repr=False)
class DependenceCurves:
    """Partial dependence of a model on one feature, and the ICE curves behind it.

    Attributes
    ----------
    feature : str
    average : DataFrame
        ``value`` (grid point), ``average`` (mean prediction with the feature set to
        that value for every row): the partial dependence curve (also ``to_frame()``).
    individual : DataFrame
        Long table ``row`` (index label), ``value``, ``prediction``: one ICE curve per
        row (also ``to_frame(kind="individual")``). Crossing or diverging curves reveal
        interactions that the average hides.
    response : {"probability", "decision function", "prediction"}
        What the curves show.
    categorical : bool
        Whether the grid is the feature's categories.
    """

    feature: str
    average: pd.DataFrame
    individual: pd.DataFrame
    response: str
    categorical: bool

    def centered(self) -> pd.DataFrame:
        """ICE curves shifted to start at 0 (c-ICE), to compare their shapes."""
        first = self.individual.groupby("row", sort=False)["prediction"].transform("first")
        return self.individual.assign(prediction=self.individual["prediction"] - first)

    @keyword_only_after(1)
    def to_frame(self, *, kind: str = "average") -> pd.DataFrame:
        """The curves as a table (a copy).

        Parameters
        ----------
        kind : {"average", "individual"}, default="average"
            "average": the partial dependence curve, columns ``value`` and ``average``.
            "individual": the ICE curves, one row per (row, grid value), columns
            ``row``, ``value`` and ``prediction``.
        """
        tables = {"average": self.average, "individual": self.individual}
        if kind not in tables:
            raise ValueError(f"kind must be 'average' or 'individual'; got {kind!r}")
        return tables[kind].copy()

    def __repr__(self) -> str:
        return (f"<DependenceCurves: {self.feature}, {len(self.average)} grid values, "
                f"{self.individual['row'].nunique()} ICE curves of the {self.response}>")


def partial_dependence(model, X, feature: str, *, grid_resolution: int = 30,
                       percentiles: tuple[float, float] = (0.05, 0.95), max_rows: int = 500,
                       output_index: int | None = None,
                       random_state: int | None = None) -> DependenceCurves:
    """Partial dependence and ICE curves of ``model`` on one feature.

    Wraps :func:`sklearn.inspection.partial_dependence` (brute force: every row is
    predicted at every grid value) on at most ``max_rows`` rows. Classifiers show the
    probability of the event. A partial dependence curve averages over the other
    features as they are, so with correlated features it visits impossible patients
    (a 30-year-old with the blood pressure of an 80-year-old); ICE curves show
    whether one average is a fair summary.

    Parameters
    ----------
    model : fitted estimator (pipelines included)
    X : DataFrame or 2-d array
        Rows with the model's columns.
    feature : str
        The column to vary. Categorical (pandas 'category' or text) columns use their
        categories as the grid.
    grid_resolution : int, default=30
        Grid points for a numeric feature (fewer if it has fewer distinct values).
    percentiles : (float, float), default=(0.05, 0.95)
        The grid spans these percentiles of the feature.
    max_rows : int, default=500
        Most rows used; more are sampled without replacement.
    output_index : int, optional
        For models with several outputs (see ``explain``).
    random_state : int or None
        Seed for the row sample.

    Returns
    -------
    DependenceCurves
        ``.average`` and ``.individual`` tidy tables; plot with
        :func:`plot_partial_dependence`.

    References
    ----------
    Friedman (2001), Greedy function approximation, Ann Stat 29:1189-1232. Goldstein et al.
    (2015), Peeking inside the black box: ICE plots, J Comput Graph Stat 24:44-65.

    Examples
    --------
    >>> curves = bk.explain.partial_dependence(model, X_test, "age", random_state=0)  # doctest: +SKIP
    >>> bk.explain.plot_partial_dependence(curves)                                    # doctest: +SKIP
    """
    from sklearn.inspection import partial_dependence as sklearn_partial_dependence

    check_fitted(model)
    X = as_frame(X, model)
    if feature not in X.columns:
        raise ValueError(f"feature must be one of the model's columns; got {feature!r}")
    grid_resolution = check_int(grid_resolution, "grid_resolution", 2)
    X = sample_rows(X, check_int(max_rows, "max_rows", 1), random_state)
    dtype = X[feature].dtype
    categorical = isinstance(dtype, pd.CategoricalDtype) or dtype.kind in "OSU" or isinstance(
        dtype, pd.StringDtype)
    if categorical and not isinstance(dtype, pd.CategoricalDtype) and _all_numbers(X[feature]):
        # Numbers stored as text (a CSV read with dtype=str): scikit-learn reads them as numbers,
        # so vary them as numbers too, not as one category per distinct value.
        categorical = False
    custom = None
    if not categorical:
        # scikit-learn refuses to vary an integer column (a CSV's counts and 0/1 flags): vary
        # a float copy, and build the grid here so that it always stays inside the percentiles.
        X = X.assign(**{feature: pd.to_numeric(X[feature]).astype(float)})
        custom = {feature: numeric_grid(X[feature], grid_resolution, percentiles)}
    result = sklearn_partial_dependence(model, X, [feature], kind="both", grid_resolution=grid_resolution,
                                        percentiles=percentiles, custom_values=custom,
                                        categorical_features=[feature] if categorical else None)
    average, individual = result["average"], result["individual"]
    k = check_output_index(average.shape[0], output_index)
    k = 0 if k is None else k  # a binary classifier's only curve is the event's
    grid = np.asarray(result["grid_values"][0])
    response = "prediction" if not is_classifier(model) else (
        "probability" if hasattr(model, "predict_proba") else "decision function")
    n_rows, n_grid = individual.shape[1:]
    return DependenceCurves(
        feature=feature,
        average=pd.DataFrame({"value": grid, "average": average[k]}),
        individual=pd.DataFrame({"row": np.repeat(X.index.to_numpy(), n_grid),
                                 "value": np.tile(grid, n_rows),
                                 "prediction": individual[k].ravel()}),
        response=response, categorical=categorical)


def numeric_grid(values: pd.Series, grid_resolution: int, percentiles) -> np.ndarray:
    """The grid of a numeric feature: its distinct values inside the percentile range when
    there are at most ``grid_resolution`` of them, else evenly spaced points across it."""
    if (not isinstance(percentiles, (tuple, list)) or len(percentiles) != 2
            or not all(isinstance(p, (int, float)) and not isinstance(p, bool) for p in percentiles)
            or not 0 <= percentiles[0] < percentiles[1] <= 1):
        raise ValueError(f"percentiles must be two numbers 0 <= low < high <= 1, e.g. (0.05, 0.95); "
                         f"got {percentiles!r}")
    observed = values.dropna().to_numpy(dtype=float)
    if observed.size == 0:
        raise ValueError(f"feature {values.name!r} has no observed values in X")
    from scipy.stats.mstats import mquantiles

    low, high = mquantiles(observed, prob=percentiles)  # scikit-learn's own quantiles
    inside = np.unique(observed[(observed >= low) & (observed <= high)])
    if inside.size <= grid_resolution:
        return inside
    return np.linspace(low, high, grid_resolution)


def _all_numbers(column: pd.Series) -> bool:
    present = column.dropna()
    return bool(len(present)) and not pd.to_numeric(present, errors="coerce").isna().any()
