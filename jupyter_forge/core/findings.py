"""Static findings for the reviewer: what the code touches, including by aliases.

These are hints for the human who approves, never the security boundary (the
sandbox is). They list imports and calls that reach outside the function, and the
ways code reaches them without naming them: dunder internals
(``(lambda: 0).__globals__``), attributes by computed names (``getattr(x, 'op' + 'en')``)
and ``open`` under another name (``o = open``, ``builtins.open``).

:func:`risky_findings` is the part approval without a person refuses. Informational
(listed, never refused): importing ``pathlib`` or ``threading`` (a path or a thread
does nothing outside by itself; the file changes are findings of their own) and
``setattr``/``delattr`` with a literal name (a plain attribute assignment, spelt out).
Everything else can act on the world or hide what the code reaches, and code that
behaves in the sandbox can act differently in the kernel, so only a person may pass it.
"""

from __future__ import annotations

import ast

_RISKY_MODULES = {
    "os": "operating system access",
    "sys": "interpreter internals",
    "subprocess": "starts processes",
    "socket": "network access",
    "ctypes": "raw memory / C calls",
    "pickle": "unpickling can run code",
    "marshal": "loads code objects",
    "shutil": "file operations",
    "pathlib": "file paths",
    "requests": "network access",
    "urllib": "network access",
    "httpx": "network access",
    "http": "network access",
    "aiohttp": "network access",
    "ftplib": "network access",
    "smtplib": "sends mail",
    "importlib": "dynamic imports",
    "multiprocessing": "starts processes",
    "threading": "starts threads",
    "signal": "signal handlers",
    "tempfile": "file writes",
    "builtins": "reaches builtins by name",
    "gc": "reaches every object",
    "inspect": "reaches frames and globals",
    "code": "runs strings as code",
    "codeop": "compiles strings as code",
    "runpy": "runs modules",
    "pty": "starts processes",
    "_posixsubprocess": "starts processes",
}
_INFORMATIONAL_MODULES = frozenset({"pathlib", "threading"})
_RISKY_CALLS = {
    "eval": "evaluates strings as code",
    "exec": "executes strings as code",
    "compile": "compiles strings as code",
    "__import__": "dynamic import",
    "globals": "touches module globals",
    "locals": "reads a namespace as a dict",
    "vars": "reads a namespace as a dict",
    "breakpoint": "starts a debugger",
    "setattr": "changes attributes dynamically",
    "delattr": "deletes attributes dynamically",
}
_BY_NAME = ("getattr", "setattr", "delattr", "hasattr")
# Attributes that lead from any object to globals, builtins, code or every class.
_INTERNALS = frozenset(
    {
        "__globals__", "__builtins__", "__subclasses__", "__base__", "__bases__", "__mro__",
        "__code__", "__closure__", "__func__", "__dict__", "__getattribute__", "__import__",
        "__loader__", "__spec__", "__reduce__", "__reduce_ex__", "__self__",
        "__init_subclass__", "__class_getitem__", "__set_name__", "__traceback__",
        "__kwdefaults__", "__defaults__", "__objclass__",
        "tb_frame", "tb_next", "f_globals", "f_locals", "f_builtins", "f_back", "f_code",
        "gi_frame", "gi_code", "cr_frame", "cr_code", "ag_frame", "ag_code", "co_code",
        "co_consts",
    }
)  # fmt: skip
_OPENERS = {"builtins", "io", "_io", "os", "codecs", "__builtins__", "pathlib", "fileinput"}
# Not rename/replace: strings and DataFrames have those too.
_FILE_CHANGES = (
    "unlink", "rmdir", "touch", "mkdir", "chmod", "symlink_to", "hardlink_to",
)  # fmt: skip


