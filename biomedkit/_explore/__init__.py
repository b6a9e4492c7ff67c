"""The logic behind the exploratory-analysis app (``notebooks/apps/explore.py``).

A researcher's own CSV is read whatever its encoding and separator, the roles of its
columns are guessed from their names and values, bad input becomes a clear message (never a
traceback), and two baselines (logistic regression and gradient boosting) give
cross-validated out-of-fold risks that the validation report and the explorers then use.
Large tables are sampled above a size, and the app says so. The app is glue around these
functions; they are tested in ``tests/test_explore_app.py``.

The package, in the order the app uses it:

- ``tables``: :func:`read_csv`, the bundled datasets, :class:`Message`.
- ``roles``: :func:`guess_roles`, :func:`check_target`, the columns to leave out.
- ``data``: :func:`model_data` (sampling, model-ready features, 0/1 outcome), sites pooled.
- ``baselines``: :func:`fit_baselines` and its :class:`BaselinesResult`.
- ``temporal``: the baselines fitted on the earlier rows and validated on the later ones.
- ``pages``: standalone HTML for the downloads.
- ``ui``: the app's controls and outputs, marimo's under marimo and ipywidgets in Jupyter.

Examples
--------
>>> from biomedkit import _explore
>>> table = _explore.read_csv(b"age,sex,died\\n61,F,1\\n47,M,0\\n")
>>> _explore.guess_roles(table.frame).target
'died'
"""

from biomedkit._explore.baselines import (
    MODELS,
    BaselinesResult,
    CrossValidatedModel,
    baseline_models,
    explanation_data,
    fit_baselines,
    performance,
    performance_text,
    report_thresholds,
)
from biomedkit._explore.data import (
    AUDIT_CELLS,
    MIN_SAMPLE_ROWS,
    MISSING_LABEL,
    MODEL_CELLS,
    OTHER_SITES,
    ModelData,
    labels,
    model_data,
    pool_small_sites,
    sample_rows,
    xgboost_names,
)
from biomedkit._explore.pages import markdown_to_html, report_page
from biomedkit._explore.roles import (
    MAX_GROUPS,
    MIN_CLASS,
    Roles,
    TargetCheck,
    audit_leave_out,
    check_roles,
    check_target,
    default_leave_out,
    default_positive,
    guess_roles,
    is_identifier,
)
from biomedkit._explore.tables import Message, Table, bundled_datasets, load_bundled, read_csv
from biomedkit._explore.temporal import TemporalResult, TemporalSplit, temporal_split, temporal_validation

__all__ = [
    "AUDIT_CELLS", "MAX_GROUPS", "MIN_CLASS", "MIN_SAMPLE_ROWS", "MISSING_LABEL", "MODELS", "MODEL_CELLS",
    "OTHER_SITES", "BaselinesResult", "CrossValidatedModel", "Message", "ModelData", "Roles", "Table",
    "TargetCheck", "TemporalResult", "TemporalSplit", "audit_leave_out", "baseline_models",
    "bundled_datasets", "check_roles", "check_target", "default_leave_out", "default_positive",
    "explanation_data", "fit_baselines", "guess_roles", "is_identifier", "labels", "load_bundled",
    "markdown_to_html", "model_data", "performance", "performance_text", "pool_small_sites", "read_csv",
    "report_page", "report_thresholds", "sample_rows", "temporal_split", "temporal_validation",
    "xgboost_names",
]
