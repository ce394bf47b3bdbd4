"""Sphinx configuration of the skgenfund documentation."""

import importlib.util
import os
import re
import sys
import warnings
from datetime import date
from pathlib import Path

import skgenfund

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, os.path.abspath(".."))
sys.path.insert(0, os.path.abspath("sphinxext"))

from gallery_tools import CompleteFigureScraper  # noqa: E402  (needs sphinxext)


def _short_warning(message, category, filename, lineno, line=None):
    """Warnings as the gallery's readers see them: category and message only.

    Python's default format starts with the example's absolute path on the
    build machine, which would end up in the published pages.
    """
    return f"{category.__name__}: {message}\n"


warnings.formatwarning = _short_warning

project = "skgenfund"
author = "skgenfund developers"
copyright = f"{date.today().year}, {author}"
version = release = skgenfund.__version__

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.doctest",
    "sphinx.ext.mathjax",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
]

templates_path = ["_templates"]
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]

autosummary_generate = True
autodoc_default_options = {"members": True, "inherited-members": True}
numpydoc_show_class_members = False
numpydoc_class_members_toctree = False

sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    "download_all_examples": False,
    "remove_config_comments": True,
    "matplotlib_animations": False,
    # the user guide's topic order, the scale-out example last: the list is
    # TOPICS in sphinxext/gallery_tools.py (an unlisted example is placed by
    # the words in its file name)
    "within_subsection_order": "gallery_tools.TopicOrder",
    # sphinx-gallery's matplotlib scraper, refusing a figure captured with an
    # empty panel or drawn into after its capture: the build fails
    "image_scrapers": (CompleteFigureScraper(),),
    "abort_on_example_error": True,
    "show_memory": False,
    # the execution-times pages load jQuery and DataTables from CDNs; the
    # docs must work offline
    "write_computation_times": False,
    # a cell ending in a plotting call would print "<matplotlib.legend.Legend
    # object at 0x...>": show the reprs of results, not of drawn artists
    "ignore_repr_types": r"matplotlib\.",
    # matplotlib's defaults before each example, then legible text sizes
    "reset_modules": ("matplotlib", "gallery_tools.reset_matplotlib"),
}

# MathJax served from the built site, never from a CDN: the docs render their
# mathematics offline. The files come from the sphinx-mathjax-offline package
# (the "doc" extra); its "static" folder holds "mathjax/", which Sphinx copies
# into _static/. .ci/check_offline_html.py fails CI on any remote asset.
_mathjax = importlib.util.find_spec("sphinx-mathjax-offline")
if _mathjax is None:
    raise RuntimeError(
        "The docs bundle MathJax from the sphinx-mathjax-offline package: "
        'install the doc extra (pip install -e ".[doc]").'
    )
_MATHJAX_STATIC = str(Path(_mathjax.origin).parent / "static")
mathjax_path = "mathjax/tex-chtml.js"

html_theme = "pydata_sphinx_theme"
html_title = "skgenfund"
html_static_path = ["_static", _MATHJAX_STATIC]
html_css_files = ["skgenfund.css"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    # the gallery pages give their width to the code and the figures
    # (a page matching no pattern has none; "*" does not cross a "/")
    "secondary_sidebar_items": {
        "*": ["page-toc", "sourcelink"],
        "user_guide/*": ["page-toc", "sourcelink"],
        "generated/*": ["page-toc", "sourcelink"],
    },
}
# no section navigation on the landing, install and gallery pages: the
# examples' code and figures get the full width
html_sidebars = {
    "index": [],
    "install": [],
    "exercises": [],
    "auto_examples/*": [],
}

# the doctest builder runs the exercises page (and the API pages' examples)
doctest_global_setup = """
import numpy as np
"""

# Methods inherited from scikit-learn's base classes carry cross-references
# into scikit-learn's own documentation (glossary terms, labels), which do not
# exist here; render them as plain text instead of broken links.
_SKLEARN_ROLE = re.compile(
    r":(?:ref|term|class|func|meth|attr):`([^`<]*?)(?:\s*<[^`>]*>)?`"
)


def _plain_sklearn_roles(app, what, name, obj, options, lines):
    module = getattr(obj, "__module__", "") or ""
    if module.startswith("sklearn"):
        lines[:] = [_SKLEARN_ROLE.sub(r"``\1``", line) for line in lines]


def setup(app):
    app.connect("autodoc-process-docstring", _plain_sklearn_roles)
