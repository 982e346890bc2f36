"""Plain-words data-science requests with hidden checks of what the words say.

Why: HumanEval prompts are stubs with several examples; people write a sentence or
two and one or two samples. A forge that passes those samples can still break a
rule the words state (an error case, an edge case, a second input format): a false
green, the worst outcome. Each task here carries the cell a person would write,
hidden checks of every rule its words state (never shown to the model), a
reference solution that passes them all, and a near miss: plausible code that
passes the samples but breaks a stated rule, proving the hidden checks can tell.

Checks use the syntax of :mod:`jupyter_forge.core.checks`: ``assert`` statements,
``raises(ValueError, f, *args)`` lines and ``with pytest.raises(ValueError):`` blocks.
"""

from __future__ import annotations

from dataclasses import dataclass
from textwrap import dedent


@dataclass(frozen=True)
class DsTask:
    """One benchmark request, as a person would type it in a ``%%forge NAME`` cell."""

    name: str  # the tool name: ``%%forge NAME``
    cell: str  # the cell body: a sentence or two of plain words and 1-2 samples
    hidden: tuple[str, ...]  # checks of each rule the words state; never shown to the model
    reference: str  # a correct solution (passes the samples and every hidden check)
    near_miss: str  # passes the samples, breaks at least one stated rule
    category: str  # text | money | dates | units | records | pandas
    setup: str = ""  # notebook code run before the cell (trusted: makes `df` and the like)


def src(text: str) -> str:
    """Source written indented in a task module, as the flush-left text a person types."""
    return dedent(text).strip("\n") + "\n"


def all_tasks() -> list[DsTask]:
    """Every task, in a fixed order (results files index by name)."""
    from . import bare_tables, dates, money_units, pandas_frames, records, text

    tasks: list[DsTask] = []
    for module in (text, money_units, dates, records, pandas_frames, bare_tables):
        tasks.extend(module.TASKS)
    return tasks
