"""The fixed table of imports a model forgets, and whether a name's uses fit one.

Apart from core/imports.py (which reads the code and writes the lines) because the
table is data that grows on its own, and the rule for when a name may be fixed from it
(:func:`resolve`) is where a wrong fix would come from, so it sits next to the table.
Any doubt answers None: a missed fix costs one repair round, a wrong one turns a
plain ``NameError`` into a misleading error.
"""

from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from types import ModuleType

# Standard-library modules a model uses by their own name (``re.sub(...)``).
_STDLIB_MODULES = frozenset(
    {
        "abc",
        "array",
        "base64",
        "bisect",
        "calendar",
        "cmath",
        "collections",
        "contextlib",
        "copy",
        "csv",
        "dataclasses",
        "datetime",
        "decimal",
        "difflib",
        "enum",
        "fnmatch",
        "fractions",
        "functools",
        "glob",
        "hashlib",
        "heapq",
        "html",
        "io",
        "ipaddress",
        "itertools",
        "json",
        "locale",
        "logging",
        "math",
        "numbers",
        "operator",
        "os",
        "pathlib",
        "pickle",
        "pprint",
        "random",
        "re",
        "secrets",
        "shlex",
        "statistics",
        "string",
        "struct",
        "sys",
        "textwrap",
        "time",
        "types",
        "typing",
        "unicodedata",
        "uuid",
        "warnings",
        "zlib",
        "zoneinfo",
    }
)

_TYPING = (
    "AbstractSet Any Awaitable Callable ClassVar Collection DefaultDict Deque Dict Final "
    "FrozenSet Generator Generic Hashable Iterable Iterator List Literal Mapping "
    "MutableMapping MutableSequence MutableSet NamedTuple NoReturn Optional Protocol "
    "Sequence Set Tuple Type TypedDict TypeVar Union cast overload"
)

# Well-known members, imported as ``from module import name``. Left out on purpose:
# ``mean``/``median``/``stdev`` (numpy? statistics? a variable?), and lowercase
# constants such as ``digits`` or ``pi``, which are as often misspelt variables.
_MEMBERS: dict[str, str] = {
    name: module
    for module, names in {
        "abc": "ABC abstractmethod",
        "bisect": "bisect bisect_left bisect_right insort",
        "calendar": "isleap monthrange",
        "collections": "ChainMap Counter OrderedDict defaultdict deque namedtuple",
        "contextlib": "contextmanager suppress",
        "copy": "copy deepcopy",
        "csv": "DictReader DictWriter",
        "dataclasses": "asdict astuple dataclass field",
        "datetime": "date datetime timedelta timezone tzinfo",
        "decimal": (
            "Decimal InvalidOperation ROUND_CEILING ROUND_DOWN ROUND_FLOOR ROUND_HALF_EVEN "
            "ROUND_HALF_UP ROUND_UP getcontext"
        ),
        "enum": "Enum Flag IntEnum StrEnum auto",
        "fractions": "Fraction",
        "functools": (
            "cache cached_property cmp_to_key lru_cache partial reduce total_ordering wraps"
        ),
        "glob": "glob",
        "hashlib": "md5 sha1 sha256",
        "heapq": "heapify heappop heappush heappushpop heapreplace nlargest nsmallest",
        "io": "BytesIO StringIO",
        "itertools": (
            "accumulate chain combinations combinations_with_replacement dropwhile groupby "
            "islice pairwise permutations product starmap takewhile zip_longest"
        ),
        "math": "ceil factorial floor gcd isclose sqrt",
        "operator": "attrgetter itemgetter methodcaller",
        "pathlib": "Path",
        "pprint": "pprint",
        "random": "randint random",
        "textwrap": "dedent",
        "time": "perf_counter sleep",
        "typing": _TYPING,
        "uuid": "uuid4",
        "zoneinfo": "ZoneInfo",
    }.items()
    for name in names.split()
}

# Third-party conventions, added only when the package is installed.
_ALIASES: dict[str, str] = {"np": "numpy", "pd": "pandas"}

# A use of a name: its kind ("attr", "call", "subscript", "decorator", "annotation",
# "type" for isinstance/except/default-factory positions, or "bare") and, for "attr",
# the attribute read on it.
Use = tuple[str, str]

KNOWN_NAMES = frozenset(_STDLIB_MODULES) | frozenset(_MEMBERS) | frozenset(_ALIASES)


def installed(module: str) -> bool:
    """Whether ``module`` can be imported here, without importing it."""
    try:
        return importlib.util.find_spec(module) is not None
    except Exception:  # a broken or odd package must not break the fix
        return False


def _stdlib(module: str) -> ModuleType | None:
    """The standard-library module, to check that a used attribute really exists."""
    try:
        return importlib.import_module(module)
    except Exception:
        return None


def star_names(module: str) -> frozenset[str] | None:
    """The names ``from module import *`` binds, for a standard-library module of the
    table (None for any other: it may bind anything, and importing it to see could run
    its code).

    Why: models open with ``from typing import *``; it cannot bind ``pd``, so it must
    not stop the fix of a signature that uses ``pd.DataFrame``.
    """
    found = _stdlib(module) if module in _STDLIB_MODULES else None
    if found is None:
        return None
    public = getattr(found, "__all__", None)
    if public is None:
        public = [name for name in vars(found) if not name.startswith("_")]
    return frozenset(str(name) for name in public)


def _fits_member(name: str, member: object, uses: list[Use]) -> bool:
    """Every use makes sense for ``member``; bare lowercase names may be misspelt variables."""
    for kind, attr in uses:
        if kind == "attr" and not hasattr(member, attr):
            return False
        if kind in ("call", "decorator") and not callable(member):
            return False
        if kind == "subscript" and not (
            hasattr(member, "__class_getitem__") or hasattr(type(member), "__getitem__")
        ):
            return False
        if kind == "type" and not isinstance(member, type):
            return False
        if kind == "bare" and not name[0].isupper():
            return False
    return True


def resolve(name: str, uses: list[Use], available: Callable[[str], bool]) -> tuple[str, str] | None:
    """The import for ``name``: ("import", "re"), ("from collections", "Counter"), or None."""
    attrs = [attr for kind, attr in uses if kind == "attr"]
    if name in _ALIASES:
        package = _ALIASES[name]
        if len(attrs) == len(uses) and available(package):
            return ("alias", f"{package} as {name}")
        return None
    is_module = name in _STDLIB_MODULES
    if is_module and len(attrs) == len(uses):
        module = _stdlib(name)
        if module is not None and all(hasattr(module, a) for a in attrs):
            return ("import", name)
    home = _stdlib(_MEMBERS[name]) if name in _MEMBERS else None
    member = getattr(home, name, None)
    if home is None or member is None or not _fits_member(name, member, uses):
        return None
    # Both readings exist (``datetime``, ``copy``): ``datetime.now()`` is the class, but
    # ``datetime.date`` next to ``datetime(...)`` mixes both: leave it to the repair.
    if is_module and any(hasattr(home, a) and not a.startswith("__") for a in attrs):
        return None
    return ("from " + _MEMBERS[name], name)
