"""Turn a model's reply into the code of one tool, or say precisely what is wrong.

Small models wrap code in prose, add example calls and ``print``s, or answer with
another name. We parse with :mod:`ast` and keep only imports, function and class
definitions and UPPER_CASE constants: nothing else the model wrote ever runs.
Problems are returned (not raised) so the repair loop can send them back.
Missing hints or docstring are *notes*, not problems: code that passes its
samples is never thrown away for them (a repair may add them; the reviewer sees
what is still missing).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

from .defs import bound_names

_FENCE = re.compile(r"```[ \t]*([A-Za-z0-9_+-]*)[^\n]*\n(.*?)(?:```|\Z)", re.DOTALL)
_CODE_START = re.compile(r"^(?:import |from \S+ import |def |async def |class |@)", re.MULTILINE)


@dataclass
class Extraction:
    """The kept code plus everything the reviewer and the repair prompt should know."""

    code: str | None
    problems: list[str] = field(default_factory=list)  # the code cannot be the tool as is
    notes: list[str] = field(default_factory=list)  # what a typed, documented tool still lacks
    dropped: list[str] = field(default_factory=list)
    functions: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.code is not None and not self.problems

    @property
    def complete(self) -> bool:
        return self.ok and not self.notes


def _candidate_texts(reply: str) -> list[tuple[str, bool]]:
    """Code blocks (strict) or, without fences, the reply itself (lenient)."""
    fenced = [
        body
        for lang, body in _FENCE.findall(reply)
        if lang.lower() in ("", "python", "py", "python3") and body.strip()
    ]
    if fenced:
        candidates = [(body, True) for body in fenced]
        if len(fenced) > 1 and _distinct_defs("\n\n".join(fenced)):
            # A helper in one block and the function in the next: keep them together.
            candidates.insert(0, ("\n\n".join(fenced), True))
        return candidates
    texts = [(reply, False)]
    match = _CODE_START.search(reply)
    if match:
        texts.append((reply[match.start() :], False))
    return texts


def _distinct_defs(text: str) -> bool:
    """``text`` parses and defines no top-level function or class twice."""
    try:
        module = ast.parse(text)
    except SyntaxError:
        return False
    names = [
        n.name
        for n in module.body
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))
    ]
    return len(names) == len(set(names))


def _parse_prefix(text: str) -> ast.Module | None:
    """Parse ``text``; if trailing prose breaks it, drop lines from the end until it parses."""
    lines = text.split("\n")
    for end in range(len(lines), 0, -1):
        try:
            return ast.parse("\n".join(lines[:end]))
        except SyntaxError:
            continue
    return None


def _is_constant_assign(node: ast.stmt) -> bool:
    targets: list[ast.expr] = []
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, ast.AnnAssign) and node.value is not None:
        targets = [node.target]
    return bool(targets) and all(isinstance(t, ast.Name) and t.id.isupper() for t in targets)


def _keep(node: ast.stmt) -> bool:
    return isinstance(
        node, (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)
    ) or _is_constant_assign(node)


_TEST_NAME = re.compile(r"^(?:_?tests?(?:_\w*)?|check(?:_\w*)?|main|run_tests?|demo)$")


def _unused_tests(kept: list[ast.stmt], name: str) -> list[ast.stmt]:
    """Test or demo functions the model added that nothing in the tool calls.

    Why: a ``check()`` full of the model's own (often wrong) asserts is not part of
    the tool, yet it would be reviewed, saved and served with it.
    """
    tests: list[ast.FunctionDef | ast.AsyncFunctionDef] = [
        n
        for n in kept
        if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))
        and n.name != name
        and _TEST_NAME.match(n.name)
    ]
    # Tests only other unused tests call (main() running test_f()) go too: grow the
    # set of needed names from the real code until nothing more is reached.
    needed: list[ast.stmt] = [n for n in kept if n not in tests]
    while True:
        used = {node.id for n in needed for node in ast.walk(n) if isinstance(node, ast.Name)}
        reached = [t for t in tests if t not in needed and t.name in used]
        if not reached:
            return [t for t in tests if t not in needed]
        needed += reached


def _imports_first(kept: list[ast.stmt]) -> list[ast.stmt]:
    """The kept imports moved above the definitions, each group in its own order.

    Why: models put ``import pandas as pd`` after the function, with the example
    usage that extraction drops; the signature's ``pd.DataFrame`` is evaluated when
    the function is defined, before that import, so the tool fails to load, and the
    import fixer sees ``pd`` bound and adds nothing. An import whose name a kept
    definition also binds stays where it is: moving it would change which one wins.
    """
    imports = [n for n in kept if isinstance(n, (ast.Import, ast.ImportFrom))]
    defined = {name for n in kept if n not in imports for name in bound_names(n)}
    hoisted = [n for n in imports if not (bound_names(n) & defined)]
    return hoisted + [n for n in kept if n not in hoisted]


def _describe(node: ast.stmt, source: str) -> str:
    segment = ast.get_source_segment(source, node) or type(node).__name__
    first = segment.strip().split("\n")[0]
    return first if len(first) <= 80 else first[:77] + "..."


def _rank(extraction: Extraction) -> tuple[int, int]:
    return len(extraction.problems), len(extraction.notes)


def _signature_notes(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    problems: list[str] = []
    args = func.args
    every = [*args.posonlyargs, *args.args, *args.kwonlyargs]
    if args.vararg:
        every.append(args.vararg)
    if args.kwarg:
        every.append(args.kwarg)
    missing = [a.arg for a in every if a.annotation is None]
    if missing:
        names = ", ".join(f"`{m}`" for m in missing)
        problems.append(f"parameter(s) {names} of `{func.name}` have no type hint")
    if func.returns is None:
        problems.append(f"`{func.name}` has no return type hint (add `-> ...`)")
    if not ast.get_docstring(func):
        problems.append(f"`{func.name}` has no docstring")
    return problems


def _keep_source(source: str, nodes: list[ast.stmt]) -> str:
    lines = source.split("\n")
    chunks = []
    for node in nodes:
        start = node.lineno
        decorators = getattr(node, "decorator_list", [])
        if decorators:
            start = min(start, *(d.lineno for d in decorators))
        end = node.end_lineno or node.lineno
        chunks.append("\n".join(lines[start - 1 : end]).rstrip())
    code = ""
    previous_was_import = False
    for node, chunk in zip(nodes, chunks, strict=False):
        is_import = isinstance(node, (ast.Import, ast.ImportFrom))
        if code:
            code += "\n" if (is_import and previous_was_import) else "\n\n\n"
        code += chunk
        previous_was_import = is_import
    return code + "\n"


_TYPING_NAMES = frozenset(
    [
        "Any",
        "Callable",
        "Dict",
        "DefaultDict",
        "Deque",
        "FrozenSet",
        "Generator",
        "Iterable",
        "Iterator",
        "List",
        "Literal",
        "Mapping",
        "MutableMapping",
        "Optional",
        "Sequence",
        "Set",
        "Tuple",
        "Type",
        "TypeVar",
        "Union",
    ]
)


def add_missing_typing_imports(code: str) -> str:
    """Add ``from typing import ...`` for names the annotations use but nobody imported.

    Small models copy ``List[int]`` signatures without the import; the code then fails
    to load. The fix is mechanical and shown to the reviewer, so make it rather than
    spend a repair round on it.
    """
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return code
    used: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = node.args
            every = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
            notes = [a.annotation for a in every if a is not None and a.annotation is not None]
            if node.returns is not None:
                notes.append(node.returns)
            for note in notes:
                used |= {n.id for n in ast.walk(note) if isinstance(n, ast.Name)}
    bound: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound |= {(a.asname or a.name).split(".")[0] for a in node.names}
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
        elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            bound.add(node.id)
    missing = sorted((used & _TYPING_NAMES) - bound)
    if not missing:
        return code
    lines = code.split("\n")
    # After any `from __future__` line: those must stay first or the code cannot compile.
    at = max(
        (i + 1 for i, line in enumerate(lines) if line.startswith("from __future__ ")), default=0
    )
    lines.insert(at, f"from typing import {', '.join(missing)}")
    return "\n".join(lines)


def extract_function(reply: str, name: str) -> Extraction:
    """Find the function ``name`` in ``reply`` and keep only what a tool module may contain."""
    best: Extraction | None = None
    syntax_error: str | None = None
    fenced_parsed = False  # a ```python block parsed: its code is valid, just lacks the function
    for text, strict in _candidate_texts(reply):
        if strict:
            try:
                module: ast.Module | None = ast.parse(text)
            except SyntaxError as exc:
                syntax_error = syntax_error or _syntax_problem(exc)
                continue
            fenced_parsed = True
        else:
            module = _parse_prefix(text)
        extraction = None if module is None else _extract_from(module, text, name)
        if extraction is None:
            continue
        if extraction.complete:
            return extraction
        if best is None or _rank(extraction) < _rank(best):
            best = extraction
    if best is not None and (syntax_error is None or (best.functions and name in best.functions)):
        return best
    if syntax_error is not None:
        return Extraction(code=None, problems=[syntax_error])
    return _no_function(reply, name, fenced_parsed)


def _syntax_problem(exc: SyntaxError) -> str:
    return f"the code has a syntax error: {exc.msg} (line {exc.lineno})"


def _extract_from(module: ast.Module, source: str, name: str) -> Extraction | None:
    """What one candidate text gives: its kept code and what is wrong with it, or None
    when it defines no function at all."""
    kept = [n for n in module.body if _keep(n)]
    dropped = [_describe(n, source) for n in module.body if not _keep(n)]
    # Docstring-only expressions at top level are prose, not worth reporting.
    dropped = [d for d in dropped if not d.startswith(('"', "'"))]
    tests = _unused_tests(kept, name)
    kept = _imports_first([n for n in kept if n not in tests])
    dropped += [_describe(n, source) for n in tests]
    functions = [n for n in kept if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))]
    if not functions:
        return None
    names = [f.name for f in functions]
    extraction = Extraction(
        code=add_missing_typing_imports(_keep_source(source, kept)),
        dropped=dropped,
        functions=names,
    )
    target = [f for f in functions if f.name == name]
    if not target:
        others = ", ".join(f"`{n}`" for n in names)
        extraction.problems.append(
            f"the code defines {others} but not `{name}`: the function must be named `{name}`"
        )
    else:
        extraction.notes.extend(_signature_notes(target[-1]))
        if isinstance(target[-1], ast.AsyncFunctionDef):
            extraction.problems.append(f"`{name}` must be a plain `def`, not `async def`")
    return extraction


def _no_function(reply: str, name: str, fenced_parsed: bool) -> Extraction:
    """No candidate defined a function: name the syntax error of unfenced code, if any."""
    start = _CODE_START.search(reply)
    if not fenced_parsed and start is not None:
        try:
            ast.parse(reply[start.start() :])
        except SyntaxError as exc:
            return Extraction(code=None, problems=[_syntax_problem(exc)])
    return Extraction(
        code=None,
        problems=[
            "the reply contains no Python function: answer with one ```python block "
            f"defining `{name}`"
        ],
    )
