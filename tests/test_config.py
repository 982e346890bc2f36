"""``jupyter_forge_config.py``/``.json`` read from a real, temporary Jupyter config path."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from traitlets.config import Config

from jupyter_forge.config import CONFIG_FILE_NAME, config_paths, forge_config, load_file_config
from jupyter_forge.forge import Forge


@pytest.fixture
def config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    user = tmp_path / "user-config"
    user.mkdir()
    monkeypatch.setenv("JUPYTER_CONFIG_DIR", str(user))
    monkeypatch.delenv("JUPYTER_CONFIG_PATH", raising=False)
    return user


def test_the_user_config_dir_is_searched(config_dir: Path) -> None:
    assert str(config_dir) in config_paths()
    (config_dir / f"{CONFIG_FILE_NAME}.py").write_text("c.Forge.attempts = 2\n", "utf-8")
    assert Forge(config=load_file_config()).attempts == 2


def test_the_first_folder_of_the_path_wins_and_json_is_read(
    config_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    for folder, attempts in ((first, 7), (second, 3)):
        folder.mkdir()
        (folder / f"{CONFIG_FILE_NAME}.json").write_text(
            json.dumps({"Forge": {"attempts": attempts, "model": f"m{attempts}"}}), "utf-8"
        )
    (second / f"{CONFIG_FILE_NAME}.json").write_text(
        json.dumps({"Forge": {"attempts": 3, "model": "m3", "max_tokens": 99}}), "utf-8"
    )
    monkeypatch.setenv("JUPYTER_CONFIG_PATH", f"{first}:{second}")
    monkeypatch.setenv("JUPYTER_PREFER_ENV_PATH", "0")
    forge = Forge(config=load_file_config())
    assert (forge.attempts, forge.model, forge.max_tokens) == (7, "m7", 99)


def test_the_hosts_config_wins_over_the_file(config_dir: Path) -> None:
    (config_dir / f"{CONFIG_FILE_NAME}.py").write_text(
        "c.Forge.attempts = 2\nc.Forge.max_tokens = 50\n", "utf-8"
    )
    host = Config()
    host.Forge.attempts = 9
    forge = Forge(config=forge_config(host))
    assert (forge.attempts, forge.max_tokens) == (9, 50)


def test_a_broken_file_is_reported_and_skipped(
    config_dir: Path, caplog: pytest.LogCaptureFixture
) -> None:
    import logging

    (config_dir / f"{CONFIG_FILE_NAME}.py").write_text("c.Forge.attempts = (\n", "utf-8")
    log = logging.getLogger("forge-config-test")
    with caplog.at_level(logging.ERROR, logger="forge-config-test"):
        assert Forge(config=forge_config(log=log)).attempts == 5
    assert "Exception while loading config file" in caplog.text
