"""Argument checks for the whole package: one home, one rule per kind of argument.

Every public function validates its arguments here, once, at its boundary. The rules:

- a wrong *type* (a string where a number belongs, a list where a Generator belongs) raises
  ``TypeError``; a value of the right type outside its range raises ``ValueError``
  (except for ``check_int``/``check_float``, whose messages have always been ``ValueError``
  and which callers and tests rely on);
- booleans are never accepted as numbers (``True`` is not a count of bins);
- every message names the argument and says what to pass instead.

This module imports only numpy, so that any subpackage can use it without pulling in others
(``check_device`` imports torch when called: only networks call it).
"""

from __future__ import annotations

import numbers

import numpy as np


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool)


def check_int(value, name: str, minimum: int) -> int:
    """Return ``value`` as an int >= ``minimum``, or raise a ValueError naming ``name``."""
    if not _is_int(value) or value < minimum:
        raise ValueError(f"{name} must be an integer >= {minimum}; got {value!r}")
    return int(value)


def check_float(value, name: str, low: float, high: float, *, open_low=False, open_high=False) -> float:
    """Return ``value`` as a finite float inside [low, high] (ends open as asked)."""
    ok = _is_real(value) and np.isfinite(value) and (value > low if open_low else value >= low) and (
        value < high if open_high else value <= high)
    if not ok:
        lo, hi = "(" if open_low else "[", ")" if open_high else "]"
        raise ValueError(f"{name} must be a number in {lo}{low}, {high}{hi}; got {value!r}")
    return float(value)


def check_random_state(random_state, name: str = "random_state") -> np.random.Generator:
    """Return a numpy Generator from None, a non-negative int or a Generator (kept as is)."""
    if isinstance(random_state, np.random.Generator):
        return random_state
    if random_state is not None and not _is_int(random_state):
        raise TypeError(f"{name} must be None, an int or a numpy Generator "
                        f"(np.random.default_rng(0)); got {type(random_state).__name__}")
    if random_state is not None and random_state < 0:
        raise ValueError(f"{name} must be a non-negative int; got {random_state!r}")
    return np.random.default_rng(random_state)


def check_binary(y_true, name: str = "y_true") -> np.ndarray:
    """Return ``y_true`` as an int array of 0/1, or raise a ValueError that says why not."""
    y = np.asarray(y_true)
    if y.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {y.shape}")
    if y.dtype == bool:
        y = y.astype(int)
    if y.dtype.kind not in "iuf":
        raise TypeError(f"{name} must hold 0/1 (or True/False) outcomes; got dtype {y.dtype}")
    if y.dtype.kind == "f" and np.isnan(y).any():
        raise ValueError(f"{name} contains NaN; drop or impute the missing outcomes first")
    values = np.unique(y)
    if not np.isin(values, (0, 1)).all():
        raise ValueError(f"{name} must hold only 0 and 1; got values {values[:5].tolist()}")
    if values.size < 2:
        raise ValueError(f"{name} has only one class ({values.tolist()}); "
                         "discrimination and calibration need both events and non-events")
    return y.astype(np.int8)


def check_scores(y_score, n: int, name: str = "y_score", probability: bool = False) -> np.ndarray:
    """Return ``y_score`` as a float array of length ``n``; probabilities must lie in [0, 1]."""
    s = np.asarray(y_score)
    if s.ndim == 2 and s.shape[1] == 2:
        raise ValueError(f"{name} has two columns; pass the probability of the event only: "
                         "model.predict_proba(X)[:, 1]")
    if s.ndim != 1:
        raise ValueError(f"{name} must be one-dimensional; got shape {s.shape}")
    if s.dtype.kind not in "iufb":
        raise TypeError(f"{name} must be numeric; got dtype {s.dtype}")
    s = s.astype(float)
    if s.size != n:
        raise ValueError(f"{name} has {s.size} values but y_true has {n}; they must match")
    if not np.isfinite(s).all():
        raise ValueError(f"{name} contains NaN or infinite values; every patient needs a score")
    if probability and (s.min() < 0 or s.max() > 1):
        raise ValueError(f"{name} must lie in [0, 1]; got values in [{s.min():.3g}, {s.max():.3g}]. "
                         "Pass probabilities, not decision scores.")
    return s


