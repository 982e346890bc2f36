"""Code whose result depends on the order of a set: passed under one hash seed only.

Why: a set of strings iterates in an order fixed by Python's hash seed, which differs
in every process. ``list(set(names))`` can match a sample in the sandbox and give
another order in the person's kernel: a green tool that is wrong there. The sandbox
runs with a fixed seed (so a verdict is repeatable); code that builds sets runs again
under other seeds, and a sample counts as passed only if it passed every time (a
sample's expected dict keeps its key order, so dict keys taken from a set fail too).
Code that builds no set runs once.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Sequence
from dataclasses import replace

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
    "Python's hash seed): make the order explicit, e.g. sorted(...) or the input's "
    "first-seen order (dict.fromkeys)"
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
    for seed in OTHER_SEEDS:
        other = run(seed)
        seconds += other.seconds
        merged = merge(first, other)
        if merged is not first:
            return replace(merged, seconds=seconds)
    return replace(first, seconds=seconds)


def merge(first: ValidationReport, second: ValidationReport) -> ValidationReport:
    """One report: a sample passes only if it passed under both seeds; where the verdicts
    differ, its error says why (the repair prompt reads it). Outputs that differ
    without changing a verdict are left alone: a sample with no expectation, or one
    that failed both times (an object's address differs in every process anyway)."""
    if second.load_error or len(second.results) != len(first.results):
        return first  # the second run broke for its own reasons: keep what the first saw
    pairs = list(zip(first.results, second.results, strict=True))
    if all(a.passed == b.passed for a, b in pairs):
        return first
    results = [_merged(a, b) for a, b in pairs]
    return replace(
        first,
        passed=first.passed and all(r.passed for r in results),
        results=results,
        attempted=list(dict.fromkeys([*first.attempted, *second.attempted])),
    )


def _merged(a: SampleResult, b: SampleResult) -> SampleResult:
    if a.passed == b.passed:
        return a
    failed = b if a.passed else a
    return replace(failed, error=f"{DEPENDS_ON_ORDER}: {failed.error}")
