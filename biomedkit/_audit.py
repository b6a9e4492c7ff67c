"""Audit a table before modelling it (``bk.audit``).

One pass over the columns gathers what every check needs: missingness, distinct values,
identifier hints, each feature's rank or out-of-fold AUC for the target and for the site,
drift statistics between training and test rows, and 64-bit row hashes for duplicates and
train/test overlap. Two checks fit a classifier (site separability and train-vs-test
separability); they run on a random subsample so that the audit stays fast on large tables.
"""

from __future__ import annotations

import html
import numbers
import re
import warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from biomedkit.simulate._common import check_float, check_int
from biomedkit.validation._checks import wilson_interval
from biomedkit.validation.report import _md_table

__all__ = ["AuditReport", "Finding", "audit"]

# A difference is flagged only if it is also this significant: in big tables tiny ones are.
_ALPHA = 0.001
_MISSING_TVD = 0.05  # outcome difference, missing vs observed, that hints at informative missingness
_SEPARABLE_AUC = 0.75  # a classifier AUC at which sites (or train and test) are told apart well
_MAX_CLASSES = 20
_MAX_LEVELS_NATIVE = 60  # categorical codes must stay below the classifier's max_bins (63)
_N_FOLDS = 5  # out-of-fold target encoding
_SHOWN = 15  # rows of a long table shown in the rendered report (the attribute keeps them all)
_MISSING = "(missing)"
_SEVERITIES = ("high", "medium", "low")
_ID_TOKENS = {"id", "ids", "mrn", "uuid", "guid", "ssn", "nhs", "identifier", "accession", "barcode",
              "idx"}
_ID_PREFIXES = ("patient", "subject", "record", "study", "sample", "person", "participant", "visit",
                "encounter", "admission", "specimen", "row", "case")
_ID_ALONE = ("patient", "subject", "participant", "person", "record", "specimen", "sample")
_ROW_NUMBER = re.compile(r"^(unnamed.*|index|level_0)$", re.IGNORECASE)  # CSV and reset_index leftovers


# ------------------------------------------------------------------------------ result objects
@dataclass(frozen=True)
class Finding:
    """One thing the audit noticed.

    ``severity`` is ``"high"`` (can invalidate a model or its validation: a leak, the same
    patients in training and test), ``"medium"`` (check before modelling) or ``"low"``
    (worth knowing).
    """

    severity: str
    section: str
    message: str
    column: str | None = None

    def __str__(self) -> str:
        return f"[{self.severity}] {self.section}: {self.message}"


@dataclass
class _Section:
    title: str
    text: str
    tables: list = field(default_factory=list)  # (caption, DataFrame) pairs, as shown


@dataclass(repr=False)
class AuditReport:
    """What :func:`audit` found, as tables, findings and a report.

    Renders as HTML in a notebook; ``to_html()``, ``to_markdown()`` and ``save(path)``
    export it. Tables that a check did not run for (no ``site=``, no ``test=`` ...) are None.

    Attributes
    ----------
    findings : list of Finding
        Short warnings, most severe first (``findings_frame()`` as a table).
    columns : DataFrame
        One row per column: kind (numeric, datetime, categorical), dtype, missing values,
        distinct values, constant.
    missing : DataFrame
        Columns with missing values, and whether missingness goes with the outcome:
        outcome prevalence where the value is missing and where it is observed (binary
        target), their total variation distance ``outcome_tvd`` and a chi-square p-value.
    missing_patterns : DataFrame
        The most common combinations of missing columns, with counts.
    class_balance : DataFrame
        Count and share of each class of the target.
    duplicates, duplicate_groups : DataFrame
        Rows repeating an earlier row (exactly; ignoring identifier columns; the same
        features with another target), and up to 20 example groups of each kind.
    identifiers : DataFrame
        Identifier-like columns, why, and their AUC for the target.
    leakage : DataFrame
        Every feature's univariable AUC for the target (folded, so >= 0.5) and a flag.
    separability : DataFrame
        How well a classifier tells sites apart, or training from test rows.
    by_site, site_features, by_group, by_time : DataFrame or None
        Outcome per site, group or period; features that differ most between sites.
    overlap, drift : DataFrame or None
        Training/test overlap (identifiers, rows) and per-feature drift.
    """

    target: str
    n_rows: int
    n_columns: int
    findings: list
    columns: pd.DataFrame
    missing: pd.DataFrame
    missing_patterns: pd.DataFrame
    class_balance: pd.DataFrame
    duplicates: pd.DataFrame
    duplicate_groups: pd.DataFrame
    identifiers: pd.DataFrame
    leakage: pd.DataFrame
    separability: pd.DataFrame
    by_site: pd.DataFrame | None = None
    site_features: pd.DataFrame | None = None
    by_group: pd.DataFrame | None = None
    by_time: pd.DataFrame | None = None
    overlap: pd.DataFrame | None = None
    drift: pd.DataFrame | None = None
    sections: list = field(default_factory=list)

    def findings_frame(self) -> pd.DataFrame:
        """The findings as a table (severity, section, column, message)."""
        return pd.DataFrame([(f.severity, f.section, f.column, f.message) for f in self.findings],
                            columns=["severity", "section", "column", "message"])

    def __repr__(self) -> str:
        counts = ", ".join(f"{sum(f.severity == s for f in self.findings)} {s}" for s in _SEVERITIES)
        lines = [f"<AuditReport: {self.n_rows} rows x {self.n_columns} columns, target "
                 f"{self.target!r}; findings: {counts}>"]
        return "\n".join(lines + [f"  {f}" for f in self.findings])

    def to_markdown(self) -> str:
        out = [f"# Data audit: target {self.target}", ""]
        out += ["## Findings", ""] + ([f"- **{f.severity}** ({f.section}) {f.message}"
                                       for f in self.findings] or ["No findings."]) + [""]
        for sec in self.sections:
            out += [f"## {sec.title}", "", sec.text, ""]
            for caption, table in sec.tables:
                out += [f"*{caption}*", "", _md_table(table), ""]
        return "\n".join(out) + "\n"

    def to_html(self) -> str:
        colour = {"high": "#b2182b", "medium": "#d6604d", "low": "#4d4d4d"}
        items = "".join(f"<li><b style='color:{colour[f.severity]}'>{f.severity}</b> "
                        f"<i>{html.escape(f.section)}</i>: {html.escape(f.message)}</li>"
                        for f in self.findings) or "<li>No findings.</li>"
        parts = [f"<h2>Data audit: target {html.escape(self.target)}</h2>",
                 f"<h3>Findings</h3><ul>{items}</ul>"]
        for sec in self.sections:
            parts.append(f"<h3>{html.escape(sec.title)}</h3><p>{html.escape(sec.text)}</p>")
            for caption, table in sec.tables:
                parts.append(f"<p><i>{html.escape(caption)}</i></p>" + _html_table(table))
        return "<div class='biomedkit-report'>" + "\n".join(parts) + "</div>"

    def _repr_html_(self) -> str:
        return self.to_html()

    def save(self, path) -> Path:
        """Write the report as HTML (.html, a standalone page) or Markdown (.md), by suffix."""
        path = Path(path)
        if path.suffix not in (".md", ".html"):
            raise ValueError(f"path must end in .md or .html; got {path.name!r}")
        if path.suffix == ".md":
            text = self.to_markdown()
        else:
            style = ("body{font-family:sans-serif;max-width:70em;margin:auto}"
                     "table{border-collapse:collapse;font-size:90%}td,th{padding:2px 8px}")
            text = ("<!DOCTYPE html><html><head><meta charset='utf-8'><title>Data audit</title>"
                    f"<style>{style}</style></head><body>" + self.to_html() + "</body></html>\n")
        path.write_text(text, encoding="utf-8")
        return path


def _html_table(table: pd.DataFrame) -> str:
    def number(v):
        return "" if pd.isna(v) else f"{v:.3f}"

    def p_value(v):
        return "" if pd.isna(v) else f"{v:.2g}"

    formatters = {c: (p_value if "p_value" in str(c) else number)
                  for c in table.columns if pd.api.types.is_float_dtype(table[c])}
    return table.to_html(formatters=formatters, na_rep="")


