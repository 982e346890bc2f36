"""What approval without a person may approve: green tools only, never doubtful ones.

A doubtful tool passes its samples and breaks a check from the request's words. The
check may be wrong, so a person decides; ``--approve auto``, the agent's auto mode and
the CLI's ``--yes`` step back from it.
"""

from __future__ import annotations

import pytest
from test_word_checks import report, result_with_checks

from benchmarks.ds_tasks import all_tasks
from jupyter_forge.core import auto_approve
from jupyter_forge.core.attempt import Attempt
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.spec import parse_cell
from jupyter_forge.core.validation import ValidationReport
from jupyter_forge.sandbox import validate
from jupyter_forge.sandbox.attempts import DENIED_LANDLOCK
from jupyter_forge.sandbox.layers import LANDLOCK, active_names


def test_a_tool_passing_its_samples_and_every_check_is_green_and_may_be_auto_approved() -> None:
    result = result_with_checks(report(True, True, True, True))
    assert result.verdict == "passed" and not result.doubtful
    assert auto_approve.refusal(result) is None
    assert result.status_line().startswith("`slug` passed (")


def test_a_tool_breaking_a_check_from_its_words_is_doubtful_and_needs_a_person() -> None:
    result = result_with_checks(report(True, False, True, True))
    assert result.passed  # its samples pass: Approve stays possible
    assert result.verdict == "doubtful" and result.doubtful
    reason = auto_approve.refusal(result)
    assert reason is not None and "breaks checks from your words" in reason
    line = result.status_line()
    assert "passes its samples but breaks 1 of 4 check(s) from your words" in line
    assert '`assert slug("x") == "x"`' in line  # the first broken check, as written
    assert "passed (" not in line


def test_checks_that_did_not_load_make_it_doubtful_too() -> None:
    broken = report()
    broken.passed, broken.load_error = False, "SyntaxError: nope"
    result = result_with_checks(broken)
    assert result.verdict == "doubtful"
    assert "the checks did not load" in result.status_line()


def test_no_checks_run_is_judged_by_the_samples_alone() -> None:
    result = result_with_checks(None)
    assert result.verdict == "passed" and auto_approve.refusal(result) is None


def test_a_failed_forge_is_never_auto_approved() -> None:
    result = ForgeResult(spec=result_with_checks(None).spec, model="m")
    assert result.verdict == "failed"
    assert auto_approve.refusal(result) == "it did not pass its samples"


# -- issue 15: approval without a person approves only clean code ----------------------

CELL = "Return x unchanged.\n>>> f(1)\n1\n"
PURE = "def f(x):\n    return x\n"


def forged(code: str, report: ValidationReport | None = None) -> ForgeResult:
    """A forge result whose shown candidate is ``code``, validated in the real sandbox."""
    spec = parse_cell("f", CELL)
    report = report or validate(code, "f", list(spec.samples))
    attempt = Attempt(number=1, reply=code, code=code, report=report)
    return ForgeResult(spec=spec, model="m", attempts=[attempt], code=code, report=report)


def test_clean_code_is_approved() -> None:
    assert auto_approve.refusal(forged(PURE)) is None


def test_a_swallowed_permission_error_passes_but_is_refused() -> None:
    """The reported hole: the sandbox blocked the write, the candidate caught the
    PermissionError, its samples passed, and --approve auto exec'd it in the kernel."""
    code = (
        "def f(x):\n"
        "    try:\n"
        "        with open('/etc/forge_payload', 'w') as h:\n"
        "            h.write('owned')\n"
        "    except OSError:\n"
        "        pass\n"
        "    return x\n"
    )
    result = forged(code)
    assert result.passed and result.verdict == "passed"
    assert result.report is not None
    denied = f": {DENIED_LANDLOCK}" if LANDLOCK in active_names() else ""
    tried = f"tried to open /etc/forge_payload for writing{denied}"
    assert result.report.attempted == [tried]
    reason = auto_approve.refusal(result)
    assert reason == f"in the sandbox it {tried}, which a person must read"


def test_an_attempt_on_the_checks_from_the_words_counts_too() -> None:
    report = ValidationReport(passed=True, attempted=["tried to start a process sh"])
    result = forged(PURE)
    assert result.shown is not None
    result.shown.checks_report = report
    assert "tried to start a process sh" in (auto_approve.refusal(result) or "")


PAYLOADS = {
    "constant calls a helper": "def _h():\n    return 1\nX = _h()\n" + PURE,
    "decorator": "def d(fn):\n    return fn\n@d\n" + PURE,
    "class body calls": "class C:\n    y = print('hi')\n" + PURE,
    "default argument calls": "def f(x, _=print('x')):\n    return x\n",
    "__globals__ to open": (
        "def f(x):\n    _ = (lambda: 0).__globals__['__builtins__']\n    return x\n"
    ),
    "getattr with a computed name": "def f(x):\n    _ = getattr(__builtins__, 'op' + 'en')\n    return x\n",
    "__subclasses__": "def f(x):\n    _ = ().__class__.__base__.__subclasses__()\n    return x\n",
    "open under another name": "def f(x):\n    o = open\n    return x\n",
}


@pytest.mark.parametrize("name", sorted(PAYLOADS))
def test_payloads_that_pass_their_samples_are_refused(name: str) -> None:
    """Each payload passes its sample and tries nothing in the sandbox the recorder sees
    (or tries it at a moment the samples never reach): static analysis must refuse it."""
    code = PAYLOADS[name]
    result = forged(code, ValidationReport(passed=True))
    assert result.passed
    reason = auto_approve.refusal(result)
    assert reason is not None and "\n" not in reason and reason.endswith("which a person must read")


def test_informational_findings_alone_do_not_refuse() -> None:
    code = "from pathlib import Path\n\ndef f(x):\n    return x\n"
    assert auto_approve.refusal(forged(code, ValidationReport(passed=True))) is None


def test_a_long_reason_stays_one_short_line() -> None:
    tried = [f"tried to open /etc/{'x' * 300}{i} for writing" for i in range(5)]
    result = forged(PURE, ValidationReport(passed=True, attempted=tried))
    reason = auto_approve.refusal(result) or ""
    assert "\n" not in reason and len(reason) < 220 and "(and 4 more)" in reason


def test_no_false_refusal_on_the_ds_references() -> None:
    """Known-clean code is approved: static and definition-time checks of all the DS
    references (their sandbox runs are checked in tests/benchmarks/test_ds_tasks.py)."""
    refused = {
        task.name: auto_approve.refusal(forged(task.reference, ValidationReport(passed=True)))
        for task in all_tasks()
    }
    assert {name: why for name, why in refused.items() if why} == {}
