"""Sphinx configuration of the skgenfund documentation."""

import os
import re
import sys
from datetime import date

import skgenfund

os.environ.setdefault("MPLBACKEND", "Agg")
sys.path.insert(0, os.path.abspath(".."))

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
    "within_subsection_order": "FileNameSortKey",
    "abort_on_example_error": True,
    "show_memory": False,
}

html_theme = "pydata_sphinx_theme"
html_title = "skgenfund"
html_static_path = ["_static"]
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
}
html_sidebars = {"index": [], "install": []}

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
