"""ComBat batch correction as a scikit-learn transformer.

The empirical Bayes location/scale model of Johnson, Li and Rabinovic (2007),
*Biostatistics* 8(1):118-127, computed as R's ``sva::ComBat`` computes it: the same
standardisation, the same method-of-moments priors, the same iterative solution of the
posterior means (``it.sol``) with the same stopping rule, and the same integration over
the other features for the non-parametric version (``int.eprior``).
"""

from __future__ import annotations

import warnings

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.validation import _check_feature_names_in, check_array, check_is_fitted, validate_data

from biomedkit._deprecation import keyword_only_after

_CONFOUNDED_AT = 0.9  # Cramér's V (categorical) or correlation ratio (numeric) that warns


class ComBat(TransformerMixin, BaseEstimator):
    """Remove additive and multiplicative batch effects with empirical Bayes (ComBat).

    For each feature ``g`` (a gene, a region of interest ...) and sample ``j`` of batch
    ``i`` the model is ``y[j, g] = alpha[g] + X[j] beta[g] + gamma[i, g] + delta[i, g] e[j, g]``:
    the batch shifts the mean by ``gamma`` and scales the noise by ``delta``. ``fit``
    standardises every feature with the pooled variance of a least-squares fit of
    feature ~ batch + covariates, estimates ``gamma`` and ``delta`` per batch and feature,
    and shrinks them towards their mean over features (normal prior for ``gamma``,
    inverse-gamma prior for ``delta``, hyperparameters by the method of moments).
    ``transform`` removes the shrunk effects from samples of batches seen in ``fit``,
    keeping the covariate effects.

    Parameters
    ----------
    batch : str, int or callable
        Where the batch labels are. A str is the name of a column of ``X`` (a pandas
        DataFrame); an int is a column position (for arrays, e.g. an object array holding
        labels); the column is used as labels and is **not** in the output. A callable
        ``batch(X) -> labels`` (one label per row, ``X`` as a 2-D array) computes the labels
        from the row itself: then every column of ``X`` is a feature.
    covariates : list of str or int, or None
        Columns of ``X`` with biological covariates whose effects must be kept (e.g.
        subtype, sex, age). Columns of pandas dtype object, category, string or bool are
        categorical (one indicator per level but the first); numeric columns enter as a
        linear term (make a numeric code categorical with ``astype("category")``). They are
        needed again at ``transform`` (the covariate part of the mean is added back), so
        in a predictive pipeline never use the outcome as a covariate: that leaks the label.
    parametric : bool, default=True
        Parametric priors (iterative solution) or the non-parametric version, which weighs
        every other feature's estimates by their likelihood (slower: quadratic in features).
    reference_batch : label or None
        Adjust every batch to the mean and variance of this batch, which is left unchanged
        (e.g. the training cohort of a model that is then applied to the other batches).

    Attributes
    ----------
    batches_ : ndarray
        The batch labels seen in ``fit`` (sorted); rows of the arrays below.
    gamma_star_, delta_star_ : ndarray of shape (n_batches, n_features_out)
        The empirical Bayes estimates of the additive (standardised units) and
        multiplicative (variance ratio) batch effects; 0 and 1 for the reference batch.
    gamma_hat_, delta_hat_ : ndarray of shape (n_batches, n_features_out)
        The unshrunk estimates.
    gamma_bar_, tau2_, a_prior_, b_prior_ : ndarray of shape (n_batches,)
        The hyperparameters of the priors.
    grand_mean_, var_pooled_ : ndarray of shape (n_features_out,)
    covariate_coef_ : ndarray of shape (n_covariate_terms, n_features_out)
    untouched_ : ndarray of bool, shape (n_features_out,)
        Features without variance within batches (after covariates), for example a gene
        constant in every sample. They have no scale to correct, so ComBat returns them
        unchanged (as scanpy does; sva leaves out genes constant within a batch) and warns.
    n_features_in_, feature_names_in_ : as in scikit-learn

    Notes
    -----
    The output holds the corrected feature columns only, in their input order: the batch
    column and the covariate columns are dropped (``get_feature_names_out`` names what is
    kept), so the transformer can sit in a ``Pipeline`` before a model that must not see
    the batch. To keep a covariate as a model input, pass it around ComBat with a
    ``ColumnTransformer`` or select it again from the input frame.

    ``fit`` warns (``UserWarning``) when a covariate is confounded with batch (a level
    found in one batch only, or Cramér's V / correlation ratio >= 0.9): batch and biology
    then cannot be told apart well, and correction may remove biology. It raises when the
    confounding is complete (the design has no full rank), as sva does. Confounding with a
    variable *not* listed in ``covariates`` cannot be detected: correction removes it.

    With scikit-learn's ``check_estimator`` the transformer is run with a callable
    ``batch`` that computes labels from the values of the first column, since generic
    test data has no batch column (see ``tests/test_combat.py``).

    Examples
    --------
    >>> import biomedkit as bk
    >>> data, truth = bk.simulate.expression(n_samples=300, n_batches=3, random_state=0)
    >>> combat = bk.preprocessing.ComBat(batch="batch", covariates=["outcome"])
    >>> corrected = combat.set_output(transform="pandas").fit_transform(data.frame)
    >>> corrected.shape                       # the genes; batch and outcome are dropped
    (300, 1000)
    """

    @keyword_only_after(2)
    def __init__(self, batch=None, *, covariates=None, parametric: bool = True, reference_batch=None):
        self.batch = batch
        self.covariates = covariates
        self.parametric = parametric
        self.reference_batch = reference_batch

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = False
        tags.input_tags.string = isinstance(self.batch, (str, int, np.integer)) and not isinstance(
            self.batch, bool)
        return tags

    # ------------------------------------------------------------------ input handling
    def _columns(self, n_columns, names):
        """Positions of the batch column (or None) and of the covariate columns."""

        def position(key, what):
            if isinstance(key, str):
                if names is None:
                    raise ValueError(f"{what} {key!r} is a column name, but X has no column "
                                     "names: pass a pandas DataFrame or a column position")
                where = np.flatnonzero(np.asarray(names) == key)
                if where.size != 1:
                    raise ValueError(f"{what} {key!r} is not a column of X")
                return int(where[0])
            if isinstance(key, (int, np.integer)) and not isinstance(key, bool):
                if not -n_columns <= key < n_columns:
                    raise ValueError(f"{what} position {key} is out of range for {n_columns} columns")
                return int(key) % n_columns
            raise TypeError(f"{what} must be a column name (str) or position (int); got {key!r}")

        if self.batch is None:
            raise ValueError("ComBat needs batch=: the name or position of the column of X that "
                             "holds the batch labels, or a callable computing them")
        batch_pos = None if callable(self.batch) else position(self.batch, "batch")
        covariates = self.covariates
        if covariates is None:
            covariates = []
        elif isinstance(covariates, (str, int, np.integer)):
            covariates = [covariates]
        cov_pos = [position(c, "covariate") for c in covariates]
        if batch_pos is not None and batch_pos in cov_pos:
            raise ValueError("the batch column cannot also be a covariate")
        if len(set(cov_pos)) != len(cov_pos):
            raise ValueError("a covariate is listed twice")
        return batch_pos, cov_pos

    def _split(self, X, reset):
        """Batch labels, covariate columns (list of (kind, 1-D array)) and the feature matrix."""
        frame, table = self._validated(X, reset)
        n_columns = (frame if frame is not None else table).shape[1]
        if reset:
            names = list(frame.columns) if frame is not None else None
            self.batch_column_, self.covariate_columns_ = self._columns(n_columns, names)
        features = _features(frame, table, self._kept(n_columns, reset))
        labels = self._batch_labels(frame, table, features.shape[0])
        covs = [self._covariate(frame, table, k) for k in self.covariate_columns_]
        return labels, covs, features

    def _validated(self, X, reset):
        """``(X, None)`` for a DataFrame, whose label columns keep their dtypes, or
        ``(None, array)``; the checks and messages are scikit-learn's."""
        if not hasattr(X, "iloc"):
            table = check_array(X, dtype=None, ensure_all_finite=False,
                                ensure_min_samples=2 if reset else 1)
            validate_data(self, table, reset=reset, skip_check_array=True)
            return None, table
        validate_data(self, X, reset=reset, skip_check_array=True)
        n_min = 2 if reset else 1  # sklearn's messages, as check_array words them
        if X.shape[0] < n_min:
            raise ValueError(f"Found array with {X.shape[0]} sample(s) (shape={X.shape}) "
                             f"while a minimum of {n_min} is required.")
        if X.shape[1] == 0:
            raise ValueError(f"Found array with 0 feature(s) (shape={X.shape}) while a "
                             "minimum of 1 is required.")
        return X, None

    def _kept(self, n_columns, reset):
        """Positions of the feature columns: all but the batch and covariate columns."""
        keep = [k for k in range(n_columns)
                if k != self.batch_column_ and k not in self.covariate_columns_]
        if reset:
            self.kept_columns_ = np.asarray(keep, dtype=int)
            if len(keep) < 2:
                raise ValueError(f"ComBat needs at least 2 features: found {len(keep)} feature(s) "
                                 "besides the batch and covariate columns (the priors pool "
                                 "information across features)")
        return keep

    def _batch_labels(self, frame, table, n_rows):
        """The batch label of each row: the batch column, or what the callable computes."""
        if self.batch_column_ is None:
            labels = np.asarray(self.batch(table if table is not None else frame.to_numpy()))
            if labels.shape != (n_rows,):
                raise ValueError("the batch callable must return one label per row of X")
        else:
            labels = _column(frame, table, self.batch_column_)
        if any(_is_missing(v) for v in labels):
            raise ValueError("the batch labels contain missing values")
        return labels

    def _covariate(self, frame, table, k):
        """Covariate column ``k`` as ``(kind, values)``: numeric (floats, all finite) or
        categorical (objects, none missing). In a DataFrame the dtype decides; in an array,
        whether the values convert to floats."""
        values = _column(frame, table, k)
        kind = "numeric"
        if frame is not None:
            if _holds_labels(frame.dtypes.iloc[k]):
                kind = "categorical"
        else:
            try:
                values = values.astype(np.float64)
            except (TypeError, ValueError):
                kind = "categorical"
        if kind == "numeric":
            values = np.asarray(values, dtype=np.float64)
            if not np.all(np.isfinite(values)):
                raise ValueError(f"covariate {self._name(k)!r} has missing or infinite values")
            return kind, values
        if any(_is_missing(v) for v in values):
            raise ValueError(f"covariate {self._name(k)!r} has missing values")
        return kind, np.asarray(values, dtype=object)

    def _name(self, k):
        names = getattr(self, "feature_names_in_", None)
        return names[k] if names is not None else k

    def _covariate_design(self, covs, n, reset):
        """The covariate columns of the design (categorical: indicators of levels 2..L)."""
        if reset:
            self.covariate_levels_ = [np.unique(v.astype(str)) if kind == "categorical" else None
                                      for kind, v in covs]
        parts = []
        for (kind, values), levels, k in zip(covs, self.covariate_levels_, self.covariate_columns_):
            if kind == "numeric":
                if levels is not None:
                    raise ValueError(f"covariate {self._name(k)!r} was categorical in fit")
                parts.append(values[:, None])
                continue
            if levels is None:
                raise ValueError(f"covariate {self._name(k)!r} was numeric in fit")
            values = values.astype(str)
            unknown = np.setdiff1d(values, levels)
            if unknown.size:
                raise ValueError(f"covariate {self._name(k)!r} has levels not seen in fit: "
                                 f"{unknown.tolist()}")
            parts.append((values[:, None] == levels[None, 1:]).astype(np.float64))
        return np.hstack(parts) if parts else np.zeros((n, 0))

    # ------------------------------------------------------------------ fit
    def fit(self, X, y=None):
        """Estimate the batch effects from ``X`` (samples x columns)."""
        self._fit(X)
        return self

    def _fit(self, X):
        """Fit in sva's three steps: standardise the features, estimate the batch effects
        and their priors, shrink the effects towards the priors (empirical Bayes)."""
        labels, covs, Y = self._split(X, reset=True)
        codes, sizes = self._batch_codes(labels)
        ref = self._reference_index()
        self._check_confounding(codes, covs)
        cov_design = self._covariate_design(covs, Y.shape[0], reset=True)
        s, self.grand_mean_, self.var_pooled_, self.covariate_coef_, self.untouched_ = _standardise(
            Y, codes, sizes, ref, cov_design)
        if self.untouched_.any():
            warnings.warn(f"{int(self.untouched_.sum())} feature(s) have no variance within batches "
                          "(e.g. a gene constant everywhere); ComBat leaves them unchanged", UserWarning,
                          stacklevel=3)
        self.gamma_hat_, self.delta_hat_ = _batch_estimates(s, codes, sizes.size, ref)
        self.gamma_bar_, self.tau2_, self.a_prior_, self.b_prior_ = _priors(
            self.gamma_hat_, self.delta_hat_)
        self.gamma_star_, self.delta_star_ = self._shrink(s, codes, ref)
        self.reference_index_ = ref
        return Y, codes, cov_design

    def _batch_codes(self, labels):
        """Set ``batches_``; return each row's batch code and the batch sizes (at least 2
        batches of at least 2 samples)."""
        self.batches_, codes = np.unique(labels, return_inverse=True)
        codes = codes.ravel()
        n_batch = self.batches_.size
        if n_batch < 2:
            raise ValueError(f"ComBat needs at least 2 batches; found {n_batch}")
        sizes = np.bincount(codes, minlength=n_batch)
        if sizes.min() < 2:
            small = self.batches_[sizes < 2].tolist()
            raise ValueError(f"every batch needs at least 2 samples to estimate its variance; "
                             f"batches with one sample: {small}")
        return codes, sizes

    def _reference_index(self):
        """The row of ``batches_`` of the reference batch, or None."""
        if self.reference_batch is None:
            return None
        where = np.flatnonzero(self.batches_ == self.reference_batch)
        if where.size == 0:
            raise ValueError(f"reference_batch {self.reference_batch!r} is not among the "
                             f"batches {self.batches_.tolist()}")
        return int(where[0])

    def _shrink(self, s, codes, ref):
        """The empirical Bayes estimates of each batch's effects (``gamma_star_``,
        ``delta_star_``): parametric (sva's it.sol) or not (int.eprior); none for the
        reference batch."""
        gamma_star = np.empty_like(self.gamma_hat_)
        delta_star = np.empty_like(self.delta_hat_)
        for i in range(self.batches_.size):
            si = s[codes == i]
            if self.parametric:
                gamma_star[i], delta_star[i] = _iterative_solution(
                    si, self.gamma_hat_[i], self.delta_hat_[i], self.gamma_bar_[i], self.tau2_[i],
                    self.a_prior_[i], self.b_prior_[i])
            else:
                gamma_star[i], delta_star[i] = _integrate_prior(si, self.gamma_hat_[i],
                                                                self.delta_hat_[i])
        if ref is not None:
            gamma_star[ref], delta_star[ref] = 0.0, 1.0
        return gamma_star, delta_star

    def _check_confounding(self, codes, covs):
        n_batch = self.batches_.size
        for (kind, values), k in zip(covs, self.covariate_columns_):
            name = self._name(k)
            if kind == "categorical":
                levels, lev_codes = np.unique(values.astype(str), return_inverse=True)
                table = np.zeros((levels.size, n_batch))
                np.add.at(table, (lev_codes.ravel(), codes), 1)
                alone = levels[(table > 0).sum(axis=1) == 1]
                if levels.size > 1:
                    expected = table.sum(1, keepdims=True) * table.sum(0, keepdims=True) / table.sum()
                    chi2 = np.sum((table - expected) ** 2 / expected)
                    strength = np.sqrt(chi2 / (table.sum() * (min(table.shape) - 1)))
                else:
                    strength = 0.0
                what = "Cramér's V"
            else:
                alone = np.array([])
                total = np.sum((values - values.mean()) ** 2)
                between = sum(np.sum(codes == i) * (values[codes == i].mean() - values.mean()) ** 2
                              for i in range(n_batch))
                strength = np.sqrt(between / total) if total > 0 else 0.0
                what = "correlation ratio"
            if alone.size or strength >= _CONFOUNDED_AT:
                detail = (f"levels found in one batch only: {alone.tolist()}; " if alone.size else "")
                warnings.warn(f"covariate {name!r} is confounded with batch ({detail}{what} with "
                              f"batch {strength:.2f}): batch correction cannot tell batch from "
                              "biology here and may remove real differences", UserWarning,
                              stacklevel=4)

    # ------------------------------------------------------------------ transform
    def _adjust(self, Y, codes, cov_design):
        mod_mean = cov_design @ self.covariate_coef_
        sd = np.sqrt(self.var_pooled_)
        s = (Y - self.grand_mean_ - mod_mean) / sd
        s = (s - self.gamma_star_[codes]) / np.sqrt(self.delta_star_[codes])
        out = s * sd + self.grand_mean_ + mod_mean
        if self.reference_index_ is not None:
            at_ref = codes == self.reference_index_
            out[at_ref] = Y[at_ref]
        # No variance within batches means no scale to correct: standardising such a feature
        # by a borrowed variance would make a constant gene batch-dependent.
        untouched = getattr(self, "untouched_", np.zeros(Y.shape[1], dtype=bool))
        out[:, untouched] = Y[:, untouched]
        return out

    def fit_transform(self, X, y=None):
        """Fit on ``X`` and return its corrected features."""
        Y, codes, cov_design = self._fit(X)
        return self._adjust(Y, codes, cov_design)

    def transform(self, X):
        """Remove the fitted batch effects from ``X`` (samples of batches seen in ``fit``)."""
        check_is_fitted(self)
        labels, covs, Y = self._split(X, reset=False)
        seen = set(self.batches_.tolist())
        unknown = [v for v in dict.fromkeys(labels.tolist()) if v not in seen]
        if unknown:
            raise ValueError(f"batches not seen in fit: {unknown}; ComBat can only correct samples "
                             f"from the fitted batches {self.batches_.tolist()}")
        codes = np.searchsorted(self.batches_, labels) if labels.size else np.zeros(0, dtype=int)
        return self._adjust(Y, codes, self._covariate_design(covs, Y.shape[0], reset=False))

    def get_feature_names_out(self, input_features=None):
        """The names of the corrected feature columns (batch and covariates dropped)."""
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        return np.asarray(names, dtype=object)[self.kept_columns_]


