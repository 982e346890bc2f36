"""Which found tools may stand in for a request: declared signatures and binding."""

from __future__ import annotations

import pytest

from jupyter_forge.core.reuse import bound_to_request, signature_conflict
from jupyter_forge.core.spec import ForgeSpec

STUB = 'from typing import List\n\n\ndef pairs_sum_to_zero(l: List[int]) -> bool:\n    """Two distinct elements sum to zero."""\n'


@pytest.mark.parametrize(
    ("request_text", "tool_signature", "conflict"),
    [
        (STUB, "triples_sum_to_zero(l: list)", None),  # same arity: the samples decide
        (
            STUB,
            "filter_by_substring(strings: List[str], substring: str) -> List[str]",
            "it takes 2 argument(s), the request declares 1",
        ),
        (STUB, "anything(*args)", None),  # takes any number
        (STUB, "anything(x, **options)", None),
        ("Two distinct elements of a list sum to zero.", "f(a, b)", None),  # prose declares nothing
        (STUB, "not a signature", None),
        ("def other(a, b):\n    pass\n", "f(a)", None),  # declares another function
    ],
)
def test_signature_conflict(request_text: str, tool_signature: str, conflict: str | None) -> None:
    spec = ForgeSpec("pairs_sum_to_zero", request_text)
    assert signature_conflict(spec, tool_signature) == conflict


def test_bound_to_request_makes_the_tool_callable_by_the_requested_name() -> None:
    code = "def slugify(text: str) -> str:\n    return text.lower()\n"
    bound = bound_to_request(code, "slugify", "url_slug")
    namespace: dict[str, object] = {}
    exec(bound, namespace)  # trusted test code
    assert namespace["url_slug"] is namespace["slugify"]
    assert bound_to_request(code, "slugify", "slugify") == code
