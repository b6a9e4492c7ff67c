"""Interactive explorers that run in JupyterLab, Notebook 7, VS Code, Colab and marimo.

Built on anywidget with their JavaScript inside the package. In marimo, wrap an
explorer with ``mo.ui.anywidget(explorer)``. Every explorer also has a static
matplotlib rendering: ``explorer.figure()``. :class:`FileDrop` brings a file of any size
from the browser to the kernel's disk (the exploratory app's upload).

Examples
--------
>>> explorer = bk.widgets.FairnessExplorer(y, risk, groups)      # doctest: +SKIP
>>> explorer                                                     # doctest: +SKIP
>>> explorer.to_frame()                                          # doctest: +SKIP
"""

from biomedkit.widgets.explanation import ExplanationExplorer
from biomedkit.widgets.fairness import FairnessExplorer
from biomedkit.widgets.upload import FileDrop

__all__ = ["ExplanationExplorer", "FairnessExplorer", "FileDrop"]
