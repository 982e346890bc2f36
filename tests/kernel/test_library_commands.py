"""The library half of ``%forge`` in a real IPython shell: search, versions, retirement, sharing."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from kernel_helpers import PARSE_MONEY_CELL, PARSE_MONEY_CODE, PARSE_MONEY_REPLY, Kernel, reply_for

from jupyter_forge.core.errors import ForgeError, LibraryError, SpecError
from jupyter_forge.core.library import Library
from jupyter_forge.kernel.views import Note, Table
from jupyter_forge.testing.scripted_llm import ScriptedModel

SLUGIFY_CODE = '''import re


def slugify(text: str) -> str:
    """Turn a title into a lowercase URL slug with hyphens."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
'''
SLUGIFY_CELL = """Turn a title into a lowercase URL slug with hyphens.
>>> slugify("Hello, World!")
'hello-world'
"""
PARSE_MONEY_V2 = PARSE_MONEY_CODE.replace("t = text.strip()", 't = text.strip().replace(" ", "")')


def forge(
    kernel: Kernel, model: ScriptedModel, name: str, cell: str, reply: str, *flags: str
) -> None:
    model.push(reply)
    kernel.ok(f"%%forge {name} --approve auto {' '.join(flags)}\n{cell}")


@pytest.fixture
def two_tools(kernel: Kernel, model: ScriptedModel) -> Kernel:
    forge(kernel, model, "parse_money", PARSE_MONEY_CELL, PARSE_MONEY_REPLY)
    forge(kernel, model, "slugify", SLUGIFY_CELL, reply_for(SLUGIFY_CODE))
    return kernel


def test_search_ranks_the_tool_that_matches(two_tools: Kernel) -> None:
    result, _ = two_tools.ok("%forge search url slug for a title")
    table = result.result
    assert isinstance(table, Table)
    assert table.rows[0][0] == "slugify"
    result, _ = two_tools.ok("%forge search read a money amount into a float")
    assert result.result.rows[0][0] == "parse_money"
    result, _ = two_tools.ok("%forge search zebra giraffe")
    assert result.result.rows == [] and "forge one" in result.result.title


def test_forge_offers_an_existing_tool_instead_of_generating(
    two_tools: Kernel, model: ScriptedModel
) -> None:
    asked = len(model.requests)
    two_tools.ok("del slugify")
    _, captured = two_tools.ok(
        "%%forge url_slug\nTurn a title into a lowercase URL slug with hyphens."
    )
    assert len(model.requests) == asked  # the model was not asked at all
    assert callable(two_tools.ns["slugify"]) and "url_slug" not in two_tools.ns
    shown = " ".join(str(o.data) for o in captured.outputs)
    assert "existing tool already does this" in shown and "--new" in shown
    assert not (two_tools.library / "url_slug.ipynb").exists()
    # --new forges anyway.
    model.push(reply_for(SLUGIFY_CODE.replace("def slugify", "def url_slug")))
    two_tools.ok(
        "%%forge url_slug --approve auto --new\nTurn a title into a lowercase URL slug with hyphens.\n"
        ">>> url_slug('A B')\n'a-b'"
    )
    assert len(model.requests) == asked + 1
    assert (two_tools.library / "url_slug.ipynb").exists()


def test_an_offered_tool_has_passed_the_cells_samples(
    two_tools: Kernel, model: ScriptedModel
) -> None:
    asked = len(model.requests)
    two_tools.ok("del slugify")
    _, captured = two_tools.ok(
        "%%forge url_slug\nTurn a title into a lowercase URL slug with hyphens.\n"
        ">>> url_slug('A B')\n'a-b'"
    )
    assert len(model.requests) == asked
    shown = " ".join(o.data.get("text/plain", "") for o in captured.outputs)
    assert "It passes this cell's 1 sample(s) in the sandbox." in shown
    assert callable(two_tools.ns["slugify"])


UNDERSCORE_SLUG = SLUGIFY_CODE.replace("def slugify", "def url_slug").replace('"-"', '"_"')
SEPARATED_SLUG = SLUGIFY_CODE.replace(
    "def slugify(text: str)", "def url_slug(text: str, sep: str)"
).replace('"-"', "sep")


@pytest.mark.parametrize(
    ("cell", "made"),
    [
        # The samples ask for something else (underscores), so slugify cannot stand in.
        (
            "Turn a title into a lowercase URL slug with hyphens.\n>>> url_slug('A B')\n'a_b'",
            UNDERSCORE_SLUG,
        ),
        # The declared signature takes two arguments; slugify takes one.
        (
            "def url_slug(text: str, sep: str) -> str:\n"
            '    """Turn a title into a lowercase URL slug with hyphens."""',
            SEPARATED_SLUG,
        ),
    ],
    ids=["failing-samples", "other-arity"],
)
def test_a_look_alike_tool_is_not_offered(
    two_tools: Kernel, model: ScriptedModel, cell: str, made: str
) -> None:
    asked = len(model.requests)
    two_tools.ok("del slugify")
    model.push(reply_for(made))
    _, captured = two_tools.ok(f"%%forge url_slug --approve auto --no-persist\n{cell}")
    assert len(model.requests) == asked + 1  # forged, not offered
    shown = " ".join(str(o.data) for o in captured.outputs)
    assert "existing tool" not in shown
    assert "slugify" not in two_tools.ns and callable(two_tools.ns["url_slug"])


def test_history_diff_and_rollback(two_tools: Kernel, model: ScriptedModel) -> None:
    forge(two_tools, model, "parse_money", PARSE_MONEY_CELL, reply_for(PARSE_MONEY_V2))
    result, _ = two_tools.ok("%forge history parse_money")
    rows = result.result.rows
    assert [r[0] for r in rows] == ["v2 (current)", "v1"]
    assert "passed" in rows[0][3]
    result, _ = two_tools.ok("%forge diff parse_money")
    note = result.result
    assert isinstance(note, Note)
    assert note.code is not None and '+    t = text.strip().replace(" ", "")' in note.code
    result, _ = two_tools.ok("%forge diff parse_money v2 v1")
    assert '-    t = text.strip().replace(" ", "")' in (result.result.code or "")
    two_tools.ok("%forge rollback parse_money v1")
    record = Library(two_tools.library).get("parse_money")
    assert record.version == 3 and record.code == PARSE_MONEY_CODE.rstrip("\n")
    assert two_tools.ns["parse_money"].__wrapped__.__code__.co_filename == "<forge:parse_money v3>"
    two_tools.fails("%forge rollback parse_money v9", LibraryError)
    two_tools.fails("%forge rollback parse_money", SpecError)
    two_tools.fails("%forge diff parse_money v1", SpecError)


def test_deprecate_hides_from_search_and_load_all_but_not_by_name(two_tools: Kernel) -> None:
    two_tools.ok("%forge deprecate slugify --reason 'use url_slug'")
    result, _ = two_tools.ok("%forge search url slug title")
    assert "slugify" not in [r[0] for r in result.result.rows]
    result, _ = two_tools.ok("%forge list")
    assert [r[3] for r in result.result.rows if r[0] == "slugify"] == ["deprecated"]
    two_tools.restart()
    result, _ = two_tools.ok("%forge load")
    assert "Skipped deprecated: slugify" in result.result.text
    assert "slugify" not in two_tools.ns and callable(two_tools.ns["parse_money"])
    result, captured = two_tools.ok("%forge load slugify")
    assert "deprecated (use url_slug)" in captured.stdout
    assert callable(two_tools.ns["slugify"])
    two_tools.ok("%forge deprecate slugify --undo")
    result, _ = two_tools.ok("%forge search url slug title")
    assert result.result.rows[0][0] == "slugify"


def test_stats_counts_calls_and_failures(two_tools: Kernel) -> None:
    two_tools.ok("parse_money('$1'); parse_money('$2')")
    two_tools.run("parse_money(None)")  # raises inside the tool: a failure
    result, _ = two_tools.ok("%forge stats")
    rows = {r[0]: r for r in result.result.rows}
    assert rows["parse_money"][2:4] == ["3", "1"]
    assert rows["slugify"][2:4] == ["0", "0"]
    assert rows["parse_money"][4] != "never"


def test_export_import_and_module(two_tools: Kernel, tmp_path: Path) -> None:
    two_tools.ok(f"%forge export parse_money slugify --to {tmp_path / 'outbox'}")
    assert sorted(p.name for p in (tmp_path / "outbox").glob("*.ipynb")) == [
        "parse_money.ipynb",
        "slugify.ipynb",
    ]
    module = tmp_path / "mod" / "team_tools.py"
    two_tools.ok(f"%forge export --module {module}")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import team_tools as t; print(t.slugify('A b'), t.parse_money('$3'))",
        ],
        cwd=module.parent,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "a-b 3.0"
    two_tools.ok("%forge remove slugify")
    result, _ = two_tools.ok(f"%forge import {tmp_path / 'outbox' / 'slugify.ipynb'}")
    assert "Imported slugify" in result.result.text
    two_tools.fails(f"%forge import {tmp_path / 'outbox'}", LibraryError)  # parse_money clashes
    two_tools.fails("%forge export parse_money", SpecError)  # neither --to nor --module


def test_audit_log_has_the_story(two_tools: Kernel) -> None:
    two_tools.ok("%forge deprecate slugify")
    two_tools.ok("%forge load parse_money")
    actions = [(e.action, e.tool) for e in Library(two_tools.library).audit.entries()]
    # The first forge created the library folder; from then on creations are logged too.
    assert ("create", "slugify") in actions
    assert actions.index(("create", "slugify")) < actions.index(("approve", "slugify"))
    assert ("deprecate", "slugify") in actions and ("load", "parse_money") in actions


def test_the_approval_widget_says_where_the_tool_will_live(
    kernel: Kernel, model: ScriptedModel
) -> None:
    model.push(PARSE_MONEY_REPLY)
    kernel.ok("%%forge parse_money\n" + PARSE_MONEY_CELL)
    widget = kernel.magics.pending["parse_money"]
    assert f"Approve saves it to {kernel.library}" in widget.header.value
    model.push(reply_for(SLUGIFY_CODE))
    kernel.ok("%%forge slugify --no-persist\n" + SLUGIFY_CELL)
    assert "this kernel only" in kernel.magics.pending["slugify"].header.value


def test_removing_a_tool_others_call_needs_force(two_tools: Kernel) -> None:
    library = Library(two_tools.library)
    code = 'def double_money(text: str) -> float:\n    """Twice."""\n    return 2 * parse_money(text)\n'
    library.save(
        name="double_money",
        code=code,
        description="Twice.",
        signature="double_money(text: str) -> float",
        request="twice",
        model="m",
        samples=[],
        schema=None,
        validation={"passed": True},
        depends=["parse_money"],
    )
    _, captured = two_tools.fails("%forge remove parse_money", LibraryError)
    assert "called by double_money" in captured.stdout and "--force" in captured.stdout
    assert library.exists("parse_money")
    two_tools.ok("%forge remove parse_money --force")
    assert not library.exists("parse_money")


def test_auto_mode_names_the_missing_package(kernel: Kernel, model: ScriptedModel) -> None:
    model.push(reply_for("import zz_not_a_real_pkg\n\n\n" + SLUGIFY_CODE))
    _, captured = kernel.fails(
        "%%forge slugify --approve auto --attempts 1\n" + SLUGIFY_CELL, ForgeError
    )
    assert "needs zz_not_a_real_pkg, not installed" in captured.stdout
    assert "%pip install" in captured.stdout and "slugify" not in kernel.ns