def _column(frame, table, k):
    """Column ``k`` of the DataFrame ``frame`` or, without one, of the array ``table``."""
    return np.asarray(frame.iloc[:, k]) if frame is not None else table[:, k]


def _holds_labels(dtype) -> bool:
    """True for a pandas dtype of labels rather than numbers (object, category, string, bool)."""
    import pandas as pd

    return not pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


def _features(frame, table, keep):
    """The feature columns ``keep`` as a float matrix; a DataFrame's must be numeric."""
    if frame is None:
        return _finite(check_array(table[:, keep], dtype=np.float64, ensure_all_finite=False))
    features = frame.iloc[:, keep]
    dtypes = features.dtypes
    numeric = np.array([dtype.kind in "iuf" for dtype in dtypes])
    for name, dtype in dtypes[~numeric].items():  # extension dtypes, e.g. Int64
        if _holds_labels(dtype):
            raise ValueError(f"X has a column {name!r} that is not numeric: list it as batch or a "
                             "covariate, or drop it before ComBat")
    return _finite(check_array(features.to_numpy(dtype=np.float64, na_value=np.nan), dtype=np.float64,
                               ensure_all_finite=False))


def _finite(values: np.ndarray) -> np.ndarray:
    """Refuse NaN and infinity in the genes, naming X (scikit-learn's message names no argument)."""
    bad = ~np.isfinite(values)
    if bad.any():
        raise ValueError(f"X has {int(bad.sum())} missing or infinite values in its feature columns; "
                         "ComBat needs complete data: impute or drop them first")
    return values


