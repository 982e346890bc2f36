"""Session-wide isolation: no test sees (or writes) the developer's personal tool library."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest


@pytest.fixture(autouse=True, scope="session")
def _private_user_library(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    # Set in os.environ (not monkeypatch) so kernels and servers started by tests inherit it.
    old = os.environ.get("JUPYTER_FORGE_USER_LIBRARY")
    os.environ["JUPYTER_FORGE_USER_LIBRARY"] = str(tmp_path_factory.mktemp("user-library"))
    yield
    if old is None:
        os.environ.pop("JUPYTER_FORGE_USER_LIBRARY", None)
    else:
        os.environ["JUPYTER_FORGE_USER_LIBRARY"] = old
