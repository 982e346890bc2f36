"""The approval widget's notes: what the code tried comes first, in red, escaped."""

from __future__ import annotations

from jupyter_forge.core.result import Attempt, ForgeResult
from jupyter_forge.core.spec import parse_cell
from jupyter_forge.core.validation import ValidationReport
from jupyter_forge.kernel import render


def result_that_tried(*tried: str) -> ForgeResult:
    code = "import os\n\ndef f(x):\n    return x\n"
    report = ValidationReport(passed=True, attempted=list(tried))
    attempt = Attempt(number=1, reply=code, code=code, report=report)
    result = ForgeResult(
        spec=parse_cell("f", "Return x.\n>>> f(1)\n1\n"), model="m", attempts=[attempt]
    )
    result.code, result.report = code, report
    result.findings = ["line 1: imports os (operating system access)"]
    return result


def test_attempts_come_first_in_red_before_the_findings() -> None:
    notes = render.notes(result_that_tried("tried to open <b>/x</b> for writing"), [])
    assert notes.startswith("<div style='color:#cf222e'><p><b>Tried while it ran in the sandbox")
    assert "tried to open &lt;b&gt;/x&lt;/b&gt; for writing" in notes  # hostile text escaped
    assert notes.index("Tried while it ran") < notes.index("Review these")


def test_no_attempts_no_red_block() -> None:
    notes = render.notes(result_that_tried(), [])
    assert "Tried while it ran" not in notes and "Review these" in notes
