"""Machinery shared by the explorers: the packaged JavaScript, binary arrays, and a
static image beside the live widget.

Each explorer is an anywidget: one self-contained ES module in ``static/`` (no CDN,
no relative imports; anywidget stores the module text in the notebook's widget
state), aggregates sent as float32 buffers, and a matplotlib rendering in the
display bundle for viewers without a widget manager (GitHub, nbviewer, PDF).
"""

from __future__ import annotations

import base64
import io
from pathlib import Path

import anywidget
import numpy as np

STATIC = Path(__file__).parent / "static"


def esm(name: str) -> str:
    """The text of a packaged ES module (``static/<name>.js``)."""
    return (STATIC / f"{name}.js").read_text(encoding="utf-8")


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
