"""Old names kept working for one release, with a warning that names the new one.

Deprecations are announced with ``FutureWarning`` (as scikit-learn and pandas do), because
notebooks show it by default and ``DeprecationWarning`` is often hidden from learners.
"""

from __future__ import annotations

import functools
import inspect
import warnings

REMOVED_IN = "0.3"


def warn_deprecated(old: str, new: str, *, stacklevel: int = 3) -> None:
    """Warn that ``old`` is deprecated in favour of ``new``."""
    warnings.warn(f"{old} is deprecated and will be removed in biomedkit {REMOVED_IN}; use {new} instead.",
                  FutureWarning, stacklevel=stacklevel)


def keyword_only_after(n_positional: int):
    """Let a function's options beyond the first ``n_positional`` arguments still be passed
    by position for one release, with a warning; write the options after ``*`` in the
    signature as usual."""

    def decorate(func):
        params = list(inspect.signature(func).parameters.values())
        options = [p.name for p in params if p.kind is inspect.Parameter.KEYWORD_ONLY]

        @functools.wraps(func)
        def wrapper(*args, **kwargs):
            if len(args) > n_positional:
                extra = args[n_positional:]
                if len(extra) > len(options):
                    raise TypeError(f"{func.__name__}() takes {n_positional} positional arguments "
                                    f"but {len(args)} were given")
                names = options[:len(extra)]
                warn_deprecated(f"passing {', '.join(names)} of {func.__qualname__}() by position",
                                f"{names[0]}=...")
                for name, value in zip(names, extra):
                    if name in kwargs:
                        raise TypeError(f"{func.__name__}() got multiple values for argument {name!r}")
                    kwargs[name] = value
                args = args[:n_positional]
            return func(*args, **kwargs)

        return wrapper

    return decorate
