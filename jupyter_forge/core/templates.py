"""Templates: prompt guidance for common tool shapes (``%%forge NAME --template api``).

A template is a plain Markdown file anyone can read and copy:

    # api: wrap an HTTP API (timeout, retries, key from an environment variable)

    check: input-unchanged        (optional lines: generated checks, see below)
    extends: api                  (optional: the named template's guidance comes first)

    Guidance for the model, in plain words...

The first ``#`` line is the one-line summary ``%forge templates`` shows; the rest
is added to the prompt. Built-ins live in ``jupyter_forge/templates``; a file
``<library>/templates/NAME.md`` adds a template or replaces the built-in of that
name (``extends:`` keeps the built-in and adds to it). Libraries earlier in the
search order win, like tools do.

``check: input-unchanged`` adds, for each sample that calls the tool on a kernel
variable, a sample asserting the variable is unchanged afterwards: "never
mutates its input" is then checked in the sandbox, not just asked for.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from pathlib import Path

from .checks import Check
from .errors import SpecError
from .spec import ForgeSpec, Sample

BUILTIN_DIR = Path(__file__).resolve().parent.parent / "templates"
KNOWN_CHECKS = ("input-unchanged",)
_NAME = re.compile(r"^[A-Za-z0-9_-]+$")


@dataclass(frozen=True)
class Template:
    name: str
    summary: str
    guidance: str
    path: Path
    origin: str  # "built-in" or the library folder it came from
    checks: tuple[str, ...] = ()
    extends: str = ""


def read_template(path: Path, origin: str) -> Template:
    """Parse one template file; an unreadable or malformed one is a one-line SpecError."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise SpecError(f"cannot read the template {path} ({exc}): fix or remove it") from None
    name = path.stem
    summary, extends = "", ""
    body: list[str] = []
    checks: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if not summary and not body and stripped.startswith("#"):
            summary = stripped.lstrip("#").strip()
            prefix = f"{name}:"
            summary = summary[len(prefix) :].strip() if summary.startswith(prefix) else summary
        elif not body and stripped.lower().startswith("check:"):
            check = stripped.split(":", 1)[1].strip()
            if check not in KNOWN_CHECKS:
                raise SpecError(
                    f"{path}: unknown check `{check}` (known: {', '.join(KNOWN_CHECKS)})"
                )
            checks.append(check)
        elif not body and stripped.lower().startswith("extends:"):
            extends = stripped.split(":", 1)[1].strip()
        elif stripped or body:
            body.append(line.rstrip())
    guidance = "\n".join(body).strip()
    return Template(name, summary or name, guidance, path, origin, tuple(checks), extends)


def _folders(libraries: Sequence[str | Path]) -> list[tuple[Path, str]]:
    """Template folders, lowest priority first: built-ins, then libraries last-to-first."""
    folders = [(BUILTIN_DIR, "built-in")]
    folders += [(Path(lib) / "templates", str(Path(lib))) for lib in reversed(libraries)]
    return folders


def available(libraries: Sequence[str | Path] = ()) -> dict[str, Template]:
    """Every template by name; a library's file replaces a built-in (or earlier) one."""
    found: dict[str, Template] = {}
    for folder, origin in _folders(libraries):
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.md")):
            if _NAME.match(path.stem) and path.is_file():
                found[path.stem] = read_template(path, origin)
    return dict(sorted(found.items()))


def _builtin_or_lower(name: str, above: Template, libraries: Sequence[str | Path]) -> Template:
    """What ``extends: NAME`` refers to: the same name from a lower folder, or another name."""
    folders = _folders(libraries)
    index = next((i for i, (f, _) in enumerate(folders) if above.path.parent == f), len(folders))
    candidates = folders[:index] if name == above.name else folders
    for folder, origin in reversed(candidates):
        path = folder / f"{name}.md"
        if path.is_file():
            return read_template(path, origin)
    raise SpecError(f"{above.path}: `extends: {name}` names no template: fix that line")


