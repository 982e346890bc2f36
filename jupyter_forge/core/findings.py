"""Advisory static findings for the reviewer: what the code touches.

These are hints for the human who approves, never the security boundary (the
sandbox is). They list imports and calls that reach outside the function.
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
}
_RISKY_CALLS = {
    "eval": "evaluates strings as code",
    "exec": "executes strings as code",
    "compile": "compiles strings as code",
    "__import__": "dynamic import",
    "globals": "touches module globals",
    "setattr": "changes attributes dynamically",
    "delattr": "deletes attributes dynamically",
}


def static_findings(code: str) -> list[str]:
    """One line per thing a reviewer should look at, in source order, deduplicated."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    found: list[str] = []

    def add(line: int, text: str) -> None:
        entry = f"line {line}: {text}"
        if entry not in found:
            found.append(entry)

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                root = alias.name.split(".")[0]
                if root in _RISKY_MODULES:
                    add(node.lineno, f"imports {alias.name} ({_RISKY_MODULES[root]})")
        elif isinstance(node, ast.ImportFrom) and node.module:
            root = node.module.split(".")[0]
            if root in _RISKY_MODULES:
                add(node.lineno, f"imports from {node.module} ({_RISKY_MODULES[root]})")
        elif isinstance(node, ast.Call):
            func = node.func
            if isinstance(func, ast.Name) and func.id in _RISKY_CALLS:
                add(node.lineno, f"calls {func.id}() ({_RISKY_CALLS[func.id]})")
            elif isinstance(func, ast.Name) and func.id == "open" and _opens_for_write(node):
                add(node.lineno, "opens a file for writing")
            elif isinstance(func, ast.Attribute) and func.attr in ("write_text", "write_bytes"):
                add(node.lineno, f"writes a file ({func.attr})")
    found.sort(key=lambda entry: int(entry.split(":")[0].split()[1]))
    return found


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