def check_labels_for_model(y, model, n: int, name: str = "y") -> np.ndarray:
    """Return ``y`` as a 1-d array of length ``n`` whose labels the fitted ``model`` knows.

    A classifier fitted on 'case'/'control' and scored with 0/1 (or the reverse) does not
    fail in scikit-learn: every label counts as a miss and scores come out inverted or
    meaningless. So the labels are checked against ``model.classes_`` wherever a fitted
    model meets new outcomes. Models without ``classes_`` (regressors) only get the shape
    and missing-value checks.
    """
    values = y.to_numpy() if hasattr(y, "to_numpy") and hasattr(y, "dtype") else y
    a = np.asarray(values)
    if a.ndim != 1 or len(a) != n:
        raise ValueError(f"{name} must be one-dimensional with one outcome per row of X ({n}); "
                         f"got shape {a.shape}")
    missing = (a != a) if a.dtype.kind in "fc" else np.array([v is None or v != v for v in a.tolist()])
    if missing.any():
        raise ValueError(f"{name} contains {int(missing.sum())} missing outcomes; drop those rows first")
    classes = getattr(model, "classes_", None)
    if classes is None:
        return a
    classes = np.asarray(classes)
    if a.dtype == bool and classes.dtype.kind in "iu":
        a = a.astype(int)
    labels = sorted(set(a.tolist()), key=str)
    known = set(classes.tolist()) if _same_kind(a, classes) else set()
    unknown = [v for v in labels if v not in known]
    if unknown:
        raise ValueError(f"{name} holds labels the model was not fitted on ({unknown[:5]}); the model's "
                         f"classes are {classes.tolist()}. Recode {name} to those labels (a model fitted "
                         "on 'case'/'control' must be scored with 'case'/'control', not 0/1).")
    return a


def _same_kind(a: np.ndarray, classes: np.ndarray) -> bool:
    """Numbers compare with numbers and text with text; a mix never matches."""
    def numeric(x):
        return x.dtype.kind in "iufb"
    return numeric(a) == numeric(classes)


def check_level(level) -> float:
    """Return a confidence level in (0, 1)."""
    if not _is_real(level) or not 0 < level < 1:
        raise ValueError(f"level must be a number in (0, 1), e.g. 0.95; got {level!r}")
    return float(level)


def check_thresholds(thresholds, name: str = "thresholds") -> np.ndarray:
    """Return risk thresholds as a 1-d float array strictly inside (0, 1)."""
    t = np.atleast_1d(np.asarray(thresholds, dtype=float))
    if t.ndim != 1 or t.size == 0:
        raise ValueError(f"{name} must be a number or a 1-d sequence of numbers")
    if not np.isfinite(t).all() or t.min() <= 0 or t.max() >= 1:
        raise ValueError(f"{name} must lie strictly inside (0, 1); got values in "
                         f"[{np.nanmin(t):.3g}, {np.nanmax(t):.3g}]")
    return t


def check_n_boot(n_boot, minimum: int = 0) -> int:
    """Return the number of bootstrap replicates as an int >= ``minimum``."""
    return check_int(n_boot, "n_boot", minimum)


def check_n_bins(n_bins, name: str = "n_bins") -> int:
    """Return a number of bins: an int >= 2 (booleans refused)."""
    return check_int(n_bins, name, 2)


def check_device(device) -> str:
    """Return ``device`` as a string PyTorch accepts, or say how to fix it (every network's
    ``device=`` option goes through here)."""
    import torch

    if not isinstance(device, str):
        raise TypeError(f"device must be a string such as 'cpu' or 'cuda'; got {type(device).__name__}")
    try:
        parsed = torch.device(device)
    except RuntimeError as exc:
        raise ValueError(f"device must be 'cpu', 'cuda', 'cuda:0', 'mps', ...; got {device!r}") from exc
    if parsed.type == "cuda" and not torch.cuda.is_available():
        raise ValueError(f"device={device!r} but this PyTorch sees no CUDA GPU "
                         "(torch.cuda.is_available() is False); use device='cpu'")
    if parsed.type == "mps" and not torch.backends.mps.is_available():
        raise ValueError(f"device={device!r} but Apple's MPS is not available here; use device='cpu'")
    return device


def int_seed(random_state) -> int | None:
    """An int seed for libraries that take no Generator (shap's explainers): an int passes
    through (checked), a Generator gives one draw, None stays None."""
    if isinstance(random_state, np.random.Generator):
        return int(random_state.integers(2**31 - 1))
    check_random_state(random_state)
    return None if random_state is None else int(random_state)


_NOT_GIVEN = object()  # random_state=None is a value to check, so None cannot mean "not given"


