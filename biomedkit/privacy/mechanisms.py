"""The Laplace mechanism: release a count or a mean with epsilon-differential privacy.

A statistic whose value changes by at most ``sensitivity`` when one person's data change
is released with noise drawn from a Laplace distribution of scale ``sensitivity / epsilon``
(Dwork, McSherry, Nissim and Smith 2006). A smaller ``epsilon`` is a stronger guarantee and
more noise. The noise is the guarantee: rounding or clipping the released value afterwards
is allowed (post-processing), looking at the true value to decide what to release is not.

References
----------
Dwork C, McSherry F, Nissim K, Smith A. Calibrating noise to sensitivity in private data
analysis. Theory of Cryptography Conference 2006: 265-284.
Dwork C, Roth A. The algorithmic foundations of differential privacy. Foundations and
Trends in Theoretical Computer Science 9(3-4):211-407 (2014).
"""

from __future__ import annotations

import numbers

import numpy as np

from biomedkit._checks import check_int, check_random_state


def _check_number(value, name: str, *, positive: bool = False, nonnegative: bool = False) -> float:
    """A finite real number (booleans refused), positive or non-negative when asked."""
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        raise TypeError(f"{name} must be a number; got {type(value).__name__}")
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite; got {value!r}")
    if positive and value <= 0:
        raise ValueError(f"{name} must be a positive number; got {value!r}")
    if nonnegative and value < 0:
        raise ValueError(f"{name} must be >= 0; got {value!r}")
    return float(value)


def _check_epsilon(epsilon) -> float:
    if not isinstance(epsilon, numbers.Real) or isinstance(epsilon, bool):
        raise TypeError(f"epsilon must be a positive number (the privacy budget, e.g. 1.0); "
                        f"got {type(epsilon).__name__}")
    if not np.isfinite(epsilon) or epsilon <= 0:
        raise ValueError(f"epsilon must be a positive, finite number (the privacy budget, e.g. 1.0; "
                         f"smaller is more private); got {epsilon!r}")
    return float(epsilon)


def _check_size(size):
    return None if size is None else check_int(size, "size", 1)


def _release(value: float, scale: float, random_state, size):
    noise = check_random_state(random_state).laplace(0.0, scale, size=size)
    return value + float(noise) if size is None else value + noise


def laplace_mechanism(value, *, sensitivity, epsilon, random_state=None, size=None):
    """Release ``value`` plus Laplace noise of scale ``sensitivity / epsilon``.

    Parameters
    ----------
    value : float
        The true value of the statistic.
    sensitivity : positive float
        The most the statistic can change when one person's data change (its global L1
        sensitivity). It must follow from the query, never from the data.
    epsilon : positive float
        The privacy budget this release spends.
    random_state : int, Generator or None
    size : int or None, default=None
        None: one release (a float). An int: that many independent releases (an array),
        to show the distribution of the noise; each spends ``epsilon`` again.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> import biomedkit as bk
    >>> noisy_sum = bk.privacy.laplace_mechanism(1234.0, sensitivity=10.0, epsilon=0.5,
    ...                                          random_state=0)
    """
    value = _check_number(value, "value")
    sensitivity = _check_number(sensitivity, "sensitivity", positive=True)
    epsilon = _check_epsilon(epsilon)
    return _release(value, sensitivity / epsilon, random_state, _check_size(size))


def laplace_count(true_count, *, epsilon, random_state=None, size=None):
    """Release a count (how many people ...) with epsilon-differential privacy.

    Adding or removing one person changes a count by at most 1, so the noise has scale
    ``1 / epsilon``: its standard deviation is ``sqrt(2) / epsilon``.

    Parameters
    ----------
    true_count : int (or a whole float) >= 0
    epsilon : positive float
        The privacy budget this release spends (smaller: more private, noisier).
    random_state : int, Generator or None
    size : int or None, default=None
        None: one release (a float). An int: that many independent releases.

    Returns
    -------
    float or numpy.ndarray
        The noisy count, not rounded: round it, or set negatives to 0, afterwards if you
        like (post-processing costs no privacy).

    Examples
    --------
    >>> import biomedkit as bk
    >>> noisy = bk.privacy.laplace_count(318, epsilon=1.0, random_state=0)
    >>> abs(noisy - 318) < 10
    True
    """
    count = _check_number(true_count, "true_count", nonnegative=True)
    if not count.is_integer():
        raise ValueError(f"true_count must be a whole number (a count of people); got {true_count!r}")
    epsilon = _check_epsilon(epsilon)
    return _release(count, 1.0 / epsilon, random_state, _check_size(size))


def _check_bounds(bounds) -> tuple[float, float]:
    try:
        lower, upper = bounds
    except (TypeError, ValueError):
        raise TypeError(f"bounds must be a pair (lower, upper), e.g. (40, 150); got {bounds!r}") from None
    lower = _check_number(lower, "bounds[0] (lower)")
    upper = _check_number(upper, "bounds[1] (upper)")
    if not lower < upper:
        raise ValueError(f"bounds must be (lower, upper) with lower < upper; got ({lower:g}, {upper:g})"
                         + (": swap them" if lower > upper else ""))
    return lower, upper


def _check_values(values) -> np.ndarray:
    x = np.asarray(values)
    if x.ndim != 1 or x.size == 0:
        raise ValueError(f"values must be a non-empty one-dimensional array; got shape {x.shape}")
    if x.dtype.kind not in "iuf":
        raise TypeError(f"values must be numeric; got dtype {x.dtype}")
    x = x.astype(float)
    if not np.isfinite(x).all():
        raise ValueError("values contains NaN or infinite values; drop them first "
                         "(the number of values is treated as public)")
    return x


def laplace_mean(values, *, bounds, epsilon, random_state=None, size=None):
    """Release the mean of ``values`` with epsilon-differential privacy, after clipping.

    Each value is first clipped to ``bounds``; then changing one person's value moves the
    mean by at most ``(upper - lower) / n``, the sensitivity, and the noise has scale
    ``(upper - lower) / (n * epsilon)``. The number of values ``n`` is treated as public
    (the neighbouring data sets differ in one person's value, not in their size).

    Parameters
    ----------
    values : 1-d array-like of numbers
    bounds : (lower, upper)
        The clipping range. Choose it from knowledge of the measurement (weights between 40
        and 150 kg), never from the data: a minimum or maximum of the data is itself private.
        Narrow bounds add less noise but bias the mean when many values are clipped.
    epsilon : positive float
    random_state : int, Generator or None
    size : int or None, default=None
        None: one release (a float). An int: that many independent releases.

    Returns
    -------
    float or numpy.ndarray

    Examples
    --------
    >>> import biomedkit as bk
    >>> weights = [62.0, 70.5, 81.0, 95.0, 58.5]
    >>> noisy_mean = bk.privacy.laplace_mean(weights, bounds=(40, 150), epsilon=1.0, random_state=0)
    """
    x = _check_values(values)
    lower, upper = _check_bounds(bounds)
    epsilon = _check_epsilon(epsilon)
    clipped_mean = float(np.clip(x, lower, upper).mean())
    return _release(clipped_mean, (upper - lower) / (x.size * epsilon), random_state, _check_size(size))
