"""Download-on-demand for larger public datasets, verified by hash.

Nothing is downloaded unless the user asks for it. Files are cached, so a
workshop can fetch them once while online and work offline afterwards.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from urllib.parse import urlparse

CACHE_ENV = "BIOMEDKIT_DATA"
_HASH = re.compile(r"^(sha256:[0-9a-fA-F]{64}|md5:[0-9a-fA-F]{32})$")


def cache_dir(path: str | os.PathLike | None = None) -> Path:
    """The download cache: ``path``, else $BIOMEDKIT_DATA, else the user cache folder."""
    if path is not None:
        if not isinstance(path, (str, os.PathLike)):
            raise TypeError(f"path must be a folder name (str or pathlib.Path); got {type(path).__name__}")
        return Path(path).expanduser()
    if os.environ.get(CACHE_ENV):
        return Path(os.environ[CACHE_ENV]).expanduser()
    import pooch

    return Path(pooch.os_cache("biomedkit"))


def fetch(
    url: str,
    known_hash: str,
    *,
    fname: str | None = None,
    cache: str | os.PathLike | None = None,
    progress: bool = False,
) -> Path:
    """Download ``url`` once into the cache and return the local path.

    The file is checked against ``known_hash`` and a file that does not match is
    rejected (and not kept). A file already in the cache with the right hash is
    used without any network access.

    Parameters
    ----------
    url : str
        An http(s) address.
    known_hash : str
        ``"sha256:<64 hex digits>"`` or ``"md5:<32 hex digits>"``.
    fname : str, optional
        The file name in the cache; defaults to the last part of the URL.
    cache : path, optional
        The cache folder. Defaults to the environment variable ``BIOMEDKIT_DATA``,
        else the operating system's cache folder for biomedkit.
    progress : bool, default=False
        Show a progress bar (needs tqdm).

    Returns
    -------
    pathlib.Path

    Raises
    ------
    ValueError
        For a malformed URL or hash, or when the download does not match the hash.
    ConnectionError
        When the file is not cached and cannot be downloaded (for example offline).

    Examples
    --------
    >>> path = bk.datasets.fetch(                                   # doctest: +SKIP
    ...     "https://example.org/cohort.csv", known_hash="sha256:9f86d0...")
    """
    import pooch
    import requests

    if not isinstance(url, str) or urlparse(url).scheme not in ("http", "https"):
        raise ValueError(f"url must be an http(s) address; got {url!r}")
    if not isinstance(known_hash, str) or not _HASH.match(known_hash):
        raise ValueError(
            "known_hash must be 'sha256:<64 hex digits>' or 'md5:<32 hex digits>'; "
            f"got {known_hash!r}. Every download is verified."
        )
    folder = cache_dir(cache)
    fname = fname or Path(urlparse(url).path).name
    if not fname:
        raise ValueError(f"cannot take a file name from url {url!r}; pass fname=")
    try:
        path = pooch.retrieve(url, known_hash=known_hash.lower(), fname=fname,
                              path=folder, progressbar=progress)
    except ValueError as exc:  # pooch's hash mismatch
        raise ValueError(
            f"The file downloaded from {url} does not match its expected hash "
            f"{known_hash}; it was rejected. The server may have a different version "
            f"or the download was corrupted: try again, or check the source. ({exc})"
        ) from exc
    except requests.exceptions.RequestException as exc:
        raise ConnectionError(
            f"Could not download {url} ({type(exc).__name__}). biomedkit works offline "
            f"only with files already in its cache: download the file on a connected "
            f"machine and copy it to {folder / fname}, or set {CACHE_ENV} to a folder "
            "that has it."
        ) from exc
    return Path(path)
