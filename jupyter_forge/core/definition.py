"""What a tool's code runs merely by being defined (exec'd into the kernel).

Why: approval execs the module before anyone calls the function, so a constant that
calls a helper, a decorator, a class body that calls, a default argument or an
annotation that calls all act on approval, and the function's samples never see
them. A tool module should only define things: literals, compositions of literals
and imported names, and a few pure constructors (``re.compile``, ``frozenset``...).
Everything else is a *definition-time effect*: listed for the reviewer, and
approval without a person refuses it (:mod:`.auto_approve`).
"""

from __future__ import annotations

import ast

# Calls that only build a value from their arguments (checked recursively).
_PURE_CALLS = frozenset(
    {
        "re.compile", "builtins.frozenset", "builtins.set", "builtins.tuple", "builtins.list",
        "builtins.dict", "builtins.range", "builtins.int", "builtins.float", "builtins.str",
        "builtins.bytes", "builtins.complex", "builtins.bool", "builtins.object",
        "builtins.slice", "decimal.Decimal", "fractions.Fraction", "datetime.date",
        "datetime.datetime", "datetime.time", "datetime.timedelta", "datetime.timezone",
        "collections.namedtuple", "typing.NamedTuple", "typing.TypeVar", "typing.NewType",
        "typing.TypedDict", "typing.cast", "dataclasses.field", "enum.auto",
    }
)  # fmt: skip
_PURE_DECORATORS = frozenset(
    {
        "builtins.staticmethod", "builtins.classmethod", "builtins.property",
        "dataclasses.dataclass", "typing.overload", "typing.final", "typing.runtime_checkable",
        "abc.abstractmethod", "enum.unique",
    }
)  # fmt: skip
_PURE_PREFIXES = ("functools.",)
_CLASS_HOOKS = frozenset({"__init_subclass__", "__set_name__", "__class_getitem__"})
_FUNCTIONS = (ast.FunctionDef, ast.AsyncFunctionDef)


class _Module:
    """Module-level name bindings, to resolve ``np.array`` or ``Decimal`` to a module path."""

    def __init__(self, tree: ast.Module) -> None:
        self.imported: dict[str, str] = {}
        self.defined: set[str] = set()
        self.lazy = any(
            isinstance(n, ast.ImportFrom)
            and n.module == "__future__"
            and any(a.name == "annotations" for a in n.names)
            for n in tree.body
        )
        for node in tree.body:  # only module-level statements bind module-level names
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.imported[alias.asname] = alias.name
                    else:
                        root = alias.name.split(".")[0]
                        self.imported[root] = root
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    self.imported[alias.asname or alias.name] = f"{node.module}.{alias.name}"
            elif isinstance(node, (*_FUNCTIONS, ast.ClassDef)):
                self.defined.add(node.name)
            else:
                self.defined.update(
                    n.id
                    for n in ast.walk(node)
                    if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)
                )

    def qualified(self, node: ast.expr) -> str | None:
        """``np.linalg.norm`` -> ``numpy.linalg.norm``; None for anything else."""
        parts: list[str] = []
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        if node.id in self.imported:
            root = self.imported[node.id]
        elif node.id in self.defined:
            return None  # the module's own name: calling it runs the module's code
        else:
            root = f"builtins.{node.id}"
        return ".".join([root, *reversed(parts)])

    def calls_in(self, node: ast.AST | None) -> list[ast.Call]:
        """Calls evaluated when ``node`` is: all but pure ones and those inside a lambda
        (they run when it is called; a comprehension runs at once, so it counts)."""
        if node is None:
            return []
        found = [sub for sub in ast.walk(node) if isinstance(sub, ast.Call) and not self.pure(sub)]
        return [c for c in found if not _inside_lambda(node, c)]

    def pure(self, call: ast.Call) -> bool:
        name = self.qualified(call.func)
        return name is not None and name in _PURE_CALLS

    def pure_decorator(self, node: ast.expr, siblings: set[str]) -> bool:
        target = node.func if isinstance(node, ast.Call) else node
        if isinstance(node, ast.Call) and any(
            self.calls_in(arg) for arg in [*node.args, *(k.value for k in node.keywords)]
        ):
            return False
        if (
            isinstance(target, ast.Attribute)
            and target.attr in ("setter", "getter", "deleter")
            and isinstance(target.value, ast.Name)
            and target.value.id in siblings
        ):
            return True  # @value.setter on a property of the same class
        name = self.qualified(target)
        return name is not None and (name in _PURE_DECORATORS or name.startswith(_PURE_PREFIXES))