# ------------------------------------------------------------------------------ statistics
def _crosstab(codes: np.ndarray, n_codes: int, labels: np.ndarray, n_labels: int) -> np.ndarray:
    """Counts of each (code, label) pair; negative codes or labels (missing) are skipped."""
    keep = (codes >= 0) & (labels >= 0)
    flat = codes[keep].astype(np.int64) * n_labels + labels[keep]
    return np.bincount(flat, minlength=n_codes * n_labels).reshape(n_codes, n_labels)


def _auc_from_counts(table: np.ndarray) -> np.ndarray:
    """One-vs-rest AUC of each label (column) for a score whose distinct values are the rows
    of ``table``, in increasing order; ties count one half (as ``roc_auc_score``)."""
    # Mann-Whitney: the rank sum of a label's rows, less its least possible value
    table = table.astype(float)
    total = table @ np.ones(table.shape[1])
    midrank = np.cumsum(total) - total / 2  # mean rank of the tied rows at each value, less 1/2
    n_pos = table.sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return (midrank @ table - n_pos ** 2 / 2) / (n_pos * (total.sum() - n_pos))


def _oof_encoded_auc(codes, n_codes, labels, n_labels, folds) -> np.ndarray:
    """One-vs-rest AUC of a categorical feature scored by out-of-fold target means.

    The rows of each fold are scored by the share of the label among rows of their level in
    the other folds (smoothed by one pseudo-row at those folds' overall share, which is
    also the score of a level they lack); the AUC is the mean over the folds. Within a fold
    a level's rows tie, so the AUC does not reward a many-level column for memorizing the
    outcome. Missing values (code -1) form a level of their own.
    """
    codes = np.where(codes < 0, n_codes, codes)
    keep = labels >= 0
    levels = n_codes + 1
    flat = (folds[keep] * levels + codes[keep]) * n_labels + labels[keep]
    per_fold = np.bincount(flat, minlength=_N_FOLDS * levels * n_labels).reshape(_N_FOLDS, levels, n_labels)
    other = per_fold.sum(axis=0) - per_fold
    prior = other.sum(axis=1, keepdims=True) / other.sum(axis=(1, 2), keepdims=True)
    encoded = (other + prior) / (other.sum(axis=2, keepdims=True) + 1.0)
    aucs = np.full(n_labels, np.nan)
    for k in [1] if n_labels == 2 else range(n_labels):  # binary: class 0's AUC is 1 - class 1's
        per = []
        for f in range(_N_FOLDS):
            scores, order = np.unique(encoded[f, :, k], return_inverse=True)  # levels that tie merge
            pos = np.bincount(order, weights=per_fold[f, :, k], minlength=scores.size)
            total = np.bincount(order, weights=per_fold[f].sum(axis=1), minlength=scores.size)
            per.append(_auc_from_counts(np.column_stack([total - pos, pos]))[1])
        aucs[k] = np.nanmean(per) if not np.all(np.isnan(per)) else np.nan
    if n_labels == 2:
        aucs[0] = 1 - aucs[1]
    return aucs


def _best_auc(aucs: np.ndarray, label: int = -1) -> tuple[float, int, bool]:
    """Folded AUC max(a, 1 - a) of ``label`` (default: the best-separated label), that label,
    and whether the values are higher in that label."""
    if np.all(np.isnan(aucs)):
        return np.nan, -1, True
    folded = np.maximum(aucs, 1 - aucs)
    k = label if label >= 0 else int(np.nanargmax(folded))
    return float(folded[k]), k, bool(aucs[k] >= 0.5)


def _chi2_p(table: np.ndarray) -> float:
    from scipy.stats import chi2_contingency

    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    if min(table.shape) < 2:
        return 1.0
    return float(chi2_contingency(table).pvalue)


