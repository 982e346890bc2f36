"""Mutants of a reference say how strong a task's hidden checks are (``benchmarks.ds_mutants``).

Why: a survivor (passes the samples and every hidden check) is a near miss the benchmark
would score correct. The mutation operators must yield code that compiles and differs,
and scoring must tell a check that kills a mutant from one that lets it through: a task
stand-in missing the check for a rule its words state has a survivor that answers
differently on a probe; with the check, it is killed.
"""

from __future__ import annotations

import ast

from benchmarks.ds_mutants import canonical, mutants, score_task, summary
from benchmarks.ds_tasks import DsTask, all_tasks, src

CODE = src(
    '''
    def clip_words(text: str, n: int = 3) -> str:
        """The first n words."""
        if n < 0 or not text:
            raise ValueError("n must be at least 0")
        return " ".join(text.strip().split()[:n])
    '''
)


def test_each_mutant_compiles_differs_and_says_what_changed() -> None:
    found = mutants(CODE)
    changes = {m.change for m in found}
    assert {"Lt -> LtE", "Or -> And", "drop `not`", "drop a `raise`", "drop `.strip()`"} <= changes
    assert {"3 -> 4", "0 -> 1"} <= changes
    texts = [m.code for m in found]
    assert len(texts) == len(set(texts))
    for m in found:
        ast.parse(m.code)
        assert '"""' not in m.code  # docstrings and annotations are not mutated
        assert m.code.strip() != canonical(CODE)


def test_one_change_per_mutant() -> None:
    original = canonical(CODE).splitlines()
    for m in mutants(CODE):
        lines = m.code.splitlines()
        changed = [i for i, (a, b) in enumerate(zip(lines, original, strict=False)) if a != b]
        assert len(lines) == len(original) and len(changed) == 1, m


WORDS = (
    "The first n words of a text, spaces at the ends ignored; n below 0 raises ValueError.\n"
    ">>> clip_words('  a b c d ', 2)\n'a b'\n"
)
CHECKS = ("assert clip_words('a b c', 0) == ''",)
NEGATIVE = "raises(ValueError, clip_words, 'a b', -1)"
REFERENCE = src(
    """
    def clip_words(text: str, n: int) -> str:
        if n < 0:
            raise ValueError("n must be at least 0")
        return " ".join(text.split()[:n])
    """
)


def _task(hidden: tuple[str, ...]) -> DsTask:
    return DsTask("clip_words", WORDS, hidden, REFERENCE, REFERENCE, "text")


def test_a_missing_check_leaves_a_survivor_that_answers_differently_on_a_probe() -> None:
    """Without the "n below 0 raises" check, dropping the ``raise`` survives, and the
    probes show it (a negative n); with the check it is killed."""
    weak = score_task(_task(CHECKS))
    dropped = [s for s in weak["survivors"] if s["change"] == "drop a `raise`"]
    assert dropped and dropped[0]["differs"], weak
    assert any("-1" in d["call"] or "-" in d["call"] for d in dropped[0]["differs"])

    strong = score_task(_task((*CHECKS, NEGATIVE)))
    assert not [s for s in strong["survivors"] if s["change"] == "drop a `raise`"]
    assert strong["killed"] > weak["killed"]
    assert strong["mutants"] == weak["mutants"]
    assert strong["samples_fail"] == weak["samples_fail"] > 0  # `0 -> 1` etc. fail the sample
    totals = summary({"clip_words": strong})
    assert totals["killed"] == strong["killed"] and totals["pass_samples"] > 0


def test_every_reference_has_mutants() -> None:
    """A reference the operators cannot touch would be scored as perfectly guarded."""
    empty = [task.name for task in all_tasks() if not mutants(task.reference)]
    assert empty == []
