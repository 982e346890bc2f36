"""A real jupyter_server with the jupyter_forge.server extension, via pytest-jupyter.

Libraries live in temp folders: the project one under the server root, the user and
shared ones outside it (the user's real ~/.local is never touched).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

# pytest-jupyter's fixtures (jp_fetch, jp_serverapp...) for this folder only: as a
# plugin they would have to be global, and their autouse fixtures (an event loop and a
# ServerApp cleanup per test) would run around every test of the suite.
from pytest_jupyter.jupyter_core import *  # noqa: F403
from pytest_jupyter.jupyter_server import *  # noqa: F403

# (jp_server_config below replaces pytest-jupyter's: only our extension, tokens required.)
from jupyter_forge.core.library import Library
from jupyter_forge.core.spec import Sample

SLUGIFY = '''import re


def slugify(title: str, sep: str = "-") -> str:
    """Turn a title into a URL slug."""
    return sep.join(re.findall(r"[a-z0-9]+", title.lower()))
'''

PARSE_MONEY = '''def parse_money(text: str, *, currency: str) -> float:
    """Parse an amount of money like "$1,234.50"."""
    return float(text.replace("$", "").replace(",", ""))
'''


def save_tool(root: Path, name: str, code: str, description: str, request: str = "") -> None:
    Library(root).save(
        name=name,
        code=code,
        description=description,
        signature=f"{name}(...)",
        request=request or description,
        model="scripted",
        samples=[Sample(f"{name}('x')", "example", "'x'")],
        schema=None,
        validation={"passed": True},
    )


@pytest.fixture
def shared_dir(tmp_path: Path) -> Path:
    return tmp_path / "shared-lib"


@pytest.fixture
def user_dir(tmp_path: Path) -> Path:
    return tmp_path / "user-lib"


@pytest.fixture
def jp_server_config(user_dir: Path, shared_dir: Path) -> dict[str, Any]:
    return {
        "ServerApp": {
            "jpserver_extensions": {"jupyter_forge.server": True},
            # Every endpoint must need a token, as on a real deployment.
            "allow_unauthenticated_access": False,
        },
        # The same Forge settings a kernel reads (the project library: Forge.library's
        # default, forge_tools, under the server root).
        "Forge": {"user_library": str(user_dir), "shared_libraries": [str(shared_dir)]},
    }


@pytest.fixture
def project_dir(jp_root_dir: Path) -> Path:
    return Path(jp_root_dir) / "forge_tools"


@pytest.fixture
def libraries(
    jp_environ: Any, project_dir: Path, user_dir: Path, shared_dir: Path
) -> dict[str, Path]:
    """slugify in the project library; parse_money in the user one; a shadowed slugify in shared."""
    save_tool(project_dir, "slugify", SLUGIFY, "Turn a title into a URL slug.")
    save_tool(user_dir, "parse_money", PARSE_MONEY, "Parse an amount of money.")
    save_tool(shared_dir, "slugify", SLUGIFY, "Shared copy (shadowed by the project one).")
    return {"project": project_dir, "user": user_dir, "shared": shared_dir}
