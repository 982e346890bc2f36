"""Code whose result depends on the order of a set: passed under one hash seed only.

Why: a set of strings iterates in an order fixed by Python's hash seed, which differs
in every process. ``list(set(names))`` can match a sample in the sandbox and give
another order in the person's kernel: a green tool that is wrong there. The sandbox
runs with a fixed seed (so a verdict is repeatable); code that builds sets runs again
under other seeds, and a sample counts as passed only if it passed every time and
printed the same value every time (dict keys taken from a set pass ``==`` in any
order, but their order shows in every printout). Code that builds no set runs once.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import replace

from .disagreement import literal_value, same_value
from .spec import Sample
from .validation import SampleResult, ValidationReport

# The sandbox's seed, then the others that code building a set also runs under (until
# one changes a verdict). One other seed misses half the two-item sets: ``{'a', 'b'}``
# iterates the same way under seeds 0 and 1, the other way under 2 and 3.
FIRST_SEED = 0
OTHER_SEEDS = (1, 2, 3)

# Methods that return a set (or iterate one) whatever they are called on.
_SET_METHODS = frozenset({"union", "intersection", "difference", "symmetric_difference"})

DEPENDS_ON_ORDER = (
    "passes in one Python process and fails in another (a set's order changes with "
    "Python's hash seed): make the order explicit, e.g. sorted(...) or the input's order"
)

SHOWS_ITS_ORDER = (
    "prints its result in another order in another Python process (dict keys or items "
    "taken from a set follow Python's hash seed): make the order explicit, e.g. the "
    "input's first-seen order (dict.fromkeys) or sorted(...)"
)


def may_depend_on_hash_order(code: str, samples: Sequence[Sample] = ()) -> bool:
    """Whether the code or a sample builds a set: only then is a second run worth it."""
    for text in [code, *(sample.source for sample in samples)]:
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError, MemoryError, RecursionError):
            continue
        if any(_builds_a_set(node) for node in ast.walk(tree)):
            return True
    return False


def _builds_a_set(node: ast.AST) -> bool:
    if isinstance(node, ast.Set | ast.SetComp):
        return True
    if isinstance(node, ast.Call):
        func = node.func
        if isinstance(func, ast.Name) and func.id in ("set", "frozenset", "hash"):
            return True
        if isinstance(func, ast.Attribute) and func.attr in _SET_METHODS:
            return True
    return False


def across_seeds(
    run: Callable[[int], ValidationReport], code: str, samples: Sequence[Sample]
) -> ValidationReport:
    """``run(seed)`` under the fixed seed, and under the other seeds when the code builds
    a set and a sample passed (a failing run has nothing to lose), stopping at the first
    seed that changes a verdict."""
    first = run(FIRST_SEED)
    if first.load_error or not any(r.passed for r in first.results):
        return first
    if not may_depend_on_hash_order(code, samples):
        return first
    seconds = first.seconds
    own_sets = frozenset(i for i, s in enumerate(samples) if may_depend_on_hash_order("", [s]))
    for seed in OTHER_SEEDS:
        other = run(seed)
        seconds += other.seconds
        merged = merge(first, other, own_sets)
        if merged is not first:
            return replace(merged, seconds=seconds)
    return replace(first, seconds=seconds)


def merge(
    first: ValidationReport, second: ValidationReport, own_sets: frozenset[int] = frozenset()
) -> ValidationReport:
    """One report: a sample passes only if it passed under both seeds with the same value;
    where they differ, its error says why (the repair prompt reads it). Outputs that
    differ without a verdict are left alone: a sample with no expectation, one that
    failed both times (an object's address differs in every process anyway), or one
    whose own source builds a set (``own_sets``, by index: its input's order is the
    sample's, not the tool's)."""
    if second.load_error or len(second.results) != len(first.results):
        return first  # the second run broke for its own reasons: keep what the first saw
    pairs = list(zip(first.results, second.results, strict=True))
    results = [_merged(a, b, own_set=i in own_sets) for i, (a, b) in enumerate(pairs)]
    if all(merged is a for merged, (a, _) in zip(results, pairs, strict=True)):
        return first
    return replace(
        first,
        passed=first.passed and all(r.passed for r in results),
        results=results,
        attempted=list(dict.fromkeys([*first.attempted, *second.attempted])),
    )


def _merged(a: SampleResult, b: SampleResult, *, own_set: bool) -> SampleResult:
    if a.passed != b.passed:
        failed = b if a.passed else a
        return replace(failed, error=f"{DEPENDS_ON_ORDER}: {failed.error}")
    if a.passed and not own_set and _printed_differently(a, b):
        return replace(
            b, passed=False, error=f"{SHOWS_ITS_ORDER}: got {a.got} in one, {b.got} in another"
        )
    return a


def _printed_differently(a: SampleResult, b: SampleResult) -> bool:
    """Both matched the expectation, yet as different values (``==`` ignores a dict's key
    order; :func:`.disagreement.same_value` does not). A set's own order is not a
    difference, nor is text that is not a literal (it matched the expectation as text)."""
    if a.expected is None or a.got is None or b.got is None or a.got == b.got:
        return False
    try:
        left, right = literal_value(a.got.strip()), literal_value(b.got.strip())
    except (ValueError, SyntaxError, TypeError, MemoryError, RecursionError):
        return False
    return not same_value(left, right)
