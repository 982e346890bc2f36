"""Damage tests: two writers at once, a writer killed mid-save, a corrupt notebook."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

from jupyter_forge.core.library import Library

WRITER = textwrap.dedent(
    """
    import sys
    from jupyter_forge.core.library import Library
    from jupyter_forge.core.spec import Sample

    root, notary, tag, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    library = Library(root, notary_dir=notary)
    for i in range(count):
        for name in ("shared_tool", f"own_{tag}"):
            code = f"def {name}(x: int) -> int:\\n    return x + {i}  # {tag}\\n"
            library.save(
                name=name, code=code, description="d", signature=f"{name}(x: int) -> int",
                request=f"{tag} {i}", model=tag, samples=[Sample(f"{name}(1)", "example", f"{1 + i}\\n")],
                schema=None, validation={"passed": True}, approved_how="test",
            )
        print("saved", i, flush=True)
    print("done", tag, flush=True)
    """
)


def run_writer(root: Path, notary: Path, tag: str, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", WRITER, str(root), str(notary), tag, str(count)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_two_processes_saving_hundreds_of_versions_lose_nothing(tmp_path: Path) -> None:
    root, notary = tmp_path / "tools", tmp_path / "notary"
    count = 120  # 2 processes x 120 x 2 tools = 480 saves, half of them to the same tool
    writers = [run_writer(root, notary, tag, count) for tag in ("a", "b")]
    for writer in writers:
        out, err = writer.communicate(timeout=300)
        assert writer.returncode == 0, err
        assert out.splitlines()[-1].startswith("done")
    library = Library(root, notary_dir=str(notary))
    shared = library.get("shared_tool")
    assert shared.version == 2 * count
    versions = shared.versions().versions
    assert [v.version for v in versions] == list(range(1, 2 * count + 1))
    # Every save of both writers is in the history, exactly once.
    requests = sorted(v.request for v in versions)
    assert requests == sorted(f"{tag} {i}" for tag in ("a", "b") for i in range(count))
    for tag in ("a", "b"):
        own = library.get(f"own_{tag}")
        assert own.version == count and own.trusted
    assert shared.trusted
    approvals = [e for e in library.audit.entries() if e.action == "approve"]
    assert len(approvals) == 4 * count
    assert not list(root.glob("*.tmp")) and not list(root.glob(".*.tmp"))


def test_a_writer_killed_mid_save_leaves_the_previous_version_intact(tmp_path: Path) -> None:
    root, notary = tmp_path / "tools", tmp_path / "notary"
    library = Library(root, notary_dir=str(notary))
    kills = 0
    for round_ in range(6):
        writer = run_writer(root, notary, f"k{round_}", 1000)
        assert writer.stdout is not None
        for _ in range(2):  # let it save a few versions, then kill it at some point mid-loop
            assert writer.stdout.readline().startswith("saved")
        time.sleep(0.007 * round_)
        writer.send_signal(signal.SIGKILL)
        writer.communicate()
        kills += writer.returncode == -signal.SIGKILL
        # After every kill: the notebook reads, is trusted, and its history is contiguous.
        record = library.get("shared_tool")
        assert record.trusted
        versions = [v.version for v in record.versions().versions]
        assert versions == list(range(1, record.version + 1))
    assert kills == 6
    # The next save cleans up the temp file a killed writer may have left, and works.
    writer = run_writer(root, notary, "final", 1)
    assert writer.wait(timeout=60) == 0
    assert not [p for p in os.listdir(root) if p.endswith(".tmp")]
    assert library.get("shared_tool").request == "final 0"


def test_a_corrupt_notebook_is_named_and_skipped(tmp_path: Path) -> None:
    root, notary = tmp_path / "tools", tmp_path / "notary"
    writer = run_writer(root, notary, "c", 1)
    assert writer.wait(timeout=60) == 0
    (root / "broken.ipynb").write_text('{"cells": [', encoding="utf-8")
    (root / "handmade.ipynb").write_text(
        '{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', encoding="utf-8"
    )
    library = Library(root, notary_dir=str(notary))
    names = [r.name for r in library.tools()]
    assert names == ["own_c", "shared_tool"]
    assert len(library.errors) == 2
    assert any("broken.ipynb" in e and "not a readable notebook" in e for e in library.errors)
    assert any(
        "handmade.ipynb" in e and "not a jupyter_forge tool notebook" in e for e in library.errors
    )