def get_template(name: str, libraries: Sequence[str | Path] = ()) -> Template:
    """The template ``name`` with ``extends:`` resolved; unknown names list the known ones."""
    templates = available(libraries)
    if name not in templates:
        known = ", ".join(templates) or "none"
        raise SpecError(
            f"--template {name}: no such template (available: {known}); add your own as "
            "<library>/templates/NAME.md"
        )
    template = templates[name]
    seen = {template.path}
    while template.extends:
        base = _builtin_or_lower(template.extends, template, libraries)
        if base.path in seen:
            raise SpecError(f"{template.path}: `extends:` goes round in a circle: fix it")
        seen.add(base.path)
        template = Template(
            template.name,
            template.summary,
            f"{base.guidance}\n{template.guidance}".strip(),
            template.path,
            template.origin,
            tuple(dict.fromkeys(base.checks + template.checks)),
            base.extends,
        )
    return template


def guidance(template: Template) -> str:
    """The prompt block for ``template``."""
    return f"Follow this guidance (the `{template.name}` template: {template.summary}):\n{template.guidance}"


def _calls_on_variables(source: str, name: str, variables: Collection[str]) -> list[ast.Call]:
    try:
        tree = ast.parse(source)
    except SyntaxError:
        return []
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == name
        and node.args
        and isinstance(node.args[0], ast.Name)
        and node.args[0].id in variables
    ]


def _input_calls(spec: ForgeSpec, variables: Collection[str]) -> list[tuple[str, str]]:
    """(call text, variable) for each distinct sample call ``NAME(var, ...)`` on a kernel
    variable."""
    calls: list[tuple[str, str]] = []
    for sample in spec.samples:
        for call in _calls_on_variables(sample.source, spec.name, variables):
            text = ast.unparse(call)
            if text not in (seen for seen, _ in calls):
                calls.append((text, call.args[0].id))  # type: ignore[attr-defined]
    return calls


# The origin of the offered table-stays checks: such a sample must run before any other
# call of the tool (samples share one namespace; see ``apply_checks``).
INPUT_UNCHANGED = "input unchanged"


def _unchanged_sample(name: str, call: str, var: str, origin: str) -> Sample:
    message = f"{name} changed its input `{var}`: work on a copy ({var}.copy())"
    return Sample(
        "import copy as __forge_copy\n"
        f"__forge_before = __forge_copy.deepcopy({var})\n"
        f"{call}\n"
        f"__forge_same = {var}.equals(__forge_before) "
        f'if hasattr({var}, "equals") else ({var} == __forge_before)\n'
        '__forge_same = __forge_same.all() if hasattr(__forge_same, "all") '
        "else __forge_same\n"
        f"assert __forge_same, {message!r}\n",
        "code",
        origin=origin,
    )


def input_unchanged_samples(spec: ForgeSpec, variables: Collection[str]) -> list[Sample]:
    """For each distinct sample call ``NAME(var, ...)`` on a kernel variable: a check that
    ``var`` is equal to a deep copy taken before the call."""
    return [
        _unchanged_sample(spec.name, call, var, "template check: input-unchanged")
        for call, var in _input_calls(spec, variables)
    ]


def input_unchanged_checks(spec: ForgeSpec, variables: Collection[str]) -> list[Check]:
    """The same checks, offered beside the checks from the words on every forge whose
    samples pass the tool a notebook table: a tool that adds a column to the person's
    DataFrame passes every sample and changes their data. Like those checks they never
    block approval; a tool that fails one is doubtful and its repair is told to copy."""
    return [
        Check(
            text=f"{call}  # leaves `{var}` as it was",
            sample=_unchanged_sample(spec.name, call, var, INPUT_UNCHANGED),
            rule="leaves its input unchanged",
        )
        for call, var in _input_calls(spec, variables)
    ]


def apply_checks(spec: ForgeSpec, template: Template, variables: Collection[str]) -> ForgeSpec:
    """``spec`` with the template's generated samples first (none if nothing to check).

    First, because a later sample may already have changed the variable: a transform
    that re-assigns the same column would then look harmless.
    """
    extra: list[Sample] = []
    if "input-unchanged" in template.checks:
        extra += input_unchanged_samples(spec, variables)
    if not extra:
        return spec
    return ForgeSpec(spec.name, spec.request, (*extra, *spec.samples))
