"""Interpretability: SHAP values that add up to the model output, permutation importance,
partial dependence and ICE curves, interaction values, and their static plots.

The computations behind the interpretability explorer; every function works without a
browser. xgboost, shap and matplotlib are imported only when a function needs them.

Examples
--------
>>> expl = bk.explain.explain(model, X_test)                        # doctest: +SKIP
>>> expl.importance().head()                                        # doctest: +SKIP
>>> bk.explain.plot_summary(expl)                                   # doctest: +SKIP
>>> expl.what_if(0, smoker=0).prediction                            # doctest: +SKIP
>>> bk.explain.permutation_importance(model, X_test, y_test, random_state=0)  # doctest: +SKIP
"""

from biomedkit.explain._explain import explain, uses_background
from biomedkit.explain._explanation import Explanation
from biomedkit.explain.dependence import DependenceCurves, partial_dependence
from biomedkit.explain.importance import impurity_importance, permutation_importance
from biomedkit.explain.interactions import Interactions, interaction_values
from biomedkit.explain.plots import (
                                     plot_dependence,
                                     plot_importance,
                                     plot_partial_dependence,
                                     plot_summary,
                                     plot_waterfall,
)

__all__ = ["DependenceCurves", "Explanation", "Interactions", "explain", "impurity_importance",
           "interaction_values", "partial_dependence", "permutation_importance", "plot_dependence",
           "plot_importance", "plot_partial_dependence", "plot_summary", "plot_waterfall", "uses_background"]
