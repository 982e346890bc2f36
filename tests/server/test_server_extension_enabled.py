"""After ``pip install -e .`` Jupyter sees both halves of the panel, enabled.

Fails when the wheel's shared-data (the built labextension, the server config)
was not installed, e.g. when Node.js was missing and the JS build was skipped.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def jupyter(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "jupyter", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return ANSI.sub("", done.stdout + done.stderr)


def test_labextension_is_installed_and_enabled() -> None:
    out = jupyter("labextension", "list")
    assert re.search(r"jupyter-forge v\S+ enabled\s+OK", out), out


def test_server_extension_is_enabled() -> None:
    out = jupyter("server", "extension", "list")
    assert re.search(r"jupyter_forge\.server enabled", out), out
    assert re.search(r"jupyter_forge\.server\s+OK", out), out


def test_built_extension_is_current() -> None:
    """The installed bundle declares the same version as labextension/package.json."""
    repo = Path(__file__).resolve().parents[2]
    source = json.loads((repo / "labextension" / "package.json").read_text())
    out = jupyter("labextension", "list")
    assert f"jupyter-forge v{source['version']} enabled" in out, out
