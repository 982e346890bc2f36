"""Which of a tool's third-party imports are missing here, and the command that adds them.

A tool notebook records the top-level modules its code imports (``requirements``).
Loading it where one is missing should say so *before* the first call fails, and
offer the exact install command, never install anything itself. Import names
and PyPI names differ for many popular packages (``import sklearn`` comes from
``scikit-learn``), so the command maps them.
"""

from __future__ import annotations

import importlib.util
import shlex
import sys
from collections.abc import Iterable, Sequence

# Import name -> PyPI distribution, only where the two differ (pip normalises case,
# ``_``/``-`` and ``.``, so ``typing_extensions`` needs no entry).
PYPI_NAMES: dict[str, str] = {
    "Bio": "biopython",
    "Crypto": "pycryptodome",
    "Levenshtein": "levenshtein",
    "MySQLdb": "mysqlclient",
    "OpenSSL": "pyopenssl",
    "PIL": "pillow",
    "attr": "attrs",
    "bs4": "beautifulsoup4",
    "cv2": "opencv-python",
    "dateutil": "python-dateutil",
    "docx": "python-docx",
    "dotenv": "python-dotenv",
    "faiss": "faiss-cpu",
    "fitz": "pymupdf",
    "git": "gitpython",
    "github": "pygithub",
    "gi": "pygobject",
    "jose": "python-jose",
    "jwt": "pyjwt",
    "kafka": "kafka-python",
    "magic": "python-magic",
    "mpl_toolkits": "matplotlib",
    "nacl": "pynacl",
    "osgeo": "gdal",
    "pkg_resources": "setuptools",
    "pptx": "python-pptx",
    "serial": "pyserial",
    "shapefile": "pyshp",
    "skimage": "scikit-image",
    "sklearn": "scikit-learn",
    "slugify": "python-slugify",
    "umap": "umap-learn",
    "usb": "pyusb",
    "websocket": "websocket-client",
    "win32api": "pywin32",
    "win32con": "pywin32",
    "yaml": "pyyaml",
    "zmq": "pyzmq",
}


def top_level(requirement: str) -> str:
    """``"sklearn.linear_model"`` -> ``"sklearn"``."""
    return requirement.strip().split(".")[0]


def is_importable(name: str) -> bool:
    """Whether ``import name`` would find a module, without importing it.

    ``find_spec`` of a top-level name only searches ``sys.path``; nothing runs.
    A name that is not an identifier can never be imported.
    """
    if not name.isidentifier():
        return False
    if name in sys.modules:
        return True
    try:
        return importlib.util.find_spec(name) is not None
    except (ImportError, ValueError):
        return False


def missing_requirements(requirements: Sequence[str]) -> list[str]:
    """The top-level import names in ``requirements`` not importable here, in order, once."""
    missing: list[str] = []
    for requirement in requirements:
        name = top_level(str(requirement))
        if name and name not in missing and not is_importable(name):
            missing.append(name)
    return missing


def pypi_name(import_name: str) -> str:
    """The PyPI distribution that provides ``import_name`` (the same name if not known to differ)."""
    name = top_level(import_name)
    return PYPI_NAMES.get(name, name)


def install_command(packages: Iterable[str]) -> str:
    """``%pip install ...`` for these import names (PyPI names, deduplicated); "" for none.

    ``%pip`` installs into the running kernel's environment, which is where the
    tool will run.
    """
    names: list[str] = []
    for package in packages:
        name = pypi_name(str(package))
        if name and name not in names:
            names.append(name)
    if not names:
        return ""
    return "%pip install " + " ".join(shlex.quote(name) for name in names)