def _inside_lambda(root: ast.AST, call: ast.Call) -> bool:
    for sub in ast.walk(root):
        if isinstance(sub, ast.Lambda) and any(n is call for n in ast.walk(sub.body)):
            return True
    return False


def _describe(call: ast.Call) -> str:
    try:
        text = ast.unparse(call.func)
    except Exception:
        text = "a call"
    return (text if len(text) <= 40 else text[:37] + "...") + "()"


def _function(
    node: ast.FunctionDef | ast.AsyncFunctionDef, mod: _Module, siblings: set[str]
) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for decorator in node.decorator_list:
        if not mod.pure_decorator(decorator, siblings):
            out.append((decorator.lineno, f"the decorator on `{node.name}` runs at definition"))
    args = node.args
    for default in [*args.defaults, *(d for d in args.kw_defaults if d is not None)]:
        for call in mod.calls_in(default):
            out.append(
                (call.lineno, f"a default argument of `{node.name}` calls {_describe(call)}")
            )
    if not mod.lazy:
        annotations = [a.annotation for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]]
        annotations += [args.vararg.annotation if args.vararg else None, node.returns]
        annotations += [args.kwarg.annotation if args.kwarg else None]
        for annotation in annotations:
            for call in mod.calls_in(annotation):
                out.append((call.lineno, f"an annotation of `{node.name}` calls {_describe(call)}"))
    return out


def _class(node: ast.ClassDef, mod: _Module) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for decorator in node.decorator_list:
        if not mod.pure_decorator(decorator, set()):
            out.append(
                (decorator.lineno, f"the decorator on class `{node.name}` runs at definition")
            )
    for expr in [*node.bases, *(k.value for k in node.keywords)]:
        for call in mod.calls_in(expr):
            out.append((call.lineno, f"the bases of class `{node.name}` call {_describe(call)}"))
    for keyword in node.keywords:
        if keyword.arg == "metaclass" and mod.qualified(keyword.value) != "abc.ABCMeta":
            out.append((keyword.value.lineno, f"the metaclass of `{node.name}` runs at definition"))
    siblings = {n.name for n in node.body if isinstance(n, _FUNCTIONS)}
    for hook in sorted(siblings & _CLASS_HOOKS):
        out.append((node.lineno, f"class `{node.name}` defines {hook}, which runs at definition"))
    out += _body(node.body, mod, siblings, f"the body of class `{node.name}`")
    return out


def _body(
    body: list[ast.stmt], mod: _Module, siblings: set[str], where: str
) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for stmt in body:
        if isinstance(stmt, _FUNCTIONS):
            out += _function(stmt, mod, siblings)
        elif isinstance(stmt, ast.ClassDef):
            out += _class(stmt, mod)
        elif isinstance(stmt, (ast.Import, ast.ImportFrom, ast.Pass)):
            continue
        elif isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue  # a docstring
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign)):
            values = [stmt.value] if stmt.value is not None else []
            if isinstance(stmt, ast.AnnAssign) and not mod.lazy:
                values.append(stmt.annotation)
            for value in values:
                for call in mod.calls_in(value):
                    out.append((call.lineno, f"{where} calls {_describe(call)} at definition"))
        else:
            out.append(
                (stmt.lineno, f"{where} runs a `{type(stmt).__name__}` statement at definition")
            )
    return out


def definition_effects(code: str) -> list[str]:
    """One line per thing ``code`` does when it is defined, in source order."""
    try:
        tree = ast.parse(code)
    except SyntaxError:
        return []
    found = _body(tree.body, _Module(tree), set(), "the module")
    unique = sorted(set(found), key=lambda entry: (entry[0], entry[1]))
    return [f"line {line}: definition-time effect: {text}" for line, text in unique]
