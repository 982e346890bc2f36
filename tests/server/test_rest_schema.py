"""One description of the REST payloads (server/schema.json): real answers match it, and
so do the TypeScript interfaces the panel reads them with."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from conftest import SLUGIFY, save_tool
from test_handlers import get_json, status_of

from jupyter_forge.core.usage import Counts, UsageKey, UsageStore

SCHEMA: dict[str, Any] = json.loads(
    resources.files("jupyter_forge.server").joinpath("schema.json").read_text(encoding="utf-8")
)
API_TS = Path(__file__).parents[2] / "labextension" / "src" / "api.ts"


def check(payload: Any, title: str) -> None:
    """``payload`` against ``$defs[title]``, every other definition in reach."""
    jsonschema.validate(payload, {**SCHEMA, "$ref": f"#/$defs/{title}"})


async def test_every_answer_matches_the_schema(jp_fetch: Any, libraries: dict[str, Path]) -> None:
    save_tool(libraries["project"], "slugify", SLUGIFY.replace('"-"', '"_"'), "Slugs, v2.")
    (libraries["project"] / "broken.ipynb").write_text("{ not json")
    store = UsageStore.for_library(libraries["project"])
    assert store.record({UsageKey("slugify", 2, "s1", "a.ipynb"): Counts(3, 1, 100.0, 200.0)})
    listed = await get_json(jp_fetch, "tools")
    check(listed, "IToolList")
    assert listed["errors"] and {t["name"] for t in listed["tools"]} == {"slugify", "parse_money"}
    check(await get_json(jp_fetch, "tools", params={"q": "money"}), "IToolList")
    detail = await get_json(jp_fetch, "tools", "slugify")
    check(detail, "IToolDetail")
    assert detail["history"] and detail["stats"]["calls"] == 3
    check(await get_json(jp_fetch, "tools", "parse_money"), "IToolDetail")  # no stats: null
    response = await jp_fetch(
        "jupyter-forge", "tools", "slugify", "deprecate", method="POST", body='{"reason": "x"}'
    )
    check(json.loads(response.body), "IToolSummary")
    for parts in (("tools", "nope"), ("tools", "broken"), ("tools", "bad-name")):
        check((await status_of(jp_fetch, *parts))[1], "IErrorReply")


def test_the_schema_refuses_a_missing_or_extra_field() -> None:
    row = {
        "name": "f",
        "description": "",
        "version": 1,
        "status": "approved",
        "trusted": True,
        "deprecated": None,
        "calls": None,
        "library": "project",
        "library_path": "/x",
        "notebook": None,
        "signature": "f()",
        "params": [],
        "updated": "",
    }
    check(row, "IToolSummary")
    for bad in ({**row, "extra": 1}, {k: v for k, v in row.items() if k != "params"}):
        with pytest.raises(jsonschema.ValidationError):
            check(bad, "IToolSummary")


def ts_interfaces(source: str) -> dict[str, set[str]]:
    """Top-level field names of each ``export interface`` (with the fields it extends)."""
    found: dict[str, set[str]] = {}
    bases: dict[str, str] = {}
    header = re.compile(r"export interface (\w+)(?: extends (\w+))? \{")
    for match in header.finditer(source):
        depth, i, fields = 1, match.end(), set()
        line_start = True
        while depth:
            char = source[i]
            if char in "{(":
                depth += 1
            elif char in "})":
                depth -= 1
            elif line_start and depth == 1:
                field = re.match(r"\s*(\w+)\??:", source[i:])
                if field:
                    fields.add(field.group(1))
            line_start = char == "\n"
            i += 1
        found[match.group(1)] = fields
        if match.group(2):
            bases[match.group(1)] = match.group(2)
    for name, base in bases.items():
        found[name] |= found[base]
    return found


def schema_fields(definition: dict[str, Any]) -> set[str]:
    fields = set(definition.get("properties", {}))
    for part in definition.get("allOf", []):
        fields |= schema_fields(SCHEMA["$defs"][part["$ref"].rsplit("/", 1)[1]])
    return fields


def test_typescript_interfaces_list_the_schema_fields() -> None:
    interfaces = ts_interfaces(API_TS.read_text(encoding="utf-8"))
    titled = {d["title"]: d for d in SCHEMA["$defs"].values() if "title" in d}
    assert set(titled) <= set(interfaces), "schema.json names an interface api.ts lacks"
    for title, definition in titled.items():
        assert interfaces[title] == schema_fields(definition), title


def test_the_typescript_parser_sees_nested_fields_as_one() -> None:
    source = "export interface IA {\n  a: { b?: string;\n    c: number } | null;\n  d: string;\n}\n"
    assert ts_interfaces(source) == {"IA": {"a", "d"}}