def _standardise(Y, codes, sizes, ref, cov_design):
    """Standardise every feature as sva does: fit feature ~ batch + covariates by least
    squares, then centre on the grand mean plus the covariate part and scale by the pooled
    residual variance (of the reference batch, if any).

    Returns the standardised data, the grand mean, the pooled variance and the covariate
    coefficients."""
    n, n_batch = Y.shape[0], sizes.size
    batch_design = np.zeros((n, n_batch))
    batch_design[np.arange(n), codes] = 1.0
    if ref is not None:
        batch_design[:, ref] = 1.0  # the reference batch is the intercept
    design = np.hstack([batch_design, cov_design])
    if np.linalg.matrix_rank(design) < design.shape[1]:
        raise ValueError("a covariate is completely confounded with batch (the design has "
                         "no full rank): batch and covariate effects cannot be separated. "
                         "Remove that covariate, or do not correct these data for batch.")
    coef = np.linalg.solve(design.T @ design, design.T @ Y)
    grand_mean = (sizes / n) @ coef[:n_batch] if ref is None else coef[ref].copy()
    covariate_coef = coef[n_batch:]
    resid = Y - design @ coef
    rows = slice(None) if ref is None else codes == ref
    var_pooled = np.mean(resid[rows] ** 2, axis=0)
    # Zero up to rounding: a least-squares fit of a constant leaves residuals of order eps.
    zero = var_pooled <= (64 * np.finfo(float).eps * np.abs(Y).max(axis=0, initial=0.0)) ** 2
    if zero.any():
        var_pooled[zero] = np.median(var_pooled[~zero]) if (~zero).any() else 1.0
    s = (Y - grand_mean - cov_design @ covariate_coef) / np.sqrt(var_pooled)
    return s, grand_mean, var_pooled, covariate_coef, zero


