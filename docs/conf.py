"""Sphinx configuration of the btoagents documentation (``make docs``).

The site is written in MyST Markdown; the tutorials are MyST notebooks executed at build
time (myst-nb), so a stale tutorial fails the build. The pages that describe the code - the
scenario reference, the KPI glossary, the plugin kinds and the validation report - are
generated from the package when the build starts (``_ext/generated_pages.py``), never
written by hand. The build needs no network: no intersphinx, no remote images.
"""

from __future__ import annotations

import sys
from pathlib import Path

DOCS = Path(__file__).resolve().parent
ROOT = DOCS.parent
sys.path.insert(0, str(DOCS / "_ext"))
sys.path.insert(0, str(ROOT))  # the examples package (plugins written as a user would)

import btoagents  # noqa: E402

project = "btoagents"
author = "The btoagents authors"
copyright = "2026, The btoagents authors"  # noqa: A001
release = btoagents.__version__
version = release

extensions = [
    "myst_nb",
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.napoleon",
    "generated_pages",
]

exclude_patterns = ["_build", "_generated", "jupyter_execute", "**.ipynb_checkpoints"]
source_suffix = {".rst": "restructuredtext", ".md": "myst-nb"}  # autosummary writes .rst
root_doc = "index"

# -- MyST and notebooks -----------------------------------------------------------------
myst_enable_extensions = ["colon_fence", "deflist", "attrs_inline"]
# no math extension: MathJax would be fetched from a CDN, and the site must work offline
myst_heading_anchors = 3
nb_execution_mode = "force"  # every build runs every tutorial: a stale one fails
nb_execution_raise_on_error = True
nb_execution_timeout = 600
nb_execution_in_temp = True  # tutorials write their files in a temporary folder
nb_execution_show_tb = True
nb_merge_streams = True

# -- API reference ----------------------------------------------------------------------
autosummary_generate = True
autosummary_imported_members = False
autodoc_default_options = {"members": True, "show-inheritance": True}
autodoc_member_order = "bysource"
autodoc_typehints = "description"
autodoc_typehints_format = "short"
autodoc_preserve_defaults = True
autodoc_mock_imports: list[str] = []
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_ivar = True

# -- HTML -------------------------------------------------------------------------------
html_theme = "furo"
html_title = f"btoagents {release}"
html_static_path: list[str] = []
html_show_sourcelink = False
html_copy_source = False

# -- checks -----------------------------------------------------------------------------
# `make docs` runs sphinx-build -W --keep-going (every warning fails the build) and then
# the link check of the built pages (tests/test_docs_links.py); external links are not
# fetched, so the build works offline.
linkcheck_ignore = [r"https?://.*"]
# names re-exported by a package (btoagents.ConfigError is btoagents.errors.ConfigError) make
# a docstring's cross-reference ambiguous; either target is right, so that is no error
suppress_warnings = ["ref.python"]
