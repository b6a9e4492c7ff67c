"""Secure aggregation by additive secret sharing: the server learns the sum of the sites'
updates and nothing else (in this in-process simulation of the protocol)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from biomedkit._checks import check_int, check_random_state
from biomedkit._deprecation import keyword_only_after, warn_deprecated

FRACTION_BITS = 32          # fixed point: a real x is stored as round(x * 2**32) ...
_SCALE = 2.0 ** FRACTION_BITS
_LIMIT = 2.0 ** 30          # ... in the ring of integers modulo 2**64 (with room for sums)


def _encode(x: np.ndarray, name: str = "updates") -> np.ndarray:
    if not np.isfinite(x).all():
        raise ValueError(f"{name} contains NaN or infinite values; only finite numbers can be shared")
    if np.abs(x).max(initial=0) >= _LIMIT:
        raise ValueError(f"{name} must lie within +-2**30 (about 1.07e9) for the fixed-point "
                         f"encoding; got a value of {np.abs(x).max():.3g}. Rescale them first.")
    return np.ascontiguousarray(np.rint(x * _SCALE).astype(np.int64)).view(np.uint64)


def _decode(u: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(u, dtype=np.uint64).view(np.int64) / _SCALE


def _uniform_ring(rng: np.random.Generator, shape) -> np.ndarray:
    return rng.integers(0, 2**64, size=shape, dtype=np.uint64)


@keyword_only_after(2)
def secret_shares(vector, n_shares: int, *, random_state=None) -> np.ndarray:
    """Split a vector into additive secret shares modulo 2**64.

    The vector is encoded in fixed point (``round(x * 2**32)``, so a precision of about
    2.3e-10), then ``n_shares - 1`` shares are drawn uniformly from the integers modulo
    2**64 and the last is the encoding minus their sum. Any ``n_shares - 1`` of the
    shares are uniform and independent of the vector: only all of them together reveal
    it (:func:`reconstruct`).

    Parameters
    ----------
    vector : array-like of float, 1-d
        Values with absolute value below 2**30.
    n_shares : int >= 2
    random_state : int, Generator or None

    Returns
    -------
    ndarray of uint64, shape (n_shares, len(vector))

    References
    ----------
    Shamir A. How to share a secret. Commun ACM 22:612-613 (1979) (the additive
    n-out-of-n scheme is its simplest case).

    Examples
    --------
    >>> shares = bk.multisite.secret_shares([0.25, -3.0], n_shares=3, random_state=0)
    >>> bk.multisite.reconstruct(shares)
    array([ 0.25, -3.  ])
    """
    try:
        x = np.asarray(vector, dtype=float)
    except (TypeError, ValueError) as err:
        raise TypeError(f"vector must hold numbers; got {vector!r:.60}") from err
    if x.ndim != 1:
        raise ValueError(f"vector must be one-dimensional; got shape {x.shape}")
    n_shares = check_int(n_shares, "n_shares", 2)
    rng = check_random_state(random_state)
    masks = _uniform_ring(rng, (n_shares - 1, x.size))
    with np.errstate(over="ignore"):  # arithmetic modulo 2**64 wraps by design
        last = _encode(x, "vector") - masks.sum(axis=0, dtype=np.uint64)
    return np.vstack([masks, last[None, :]])


def reconstruct(shares) -> np.ndarray:
    """The vector whose additive shares (rows of ``shares``, uint64) are given."""
    s = np.asarray(shares)
    if s.dtype != np.uint64 or s.ndim != 2:
        raise ValueError("shares must be a 2-d uint64 array, one share per row, as made by secret_shares")
    return _decode(s.sum(axis=0, dtype=np.uint64))


@dataclass(frozen=True)
class SecureSumResult:
    """The outcome of :func:`secure_sum` (formerly ``SecureSum``, a name kept until biomedkit 0.3).

    ``total`` is the decoded sum of the updates. ``messages`` (uint64, one row per site)
    is everything the server received: site ``j``'s row is the sum of the ``j``-th
    shares of all sites, a uniformly random element of the ring whatever the updates.
    """

    total: np.ndarray
    messages: np.ndarray


@keyword_only_after(1)
def secure_sum(updates, *, random_state=None) -> SecureSumResult:
    """Sum the sites' update vectors so that the server never sees any update alone.

    The protocol, simulated: every site splits its update into one additive secret
    share per site (:func:`secret_shares`) and sends share ``j`` to site ``j``; each site
    adds the shares it received and sends only that sum to the server; the server adds
    the sites' messages and decodes the total.

    What it protects, and what not: the server (curious but following the protocol)
    learns the total and nothing else, and a single site learns nothing from the shares
    it receives. It does not protect against a server that colludes with sites, against
    what the total itself reveals (with two sites, each can subtract its own update from
    the total), nor does it survive a site dropping out mid-round. Production protocols
    (Bonawitz et al. 2017, as in Flower's SecAgg+) use pairwise masks from key agreement
    and handle dropouts.

    Parameters
    ----------
    updates : sequence of 1-d array-like, or 2-d array (one row per site)
        At least 2 sites, vectors of equal length with values below 2**30 in absolute
        value (fixed-point encoding with 32 fractional bits).
    random_state : int, Generator or None

    Returns
    -------
    SecureSumResult
        ``total`` (float, equal to the plain sum within about ``n_sites * 2.3e-10``) and
        the ``messages`` the server saw.

    References
    ----------
    Bonawitz K, et al. Practical secure aggregation for privacy-preserving machine
    learning. ACM CCS 2017: 1175-1191.

    Examples
    --------
    >>> result = bk.multisite.secure_sum([[1.0, 2.0], [0.5, -1.0], [2.0, 0.25]], random_state=0)
    >>> result.total
    array([3.5 , 1.25])
    """
    try:
        u = np.asarray(updates, dtype=float)
    except ValueError as err:
        raise ValueError("updates must be vectors of equal length, one per site") from err
    if u.ndim != 2 or u.shape[0] < 2:
        raise ValueError(f"updates must hold at least 2 sites' vectors (a 2-d array, one row per "
                         f"site); got shape {u.shape}")
    if not np.isfinite(u).all():
        raise ValueError("updates contain NaN or infinite values; only finite numbers can be shared")
    if np.abs(u).sum(axis=0).max() >= 2 * _LIMIT:
        raise ValueError("updates: the sum of the absolute values is too large for the "
                         "fixed-point encoding (limit 2**31); rescale the updates first")
    rng = check_random_state(random_state)
    n_sites = u.shape[0]
    shares = np.stack([secret_shares(row, n_sites, random_state=rng) for row in u])  # [sender, receiver, :]
    messages = shares.sum(axis=0, dtype=np.uint64)       # each receiver adds what it got
    total = _decode(messages.sum(axis=0, dtype=np.uint64))  # the server adds the messages
    return SecureSumResult(total=total, messages=messages)


def __getattr__(name: str):
    # The result class's old name, kept for one release with a warning.
    if name == "SecureSum":
        warn_deprecated(f"{__name__}.SecureSum", f"{__name__}.SecureSumResult")
        return SecureSumResult
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