def _batch_estimates(s, codes, n_batch, ref):
    """Least-squares batch effects on the standardised data (``gamma_hat``, ``delta_hat``):
    each batch's mean and variance per feature."""
    # With a reference batch, whose column is the intercept, the other batches' means minus
    # its mean, which is 0 there since its residuals sum to 0.
    gamma_hat = np.empty((n_batch, s.shape[1]))
    delta_hat = np.empty_like(gamma_hat)
    for i in range(n_batch):
        si = s[codes == i]
        gamma_hat[i] = si.mean(axis=0)
        delta_hat[i] = si.var(axis=0, ddof=1)
    if ref is not None:
        others = np.arange(n_batch) != ref
        gamma_hat[others] -= gamma_hat[ref]
    delta_hat[delta_hat == 0] = 1.0
    return gamma_hat, delta_hat


def _priors(gamma_hat, delta_hat):
    """Each batch's prior hyperparameters by the method of moments over the features:
    normal (``gamma_bar``, ``tau2``) for gamma, inverse gamma (``a``, ``b``) for delta."""
    gamma_bar = gamma_hat.mean(axis=1)
    tau2 = gamma_hat.var(axis=1, ddof=1)
    m = delta_hat.mean(axis=1)
    s2 = delta_hat.var(axis=1, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        a_prior = (2 * s2 + m ** 2) / s2
        b_prior = (m * s2 + m ** 3) / s2
    return gamma_bar, tau2, a_prior, b_prior


def _is_missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, pd.NA raises TypeError
    except TypeError:
        return True


def _iterative_solution(s, g_hat, d_hat, g_bar, t2, a, b, conv=1e-4, max_iter=10_000):
    """Posterior means of gamma and delta for one batch, by sva's fixed-point iteration."""
    n = s.shape[0]
    g_old, d_old = g_hat, d_hat
    sum_s, sum_s2 = s.sum(axis=0), (s ** 2).sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        for _ in range(max_iter):
            g_new = (t2 * n * g_hat + d_old * g_bar) / (t2 * n + d_old)
            sum2 = sum_s2 - 2 * g_new * sum_s + n * g_new ** 2  # sum over samples of (s - g_new)^2
            d_new = (0.5 * sum2 + b) / (n / 2.0 + a - 1.0)
            # sva's rule: relative change, divided by the signed old value
            change = max(np.max(np.abs(g_new - g_old) / g_old), np.max(np.abs(d_new - d_old) / d_old))
            g_old, d_old = g_new, d_new
            if not change > conv:
                break
        else:
            # stacklevel 4: the frame of fit or fit_transform (which reach here via _fit, _shrink)
            warnings.warn("ComBat's parametric estimates did not converge", ConvergenceWarning,
                          stacklevel=4)
    return g_new, d_new


def _integrate_prior(s, g_hat, d_hat, chunk=512):
    """Non-parametric posterior means (sva's int.eprior), vectorised and in log space.

    For feature ``g`` the estimates of every other feature ``h`` are weighted by the
    likelihood of feature ``g``'s data under ``N(gamma_hat[h], delta_hat[h])``.
    """
    n, p = s.shape
    sum_s, sum_s2 = s.sum(axis=0), (s ** 2).sum(axis=0)
    gamma_star, delta_star = np.empty(p), np.empty(p)
    log_norm = -0.5 * n * np.log(2 * np.pi * d_hat)
    for start in range(0, p, chunk):
        rows = slice(start, min(start + chunk, p))
        # sum over samples of (s[:, g] - gamma_hat[h])^2, for g in rows and every h
        sq = sum_s2[rows, None] - 2 * sum_s[rows, None] * g_hat[None, :] + n * g_hat[None, :] ** 2
        log_lh = log_norm[None, :] - sq / (2 * d_hat[None, :])
        idx = np.arange(rows.start, rows.stop)
        log_lh[idx - rows.start, idx] = -np.inf  # leave the feature itself out
        w = np.exp(log_lh - log_lh.max(axis=1, keepdims=True))
        total = w.sum(axis=1)
        gamma_star[rows] = w @ g_hat / total
        delta_star[rows] = w @ d_hat / total
    return gamma_star, delta_star
