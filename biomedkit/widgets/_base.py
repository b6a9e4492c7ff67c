"""Machinery shared by the explorers: the packaged JavaScript and CSS, binary arrays,
and a static image beside the live widget.

Each explorer is an anywidget whose ES module is one self-contained text (no CDN, no
relative imports), because anywidget stores the module text with every widget in the
notebook. The helpers both explorers use are written once, in ``static/_common.js``;
:func:`esm` puts them above the explorer's own ``static/<name>.js``. Styles are
``static/<name>.css``, sent as the widget's ``_css``. Arrays travel as float32 binary
buffers, each in a trait of its own; and the display bundle carries a matplotlib
rendering for viewers without a widget manager (GitHub, nbviewer, PDF).
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import anywidget
import numpy as np

STATIC = Path(__file__).parent / "static"
COMMON = "_common.js"  # helpers every explorer uses, put at the top of each module


def esm(name: str) -> str:
    """An explorer's ES module: the shared helpers (``static/_common.js``) followed by
    the explorer's own ``static/<name>.js``, one self-contained text."""
    common = (STATIC / COMMON).read_text(encoding="utf-8")
    own = (STATIC / f"{name}.js").read_text(encoding="utf-8")
    return f"{common}\n{own}"


def css(name: str) -> str:
    """An explorer's styles (``static/<name>.css``), for the widget's ``_css``."""
    return (STATIC / f"{name}.css").read_text(encoding="utf-8")


def f32(values) -> bytes:
    """An array as little-endian float32 bytes: sent to the browser as a binary buffer."""
    return np.ascontiguousarray(values, dtype="<f4").tobytes()


class Explorer(anywidget.AnyWidget):
    """Base class: adds a PNG of :meth:`figure` to the display bundle."""

    def figure(self):  # pragma: no cover - each explorer defines it
        raise NotImplementedError

    def _repr_mimebundle_(self, **kwargs):
        bundle = super()._repr_mimebundle_(**kwargs)
        data = bundle[0] if isinstance(bundle, tuple) else bundle
        if isinstance(data, dict):
            data["image/png"] = self.to_png()
        return bundle

    def to_png(self, dpi: int = 80) -> str:
        """The static rendering as base64 PNG text."""
        import matplotlib.pyplot as plt

        fig = self.figure()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=dpi, bbox_inches="tight")
        plt.close(fig)
        return base64.b64encode(buf.getvalue()).decode("ascii")