def _module_findings(node: ast.stmt) -> list[tuple[str, bool]]:
    """(finding, risky) for the modules an import statement names."""
    if isinstance(node, ast.Import):
        names = [(alias.name, f"imports {alias.name}") for alias in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
        names = [(node.module, f"imports from {node.module}")]
    else:
        return []
    out = []
    for module, text in names:
        root = module.split(".")[0]
        if root in _RISKY_MODULES:
            out.append((f"{text} ({_RISKY_MODULES[root]})", root not in _INFORMATIONAL_MODULES))
    return out


def _literal_text(node: ast.expr | None) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def _call_findings(node: ast.Call) -> list[tuple[str, bool]]:
    func, out = node.func, []
    if isinstance(func, ast.Name) and func.id in _RISKY_CALLS:
        name = _literal_text(node.args[1]) if len(node.args) > 1 else None
        plain = func.id in ("setattr", "delattr") and name is not None and name not in _INTERNALS
        out.append((f"calls {func.id}() ({_RISKY_CALLS[func.id]})", not plain))
    if isinstance(func, ast.Name) and func.id in _BY_NAME and len(node.args) > 1:
        name = _literal_text(node.args[1])
        if name is None:
            out.append(
                (f"{func.id}() with a computed attribute name (hides what it reaches)", True)
            )
        elif name in _INTERNALS or name == "open" or name in _RISKY_CALLS:
            out.append((f"{func.id}() reaches `{name}` by a string", True))
    if isinstance(func, ast.Name) and func.id == "open" and _opens_for_write(node):
        out.append(("opens a file for writing", True))
    elif isinstance(func, ast.Attribute) and func.attr in ("write_text", "write_bytes"):
        out.append((f"writes a file ({func.attr})", True))
    elif isinstance(func, ast.Attribute) and func.attr in _FILE_CHANGES:
        out.append((f"changes files ({func.attr})", True))
    return out


def _expr_findings(node: ast.AST, calls: set[int]) -> list[tuple[str, bool]]:
    """Dunder internals, ``__builtins__`` and ``open`` under another name."""
    if isinstance(node, ast.Attribute):
        if node.attr in _INTERNALS:
            return [
                (f"reaches `{node.attr}` (interpreter internals: globals, builtins, code)", True)
            ]
        if node.attr == "open" and isinstance(node.value, ast.Name) and node.value.id in _OPENERS:
            return [(f"reaches open through {node.value.id}.open", True)]
    if isinstance(node, (ast.Name, ast.FunctionDef, ast.AsyncFunctionDef)):
        named = node.id if isinstance(node, ast.Name) else node.name
        if named.startswith("__forge_"):
            # The forge's own machinery (the --compose loader): a candidate has no business
            # naming it, and the sandbox's recorder does not watch it.
            return [(f"uses `{named}` (the forge's own machinery)", True)]
    if isinstance(node, ast.Name):
        if node.id in ("__builtins__", "__loader__", "__spec__"):
            return [(f"reaches `{node.id}` (interpreter internals)", True)]
        if node.id == "open" and id(node) not in calls:
            return [("refers to open without calling it (an alias hides file access)", True)]
    if isinstance(node, ast.Subscript):
        key = _literal_text(node.slice)
        if key is not None and (key in _INTERNALS or key == "open" or key in _RISKY_CALLS):
            return [(f"reaches `{key}` by a string key", True)]
    return []


def _all_findings(code: str) -> list[tuple[int, str, bool]]:
    """(line, finding, risky) in source order, one per line and text."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    calls = {id(n.func) for n in ast.walk(tree) if isinstance(n, ast.Call)}
    found: list[tuple[int, str, bool]] = []
    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            items = _module_findings(node)
        elif isinstance(node, ast.Call):
            items = _call_findings(node)
        else:
            items = _expr_findings(node, calls)
        line = getattr(node, "lineno", 0)
        for text, risky in items:
            if not any(f[0] == line and f[1] == text for f in found):
                found.append((line, text, risky))
    found.sort(key=lambda entry: entry[0])
    return found


def static_findings(code: str) -> list[str]:
    """One line per thing a reviewer should look at, in source order, deduplicated."""
    return [f"line {line}: {text}" for line, text, _ in _all_findings(code)]


def risky_findings(code: str) -> list[str]:
    """The findings approval without a person refuses (see the module docstring)."""
    return [f"line {line}: {text}" for line, text, risky in _all_findings(code) if risky]


def _opens_for_write(call: ast.Call) -> bool:
    mode: ast.expr | None = call.args[1] if len(call.args) > 1 else None
    for keyword in call.keywords:
        if keyword.arg == "mode":
            mode = keyword.value
    if isinstance(mode, ast.Constant) and isinstance(mode.value, str):
        return any(flag in mode.value for flag in "wax+")
    return mode is not None


def third_party_imports(code: str, stdlib: frozenset[str] | None = None) -> list[str]:
    """Top-level module names imported by ``code`` that are not in the standard library."""
    import sys

    known = stdlib if stdlib is not None else frozenset(sys.stdlib_module_names)
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    names: list[str] = []
    for node in ast.walk(tree):
        roots: list[str] = []
        if isinstance(node, ast.Import):
            roots = [a.name.split(".")[0] for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            roots = [node.module.split(".")[0]]
        for root in roots:
            if root not in known and root not in names:
                names.append(root)
    return names
