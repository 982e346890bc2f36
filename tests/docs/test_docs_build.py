"""The docs build is a test: Sphinx with warnings as errors, every page reachable, the
configuration reference complete, and nothing that points outside the repository."""

from __future__ import annotations

import html
import re
import subprocess
import sys
from pathlib import Path

import pytest

from jupyter_forge.forge import Forge
from jupyter_forge.server.libraries import ForgeTools

pytest.importorskip("sphinx")
pytest.importorskip("myst_parser")
pytest.importorskip("pydata_sphinx_theme")

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
PACKAGE = ROOT / "jupyter_forge"
EXCLUDED: set[str] = set()
# Root files the docs include; they are read on GitHub too, so they follow the same rules.
ROOT_PAGES = ("README.md", "CHANGELOG.md", "CONTRIBUTING.md")
_LINK = re.compile(r"!?\[[^\]]*\]\(([^)\s]+)\)")
_DT = re.compile(r"<dt\b.*?</dt>", re.S)


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("html")
    done = subprocess.run(
        [sys.executable, "-m", "sphinx", "-W", "-E", "-q", "-b", "html", str(DOCS), str(out)],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        check=False,
    )
    assert done.returncode == 0, f"sphinx-build -W failed:\n{done.stdout}\n{done.stderr}"
    # -q prints warnings only; with -W the first one already failed the build.
    assert "WARNING" not in done.stderr, done.stderr
    return out


def _pages() -> list[str]:
    return sorted(p.stem for p in DOCS.glob("*.md") if p.name not in EXCLUDED)


def _text(page: Path) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page.read_text(encoding="utf-8")))


def test_every_page_is_built_and_reachable_from_the_index(built: Path) -> None:
    index = (built / "index.html").read_text(encoding="utf-8")
    for name in _pages():
        assert (built / f"{name}.html").exists(), name
        if name != "index":
            assert f'href="{name}.html"' in index, f"{name} is not in the index's toctree"


def test_every_image_in_docs_is_shown(built: Path) -> None:
    images = sorted(DOCS.glob("*.png"))
    assert images
    for image in images:
        assert (built / "_images" / image.name).exists(), image.name


def test_config_reference_lists_every_configurable_trait(built: Path) -> None:
    page = (built / "configuration.html").read_text(encoding="utf-8")
    terms = [_text_of(dt) for dt in _DT.findall(page)]
    for owner in (Forge, ForgeTools):
        expected = set(owner.class_traits(config=True))
        listed = {
            m.group(1)
            for term in terms
            if (m := re.fullmatch(rf"\s*c\.{owner.__name__}\.(\w+)\s*", term)) is not None
        }
        assert expected, owner
        assert listed == expected, (owner.__name__, expected ^ listed)


def _text_of(fragment: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", fragment))


def test_config_reference_shows_type_default_and_help(built: Path) -> None:
    text = _text(built / "configuration.html")
    names = sorted(Forge.class_traits(config=True))
    for name, following in zip(names, [*names[1:], None], strict=True):
        start = text.index(f"c.Forge.{name}")
        end = text.index(f"c.Forge.{following}", start) if following else start + 1000
        entry = text[start:end]
        assert "type:" in entry and "default:" in entry, name
        first_word = re.findall(r"[A-Za-z]{3,}", Forge.class_traits()[name].help)[0]
        assert first_word in entry, (name, first_word, entry)


def test_every_environment_variable_the_package_reads_is_documented() -> None:
    used = set()
    for path in PACKAGE.rglob("*.py"):
        used |= set(re.findall(r"JUPYTER_FORGE_[A-Z0-9_]*[A-Z0-9]", path.read_text("utf-8")))
    table = (DOCS / "configuration.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^\| `(JUPYTER_FORGE_[A-Z0-9_]+)` \|", table, re.M))
    assert used, "no JUPYTER_FORGE_ variable found: the search is broken"
    assert used <= documented, used - documented
    assert documented <= used, f"documented but never read: {documented - used}"


def test_the_variables_table_names_the_trait_each_variable_defaults() -> None:
    """The table's second column is the code's own list (core.environment)."""
    from jupyter_forge.core.environment import VARIABLES

    table = (DOCS / "configuration.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(JUPYTER_FORGE_[A-Z0-9_]+)` \| ([^|]+) \|", table, re.M))
    expected = {v.name: f"`{v.trait}`" if v.trait else "none" for v in VARIABLES}
    assert {name: cell.strip() for name, cell in rows.items()} == expected


def test_cli_reference_is_generated_from_the_parser(built: Path) -> None:
    from jupyter_forge.cli import build_parser

    text = _text(built / "cli.html")
    parser = build_parser()
    commands = next(
        action for action in parser._actions if action.dest == "command"
    ).choices  # the subparsers' name -> parser mapping
    assert commands
    for name in commands:
        assert f"jupyter-forge {name}" in text, name


def _markdown_files() -> list[Path]:
    files = [p for p in DOCS.glob("*.md")]
    return files + [ROOT / name for name in ROOT_PAGES]


@pytest.mark.parametrize("path", _markdown_files(), ids=lambda p: p.name)
def test_docs_link_only_inside_the_repository(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "http://" not in text and "https://" not in text, path.name
    base = path.parent
    for target in _LINK.findall(text):
        if target.startswith("#"):
            continue
        resolved = (base / target.split("#")[0]).resolve()
        assert resolved.is_relative_to(ROOT), (path.name, target)
        assert resolved.exists(), (path.name, target)


def test_front_page_is_short() -> None:
    """The README is a front page: what, the two commands, an example, links."""
    lines = (ROOT / "README.md").read_text(encoding="utf-8").splitlines()
    assert len(lines) <= 250, len(lines)


def test_no_development_history_in_the_docs() -> None:
    for path in _markdown_files():
        text = path.read_text(encoding="utf-8").lower()
        assert not re.search(r"session[- ]\d", text), path.name
        for phrase in ("the issue first", "../shared"):
            assert phrase not in text, (path.name, phrase)
