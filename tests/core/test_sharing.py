"""Export/import of tool notebooks and export as a plain Python module."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from library_kit import CODE_V1, one_line, save

from jupyter_forge.core.errors import LibraryError
from jupyter_forge.core.library import Library
from jupyter_forge.core.sharing import export_module, export_notebooks, import_notebooks

FUTURE_CODE = (
    "from __future__ import annotations\n\nimport math\n\n\n"
    'def hyp(a: float, b: float) -> float:\n    """Hypotenuse."""\n    return math.hypot(a, b)\n'
)


@pytest.fixture
def mine(tmp_path: Path) -> Library:
    library = Library(tmp_path / "mine", notary_dir=str(tmp_path / "my-notary"))
    save(library)
    save(library, FUTURE_CODE, name="hyp")
    return library


def test_export_then_import_on_another_machine_is_untrusted(mine: Library, tmp_path: Path) -> None:
    paths = export_notebooks([mine.get("add"), mine.get("hyp")], tmp_path / "outbox")
    assert sorted(p.name for p in paths) == ["add.ipynb", "hyp.ipynb"]
    colleague = Library(tmp_path / "theirs", notary_dir=str(tmp_path / "their-notary"))
    assert import_notebooks(tmp_path / "outbox", colleague) == ["add", "hyp"]
    record = colleague.get("add")
    assert record.code == CODE_V1.rstrip("\n")
    assert not record.trusted  # their machine never approved it
    assert [e.action for e in colleague.audit.entries()] == ["import", "import"]


def test_import_refuses_clashes_and_bad_files_without_copying_anything(
    mine: Library, tmp_path: Path
) -> None:
    outbox = tmp_path / "outbox"
    export_notebooks([mine.get("add")], outbox)
    with pytest.raises(LibraryError) as info:
        import_notebooks(outbox, mine)
    assert "already in" in one_line(info.value) and "--replace" in str(info.value)
    assert import_notebooks(outbox / "add.ipynb", mine, replace=True) == ["add"]
    (outbox / "zzz.ipynb").write_text("{", encoding="utf-8")
    target = Library(tmp_path / "fresh", notary_dir=str(tmp_path / "n2"))
    with pytest.raises(LibraryError, match=r"zzz\.ipynb is not a readable notebook"):
        import_notebooks(outbox, target)
    assert not target.root.exists() or not list(target.root.glob("*.ipynb"))
    renamed = tmp_path / "other" / "renamed.ipynb"
    renamed.parent.mkdir()
    renamed.write_bytes((outbox / "add.ipynb").read_bytes())
    with pytest.raises(LibraryError, match=r"rename the file to add\.ipynb"):
        import_notebooks(renamed, target)
    with pytest.raises(LibraryError, match="nothing to import"):
        import_notebooks(tmp_path / "missing", target)


def test_export_module_is_importable_outside_jupyter(mine: Library, tmp_path: Path) -> None:
    target = tmp_path / "pkg" / "my_tools.py"
    export_module([mine.get("add"), mine.get("hyp")], target)
    text = target.read_text(encoding="utf-8")
    assert text.startswith('"""Tools made with jupyter_forge')
    assert "add v1:" in text and str(mine.root) in text
    assert text.count("from __future__ import annotations") == 1
    out = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, '.'); import my_tools; print(my_tools.add(2, 3), my_tools.hyp(3, 4), my_tools.__all__)",
        ],
        cwd=target.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "5 5.0 ['add', 'hyp']"


def test_export_module_refuses_untrusted_tools(mine: Library, tmp_path: Path) -> None:
    path = mine.path_for("add")
    path.write_text(path.read_text(encoding="utf-8").replace("a + b", "a - b"), encoding="utf-8")
    with pytest.raises(LibraryError) as info:
        export_module([mine.get("add")], tmp_path / "x.py")
    assert "not exporting unreviewed tools (add)" in one_line(info.value)
    assert not (tmp_path / "x.py").exists()


def test_export_module_brings_the_tools_a_composed_tool_calls(
    mine: Library, tmp_path: Path
) -> None:
    code = 'def add_twice(a: int, b: int) -> int:\n    """Add, twice."""\n    return add(add(a, b), b)\n'
    save(mine, code, name="add_twice", depends=["add"])
    target = tmp_path / "composed.py"
    export_module([mine.get("add_twice")], target, find=mine.get)
    text = target.read_text(encoding="utf-8")
    assert text.index("def add(") < text.index("def add_twice(")
    out = subprocess.run(
        [
            sys.executable,
            "-I",
            "-c",
            "import sys; sys.path.insert(0, '.'); import composed; print(composed.add_twice(1, 2))",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "5"


def test_export_module_refuses_tools_whose_helpers_clash(mine: Library, tmp_path: Path) -> None:
    helper = "def _norm(x: float) -> float:\n    return x\n\n\n"
    save(mine, helper + CODE_V1, name="add")
    other = helper + 'def sub(a: int, b: int) -> int:\n    """Subtract."""\n    return a - b\n'
    save(mine, other, name="sub")
    with pytest.raises(LibraryError) as info:
        export_module([mine.get("add"), mine.get("sub")], tmp_path / "x.py")
    assert "both define `_norm`" in one_line(info.value)
