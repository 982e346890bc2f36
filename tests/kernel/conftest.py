"""Shared fixtures for the kernel adapters: a real IPython shell, a scripted model.

One IPython shell serves the whole session (IPython keeps a singleton), but every
test gets a fresh user namespace, a freshly loaded extension (new ``ForgeMagics``,
new ``Forge`` configurable, no leftover ``%config``), a temporary tool library and
a temporary Jupyter data dir, so the notebook notary signs into a throwaway
database.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

if importlib.util.find_spec("jupyter_forge") is None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from kernel_helpers import Kernel, clear_namespace, unload_extension

from jupyter_forge.testing.scripted_llm import ScriptedModel


@pytest.fixture(scope="session")
def ipython() -> Any:
    from IPython.testing.globalipapp import start_ipython

    return start_ipython()


@pytest.fixture
def kernel(ipython: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Kernel]:
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(tmp_path / "jupyter-config"))
    monkeypatch.delenv("JUPYTER_FORGE_APPROVE", raising=False)
    unload_extension(ipython)
    clear_namespace(ipython)
    ipython.config.pop("Forge", None)
    k = Kernel(ipython, tmp_path / "lib", tmp_path)
    k.ok("%load_ext jupyter_forge")
    assert k.magics is not None
    k.ok(f"%config Forge.library = '{k.library}'")
    yield k
    unload_extension(ipython)
    clear_namespace(ipython)
    ipython.config.pop("Forge", None)


@pytest.fixture
def model(kernel: Kernel) -> Iterator[ScriptedModel]:
    """A scripted model wired into the shell; push replies with ``model.push(...)``."""
    with ScriptedModel() as sm:
        kernel.use_model(sm)
        yield sm
