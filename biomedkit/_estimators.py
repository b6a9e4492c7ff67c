"""What the package's own scikit-learn classifiers share when they are fitted."""

from __future__ import annotations

import numpy as np


def classifier_fit_inputs(estimator, X, y, *, dtype=np.float32) -> tuple[np.ndarray, np.ndarray]:
    """Check ``X`` and ``y`` for ``estimator.fit`` as scikit-learn does (``n_features_in_``,
    feature names, classification targets), set ``estimator.classes_``, and return ``X`` and
    ``y`` as class codes 0..k-1. A ``y`` with one class is refused: there is nothing to learn."""
    from sklearn.utils.multiclass import check_classification_targets
    from sklearn.utils.validation import validate_data

    from biomedkit._checks import check_X_y

    check_X_y(X, y)  # messages naming X or y, before scikit-learn's own
    X, y = validate_data(estimator, X, y, dtype=dtype)
    check_classification_targets(y)
    estimator.classes_, codes = np.unique(y, return_inverse=True)
    if len(estimator.classes_) < 2:
        raise ValueError(f"y contains only one class ({estimator.classes_[0]!r}); need at least 2")
    return X, codes
