"""Whether a library tool that search found may stand in for the tool being asked for.

Search ranks by words, and look-alike requests share most words: on HumanEval the
offer fired for ``pairs_sum_to_zero`` with ``triples_sum_to_zero`` and for
``filter_integers`` with ``filter_by_substring``. What the person wrote decides
instead: a signature they declared, and the samples they gave, which the found
tool must pass under the requested name before it is offered.
"""

from __future__ import annotations

from .prompt import stub_function
from .search import argument_names, parameters
from .spec import ForgeSpec


def _arity(names: tuple[str, ...]) -> int | None:
    """How many arguments a call passes; None when ``*args``/``**kwargs`` take any."""
    if any(n.startswith("*") for n in names):
        return None
    return len(names)


def signature_conflict(spec: ForgeSpec, tool_signature: str) -> str | None:
    """Why the tool cannot be called as the request declares, or None."""
    stub = stub_function(spec.request, spec.name)
    declared = argument_names(stub.args) if stub is not None else None
    offered = parameters(tool_signature)
    if declared is None or offered is None:
        return None
    want, have = _arity(declared), _arity(offered)
    if want is None or have is None or want == have:
        return None
    return f"it takes {have} argument(s), the request declares {want}"


def bound_to_request(code: str, tool_name: str, name: str) -> str:
    """The tool's code, also callable as ``name``: what its samples call."""
    if tool_name == name:
        return code
    return f"{code.rstrip()}\n\n\n{name} = {tool_name}\n"
