"""Sphinx configuration of the jupyter_forge documentation (MyST Markdown, PyData theme).

Build: ``sphinx-build -W -b html docs docs/_build/html`` (``pip install -e '.[docs]'``).
The configuration and CLI references are generated from the code at build time.
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))  # the package, from this checkout
sys.path.insert(0, str(HERE / "_ext"))

from jupyter_forge import __version__  # noqa: E402

project = "jupyter_forge"
author = "jupyter_forge contributors"
copyright = "jupyter_forge contributors"
version = release = __version__

extensions = [
    "myst_parser",
    "sphinxarg.ext",
    "forge_config_reference",
]
myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build", "Thumbs.db", ".DS_Store"]
suppress_warnings: list[str] = []

html_theme = "pydata_sphinx_theme"
html_title = "jupyter_forge"
html_static_path: list[str] = []
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": [],
}
html_show_sourcelink = False
