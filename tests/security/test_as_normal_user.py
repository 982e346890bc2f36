"""The red-team suite again, as a normal user, when this run is root.

Why: root and a normal user get different layers (root: a uid drop or a
capability drop; a normal user: a user namespace, RLIMIT_NPROC for real). Both
must hold. Runs the other security tests as uid 65534 (``setpriv``, no new
account needed); skipped when that uid cannot read the interpreter or this
checkout (e.g. a venv under a 0700 ``/root``), since then it could not even
start Python.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_forge.sandbox.layers import NOBODY, python_roots, unreadable_by

REPO = Path(__file__).resolve().parents[2]
INNER = "JUPYTER_FORGE_SECURITY_INNER_RUN"


@pytest.mark.skipif(os.geteuid() != 0, reason="already running as a normal user")
@pytest.mark.skipif(bool(os.environ.get(INNER)), reason="this is the inner run")
def test_the_suite_passes_as_a_normal_user() -> None:
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("util-linux `setpriv` is missing")
    blocker = unreadable_by(NOBODY, [*python_roots(), str(REPO), os.path.dirname(pytest.__file__)])
    if blocker is not None:
        pytest.skip(f"uid {NOBODY} cannot read {blocker}: run tests/security as a normal user")
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": "/tmp",
        "PYTHONDONTWRITEBYTECODE": "1",
        INNER: "1",
    }
    argv = [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]
    argv += [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests/security"]
    proc = subprocess.run(
        argv, cwd=REPO, env=env, capture_output=True, text=True, timeout=900, check=False
    )
    tail = (proc.stdout + proc.stderr)[-3000:]
    assert proc.returncode == 0, tail
    assert " 0 got through" in proc.stdout, tail
    assert "sandbox red-team results" in proc.stdout, tail  # the attacks really ran
