"""Sphinx configuration of the series' website, built by ``python scripts/build_site.py``.

Why Sphinx with MyST-NB: it is pure Python (no Node.js runtime to fetch, so the site builds
offline from the same environment as the tests), it renders notebooks that were already
executed without running them again, and its book theme gives each lesson a readable page.
"""

project = "biomedkit"
author = "The biomedkit developers"
copyright = "The biomedkit developers"

extensions = ["myst_nb"]
exclude_patterns = ["_build", "**.ipynb_checkpoints"]

# The lessons arrive executed (scripts/run_notebooks.py): never execute them here.
nb_execution_mode = "off"
# An explorer's live view needs a kernel; on a static page its picture (the PNG every explorer
# sends with its widget view) is shown instead.
nb_mime_priority_overrides = [("html", "application/vnd.jupyter.widget-view+json", None)]
myst_enable_extensions = ["dollarmath", "html_image"]
myst_heading_anchors = 3
# Lessons use a title then "##" parts; notebooks' headings need not be consecutive.
suppress_warnings = ["myst.header"]

html_theme = "sphinx_book_theme"
html_title = "biomedkit: machine learning in biomedical research, hands on"
html_theme_options = {"show_toc_level": 2, "use_download_button": True}
html_show_sourcelink = False
