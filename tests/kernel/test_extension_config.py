"""The kernel reads ``jupyter_forge_config.py`` too; the IPython config wins over it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from kernel_helpers import unload_extension

from jupyter_forge.kernel import extension


@pytest.fixture
def shell(ipython: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    config_dir = tmp_path / "jupyter-config"
    config_dir.mkdir()
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(config_dir))
    monkeypatch.setenv("JUPYTER_DATA_DIR", str(tmp_path / "jupyter-data"))
    monkeypatch.delenv("JUPYTER_CONFIG_PATH", raising=False)
    (config_dir / "jupyter_forge_config.py").write_text(
        "c.Forge.attempts = 2\nc.Forge.max_tokens = 64\nc.Forge.user_library = ''\n",
        encoding="utf-8",
    )
    unload_extension(ipython)
    ipython.config.pop("Forge", None)
    yield ipython
    unload_extension(ipython)
    ipython.config.pop("Forge", None)


def test_the_forge_config_file_applies_and_ipython_config_wins(shell: Any) -> None:
    shell.config.Forge.max_tokens = 512  # as c.Forge.max_tokens in ipython_config.py
    shell.run_line_magic("load_ext", "jupyter_forge")
    forge = extension.magics_for(shell).forge
    assert (forge.attempts, forge.max_tokens, forge.user_library) == (2, 512, "")
    shell.run_line_magic("config", "Forge.attempts = 4")  # %config still wins over both
    assert forge.attempts == 4


def test_a_hook_setting_in_the_file_beats_the_remembered_one(shell: Any, tmp_path: Path) -> None:
    config_dir = tmp_path / "jupyter-config"
    (config_dir / "jupyter_forge.json").write_text('{"hook": true}', encoding="utf-8")
    with (config_dir / "jupyter_forge_config.py").open("a", encoding="utf-8") as handle:
        handle.write("c.Forge.hook = False\n")
    shell.run_line_magic("load_ext", "jupyter_forge")
    assert extension.magics_for(shell).forge.hook is False
