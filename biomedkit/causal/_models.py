"""The two working models of the estimators, and the bootstrap they share.

- The propensity model is an unpenalised logistic regression of the treatment on the
  confounders, fitted by iteratively reweighted least squares (as R's ``glm`` and statsmodels'
  ``GLM`` fit it; the tests compare the two). It is written here rather than called from
  statsmodels because a bootstrap refits it hundreds of times, and one statsmodels fit costs
  tens of milliseconds of bookkeeping against well under one here.
- The outcome model is a linear regression of the outcome on the treatment, the confounders
  and treatment-by-confounder interactions, fitted by least squares.
"""

from __future__ import annotations

import functools

import numpy as np

from biomedkit import _threads
from biomedkit._checks import check_random_state


def single_threaded(func):
    """Run ``func`` with one thread per BLAS and OpenMP pool (``biomedkit._threads``). Its
    matrices are small (n rows by a few dozen columns): extra threads gain nothing and, on a
    busy 2-core machine, compete so much that a least-squares fit runs a hundred times slower."""
    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        # numpy's BLAS, and SciPy's, which statsmodels computes with (robust variances)
        with _threads.single_threaded("scipy.linalg"):
            return func(*args, **kwargs)
    return wrapper


def design(columns: dict[str, np.ndarray], names: list[str], n: int) -> np.ndarray:
    """An intercept column followed by the named columns."""
    return np.column_stack([np.ones(n), *(columns[c] for c in names)])


def fit_logistic(X: np.ndarray, a: np.ndarray, *, max_iter: int = 100, tol: float = 1e-10) -> np.ndarray:
    """Coefficients of the maximum-likelihood logistic regression of ``a`` on ``X``.

    Newton-Raphson (IRLS) steps solved by least squares, so that collinear columns (a set
    of dummies that includes every level) give the minimum-norm solution instead of failing.
    Raises a ValueError when the treatment is perfectly predicted: then some people have a
    propensity of 0 or 1 and no weighting can compare them (a positivity violation).
    """
    beta = np.zeros(X.shape[1])
    deviance = np.inf
    for _ in range(max_iter):
        eta = np.clip(X @ beta, -30, 30)
        p = 1 / (1 + np.exp(-eta))
        w = np.maximum(p * (1 - p), 1e-12)
        z = eta + (a - p) / w
        root = np.sqrt(w)
        beta = np.linalg.lstsq(X * root[:, None], z * root, rcond=None)[0]
        p = 1 / (1 + np.exp(-np.clip(X @ beta, -30, 30)))
        new = -2 * np.sum(a * np.log(np.maximum(p, 1e-300)) + (1 - a) * np.log(np.maximum(1 - p, 1e-300)))
        if abs(deviance - new) <= tol * (abs(new) + 0.1):
            break
        deviance = new
    if np.any(np.abs(X @ beta) > 25):
        raise ValueError(
            "the propensity model predicts treatment perfectly for some people (propensity 0 or "
            "1): no one comparable received the other treatment, so positivity fails and weights "
            "are unbounded. Look at the confounders that separate the groups (bk.causal.balance), "
            "restrict the question to people with both options, or coarsen those columns")
    return beta


def propensity(X: np.ndarray, a: np.ndarray) -> np.ndarray:
    """Each row's fitted probability of treatment."""
    return 1 / (1 + np.exp(-(X @ fit_logistic(X, a))))


def weights(a: np.ndarray, ps: np.ndarray, *, stabilized: bool, truncate: float | None) -> np.ndarray:
    """Inverse-probability weights: 1/P(A=a|L), times P(A=a) when stabilised, optionally
    truncated at the ``1 - truncate`` and ``truncate`` quantiles of all weights."""
    p_treated = a.mean() if stabilized else 1.0
    p_untreated = 1 - a.mean() if stabilized else 1.0
    w = np.where(a == 1, p_treated / ps, p_untreated / (1 - ps))
    if truncate is not None:
        low, high = np.quantile(w, [1 - truncate, truncate])
        w = np.clip(w, low, high)
    return w


def outcome_design(a: np.ndarray, columns: dict[str, np.ndarray], names: list[str],
                   interactions: list[str]) -> np.ndarray:
    """Columns of the outcome model: intercept, treatment, confounders, treatment x each of
    ``interactions``."""
    n = a.size
    return np.column_stack([np.ones(n), a, *(columns[c] for c in names),
                            *(a * columns[c] for c in interactions)])


def fit_outcome(a, y, columns, names, interactions):
    """Least-squares fit of the outcome model; returns (coefficients, X, X under treatment,
    X under no treatment): the rows of everyone with the treatment set to 1 and to 0."""
    X = outcome_design(a, columns, names, interactions)
    beta = np.linalg.lstsq(X, y, rcond=None)[0]
    X1 = outcome_design(np.ones_like(a), columns, names, interactions)
    X0 = outcome_design(np.zeros_like(a), columns, names, interactions)
    return beta, X, X1, X0


def bootstrap_key(random_state, n: int, n_boot: int, a: np.ndarray):
    """What makes two bootstraps draw the same rows: the seed (an int), the number of rows and
    replicates and the treatment column. None when the seed is not an int (no pairing)."""
    if isinstance(random_state, int | np.integer) and not isinstance(random_state, bool):
        return (int(random_state), n, n_boot, hash(a.tobytes()))
    return None


def bootstrap(statistic, n: int, n_boot: int, random_state, *, desc: str) -> np.ndarray:
    """``statistic(rows)`` on ``n_boot`` resamples of the ``n`` rows (with replacement).

    The resamples depend only on ``random_state``, ``n`` and ``n_boot``, so that two estimators
    bootstrapped with the same integer seed on the same table see the same rows: their
    replicates are paired (see :func:`biomedkit.causal.effect_difference`).
    """
    from biomedkit._progress import progress

    rng = check_random_state(random_state)
    out = np.empty(n_boot)
    for b in progress(range(n_boot), desc=desc):
        out[b] = statistic(rng.integers(0, n, n))
    return out
