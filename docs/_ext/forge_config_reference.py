"""Sphinx directive ``forge-config``: the configuration reference, read from the traitlets.

::

    ```{forge-config} jupyter_forge.forge.Forge
    ```

lists every trait of the class tagged ``config=True`` (``class_traits(config=True)``),
sorted by name, each as ``c.Class.name`` with its type, default and help text. Nothing is
copied by hand: a new setting appears in the docs when it appears in the code.
``forge-text`` shows a text constant of the package (the magics' help) the same way, and
``forge-modules`` lists a package folder's modules with their docstrings' first paragraph.
"""

from __future__ import annotations

import ast
import importlib
import re
from pathlib import Path
from typing import Any

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective
from traitlets import Bool, Dict, Enum, Float, Int, List, TraitType, Unicode

_CODE = re.compile(r"`([^`]+)`")
_ROLE = re.compile(r":[a-z]+:`~?\.*([^`]+)`")
ROOT = Path(__file__).resolve().parents[2]


def load_class(path: str) -> Any:
    module, _, name = path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def type_text(trait: TraitType[Any, Any]) -> str:
    """A short, Python-flavoured type: ``str or None``, ``list of str``, ``one of 'a', 'b'``."""
    if isinstance(trait, Enum):
        text = "one of " + ", ".join(repr(value) for value in trait.values or ())
    elif isinstance(trait, Bool):
        text = "bool"
    elif isinstance(trait, Int):
        text = "int"
    elif isinstance(trait, Float):
        text = "float"
    elif isinstance(trait, Unicode):
        text = "str"
    elif isinstance(trait, List):
        inner = getattr(trait, "_trait", None)
        text = f"list of {type_text(inner)}" if inner is not None else "list"
    elif isinstance(trait, Dict):
        text = "dict"
    else:
        text = trait.info()
    return f"{text} or None" if trait.allow_none and "None" not in text else text


def default_text(owner: type, name: str, trait: TraitType[Any, Any]) -> str:
    # A ``@default`` method computes the value when it is first read (e.g. from a variable).
    if name in getattr(owner, "_trait_default_generators", {}):
        return "computed when first read (see the description)"
    return trait.default_value_repr()


def inline(text: str) -> list[nodes.Node]:
    """Help text with its `backquoted` parts as code; nothing else is interpreted."""
    parts: list[nodes.Node] = []
    for index, piece in enumerate(_CODE.split(text)):
        if not piece:
            continue
        parts.append(nodes.literal(piece, piece) if index % 2 else nodes.Text(piece))
    return parts


class ForgeConfig(SphinxDirective):
    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        owner = load_class(self.arguments[0])
        traits = owner.class_traits(config=True)
        items = nodes.definition_list(classes=["forge-config"])
        for name in sorted(traits):
            trait = traits[name]
            full = f"c.{owner.__name__}.{name}"
            term = nodes.term()
            term += nodes.literal(full, full)
            target = nodes.make_id(f"{owner.__name__}.{name}")
            term["ids"].append(target)
            facts = nodes.paragraph()
            facts += nodes.strong("type: ", "type: ")
            facts += nodes.literal(type_text(trait), type_text(trait))
            facts += nodes.Text(" · ")
            facts += nodes.strong("default: ", "default: ")
            default = default_text(owner, name, trait)
            facts += nodes.literal(default, default)
            help_text = nodes.paragraph()
            help_text += inline(" ".join((trait.help or "(no description)").split()))
            definition = nodes.definition()
            definition += facts
            definition += help_text
            item = nodes.definition_list_item()
            item += term
            item += definition
            items += item
        return [items]


class ForgeText(SphinxDirective):
    """A module's text constant (``jupyter_forge.kernel.options.HELP``) as a literal block."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        text = str(load_class(self.arguments[0])).rstrip("\n")
        return [nodes.literal_block(text, text)]


def summary(path: Path) -> str:
    """A module's docstring's first paragraph, in one line, with RST markup made plain."""
    doc = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8"))) or ""
    first = " ".join(doc.split("\n\n")[0].split())
    return _ROLE.sub(r"`\1`", first.replace("``", "`"))


class ForgeModules(SphinxDirective):
    """Every module of one package folder with the first paragraph of its docstring."""

    required_arguments = 1
    has_content = False

    def run(self) -> list[nodes.Node]:
        folder = ROOT / self.arguments[0]
        items = nodes.definition_list(classes=["forge-modules"])
        for path in sorted(folder.glob("*.py")):
            if path.name == "_version.py":
                continue
            self.env.note_dependency(str(path))
            shown = str(path.relative_to(ROOT))
            term = nodes.term()
            term += nodes.literal(shown, shown)
            definition = nodes.definition()
            paragraph = nodes.paragraph()
            paragraph += inline(summary(path) or "(no docstring)")
            definition += paragraph
            item = nodes.definition_list_item()
            item += term
            item += definition
            items += item
        return [items]


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_directive("forge-modules", ForgeModules)
    app.add_directive("forge-config", ForgeConfig)
    app.add_directive("forge-text", ForgeText)
    return {"parallel_read_safe": True, "parallel_write_safe": True, "version": "1"}