def check_training_options(*, epochs=_NOT_GIVEN, steps=_NOT_GIVEN, batch_size=_NOT_GIVEN,
                           learning_rate=_NOT_GIVEN, weight_decay=_NOT_GIVEN, random_state=_NOT_GIVEN,
                           device=_NOT_GIVEN) -> dict:
    """Check the training options a network was given; return the checked values by name.

    Every network (``PatchCNN``, ``MPNNRegressor``, ``SequenceTransformer``, ...) passes the
    options it has, by keyword; options it lacks are left out and do not appear in the
    result. The rules, one for every network:

    - ``epochs``, ``steps``, ``batch_size``: integers >= 1;
    - ``learning_rate``: a number in (0, 10]; ``weight_decay``: a number in [0, 10];
    - ``random_state``: None or an integer >= 0 (the networks seed torch with it);
    - ``device``: see :func:`check_device`.

    Counts and rates keep :func:`check_int`/:func:`check_float`'s ``ValueError`` for a
    wrong type as well as a wrong value; ``device`` raises ``TypeError`` for a non-string.

    Examples
    --------
    >>> check_training_options(epochs=10, learning_rate=1e-3, random_state=None)
    {'epochs': 10, 'learning_rate': 0.001, 'random_state': None}
    """
    given = {"epochs": epochs, "steps": steps, "batch_size": batch_size, "learning_rate": learning_rate,
             "weight_decay": weight_decay, "random_state": random_state, "device": device}
    rules = {"epochs": lambda v: check_int(v, "epochs", 1),
             "steps": lambda v: check_int(v, "steps", 1),
             "batch_size": lambda v: check_int(v, "batch_size", 1),
             "learning_rate": lambda v: check_float(v, "learning_rate", 0, 10, open_low=True),
             "weight_decay": lambda v: check_float(v, "weight_decay", 0, 10),
             "random_state": lambda v: None if v is None else check_int(v, "random_state", 0),
             "device": check_device}
    return {name: rules[name](value) for name, value in given.items() if value is not _NOT_GIVEN}


def _is_missing(value) -> bool:
    """None, NaN or pandas' NA (whose comparisons raise instead of answering)."""
    try:
        return value is None or bool(value != value)
    except TypeError:
        return True


def check_X_y(X, y, *, binary: bool = False, X_name: str = "X", y_name: str = "y"):
    """Check a feature table and its outcomes before a fit, with messages naming ``X`` or ``y``.

    scikit-learn's own messages ("Found input variables with inconsistent numbers of
    samples", "Expected 2D array") name neither argument, so the common mistakes are caught
    here first: ``X`` not a 2-d table, ``y`` of another length, missing outcomes, one class.
    With ``binary=True`` the outcomes must be 0/1 (see :func:`check_binary`), for methods
    that need to know which label is the event, and the 0/1 array is returned. Otherwise the
    labels may be any values and ``None`` is returned (the caller passes its ``y`` on).
    """
    if y is None:  # scikit-learn's own message, which its estimator checks expect
        return None
    shape = X.shape if hasattr(X, "shape") else np.shape(np.asarray(X, dtype=object))
    if len(shape) != 2:
        raise ValueError(f"{X_name} must be a 2-d table (DataFrame or array, one row per patient); "
                         f"got shape {shape}")
    n = shape[0]
    values = y.to_numpy(dtype=object) if hasattr(y, "to_numpy") else y
    labels = np.asarray(values, dtype=object)
    if labels.ndim == 2 and labels.shape[1] == 1:  # a column vector: scikit-learn warns and flattens
        labels = labels[:, 0]
    if labels.ndim != 1 or labels.shape[0] != n:
        raise ValueError(f"{y_name} must hold one outcome per row of {X_name} ({n}); got shape {labels.shape}")
    if any(_is_missing(v) for v in labels.tolist()):
        raise ValueError(f"{y_name} contains missing outcomes; drop those rows first")
    if len(set(labels.tolist())) < 2:
        raise ValueError(f"{y_name} has only one class; a classifier needs events and non-events")
    if not binary:
        return None
    if all(isinstance(v, (bool, numbers.Real)) for v in labels.tolist()):
        return check_binary(labels.astype(float), y_name)  # nullable Int64/boolean arrive as objects
    found = sorted({str(v) for v in labels.tolist()})[:5]
    raise TypeError(f"{y_name} must hold 0/1 outcomes, 1 for the event; got labels {found}. "
                    f"Recode it, for example y = (labels == 'case').astype(int)")
