"""``jupyter-forge`` as a Jupyter application: config files, ``--Forge.NAME=VALUE``,
``--generate-config`` and ``jupyter forge``, in a real subprocess with a real config dir."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_cli import _command, cli_env

from jupyter_forge.cli.app import split_argv


def forge_cli(home: Path, *args: str, env: dict[str, str] | None = None) -> Any:
    full = cli_env(home)
    full["JUPYTER_CONFIG_DIR"] = str(home / "config")
    full.pop("JUPYTER_CONFIG_PATH", None)
    full.update(env or {})
    return subprocess.run(
        [*_command(), *args],
        env=full,
        cwd=home,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture
def home(tmp_path: Path) -> Path:
    (tmp_path / "jupyter-data").mkdir()
    (tmp_path / "config").mkdir()
    return tmp_path


def libraries(proc: Any) -> dict[str, str]:
    assert proc.returncode == 0, proc.stderr
    listing = json.loads(proc.stdout.strip().splitlines()[-1])
    return {lib["label"]: lib["path"] for lib in listing["libraries"]}


def test_the_config_file_sets_forge_for_every_command(home: Path) -> None:
    (home / "config" / "jupyter_forge_config.py").write_text(
        f"c.Forge.library = {str(home / 'project')!r}\n"
        "c.Forge.user_library = ''\n"
        f"c.Forge.shared_libraries = [{str(home / 'team')!r}]\n",
        encoding="utf-8",
    )
    assert libraries(forge_cli(home, "list", "--json")) == {
        "project": str(home / "project"),
        "shared": str(home / "team"),
    }


def test_json_config_file_and_path_from_jupyter_config_path(home: Path) -> None:
    extra = home / "project-config"
    extra.mkdir()
    (extra / "jupyter_forge_config.json").write_text(
        json.dumps({"Forge": {"user_library": str(home / "mine")}}), encoding="utf-8"
    )
    found = libraries(forge_cli(home, "list", "--json", env={"JUPYTER_CONFIG_PATH": str(extra)}))
    assert found["user"] == str(home / "mine")


def test_options_beat_the_file_and_command_options_beat_both(home: Path) -> None:
    (home / "config" / "jupyter_forge_config.py").write_text(
        "c.Forge.user_library = 'from-file'\nc.Forge.library = 'from-file'\n", encoding="utf-8"
    )
    proc = forge_cli(
        home, "list", "--Forge.user_library=", "--json", "--Forge.library", "from-flag", "-l", "x"
    )
    assert libraries(proc) == {"project": "x"}


def test_an_environment_variable_is_only_a_default(home: Path) -> None:
    env = {"JUPYTER_FORGE_USER_LIBRARY": str(home / "env-lib")}
    assert libraries(forge_cli(home, "list", "--json", env=env))["user"] == str(home / "env-lib")
    (home / "config" / "jupyter_forge_config.py").write_text(
        f"c.Forge.user_library = {str(home / 'file-lib')!r}\n", encoding="utf-8"
    )
    assert libraries(forge_cli(home, "list", "--json", env=env))["user"] == str(home / "file-lib")


def test_config_option_names_another_file(home: Path) -> None:
    other = home / "elsewhere.py"
    other.write_text("c.Forge.user_library = ''\n", encoding="utf-8")
    found = libraries(forge_cli(home, "list", "--json", "--config", str(other)))
    assert "user" not in found


def test_a_bad_setting_is_one_line_and_exit_2(home: Path) -> None:
    (home / "config" / "jupyter_forge_config.py").write_text(
        "c.Forge.attempts = 'many'\n", encoding="utf-8"
    )
    proc = forge_cli(home, "list", "--json")
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "jupyter-forge: bad setting: The 'attempts' trait of a Forge instance expected an int, "
        "not the str 'many'."
    ]
    assert json.loads(proc.stdout.strip())["passed"] is False


def test_generate_config_writes_every_forge_setting(home: Path) -> None:
    proc = forge_cli(home, "--generate-config")
    assert proc.returncode == 0, proc.stderr
    text = (home / "config" / "jupyter_forge_config.py").read_text(encoding="utf-8")
    assert "# c.Forge.model = " in text and "# c.Forge.user_library" in text
    assert "# c.ForgeTools.poll_seconds" in text
    again = forge_cli(home, "--generate-config", "--answer-yes")
    assert again.returncode == 0, again.stderr


def test_debug_names_the_files_read_and_help_all_lists_settings(home: Path) -> None:
    (home / "config" / "jupyter_forge_config.py").write_text("", encoding="utf-8")
    proc = forge_cli(home, "list", "--debug")
    assert proc.returncode == 0
    assert f"Loaded config file: {home / 'config' / 'jupyter_forge_config.py'}" in proc.stderr
    helped = forge_cli(home, "--help-all")
    assert helped.returncode == 0 and "--Forge.model=<Unicode>" in helped.stdout
    usage = forge_cli(home, "--help")
    assert usage.returncode == 0 and "--Forge.NAME=VALUE" in usage.stdout


def test_jupyter_forge_dispatches_to_the_command(home: Path) -> None:
    jupyter = Path(sys.executable).with_name("jupyter")
    if not jupyter.exists() or shutil.which("jupyter-forge", path=str(jupyter.parent)) is None:
        pytest.skip("no jupyter / jupyter-forge executables next to this Python")
    env = cli_env(home)
    env["PATH"] = f"{jupyter.parent}:{env.get('PATH', '')}"
    env["JUPYTER_CONFIG_DIR"] = str(home / "config")
    proc = subprocess.run(
        [str(jupyter), "forge", "list", "--json", "--Forge.user_library="],
        env=env,
        cwd=home,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert libraries(proc) == {"project": "forge_tools"}  # Forge.library, as given


@pytest.mark.parametrize(
    ("argv", "mine", "rest"),
    [
        (["list", "--json"], [], ["list", "--json"]),
        (
            ["create", "f", "x", "--Forge.model=m", "-y", "--Forge.attempts", "2", "--debug"],
            ["--Forge.model=m", "--Forge.attempts", "2", "--debug"],
            ["create", "f", "x", "-y"],
        ),
        (["--config", "a.py", "list"], ["--config", "a.py"], ["list"]),
        (["show", "--", "--Forge.x=1"], [], ["show", "--", "--Forge.x=1"]),
        (["list", "--Forge.model"], [], ["list", "--Forge.model"]),  # no value: argparse's
    ],
)
def test_split_argv(argv: list[str], mine: list[str], rest: list[str]) -> None:
    assert split_argv(argv) == (mine, rest)


def test_a_misspelt_setting_is_one_warning_on_the_commands_log(home: Path) -> None:
    proc = forge_cli(home, "list", "--Forge.modle=gpt-4o-mini")
    assert proc.returncode == 0
    assert proc.stderr.strip().splitlines() == [
        "[ForgeApp] WARNING | Config option `modle` not recognized by `Forge`.  "
        "Did you mean `model`?"
    ]
