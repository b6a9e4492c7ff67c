"""The entry point, :func:`audit` (``bk.audit``)."""

from __future__ import annotations

from collections.abc import Hashable, Sequence

import numpy as np
import pandas as pd

from biomedkit._audit.build import Builder
from biomedkit._audit.context import Context
from biomedkit._audit.report import AuditReport
from biomedkit._audit.scan import scan_columns
from biomedkit._checks import check_float
from biomedkit._threads import single_threaded


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
    predict the outcome suspiciously well on their own, in the whole table or within one
    site only (possible leaks); sites (how well a
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
        Hospital, batch or scanner: separability from the features, prevalence per site,
        and the per-site leak screen (``site_leakage``).
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
        A feature whose univariable AUC (folded, >= 0.5) reaches this is flagged; so is
        one that reaches it within one site while staying below it at the other sites.
        Two more kinds of possible leak are flagged whatever their AUC: a numeric feature
        that fixes the target on one side of a cut, and a column named like a follow-up
        time or an event indicator (see Notes).
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

    One-sided relations and follow-up columns: a numeric feature is flagged when, beyond
    some cut (its lowest or its highest values), at least 20 % of the rows where it is
    observed all have the same outcome, and so long a run would arise by chance with
    probability below 0.001 if the outcomes were shuffled (hypergeometric, doubled for the
    two ends): an event indicator or a follow-up time behind an outcome read at a horizon
    does this, as does a value recorded only for one outcome. A column whose name is made of
    follow-up words only (``time``, ``futime``, ``days``, ``os_time``, ``pfs_months``;
    ``event``, ``cens``, ``status``, ``death``, ``vital_status``) is flagged too: it is known
    only at the end of follow-up, not when a prediction is made (high severity when it also
    predicts or fixes the target, medium otherwise). The ``leakage`` table says why
    (``reason``), and shows the run (``one_sided``, ``one_sided_rule``, ``one_sided_p``) and
    what the name looks like (``looks_like``). Such a column is never taken for an
    identifier because its values are distinct.

    Per-site leak screen (with ``site=``): each feature's AUC among the rows of each site
    and among those of the other sites together, computed as above (a numeric feature
    with more distinct values than 4096, or fewer with many sites, has neighbouring values
    merged into that many ranks, which moves its AUC by about 1/(2 x ranks) at most). A
    feature is flagged when it reaches ``leak_auc`` at a site, stays below it elsewhere,
    and the two AUCs differ at p < 0.001 (z-test with DeLong standard errors, the two sets
    of rows being disjoint): a marker that gives the label away at one hospital, which a
    model learns as a shortcut (Zech et al. 2018). A site is screened only with at least
    10 events and 10 non-events there and at the other sites together (for more than two
    classes: 10 rows of a class and 10 of the rest); the report names the sites left out.

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

    DeLong ER, DeLong DM, Clarke-Pearson DL (1988). Comparing the areas under two or more
    correlated receiver operating characteristic curves: a nonparametric approach.
    *Biometrics* 44:837-845.

    Zech JR, Badgeley MA, Liu M, et al. (2018). Variable generalization performance of a
    deep learning model to detect pneumonia in chest radiographs: a cross-sectional study.
    *PLOS Medicine* 15:e1002683 (models that learn the hospital instead of the disease).

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.cohort(n=2000, n_sites=3, random_state=0)
    >>> report = bk.audit(data.frame, "event", site="site", group="group")
    >>> report                                    # the HTML report in a notebook   # doctest: +SKIP
    >>> report.leakage.head()                                                       # doctest: +SKIP
    >>> report.site_leakage[report.site_leakage.flag]    # leaks at one site only   # doctest: +SKIP
    >>> [str(f) for f in report.findings]                                           # doctest: +SKIP
    >>> report.save("audit.html")                                                   # doctest: +SKIP
    """
    ctx = Context.build(df, target, group=group, site=site, id_columns=id_columns, time=time,
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
    # Small BLAS and OpenMP calls (matrix-vector products, the classifier) run faster on one
    # thread; extra threads compete with each other on a busy machine. The classifier is
    # scikit-learn's histogram gradient boosting: its OpenMP runtime must be loaded first.
    with single_threaded("sklearn.ensemble", "scipy.linalg"):
        return Builder(ctx, scan_columns(ctx), thresholds, time_freq).report()
