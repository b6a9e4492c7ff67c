"""A model in words for the report and the model card: readable and stable, never a repr
with a memory address (a Pipeline as its steps, the parameters that differ from the
defaults)."""

from __future__ import annotations

import inspect
import re


def model_text(model) -> str:
    """The model in words: a Pipeline as its steps' classes in order ("Pipeline:
    SimpleImputer → StandardScaler → LogisticRegression"), any other model as its class."""
    steps = _steps(model)
    if steps is None:
        return type(model).__name__
    return "Pipeline: " + " → ".join(_step_class(step) for _, step in steps)


def _steps(model) -> list | None:
    """The (name, step) pairs of a Pipeline, or of a wrapper whose parameters are those of
    a Pipeline; None for any other model."""
    steps = getattr(model, "steps", None)
    if steps is None:
        params = _get_params(model)
        steps = params.get("steps") if params else None
    if isinstance(steps, list) and steps and all(isinstance(s, tuple) and len(s) == 2 for s in steps):
        return steps
    return None


def _is_passthrough(step) -> bool:
    return step is None or isinstance(step, str)  # None or "passthrough" skip the step


def _step_class(step) -> str:
    if _is_passthrough(step):
        return "passthrough"
    return f"({model_text(step)})" if _steps(step) else type(step).__name__


def _get_params(model) -> dict | None:
    try:
        return dict(model.get_params(deep=False))
    except (AttributeError, TypeError):
        return None


def _changed_params(model) -> dict | None:
    """The parameters that differ from the defaults of the class's constructor (as
    scikit-learn's own repr shows them); None without ``get_params``."""
    params = _get_params(model)
    if params is None:
        return None
    try:
        defaults = inspect.signature(type(model).__init__).parameters
    except (TypeError, ValueError):
        defaults = {}
    changed = {}
    for name, value in params.items():
        if name not in defaults:  # unknown default (a **kwargs parameter): shown unless unset
            if value is not None:
                changed[name] = value
            continue
        default = defaults[name].default
        if default is inspect.Parameter.empty or not (value is default or _same_text(value, default)):
            changed[name] = value
    return changed


def _same_text(a, b) -> bool:
    try:
        return type(a) is type(b) and repr(a) == repr(b)
    except Exception:  # a repr that fails is no evidence that the two are equal
        return False


_ADDRESS = re.compile(r" at 0x[0-9A-Fa-f]+|0x[0-9A-Fa-f]{6,}")


def _value_text(value) -> str:
    """A parameter's value as short, stable text: an estimator as Class(changed
    parameters), a function or class by its name, containers item by item."""
    if not isinstance(value, type) and hasattr(value, "get_params"):
        return f"{type(value).__name__}({_kwargs_text(_changed_params(value) or {})})"
    if isinstance(value, (list, tuple)):
        items = ", ".join(_value_text(v) for v in value)
        return f"[{items}]" if isinstance(value, list) else f"({items}{',' if len(value) == 1 else ''})"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_value_text(k)}: {_value_text(v)}" for k, v in value.items()) + "}"
    if callable(value) and hasattr(value, "__name__"):  # functions, lambdas, classes, numpy ufuncs
        return value.__name__
    text = repr(value)
    if text == object.__repr__(value) and hasattr(value, "__dict__"):
        # no repr of its own ("<... object at 0x...>"), as a column selector of scikit-learn:
        # its class and the public attributes that are set
        shown = {k: v for k, v in vars(value).items() if v is not None and not k.startswith("_")}
        return f"{type(value).__name__}({_kwargs_text(shown)})"
    # any other repr: on one line, without the memory address some objects print
    return _ADDRESS.sub("", " ".join(text.split()))


def _kwargs_text(params: dict) -> str:
    return ", ".join(f"{k}={_value_text(v)}" for k, v in params.items())


def _short(text: str, limit: int = 600) -> str:
    return text if len(text) <= limit else text[:limit - 4] + " ..."


def _param_items(model) -> list | None:
    """The parameters other than the defaults, as text: one item per step of a Pipeline
    ("name: Class(parameters)"), else one item ("" when all are at their defaults);
    None for a model without ``get_params``."""
    steps = _steps(model)
    if steps is not None:
        return [_short(f"{name}: {_step_class(step) if _is_passthrough(step) else _value_text(step)}")
                for name, step in steps]
    changed = _changed_params(model)
    return None if changed is None else [_short(_kwargs_text(changed))]


def params_inline(model) -> str:
    items = _param_items(model)
    return "not available" if items is None else "; ".join(items) or "all at their defaults"


def parameters_item(model) -> list:
    """The model card's parameters; a Pipeline's step by step, on lines of their own."""
    items = _param_items(model)
    if items is None:
        return ["- Parameters: not available"]
    if _steps(model) is not None:
        return ["- Parameters other than the defaults, step by step:", *(f"  - {item}" for item in items)]
    return [f"- Parameters other than the defaults: {items[0]}" if items[0] else "- Parameters: all at their defaults"]
