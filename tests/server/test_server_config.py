"""Which libraries the server serves: the shared ``Forge`` settings, from
``jupyter_forge_config.py`` under the server's own config; deprecated ``ForgeTools``
library settings still work and are named in the server's log."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from traitlets.config import Config

from jupyter_forge.forge import Forge
from jupyter_forge.server.libraries import ForgeTools, library_set


@pytest.fixture
def jp_server_config(
    request: pytest.FixtureRequest, jp_config_dir: Path, user_dir: Path, shared_dir: Path
) -> dict[str, Any]:
    server: dict[str, Any] = {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_forge.server": True},
            "allow_unauthenticated_access": False,
        }
    }
    if request.param == "file":
        (Path(jp_config_dir) / "jupyter_forge_config.py").write_text(
            "c.Forge.library = 'team_tools'\n"
            f"c.Forge.user_library = {str(user_dir)!r}\n"
            f"c.Forge.shared_libraries = [{str(shared_dir)!r}]\n"
            "c.ForgeTools.poll_seconds = 9.0\n",
            encoding="utf-8",
        )
        server["Forge"] = {"user_library": ""}  # the server's config wins: no user library
    else:
        server["Forge"] = {"shared_libraries": [str(shared_dir)]}
        server["ForgeTools"] = {
            "project_library": "old_tools",
            "user_library": str(user_dir),
            "shared_libraries": [],
        }
    return server


async def served(jp_fetch: Any) -> dict[str, Any]:
    response = await jp_fetch("jupyter-forge", "tools", method="GET")
    data: dict[str, Any] = json.loads(response.body.decode())
    return data


@pytest.mark.parametrize("jp_server_config", ["file"], indirect=True)
async def test_the_forge_config_file_and_the_servers_config_on_top(
    jp_fetch: Any, jp_root_dir: Path, shared_dir: Path
) -> None:
    data = await served(jp_fetch)
    assert [(lib["label"], lib["path"]) for lib in data["libraries"]] == [
        ("project", str(Path(jp_root_dir) / "team_tools")),
        ("shared", str(shared_dir)),
    ]
    assert data["poll_seconds"] == 9.0


@pytest.mark.parametrize("jp_server_config", ["deprecated"], indirect=True)
async def test_deprecated_forgetools_settings_still_win(
    jp_fetch: Any, jp_root_dir: Path, user_dir: Path
) -> None:
    data = await served(jp_fetch)
    assert [(lib["label"], lib["path"]) for lib in data["libraries"]] == [
        ("project", str(Path(jp_root_dir) / "old_tools")),
        ("user", str(user_dir)),
    ]


def test_each_deprecated_setting_that_is_set_gets_a_warning(tmp_path: Path) -> None:
    config = Config()
    config.ForgeTools.user_library = ""  # its old meaning: Forge.user_library decides
    config.Forge.user_library = ""
    tools = ForgeTools(config=config)
    assert tools.deprecations() == [
        "c.ForgeTools.user_library is deprecated: set c.Forge.user_library instead "
        "(jupyter_forge_config.py is read by the kernel, the command line and this server alike)"
    ]
    libraries = library_set(tools, tmp_path, Forge(config=config)).libraries
    assert [library.label for library in libraries] == ["project"]
    assert ForgeTools().deprecations() == []
