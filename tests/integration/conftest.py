"""Fixtures for tests that need the real embedded local model."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))


@pytest.fixture(scope="session")
def local_model_runtime(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Start the local model server once per test session in a private runtime dir; stop it after."""
    pytest.importorskip(
        "llama_cpp", reason="the local model extra is not installed: pip install -e '.[local]'"
    )
    from jupyter_forge.llm import local

    runtime = tmp_path_factory.mktemp("forge-runtime")
    mp = pytest.MonkeyPatch()
    mp.setenv("JUPYTER_FORGE_RUNTIME", str(runtime))
    spec = local.resolve_local("local")
    assert spec is not None
    local.ensure_server(spec)
    try:
        yield runtime
    finally:
        local.stop_server(spec)
        mp.undo()
