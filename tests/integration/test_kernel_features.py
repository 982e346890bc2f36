"""Kernel-level features with a scripted model: config files, tagged sample cells, no key leaks."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from kernel_driver import KernelDriver

from jupyter_forge.testing.scripted_llm import ScriptedModel

GOOD = (
    '```python\ndef add(a: int, b: int) -> int:\n    """Add two integers."""\n    return a + b\n```'
)
SECRET = "sk-test-must-never-be-written-0123456789"


@pytest.fixture
def scripted() -> Iterator[ScriptedModel]:
    with ScriptedModel([GOOD]) as sm:
        yield sm


@pytest.fixture
def kernel(tmp_path: Path, scripted: ScriptedModel) -> Iterator[KernelDriver]:
    """A kernel whose ipython_config.py points Forge at the scripted model."""
    profile = tmp_path / "ipython" / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_config.py").write_text(
        f"c.Forge.model = {scripted.model!r}\n"
        f"c.Forge.api_base = {scripted.api_base!r}\n"
        "c.Forge.library = 'team_tools'\n"
        "c.Forge.attempts = 2\n"
    )
    env = dict(os.environ)
    env.update(
        IPYTHONDIR=str(tmp_path / "ipython"),
        JUPYTER_DATA_DIR=str(tmp_path / "data"),
        OPENAI_API_KEY=SECRET,
        JUPYTER_FORGE_APPROVE="auto",
    )
    driver = KernelDriver(env=env, cwd=str(tmp_path))
    try:
        assert driver.execute("%load_ext jupyter_forge").ok
        yield driver
    finally:
        driver.close()


def test_ipython_config_file_sets_forge_options(kernel: KernelDriver) -> None:
    shown = "\n".join(kernel.execute("%forge config").texts())
    assert "'team_tools'" in shown
    assert "openai/scripted" in shown
    assert "attempts" in shown and " 2" in shown


def test_tagged_sample_cells_from_the_front_end_are_used(
    kernel: KernelDriver, scripted: ScriptedModel, tmp_path: Path
) -> None:
    cells = [
        {"source": ">>> add(2, 3)\n5", "tags": ["forge-sample:add"]},
        {"source": "assert add(-1, 1) == 0", "tags": ["forge-sample"]},
        {"source": "assert add(1, 1) == 3", "tags": ["forge-sample:other_tool"]},
        {"source": "print('not a sample')", "tags": []},
    ]
    run = kernel.execute(
        "%%forge add\nAdd two integers.",
        metadata={"jupyter_forge": {"sample_cells": cells}},
    )
    assert run.ok, run.texts()
    prompt = scripted.requests[0]["messages"][-1]["content"]
    assert ">>> add(2, 3)" in prompt and "assert add(-1, 1) == 0" in prompt
    assert "add(1, 1) == 3" not in prompt and "not a sample" not in prompt
    saved = json.loads((tmp_path / "team_tools" / "add.ipynb").read_text())
    sources = [s["source"] for s in saved["metadata"]["jupyter_forge"]["samples"]]
    assert sources == ["add(2, 3)", "assert add(-1, 1) == 0"]
    assert saved["metadata"]["jupyter_forge"]["validation"]["passed"] is True


def test_api_key_never_lands_in_prompts_notebooks_or_outputs(
    kernel: KernelDriver, scripted: ScriptedModel, tmp_path: Path
) -> None:
    run = kernel.execute("%%forge add\nAdd two integers.\n>>> add(1, 2)\n3")
    assert run.ok, run.texts()
    assert kernel.execute("add(40, 2)").ok
    assert SECRET not in json.dumps(scripted.requests)
    assert SECRET not in "\n".join(run.texts())
    written = [p for p in tmp_path.rglob("*") if p.is_file() and "ipython" not in p.parts]
    assert any(p.name == "add.ipynb" for p in written)
    for path in written:
        assert SECRET.encode() not in path.read_bytes(), path
