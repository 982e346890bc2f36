"""Where a failing check from the words broke: in the tool, or in the check's own code.

Why: a check written from the words guesses what the tool returns. When it guesses a
type the words do not ask for (``result.columns`` on the Series the request asked for,
``.date()`` on an int), it raises in its own code and never reaches a line of the tool.
Such a failure says nothing about the tool: on the DS benchmark's recorded runs every
one of them (type guesses, inputs the check could not build) came from a wrong check,
while failures inside the tool, in the comparison or in a lookup (a missing key or
column) came from right checks too. So
they are not held against a candidate, not sent to a repair (which would bend a right
tool toward the wrong type), and shown to the reviewer as probably a wrong check. The
tool stays doubtful: the person drops the check or accepts it.
"""

from __future__ import annotations

import re

from .hash_order import DEPENDS_ON_ORDER
from .validation import SampleResult, ValidationReport

# The file name the sandbox worker compiles candidate code under (sandbox/worker.py's
# CANDIDATE_FILE; the worker runs apart from this package, so a test keeps them equal).
CANDIDATE_FILE = "<forge candidate>"

OWN_CODE_NOTE = "failed in the check's own code, not in the tool: probably a wrong check"

# "f() takes 1 positional argument", "f() got an unexpected keyword argument 'unit'",
# "f() missing 1 required positional argument": the tool lacks a parameter the words may
# ask for, so the fault may be the tool's. A method's ("Series.sort_values() got ...")
# is the check's own call on the result.
_CALL_SIGNATURE = re.compile(r"(?<![\w.])\w+\(\) (takes|got|missing)\b")

# The comparison failed; or a key, column or position the check looked up in the result
# is missing, which is as often the tool's fault (a column the words ask for) as the
# check's (a recorded run: a `KeyError: 'column'` told a wrong table from a right one).
_THE_TOOLS_MAYBE = ("AssertionError", "KeyError", "IndexError")


def failed_in_own_code(result: SampleResult) -> bool:
    """Whether a failing check raised without reaching the tool's code, other than by
    its assertion, a lookup in the result, calling the tool with other parameters, or
    on a None result."""
    if result.passed or not result.traceback or not result.error:
        return False
    if result.error.startswith(DEPENDS_ON_ORDER) or f'File "{CANDIDATE_FILE}"' in result.traceback:
        return False
    last = result.traceback.strip().splitlines()[-1]
    if not last or "NoneType" in last or last.startswith(_THE_TOOLS_MAYBE):
        return False
    return not _CALL_SIGNATURE.search(last)


def held_against(report: ValidationReport | None) -> list[bool]:
    """Per check, whether its outcome counts against the candidate (failed, and not in
    the check's own code); all False when the checks did not load (nothing was run)."""
    if report is None or report.load_error:
        return []
    return [not r.passed and not failed_in_own_code(r) for r in report.results]