def _splitmix64(x: np.ndarray) -> np.ndarray:
    x = x + np.uint64(0x9E3779B97F4A7C15)
    x = (x ^ (x >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
    x = (x ^ (x >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
    return x ^ (x >> np.uint64(31))


def _column_hash(name, values: np.ndarray) -> np.ndarray:
    """A 64-bit hash of each value, salted with the column name; rows hash to the sum."""
    salt = pd.util.hash_array(np.array([str(name)], dtype=object))[0]
    return _splitmix64(pd.util.hash_array(values) ^ salt)


# ------------------------------------------------------------------------------ columns
def _encode(series: pd.Series) -> tuple[str, np.ndarray]:
    """("numeric", floats with NaN) for numbers, booleans, dates and durations (as ns);
    ("categorical", int codes with -1 for missing) for everything else."""
    dtype = series.dtype
    if isinstance(dtype, pd.DatetimeTZDtype) or dtype.kind in "mM":
        index = pd.Index(series)
        if getattr(index, "tz", None) is not None:
            index = index.tz_convert("UTC").tz_localize(None)
        values = index.as_unit("ns").asi8.astype(float)
        values[np.asarray(index.isna())] = np.nan
        return ("datetime" if dtype.kind != "m" else "numeric"), values
    if pd.api.types.is_bool_dtype(dtype) or (pd.api.types.is_numeric_dtype(dtype) and dtype.kind != "c"):
        return "numeric", series.to_numpy(dtype=float, na_value=np.nan) + 0.0  # -0.0 -> 0.0
    try:
        codes, _ = pd.factorize(series)
    except TypeError:  # unhashable values (lists, dicts): compare their text
        codes, _ = pd.factorize(series.where(series.isna(), series.astype(str)))
    return "categorical", codes.astype(np.int64)


def _id_name(name) -> bool:
    text = str(name)
    tokens = {t.lower() for t in re.findall(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+", text)}
    compact = re.sub(r"[^a-z0-9]", "", text.lower())
    if tokens & _ID_TOKENS or _ROW_NUMBER.match(text) or compact in _ID_ALONE:
        return True
    return any(compact.endswith(end) and compact[:-len(end)] in _ID_PREFIXES
               for end in ("id", "no", "nr", "num", "number"))


# ------------------------------------------------------------------------------ the audit
def audit(
    df: pd.DataFrame,
    target: Hashable,
    *,
    group: Hashable | None = None,
    site: Hashable | None = None,
    id_columns: Hashable | Sequence[Hashable] | None = None,
    time: Hashable | None = None,
    test: pd.DataFrame | Hashable | None = None,
    positive: Hashable | None = None,
    leak_auc: float = 0.9,
    rare_class: float = 0.05,
    drift_smd: float = 0.2,
    drift_ks: float = 0.1,
    drift_tvd: float = 0.1,
    time_freq: str | None = None,
    max_rows: int = 5000,
    random_state: int | np.random.Generator | None = 0,
) -> AuditReport:
    """Audit a table before modelling: the data problems that spoil models and validations.

    Sections: missing values (per column, common patterns, and whether missingness goes
    with the outcome); class balance; duplicated rows (exact, ignoring identifier columns,
    and the same features with another outcome); identifier-like columns; features that
    predict the outcome suspiciously well on their own (possible leaks); sites (how well a
    classifier tells them apart from the features, the outcome per site and the features
    that differ most); groups; periods of time; and, given a test set, the patients or rows
    it shares with the training rows and how each feature drifted.

    Parameters
    ----------
    df : DataFrame
        One row per patient (or sample, visit). A named index (e.g. ``patient_id``) is
        treated as a column. It is not modified.
    target : column name
        The outcome: binary or a few classes (at most 20). Rows where it is missing are
        left out of the outcome-based checks (and counted).
    group : column name, optional
        A grouping (sex, ethnicity, age band, ...): size and outcome prevalence per group.
    site : column name, optional
        Hospital, batch or scanner: separability from the features, prevalence per site.
    id_columns : column name or list, optional
        Known identifier columns (patient id, record number). Identifier-like columns are
        also detected: distinct text or integers in nearly every row, an integer sequence,
        or a name such as ``id``, ``mrn``, ``patient_id``. Identifiers are left out of the
        feature checks, and used to look for the same patients in training and test.
    time : column name, optional
        A date (or a year, or anything ordered): counts and prevalence per period.
    test : DataFrame or column name, optional
        A test set with the same columns, or a column of ``df`` that marks the test rows
        (True, 1 or a label such as ``"test"``; the other value marks the training rows).
        Checks overlap (identifiers and whole rows) and per-feature drift: standardized mean
        difference (SMD) and Kolmogorov-Smirnov statistic for numeric features, total
        variation distance (TVD) for categorical ones, and a train-vs-test classifier.
    positive : label, optional
        The event class of a binary target. Default: 1 (or True) if present, otherwise
        the rarer class.
    leak_auc : float, default=0.9
        A feature whose univariable AUC (folded, >= 0.5) reaches this is flagged.
    rare_class : float, default=0.05
        A class with a smaller share than this is flagged as rare.
    drift_smd, drift_ks, drift_tvd : float, default=0.2, 0.1, 0.1
        Drift flags: |SMD| or KS (numeric) or TVD (categorical, and the share missing) at
        least this, and significant at p < 0.001.
    time_freq : str, optional
        A pandas period alias for the time periods (``"Y"``, ``"Q"``, ``"M"``, ``"W"``,
        ``"D"``). Default: the coarsest of these giving at least 4 periods.
    max_rows : int, default=5000
        Rows (a random subsample) for the classifier-based checks; 3-fold cross-validated
        HistGradientBoosting. Every other check uses all rows.
    random_state : int, Generator or None, default=0
        Seed for the subsample, the folds and the classifier.

    Returns
    -------
    AuditReport
        Tables as attributes (``missing``, ``leakage``, ``drift`` ...), ``findings``, and an
        HTML report in a notebook (``to_html``, ``to_markdown``, ``save``).

    Notes
    -----
    Univariable AUCs: numeric features (booleans and dates included) are scored by their
    rank among the rows where they are observed (ties count one half, as in
    ``sklearn.metrics.roc_auc_score``), folded as ``max(AUC, 1 - AUC)`` so that a feature
    lower in cases counts too. Categorical features (missing is a level) are scored by
    out-of-fold target means: each of 5 folds by the outcome rate of its level in the other
    folds, the AUC averaged over the folds, so a many-level column cannot memorize the
    outcome. With more than two classes each class is taken against the rest and the best
    is reported. The same AUCs, with the site as the label, rank the features that differ
    between sites.

    Duplicates and overlap compare 64-bit hashes of the rows (numbers compared as floats,
    so 1 and 1.0 match); a false match has a chance of about n²/2⁶⁴. Drift p-values: the
    asymptotic two-sample Kolmogorov-Smirnov test (as ``scipy.stats.ks_2samp`` with
    ``method="asymp"``) for numeric features, chi-square for categorical ones and for the
    share missing.

    References
    ----------
    Austin PC (2009). Balance diagnostics for comparing the distribution of baseline
    covariates between treatment groups in propensity-score matched samples. *Statistics in
    Medicine* 28:3083-3107 (the standardized mean difference).

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.cohort(n=2000, n_sites=3, random_state=0)
    >>> report = bk.audit(data.frame, "event", site="site", group="group")
    >>> report                                    # the HTML report in a notebook   # doctest: +SKIP
    >>> report.leakage.head()                                                       # doctest: +SKIP
    >>> [str(f) for f in report.findings]                                           # doctest: +SKIP
    >>> report.save("audit.html")                                                   # doctest: +SKIP
    """
    ctx = _Context.build(df, target, group=group, site=site, id_columns=id_columns, time=time,
                         test=test, positive=positive, max_rows=max_rows, random_state=random_state)
    thresholds = dict(
        leak_auc=check_float(leak_auc, "leak_auc", 0.5, 1, open_low=True),
        rare_class=check_float(rare_class, "rare_class", 0, 0.5, open_low=True),
        drift_smd=check_float(drift_smd, "drift_smd", 0, np.inf, open_low=True, open_high=True),
        drift_ks=check_float(drift_ks, "drift_ks", 0, 1, open_low=True),
        drift_tvd=check_float(drift_tvd, "drift_tvd", 0, 1, open_low=True))
    if time_freq is not None and not isinstance(time_freq, str):
        raise ValueError(f"time_freq must be a pandas period alias such as 'Y', 'Q' or 'M'; "
                         f"got {time_freq!r}")
    from threadpoolctl import threadpool_limits

    # Small BLAS and OpenMP calls (matrix-vector products, the classifier) run faster on one
    # thread; extra threads compete with each other on a busy machine.
    with threadpool_limits(1):
        return _Builder(ctx, _scan(ctx), thresholds, time_freq).report()


def _rows(used: int, labels: np.ndarray) -> str:
    available = int((labels >= 0).sum())
    return (f"all {used} rows" if used == available else
            f"a random subsample of {used} of the {available} rows (max_rows)")


def _p(p: float) -> str:
    return "p < 1e-15" if p < 1e-15 else f"p = {p:.2g}"


def _name_list(names, limit=8) -> str:
    names = [str(n) for n in names]
    return ", ".join(names[:limit]) + (f" and {len(names) - limit} more" if len(names) > limit else "")


@dataclass
class _Context:
    """The validated inputs, as arrays over all rows: the rows of ``df`` first, then those
    of a separate test frame (whose outcome and site are not used)."""

    columns: dict  # name -> Series over df rows
    test_columns: dict  # name -> Series over test-frame rows (empty without a test frame)
    row_labels: pd.Index
    n: int  # rows of df
    n_all: int  # rows of df and of a test frame
    target: object
    y: np.ndarray  # class code per row, -1 where missing (test-frame rows: -1)
    classes: list
    positive: int  # code of the event class (binary), -1 otherwise
    site: object
    site_codes: np.ndarray | None
    site_levels: list
    group: object
    time: object
    id_given: list
    split_column: object
    split: np.ndarray | None  # 0 training, 1 test, -1 neither; over all rows
    folds: np.ndarray
    rng: np.random.Generator
    seed: int
    max_rows: int

    @classmethod
    def build(cls, df, target, *, group, site, id_columns, time, test, positive, max_rows,
              random_state):
        if not isinstance(df, pd.DataFrame):
            raise TypeError(f"df must be a pandas DataFrame; got {type(df).__name__}")
        if df.shape[0] < 2:
            raise ValueError(f"df must have at least 2 rows; got {df.shape[0]}")
        columns = _columns_of(df, "df")
        max_rows = check_int(max_rows, "max_rows", 100)
        if not (random_state is None or isinstance(random_state, np.random.Generator) or (
                isinstance(random_state, numbers.Integral) and not isinstance(random_state, bool))):
            raise ValueError(f"random_state must be an int, a numpy Generator or None; got "
                             f"{random_state!r}")
        rng = np.random.default_rng(random_state)

        def column(value, arg, required=False):
            if value is None and not required:
                return None
            try:
                known = value in columns
            except TypeError:
                known = False
            if not known:
                raise ValueError(f"{arg}={value!r} is not a column of df; columns are: "
                                 f"{_name_list(columns, 20)}")
            return value

        target = column(target, "target", required=True)
        named = {"target": target}
        for arg, value in (("group", group), ("site", site), ("time", time)):
            value = column(value, arg)
            for other, taken in named.items():
                if value is not None and value == taken:
                    raise ValueError(f"{arg} and {other} are the same column {value!r}; "
                                     "pass different columns")
            named[arg] = value
        if id_columns is None:
            id_given = []
        elif isinstance(id_columns, (list, tuple, pd.Index)):
            id_given = [column(c, "id_columns") for c in id_columns]
        else:
            id_given = [column(id_columns, "id_columns")]
        if target in id_given:
            raise ValueError(f"id_columns includes the target {target!r}; remove it")

        y_codes, classes = pd.factorize(columns[target], sort=True)
        classes = list(classes)
        if len(classes) < 2:
            raise ValueError(f"target {target!r} has only one class ({classes}); the audit needs "
                             "rows of at least two classes")
        if len(classes) > _MAX_CLASSES:
            raise ValueError(f"target {target!r} has {len(classes)} distinct values; the audit "
                             f"expects a class label (at most {_MAX_CLASSES} classes). For a "
                             "continuous outcome, audit a binarized copy, e.g. "
                             "df.assign(high=df['y'] > cutoff) with target='high'.")
        pos = _positive_code(classes, y_codes, positive)

        test_columns, split_column, split = {}, None, None
        if isinstance(test, pd.DataFrame):
            test_columns = _columns_of(test, "test")
            if not test_columns or len(next(iter(test_columns.values()))) == 0:
                raise ValueError("test is an empty DataFrame; pass the test rows")
            n_test = len(next(iter(test_columns.values())))
            split = np.r_[np.zeros(len(df), np.int64), np.ones(n_test, np.int64)]
        elif test is not None:
            split_column = column(test, "test")
            if split_column in named.values() or split_column in id_given:
                raise ValueError(f"test={split_column!r} is already used as another argument")
            split = _split_codes(columns[split_column])

        n = len(df)
        n_all = n + (len(next(iter(test_columns.values()))) if test_columns else 0)
        y = np.full(n_all, -1, np.int64)
        y[:n] = y_codes
        site_codes, site_levels = None, []
        if named["site"] is not None:
            codes, levels = pd.factorize(columns[named["site"]], sort=True)
            if len(levels) < 2:
                raise ValueError(f"site={site!r} has one level only; pass a column with at "
                                 "least two sites, or leave site out")
            site_codes = np.full(n_all, -1, np.int64)
            site_codes[:n] = codes
            site_levels = list(levels)
        if named["group"] is not None and columns[group].nunique() < 2:
            raise ValueError(f"group={group!r} has one level only; pass a column with at least "
                             "two groups, or leave group out")
        return cls(columns=columns, test_columns=test_columns, row_labels=df.index, n=n,
                   n_all=n_all, target=target, y=y, classes=classes, positive=pos, site=named["site"],
                   site_codes=site_codes, site_levels=site_levels, group=named["group"],
                   time=named["time"], id_given=id_given, split_column=split_column, split=split,
                   folds=rng.permutation(n_all) % _N_FOLDS, rng=rng,
                   seed=int(rng.integers(2**31 - 1)), max_rows=max_rows)


def _columns_of(frame: pd.DataFrame, arg: str) -> dict:
    """Columns by name, a named index first; no copies."""
    columns = {}
    for level, name in enumerate(frame.index.names):
        if name is not None and name not in frame.columns:
            columns[name] = pd.Series(frame.index.get_level_values(level), name=name)
    duplicated = frame.columns[frame.columns.duplicated()].unique().tolist()
    if duplicated:
        raise ValueError(f"{arg} has duplicated column names {duplicated}; rename them")
    columns.update({name: frame[name] for name in frame.columns})
    return columns


def _positive_code(classes: list, y_codes: np.ndarray, positive) -> int:
    if len(classes) != 2:
        if positive is not None:
            raise ValueError(f"positive applies to a binary target; this one has {len(classes)} "
                             "classes")
        return -1
    if positive is not None:
        matches = [k for k, c in enumerate(classes) if c == positive]
        if not matches:
            raise ValueError(f"positive={positive!r} is not a class of the target; classes are "
                             f"{classes}")
        return matches[0]
    ones = [k for k, c in enumerate(classes) if _is_one(c)]
    if ones:
        return ones[0]
    counts = np.bincount(y_codes[y_codes >= 0], minlength=2)
    return 0 if counts[0] < counts[1] else 1


def _is_one(value) -> bool:
    """True for 1, 1.0 and True (the usual code of an event, or of a test row)."""
    return isinstance(value, (numbers.Real, np.bool_)) and value == 1


def _split_codes(series: pd.Series) -> np.ndarray:
    """0 for training rows, 1 for test rows, -1 where missing."""
    codes, levels = pd.factorize(series, sort=True)
    levels = list(levels)
    test_words = ("test", "testing", "holdout", "validation", "valid", "val", "external")
    marks = [k for k, v in enumerate(levels)
             if _is_one(v) or (isinstance(v, str) and v.strip().lower() in test_words)]
    if len(levels) != 2 or len(marks) != 1:
        raise ValueError(f"test={series.name!r} must have two values, one marking the test rows "
                         f"(True, 1 or 'test'); got {levels[:5]}")
    return np.where(codes < 0, -1, (codes == marks[0]).astype(np.int64))


_ROW_DEFAULTS = dict(auc=np.nan, auc_class=-1, higher=True, n_used=0, site_auc=np.nan,
                     site_class=-1, site_higher=True, missing_train=np.nan, missing_test=np.nan,
                     missing_p_value=np.nan, smd=np.nan, ks=np.nan, tvd=np.nan, new_levels=np.nan,
                     p_value=np.nan)


@dataclass
class _Scan:
    """Per-column results of the single pass."""

    rows: list  # dicts, one per column
    hash_all: np.ndarray  # row hashes over all columns of df (df rows)
    hash_no_id: np.ndarray  # ... without identifier (and split) columns
    hash_features: np.ndarray  # ... without identifiers, split and target
    hash_common: np.ndarray | None  # over all rows, columns shared by training and test
    hash_common_no_id: np.ndarray | None
    ids: list
    id_values: dict  # identifier name -> values (floats) or codes over all rows, for overlap
    missing_matrix: dict  # name -> missing mask over df rows (columns with some missing)
    site_sample: np.ndarray | None
    site_X: dict  # name -> (values on site_sample, categorical?)
    split_sample: np.ndarray | None
    split_X: dict


def _sample(labels: np.ndarray, max_rows: int, rng) -> np.ndarray:
    rows = np.flatnonzero(labels >= 0)
    if rows.size > max_rows:
        rows = np.sort(rng.choice(rows, max_rows, replace=False))
    return rows


def _scan(ctx: _Context) -> _Scan:
    n, n_all, K = ctx.n, ctx.n_all, len(ctx.classes)
    zero = np.zeros(n, np.uint64)
    scan = _Scan(rows=[], hash_all=zero, hash_no_id=zero.copy(), hash_features=zero.copy(),
                 hash_common=None, hash_common_no_id=None, ids=[], id_values={}, missing_matrix={},
                 site_sample=None, site_X={}, split_sample=None, split_X={})
    if ctx.site_codes is not None:
        scan.site_sample = _sample(ctx.site_codes, ctx.max_rows, ctx.rng)
    if ctx.split is not None:
        scan.hash_common, scan.hash_common_no_id = np.zeros((2, n_all), np.uint64)
        scan.split_sample = _sample(ctx.split, ctx.max_rows, ctx.rng)
    n_sites = len(ctx.site_levels)
    for name, series in ctx.columns.items():
        in_test = name in ctx.test_columns
        if in_test:
            series = pd.concat([series, ctx.test_columns[name]], ignore_index=True)
        kind, values = _encode(series)
        m = values.size  # n, or n_all when the test frame has this column
        if kind == "categorical":
            codes, n_codes, uniques = values, int(values.max()) + 1, None
            missing = codes < 0
        else:
            missing = np.isnan(values)
            uniques, inverse = np.unique(values[~missing], return_inverse=True)
            codes = np.full(m, -1, np.int64)
            codes[~missing] = inverse.ravel()
            n_codes = uniques.size
        df_missing = missing[:n]
        n_unique = int(np.count_nonzero(np.bincount(codes[:n][~df_missing], minlength=n_codes)))
        row = dict(_ROW_DEFAULTS, column=name, kind=kind, dtype=str(ctx.columns[name].dtype),
                   n_missing=int(df_missing.sum()), n_unique=n_unique)
        if 0 < row["n_missing"] < n:
            scan.missing_matrix[name] = df_missing
        row["id_reasons"] = reasons = _id_reasons(name, kind, values[:n], df_missing, n_unique, n)
        named_role = name in (ctx.site, ctx.group, ctx.time)  # the caller said what it is
        role = ("target" if name == ctx.target else "split" if name == ctx.split_column
                else "id" if name in ctx.id_given or (reasons and not named_role) else "feature")
        row["role"] = role

        # the outcome, and the site, as a function of this column alone
        if role in ("feature", "id"):
            if kind == "categorical":
                aucs = _oof_encoded_auc(codes[:n], n_codes, ctx.y[:n], K, ctx.folds[:n])
            else:
                aucs = _auc_from_counts(_crosstab(codes, n_codes, ctx.y[:m], K))
            row["auc"], row["auc_class"], row["higher"] = _best_auc(aucs, ctx.positive)
            row["n_used"] = int(((ctx.y[:n] >= 0) & (~df_missing | (kind == "categorical"))).sum())
        informative = role == "feature" and n_unique > 1 and name != ctx.time
        if ctx.site_codes is not None and informative and name != ctx.site:
            if kind == "categorical":
                aucs = _oof_encoded_auc(codes[:n], n_codes, ctx.site_codes[:n], n_sites, ctx.folds[:n])
            else:
                aucs = _auc_from_counts(_crosstab(codes, n_codes, ctx.site_codes[:m], n_sites))
            row["site_auc"], row["site_class"], row["site_higher"] = _best_auc(aucs)
            scan.site_X[name] = _model_input(kind, values, codes, n_codes, scan.site_sample)
        if in_test or ctx.split_column is not None:
            if informative:
                row.update(_drift(kind, uniques, codes, n_codes, ctx.split[:m]))
                scan.split_X[name] = _model_input(kind, values, codes, n_codes, scan.split_sample)

        # row hashes: numbers hash as floats, categories as codes of the pooled values
        h = _column_hash(name, codes if kind == "categorical" else values)
        scan.hash_all = scan.hash_all + h[:n]
        if role == "feature":
            scan.hash_features = scan.hash_features + h[:n]
        if role in ("feature", "target"):
            scan.hash_no_id = scan.hash_no_id + h[:n]
        if scan.hash_common is not None and role != "split" and (in_test or ctx.split_column is not None):
            scan.hash_common = scan.hash_common + h
            if role != "id":
                scan.hash_common_no_id = scan.hash_common_no_id + h
        if role == "id":
            scan.ids.append(name)
            if m == n_all:
                scan.id_values[name] = codes if kind == "categorical" else values
        scan.rows.append(row)
    return scan


def _id_reasons(name, kind, values, missing, n_unique, n) -> str:
    """Why a column looks like an identifier ('' if it does not). Nearly unique (95 %) so
    that duplicated rows do not hide an identifier."""
    reasons = []
    distinct = n >= 50 and not missing.any() and n_unique >= 0.95 * n
    if distinct and kind == "categorical":
        reasons.append("distinct text in (nearly) every row")
    elif distinct and kind == "numeric" and np.all(values == np.round(values)):
        consecutive = values.max() - values.min() + 1 == n_unique
        reasons.append("integer sequence" if consecutive else "distinct integer in (nearly) every row")
    if _id_name(name):
        reasons.append("name looks like an identifier")
    return "; ".join(reasons)


def _model_input(kind, values, codes, n_codes, rows):
    """A column for HistGradientBoosting on the sampled rows: numbers as they are, categories
    as codes (native categorical) or, with too many levels, as their frequency."""
    if kind != "categorical":
        return values[rows], False
    if n_codes <= _MAX_LEVELS_NATIVE:
        return np.where(codes[rows] < 0, np.nan, codes[rows]).astype(float), True
    counts = np.bincount(codes[codes >= 0], minlength=n_codes)
    return np.where(codes[rows] < 0, np.nan, counts[codes[rows]]).astype(float), False


def _drift(kind, uniques, codes, n_codes, split) -> dict:
    """Training (split 0) against test (split 1) for one column; ``uniques`` are a numeric
    column's sorted distinct values (``codes`` index them)."""
    from scipy.stats import kstwo

    miss = codes < 0
    out = dict(missing_train=float(miss[split == 0].mean()),
               missing_test=float(miss[split == 1].mean()))
    out["missing_p_value"] = _chi2_p(_crosstab(miss.astype(np.int64), 2, split, 2)) if miss.any() else 1.0
    if kind == "categorical":
        table = _crosstab(np.where(miss, n_codes, codes), n_codes + 1, split, 2)
        share = table / np.maximum(table.sum(axis=0), 1)
        new = (table[:n_codes, 0] == 0) & (table[:n_codes, 1] > 0)  # levels seen in test only
        out.update(tvd=float(0.5 * np.abs(share[:, 0] - share[:, 1]).sum()), p_value=_chi2_p(table),
                   new_levels=int(new.sum()))
        return out
    train, test = _crosstab(codes, n_codes, split, 2).T.astype(float)
    n_a, n_b = train.sum(), test.sum()
    if n_a < 2 or n_b < 2:
        return out
    mean_a, mean_b = train @ uniques / n_a, test @ uniques / n_b
    var_a = train @ (uniques - mean_a) ** 2 / (n_a - 1)
    var_b = test @ (uniques - mean_b) ** 2 / (n_b - 1)
    scale = np.sqrt((var_a + var_b) / 2)
    ks = float(np.max(np.abs(np.cumsum(train / n_a - test / n_b))))
    en = n_a * n_b / (n_a + n_b)
    out.update(smd=float((mean_b - mean_a) / scale) if scale > 0 else 0.0, ks=ks,
               p_value=float(kstwo.sf(ks, np.round(en))))
    return out


def _separability(X: dict, labels: np.ndarray, seed: int) -> dict | None:
    """Cross-validated (3-fold) HistGradientBoosting telling ``labels`` apart from ``X``."""
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import balanced_accuracy_score, roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict

    counts = np.bincount(labels)
    keep = counts[labels] >= 3
    labels = np.unique(labels[keep], return_inverse=True)[1].ravel()
    if not X or np.unique(labels).size < 2:
        return None
    names = list(X)
    matrix = np.column_stack([X[c][0][keep] for c in names])
    categorical = np.array([X[c][1] for c in names])
    # small trees and few bins: a quick screen, not a tuned model
    model = HistGradientBoostingClassifier(max_iter=30, learning_rate=0.2, max_leaf_nodes=8, max_bins=63,
                                           early_stopping=False, random_state=seed,
                                           categorical_features=categorical if categorical.any() else None)
    proba = cross_val_predict(model, matrix, labels, method="predict_proba",
                              cv=StratifiedKFold(3, shuffle=True, random_state=seed))
    k = proba.shape[1]
    auc = roc_auc_score(labels, proba[:, 1]) if k == 2 else roc_auc_score(labels, proba, multi_class="ovr")
    return dict(auc=float(auc), balanced_accuracy=float(balanced_accuracy_score(labels, proba.argmax(1))),
                chance=1 / k, n_rows=int(labels.size), n_features=len(names))


def _outcome_by(codes: np.ndarray, levels: list, name: str, ctx: _Context) -> tuple[pd.DataFrame, float]:
    """Rows, and the outcome, per level of a grouping over the labelled df rows."""
    y = ctx.y[:ctx.n]
    labelled = y >= 0
    if (codes[labelled] < 0).any():
        codes, levels = np.where(codes < 0, len(levels), codes), [*levels, _MISSING]
    table = _crosstab(codes, len(levels), np.where(labelled, y, -1), len(ctx.classes))
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
    return out, _chi2_p(table)


class _Builder:
    """Turns the scan into tables, findings and report sections."""

    def __init__(self, ctx: _Context, scan: _Scan, thresholds: dict, time_freq):
        self.ctx, self.scan, self.t, self.time_freq = ctx, scan, thresholds, time_freq
        self.findings, self.sections, self.tables, self.separability = [], [], {}, []
        self.info = pd.DataFrame(scan.rows).set_index("column")

    def flag(self, severity, section, message, column=None):
        self.findings.append(Finding(severity, section, message, None if column is None else str(column)))

    def report(self) -> AuditReport:
        for step in (self.overview, self.missingness, self.class_balance, self.duplicates,
                     self.identifiers, self.leakage, self.sites, self.groups, self.periods,
                     self.train_test):
            step()
        order = {s: i for i, s in enumerate(_SEVERITIES)}
        findings = sorted(self.findings, key=lambda f: order[f.severity])
        columns = ["comparison", "auc", "balanced_accuracy", "chance", "n_rows", "n_features"]
        separability = pd.DataFrame(self.separability, columns=columns).set_index("comparison")
        return AuditReport(target=str(self.ctx.target), n_rows=self.ctx.n,
                           n_columns=len(self.ctx.columns), findings=findings,
                           separability=separability, sections=self.sections, **self.tables)

    # -- sections ----------------------------------------------------------------------
    def overview(self):
        info, ctx = self.info, self.ctx
        table = info[["kind", "dtype", "n_missing", "n_unique"]].copy()
        table["share_missing"] = table.n_missing / ctx.n
        table["constant"] = table.n_unique <= 1
        self.tables["columns"] = table
        kinds = table.kind.value_counts()
        text = (f"{ctx.n} rows and {len(table)} columns ("
                + ", ".join(f"{v} {k}" for k, v in kinds.items()) + f"). Target {ctx.target!r}")
        text += (f", positive class {ctx.classes[ctx.positive]!r}." if ctx.positive >= 0
                 else f" with {len(ctx.classes)} classes.")
        empty = table.index[table.n_missing == ctx.n].tolist()
        constant = table.index[(table.n_unique == 1)].tolist()
        if empty:
            self.flag("low", "Columns", f"{len(empty)} column(s) entirely missing: {_name_list(empty)}")
        if constant:
            self.flag("low", "Columns", f"{len(constant)} constant column(s), which carry no "
                      f"information: {_name_list(constant)}")
        self.sections.append(_Section("Overview", text))

    def missingness(self):
        ctx, scan = self.ctx, self.scan
        table = self.tables["columns"]
        y = ctx.y[:ctx.n]
        labelled = y >= 0
        rows = []
        for name, mask in scan.missing_matrix.items():
            counts = _crosstab(mask.astype(np.int64), 2, np.where(labelled, y, -1), len(ctx.classes))
            with np.errstate(invalid="ignore", divide="ignore"):
                share = counts / counts.sum(axis=1, keepdims=True)
            row = dict(column=name, n_missing=int(mask.sum()), share_missing=mask.mean())
            if ctx.positive >= 0:
                row.update(prevalence_if_missing=share[1, ctx.positive],
                           prevalence_if_observed=share[0, ctx.positive])
            tvd = 0.5 * np.abs(share[1] - share[0]).sum() if name != ctx.target else np.nan
            p = _chi2_p(counts) if name != ctx.target else np.nan
            row.update(outcome_tvd=tvd, p_value=p, informative=bool(p < _ALPHA and tvd >= _MISSING_TVD))
            rows.append(row)
            if row["informative"]:
                detail = (f"prevalence {row['prevalence_if_missing']:.1%} where missing vs "
                          f"{row['prevalence_if_observed']:.1%} where observed"
                          if ctx.positive >= 0 else f"class mix differs, TVD {tvd:.2f}")
                self.flag("medium", "Missing values", f"missingness in {name!r} goes with the "
                          f"outcome ({detail}, {_p(p)}): informative missingness; consider a "
                          "missing-indicator feature, and impute inside the cross-validation", name)
        cols = ["n_missing", "share_missing", "prevalence_if_missing", "prevalence_if_observed",
                "outcome_tvd", "p_value", "informative"]
        if ctx.positive < 0:
            cols = [c for c in cols if not c.startswith("prevalence")]
        missing = pd.DataFrame(rows, columns=["column", *cols]).set_index("column")
        missing = missing.sort_values("share_missing", ascending=False)
        self.tables["missing"] = missing
        patterns = _patterns(scan.missing_matrix, ctx.n)
        self.tables["missing_patterns"] = patterns
        incomplete = sum(scan.missing_matrix.values(), np.zeros(ctx.n)) > 0
        complete = ctx.n - int(incomplete.sum())
        n_empty = int((table.n_missing == ctx.n).sum())
        text = (f"{int((table.n_missing > 0).sum())} of {len(table)} columns have missing values "
                f"({table.n_missing.sum() / (ctx.n * len(table)):.1%} of all cells); {complete} rows "
                f"({complete / ctx.n:.1%}) are complete"
                + (f" (not counting {n_empty} entirely missing column(s))" if n_empty else "") + ". "
                "'Informative' marks columns whose missingness goes with the outcome (chi-square "
                f"p < {_ALPHA} and a prevalence difference of at least {_MISSING_TVD}).")
        many = missing.index[missing.share_missing >= 0.5].tolist()
        if many:
            self.flag("low", "Missing values", f"{len(many)} column(s) at least half missing "
                      f"(but not entirely): {_name_list(many)}")
        tables = []
        if len(missing):
            tables.append(("Columns with missing values", missing.head(_SHOWN * 2)))
            tables.append(("Most common patterns of missing columns", patterns))
        self.sections.append(_Section("Missing values", text, tables))

    def class_balance(self):
        ctx = self.ctx
        y = ctx.y[:ctx.n]
        counts = np.bincount(y[y >= 0], minlength=len(ctx.classes))
        table = pd.DataFrame({"count": counts, "share": counts / counts.sum()},
                             index=pd.Index([str(c) for c in ctx.classes], name="class"))
        self.tables["class_balance"] = table
        n_missing = int((y < 0).sum())
        text = ", ".join(f"{c}: {k} ({s:.1%})" for c, k, s in zip(table.index, table["count"], table.share))
        if n_missing:
            text += f"; {n_missing} rows have no outcome and are left out of the outcome-based checks"
            self.flag("medium", "Target", f"{n_missing} rows ({n_missing / ctx.n:.1%}) have a missing "
                      "target; they are left out of the outcome checks")
        for cls, count, share in zip(table.index, table["count"], table.share):
            if share < self.t["rare_class"]:
                self.flag("medium", "Target", f"class {cls} is rare ({count} rows, {share:.1%}): use "
                          "stratified splits, report precision-recall and calibration, and expect "
                          "wide confidence intervals", ctx.target)
        self.sections.append(_Section("Target", text + ".", [("Class balance", table)]))

    def duplicates(self):
        ctx, scan = self.ctx, self.scan
        ignored = scan.ids + ([ctx.split_column] if ctx.split_column is not None else [])
        y = ctx.y[:ctx.n]
        no_id = "ignoring identifiers: " + (_name_list(ignored) if ignored else "none found")
        kinds = [("exact (all columns)", scan.hash_all, None), (no_id, scan.hash_no_id, None),
                 ("same features, different target", scan.hash_features, y)]
        rows, groups = [], []
        for kind, h, outcome in kinds:
            series = pd.Series(h)
            repeated = series.duplicated(keep=False).to_numpy()
            if outcome is not None:  # keep groups whose labelled rows disagree on the outcome
                repeated &= outcome >= 0
                frame = pd.DataFrame({"h": h[repeated], "y": outcome[repeated]})
                disagree = frame.groupby("h").y.nunique()
                repeated[repeated] = frame.h.isin(disagree.index[disagree > 1]).to_numpy()
            n_groups = int(pd.unique(h[repeated]).size)
            n_rows = int(repeated.sum()) - n_groups if outcome is None else int(repeated.sum())
            rows.append(dict(kind=kind, n_rows=n_rows, share=n_rows / ctx.n, n_groups=n_groups))
            where = np.flatnonzero(repeated)
            for g, (_, members) in enumerate(pd.Series(where).groupby(h[where], sort=False)):
                if g == 20:
                    break
                groups.append(dict(kind=kind, group=g, n_rows=len(members),
                                   rows=ctx.row_labels[members.to_numpy()].tolist()))
        table = pd.DataFrame(rows).set_index("kind")
        self.tables["duplicates"] = table
        self.tables["duplicate_groups"] = pd.DataFrame(groups, columns=["kind", "group", "n_rows", "rows"])
        exact, no_id, conflict = table.n_rows.to_numpy()
        if exact:
            self.flag("medium", "Duplicates", f"{exact} rows repeat an earlier row exactly: remove "
                      "them or keep copies in the same fold, or validation is optimistic")
        if no_id > exact:
            self.flag("medium", "Duplicates", f"{no_id} rows repeat an earlier row apart from the "
                      f"identifier columns ({_name_list(ignored)}): the same record under two "
                      "identifiers?")
        if conflict:
            self.flag("medium", "Duplicates", f"{conflict} rows share all their features with a row "
                      "whose target differs: label noise, or features too coarse to tell them apart")
        text = ("Rows that repeat an earlier row (n_rows counts the copies beyond the first, "
                "n_groups the distinct repeated rows); for the last kind, n_rows counts every row "
                "of the groups of identical features whose targets disagree.")
        shown = [("Duplicated rows", table)]
        examples = self.tables["duplicate_groups"]
        if len(examples):
            shown.append(("Examples (row labels of df)", examples.groupby("kind", sort=False).head(3)
                          .set_index("kind")))
        self.sections.append(_Section("Duplicates", text, shown))

    def identifiers(self):
        ctx, info = self.ctx, self.info
        ids = info.loc[self.scan.ids]
        table = pd.DataFrame({
            "given": [c in ctx.id_given for c in ids.index],
            "reasons": ids.id_reasons.replace("", "given in id_columns"),
            "n_unique": ids.n_unique, "share_unique": ids.n_unique / ctx.n, "auc": ids.auc})
        table.index.name = "column"
        self.tables["identifiers"] = table
        for name, row in table.iterrows():
            if not row.given and row.share_unique >= 0.5:
                self.flag("medium", "Identifiers", f"{name!r} looks like an identifier "
                          f"({row.reasons}): keep it out of the model's features", name)
            elif not row.given:
                self.flag("low", "Identifiers", f"{name!r} has an identifier-like name but repeats "
                          f"({row.n_unique} distinct values): a patient id with several rows each? "
                          "Split by it (GroupKFold) rather than by row", name)
            if row.auc >= self.t["leak_auc"]:
                self.flag("high", "Identifiers", f"identifier {name!r} predicts the target (AUC "
                          f"{row.auc:.3f}): rows are ordered or numbered by outcome", name)
        text = ("Identifier-like columns, given or detected (distinct text or integers in nearly "
                "every row, an integer sequence, or a name like id, mrn, patient_id), are left out "
                "of the feature checks below. An identifier with an AUC well above 0.5 means rows "
                "were numbered in an order related to the outcome.")
        self.sections.append(_Section("Identifiers", text, [("Identifier-like columns", table)]
                                      if len(table) else []))

    def leakage(self):
        ctx, info = self.ctx, self.info
        feats = info[info.role == "feature"]
        table = _auc_table(feats, ctx.classes, "auc", "auc_class", "higher")
        table["n_used"] = feats.n_used.astype(int)
        table["method"] = np.where(feats.kind == "categorical", "out-of-fold target mean", "rank")
        table = table.sort_values("auc", ascending=False, na_position="last")
        table["flag"] = table.auc >= self.t["leak_auc"]
        self.tables["leakage"] = table
        for name, row in table[table.flag].iterrows():
            self.flag("high", "Possible leaks", f"{name!r} alone predicts the target with AUC "
                      f"{row.auc:.3f}: is it measured after the outcome, or derived from it?", name)
        against, where = (("the target", "cases") if ctx.positive >= 0 else
                          ("each class against the rest (the best-separated in 'class')", "it"))
        text = (f"Each feature alone as a score for {against}: rank AUC for numeric features, "
                f"folded as max(AUC, 1 - AUC) ('direction': values higher or lower in {where}), and "
                "a 5-fold out-of-fold target-mean encoding for categorical ones. Flagged at AUC >= "
                f"{self.t['leak_auc']}: a single feature that strong is rare in clinical data.")
        shown = pd.concat([table[table.flag], table[~table.flag].head(_SHOWN)])
        self.sections.append(_Section("Possible leaks", text, [
            (f"Univariable AUC (the flagged and the top {_SHOWN} others)", shown)]))

    def sites(self):
        ctx, scan, info = self.ctx, self.scan, self.info
        self.tables.update(by_site=None, site_features=None)
        if ctx.site is None:
            return
        by_site, p = _outcome_by(ctx.site_codes[:ctx.n], ctx.site_levels, str(ctx.site), ctx)
        feats = info[info.site_auc.notna()]
        site_features = _auc_table(feats, ctx.site_levels, "site_auc", "site_class", "site_higher")
        site_features = site_features.rename(columns={"class": "site"}).sort_values("auc", ascending=False)
        self.tables.update(by_site=by_site, site_features=site_features)
        sep = _separability(scan.site_X, ctx.site_codes[scan.site_sample], ctx.seed)
        text = ""
        if sep is not None:
            self.separability.append(dict(comparison="sites", **sep))
            text = (f"A gradient-boosting classifier tells the {len(ctx.site_levels)} sites apart from "
                    f"{sep['n_features']} features with AUC {sep['auc']:.3f} (0.5 is chance) and "
                    f"balanced accuracy {sep['balanced_accuracy']:.3f} (chance {sep['chance']:.3f}); "
                    f"3-fold cross-validation on {_rows(sep['n_rows'], ctx.site_codes)}. ")
            if sep["auc"] >= _SEPARABLE_AUC:
                self.flag("medium", "Sites", f"sites are easy to tell apart from the features (AUC "
                          f"{sep['auc']:.3f}; most different: {_name_list(site_features.index[:3])}): "
                          "case mix or batch effects. Validate across sites (leave one site out)",
                          ctx.site)
        text += ("Per feature, the AUC of the best-separated site against the others (rank, or "
                 f"out-of-fold encoding). Outcome by site: chi-square {_p(p)}.")
        if p < _ALPHA:
            self.flag("low", "Sites", f"the outcome differs between sites ({_p(p)}): site may "
                      "confound the outcome", ctx.site)
        self.sections.append(_Section("Sites", text, [
            ("Outcome by site", by_site),
            (f"Features that differ most between sites (top {_SHOWN})", site_features.head(_SHOWN))]))

    def groups(self):
        ctx = self.ctx
        self.tables["by_group"] = None
        if ctx.group is None:
            return
        codes, levels = pd.factorize(ctx.columns[ctx.group], sort=True)
        table, p = _outcome_by(codes, list(levels), str(ctx.group), ctx)
        self.tables["by_group"] = table
        small = table.index[table.n < 30].tolist()
        if small:
            self.flag("low", "Groups", f"{len(small)} group(s) with fewer than 30 labelled rows "
                      f"({_name_list(small)}): estimates for them will be noisy", ctx.group)
        if ctx.positive >= 0:
            one_class = table.index[(table.events == 0) | (table.events == table.n)].tolist()
            if one_class:
                self.flag("medium", "Groups", f"group(s) with only one outcome class: "
                          f"{_name_list(one_class)}; per-group AUC and calibration are undefined",
                          ctx.group)
        shown = table.sort_values("n", ascending=False).head(_SHOWN * 2)
        text = (f"{len(table)} groups; outcome by group, chi-square {_p(p)}"
                + (f" (the {len(shown)} largest shown)" if len(shown) < len(table) else "") + ".")
        self.sections.append(_Section("Groups", text, [("Outcome by group", shown)]))

    def periods(self):
        ctx = self.ctx
        self.tables["by_time"] = None
        if ctx.time is None:
            return
        codes, levels, how = _period_codes(ctx.columns[ctx.time], self.time_freq)
        table, p = _outcome_by(codes, levels, "period", ctx)
        # share of missing cells per row, averaged within each period (all rows, labelled or not)
        info = self.info
        cells = sum(self.scan.missing_matrix.values(), np.zeros(ctx.n)) + (info.n_missing == ctx.n).sum()
        period = np.where(codes < 0, len(levels), codes)
        with np.errstate(invalid="ignore", divide="ignore"):
            table["missing_share"] = (np.bincount(period, weights=cells, minlength=len(table))
                                      / np.bincount(period, minlength=len(table)) / len(info))[:len(table)]
        self.tables["by_time"] = table
        if p < _ALPHA:
            self.flag("low", "Time", f"the outcome changes over time ({_p(p)}): validate on a "
                      "later period too (temporal validation)", ctx.time)
        text = (f"Rows, outcome and the share of missing cells per period of {ctx.time!r} ({how}); "
                f"outcome by period, chi-square {_p(p)}.")
        self.sections.append(_Section("Time", text, [("By period", table)]))

    def train_test(self):
        ctx, scan = self.ctx, self.scan
        self.tables.update(overlap=None, drift=None)
        if ctx.split is None:
            return
        train, test = ctx.split == 0, ctx.split == 1
        checked = [c for c in scan.id_values if c in ctx.id_given or not _ROW_NUMBER.match(str(c))]
        rows = []
        for name in checked:
            values = scan.id_values[name]
            seen = ~np.isnan(values) if values.dtype.kind == "f" else values >= 0
            rows.append(_shared(f"identifier {name}", values[test & seen], values[train & seen]))
        rows.append(_shared("rows, all shared columns", scan.hash_common[test], scan.hash_common[train]))
        rows.append(_shared("rows, ignoring identifiers", scan.hash_common_no_id[test],
                            scan.hash_common_no_id[train]))
        overlap = pd.DataFrame(rows).set_index("check")
        self.tables["overlap"] = overlap
        counts = overlap.n_test_rows.astype(int)
        advice = "the test set is not independent; split by patient (GroupShuffleSplit)"
        for name in checked:
            if counts[f"identifier {name}"]:
                self.flag("high", "Train/test", f"{counts[f'identifier {name}']} test rows have a "
                          f"{name} that is also in the training rows: {advice}", name)
        exact, no_id = counts["rows, all shared columns"], counts["rows, ignoring identifiers"]
        if exact:
            self.flag("high", "Train/test", f"{exact} test rows are identical to a training row: {advice}")
        if no_id > exact:
            self.flag("high", "Train/test", f"{no_id} test rows are identical to a training row apart "
                      f"from the identifier columns: {advice}")
        drift = self._drift_table()
        self.tables["drift"] = drift
        for name, row in drift[drift.flag].iterrows():
            self.flag("medium", "Train/test", f"{name!r} drifted between training and test "
                      f"({_drift_words(row, self.t)})", name)
        text = (f"{int(train.sum())} training rows and {int(test.sum())} test rows. Overlap compares "
                "identifier values and whole-row hashes (identifiers checked: "
                + (_name_list(checked) if checked else "none; pass id_columns= to check for shared "
                   "patients") + "). Drift: standardized mean difference (test minus training, "
                "pooled SD) and Kolmogorov-Smirnov statistic for numeric features, total variation "
                f"distance for categorical ones (missing as a level); flagged at |SMD| >= "
                f"{self.t['drift_smd']}, KS >= {self.t['drift_ks']}, TVD >= {self.t['drift_tvd']} "
                f"(or that change in the share missing), if also p < {_ALPHA}.")
        if ctx.test_columns:
            only_df = [c for c in ctx.columns if c not in ctx.test_columns and c != ctx.target]
            only_test = [c for c in ctx.test_columns if c not in ctx.columns]
            if only_df:
                self.flag("medium", "Train/test", f"test lacks {len(only_df)} column(s) of df: "
                          f"{_name_list(only_df)}")
            if only_test:
                text += f" Columns only in test (ignored): {_name_list(only_test)}."
        sep = _separability(scan.split_X, ctx.split[scan.split_sample], ctx.seed)
        if sep is not None:
            self.separability.append(dict(comparison="train vs test", **sep))
            text += (f" A classifier tells training from test rows with AUC {sep['auc']:.3f} (0.5 is "
                     f"chance; 3-fold cross-validation on {_rows(sep['n_rows'], ctx.split)}).")
            if sep["auc"] >= _SEPARABLE_AUC:
                self.flag("medium", "Train/test", f"training and test rows are easy to tell apart (AUC "
                          f"{sep['auc']:.3f}): the test set comes from a different distribution")
        self.sections.append(_Section("Train/test", text, [
            ("Overlap", overlap),
            (f"Drift (the flagged and the top {_SHOWN} others)",
             pd.concat([drift[drift.flag], drift[~drift.flag].head(_SHOWN)]))]))

    def _drift_table(self) -> pd.DataFrame:
        cols = ["kind", "missing_train", "missing_test", "smd", "ks", "tvd", "new_levels", "p_value",
                "missing_p_value"]
        drift = self.info.loc[self.info.missing_train.notna(), cols]
        t = self.t
        size = np.fmax(np.fmax(drift.smd.abs() / t["drift_smd"], drift.ks / t["drift_ks"]),
                       drift.tvd / t["drift_tvd"])
        missing = (drift.missing_test - drift.missing_train).abs() >= t["drift_tvd"]
        flag = ((size >= 1) & (drift.p_value < _ALPHA)) | (missing & (drift.missing_p_value < _ALPHA))
        order = np.argsort(-size.fillna(0).to_numpy(), kind="stable")
        return drift.assign(flag=flag).iloc[order]


def _auc_table(feats: pd.DataFrame, classes: list, auc: str, which: str, higher: str) -> pd.DataFrame:
    """Per feature: the folded AUC, the class it separates best, and the direction."""
    table = pd.DataFrame({
        "kind": feats.kind, "auc": feats[auc].astype(float),
        "class": [str(classes[int(k)]) if k >= 0 else "" for k in feats[which]],
        "direction": np.where(feats.kind == "categorical", "",
                              np.where(feats[higher].astype(bool), "higher", "lower"))},
        index=feats.index)
    table.index.name = "column"
    return table


def _shared(check: str, test_values: np.ndarray, train_values: np.ndarray) -> dict:
    shared = np.isin(test_values, train_values)
    return dict(check=check, n_test_rows=int(shared.sum()),
                share_test_rows=float(shared.mean()) if shared.size else 0.0,
                n_shared_values=int(np.unique(test_values[shared]).size))


def _drift_words(row, t: dict) -> str:
    words = []
    if abs(row.smd) >= t["drift_smd"] or row.ks >= t["drift_ks"]:
        words.append(f"SMD {row.smd:+.2f}, KS {row.ks:.2f}")
    if row.tvd >= t["drift_tvd"]:
        words.append(f"TVD {row.tvd:.2f}")
    if abs(row.missing_test - row.missing_train) >= t["drift_tvd"]:
        words.append(f"missing {row.missing_train:.0%} in training vs {row.missing_test:.0%} in test")
    return "; ".join(words)


def _patterns(missing: dict, n: int, top: int = 10) -> pd.DataFrame:
    """The most common sets of missing columns (among columns with some missing)."""
    cols = ["pattern", "n_missing_columns", "count", "share"]
    if not missing:
        return pd.DataFrame(columns=cols).set_index("pattern")
    names = list(missing)
    packed = np.packbits(np.column_stack(list(missing.values())), axis=1)
    patterns, counts = np.unique(packed, axis=0, return_counts=True)
    order = np.argsort(-counts, kind="stable")[:top]
    rows = []
    for k in order:
        bits = np.unpackbits(patterns[k])[:len(names)].astype(bool)
        chosen = [n_ for n_, b in zip(names, bits) if b]
        label = _name_list(chosen, 5) if chosen else "(none missing)"
        rows.append((label, len(chosen), counts[k], counts[k] / n))
    return pd.DataFrame(rows, columns=cols).set_index("pattern")


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
