"""End to end with the real embedded local model in a real kernel: forge, approve, reload."""

from __future__ import annotations

import os
from pathlib import Path

import nbformat
import pytest
from kernel_driver import KernelDriver

pytestmark = pytest.mark.local_model

REQUEST = """%%forge sum_of_squares --library {library}
Return the sum of the squares of a list of integers.
>>> sum_of_squares([1, 2, 3])
14
assert sum_of_squares([]) == 0
"""


@pytest.fixture
def kernel_env(local_model_runtime: Path, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["JUPYTER_FORGE_RUNTIME"] = str(local_model_runtime)
    env.pop("JUPYTER_FORGE_APPROVE", None)
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")
    return env


def test_forge_with_local_model_approve_and_reload(
    kernel_env: dict[str, str], tmp_path: Path
) -> None:
    library = tmp_path / "tools"
    first = KernelDriver(env=kernel_env, cwd=str(tmp_path))
    try:
        assert first.execute("%load_ext jupyter_forge").ok
        # The suite's embedded model (the product's default is the larger local-1.5b).
        assert first.execute("%config Forge.model = 'local'").ok
        run = first.execute(REQUEST.format(library=library), timeout=900)
        text = "\n".join(run.texts())
        assert run.ok, text
        assert "passed" in text, text
        # Widget mode: nothing is defined before a person approves.
        assert not first.execute("sum_of_squares").ok
        first.click(first.find_button("Approve"))
        check = first.execute("print(sum_of_squares([1, 2, 3]), sum_of_squares([4]))")
        assert check.ok, check.texts()
        assert "14 16" in "".join(check.texts())
    finally:
        first.close()

    path = library / "sum_of_squares.ipynb"
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    meta = nb.metadata["jupyter_forge"]
    assert meta["model"] == "local"
    assert meta["validation"]["passed"] is True

    second = KernelDriver(env=kernel_env, cwd=str(tmp_path))
    try:
        assert second.execute("%load_ext jupyter_forge").ok
        loaded = second.execute(f"%forge load {library}")
        assert loaded.ok, loaded.texts()
        assert "Loaded 1 tool" in "".join(loaded.texts())
        again = second.execute("print(sum_of_squares([2, 3]))")
        assert "13" in "".join(again.texts())
    finally:
        second.close()
