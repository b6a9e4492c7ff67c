"""shap's explainers for scikit-learn trees, linear models and any other model."""

from __future__ import annotations

import numpy as np
import pandas as pd

from biomedkit.explain._inputs import check_output_index, is_classifier, pick_output

# scikit-learn trees that shap's TreeExplainer reads; boosted ones explain the margin.
SHAP_TREES = {"DecisionTreeClassifier", "DecisionTreeRegressor", "RandomForestClassifier",
              "RandomForestRegressor", "ExtraTreesClassifier", "ExtraTreesRegressor",
              "GradientBoostingClassifier", "GradientBoostingRegressor",
              "HistGradientBoostingClassifier", "HistGradientBoostingRegressor"}
LINEAR = {"LogisticRegression", "LogisticRegressionCV", "LinearRegression", "Ridge", "RidgeCV",
          "Lasso", "LassoCV", "ElasticNet", "ElasticNetCV"}


def tree_output(model) -> str:
    if not is_classifier(model):
        return "raw"
    if "GradientBoosting" not in type(model).__name__:
        return "probability"  # forests and single trees average leaf probabilities
    return "log-odds" if len(model.classes_) == 2 else "raw"


def tree_shap(model, X: pd.DataFrame, output_index=None, *, interactions: bool = False):
    """Path-dependent TreeSHAP from shap's TreeExplainer (no background data needed)."""
    import shap

    explainer = shap.TreeExplainer(model)
    if interactions:
        values, class_axis = np.asarray(explainer.shap_interaction_values(X), dtype=float), 3
    else:
        values, class_axis = np.asarray(explainer.shap_values(X), dtype=float), 2
    base = np.ravel(np.asarray(explainer.expected_value, dtype=float))
    if values.ndim == class_axis + 1:  # one slice per class (or target) on the last axis
        if is_classifier(model) and len(model.classes_) == 2:
            check_output_index(1, output_index)
            k = 1  # the event
        else:
            k = check_output_index(values.shape[-1], output_index)
        values, base = values[..., k], base[k]
    else:
        check_output_index(1, output_index)
        base = base[0]
    return values, np.full(len(X), float(base)), tree_output(model)


def linear_shap(model, X: pd.DataFrame, background: pd.DataFrame):
    """shap's LinearExplainer with features independent of each other in ``background``."""
    import shap

    masker = shap.maskers.Independent(background.to_numpy(float), max_samples=len(background))
    explainer = shap.LinearExplainer(model, masker)
    values = np.asarray(explainer.shap_values(X.to_numpy(float)), dtype=float)
    base = float(np.ravel(explainer.expected_value)[0])
    output = "log-odds" if type(model).__name__.startswith("LogisticRegression") else "raw"
    return values, np.full(len(X), base), output


class Codec:
    """Numbers for shap's maskers (which need numeric arrays) and back to the model's table.

    Categorical and text columns travel as integer codes; decoding restores the dtypes,
    so a Pipeline with a OneHotEncoder sees the same kind of table as in fit.
    """

    def __init__(self, *frames: pd.DataFrame):
        self.columns = frames[0].columns
        self.dtypes = frames[0].dtypes
        self.categories = {}
        for c in self.columns:
            dtype = self.dtypes[c]
            if isinstance(dtype, pd.CategoricalDtype) or dtype.kind in "OSU":
                known = list(dtype.categories) if isinstance(dtype, pd.CategoricalDtype) else []
                seen = pd.unique(pd.concat([f[c].astype(object) for f in frames]).dropna())
                self.categories[c] = pd.Index(known + [v for v in seen if v not in set(known)])

    def encode(self, frame: pd.DataFrame) -> np.ndarray:
        return np.column_stack([
            pd.Categorical(frame[c].astype(object), categories=self.categories[c]).codes.astype(float)
            if c in self.categories else frame[c].to_numpy(float) for c in self.columns])

    def decode(self, array: np.ndarray) -> pd.DataFrame:
        out = {}
        for i, c in enumerate(self.columns):
            dtype = self.dtypes[c]
            if c in self.categories:
                codes = array[:, i].astype(int)
                if isinstance(dtype, pd.CategoricalDtype):
                    same = len(self.categories[c]) == len(dtype.categories)
                    out[c] = pd.Categorical.from_codes(codes, dtype=dtype) if same else \
                        pd.Categorical.from_codes(codes, categories=self.categories[c], ordered=dtype.ordered)
                else:
                    out[c] = np.asarray(pd.Categorical.from_codes(codes, categories=self.categories[c]),
                                        dtype=object)
            elif dtype.kind in "iub" and not np.isnan(array[:, i]).any():
                out[c] = array[:, i].astype(dtype)
            else:
                out[c] = array[:, i]
        return pd.DataFrame(out, columns=self.columns)


def prediction_function(model, output_index=None):
    """The model output to explain: P(event) for classifiers, the prediction otherwise."""
    if is_classifier(model) and hasattr(model, "predict_proba"):
        n_classes = len(model.classes_)
        k = check_output_index(1 if n_classes == 2 else n_classes, output_index)
        column = 1 if k is None else k
        return (lambda frame: model.predict_proba(frame)[:, column]), "probability"

    def predict(frame):
        return pick_output(np.asarray(model.predict(frame), dtype=float), 1, output_index)
    return predict, "raw"


def permutation_shap(model, X: pd.DataFrame, background: pd.DataFrame, output_index=None, *,
                     n_permutations: int = 5, seed: int | None = None):
    """shap's PermutationExplainer on the model's output, with ``background`` as the masker.

    Antithetic permutations make the values add up exactly to f(x) - mean f(background).
    """
    import shap

    function, output = prediction_function(model, output_index)
    codec = Codec(X, background)
    masker = shap.maskers.Independent(codec.encode(background), max_samples=len(background))
    state = np.random.get_state()  # shap seeds numpy's global generator; give it back untouched
    try:
        explainer = shap.PermutationExplainer(lambda a: function(codec.decode(a)), masker, seed=seed)
        result = explainer(codec.encode(X), max_evals=n_permutations * (2 * X.shape[1] + 1),
                           silent=True)
    finally:
        np.random.set_state(state)
    return np.asarray(result.values, dtype=float), np.asarray(result.base_values, dtype=float), output
