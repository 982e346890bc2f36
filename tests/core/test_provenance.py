"""Who wrote the saved code: the model's answer, or a person's edit of it."""

from __future__ import annotations

from jupyter_forge.core.attempt import Attempt
from jupyter_forge.core.provenance import MAX_DIFF_CHARS, edited_by_a_person
from jupyter_forge.core.result import ForgeResult
from jupyter_forge.core.spec import parse_cell

MODEL_CODE = "def f(x):\n    return x * 2\n"


def result(*attempts: Attempt) -> ForgeResult:
    out = ForgeResult(spec=parse_cell("f", "Double it.\n>>> f(2)\n4\n"), model="local-1.5b")
    out.attempts = list(attempts)
    return out


def test_the_models_own_answer_has_no_edit_record() -> None:
    assert edited_by_a_person(result(Attempt(number=1, reply="", code=MODEL_CODE))) is None


def test_an_edit_names_the_person_the_attempt_and_the_change() -> None:
    edit = Attempt(
        number=2, reply="", code="def f(x):\n    return x + x\n", kind="edit", edited_from=1
    )
    record = edited_by_a_person(result(Attempt(number=1, reply="", code=MODEL_CODE), edit))
    assert record is not None and record["by"] and record["from_attempt"] == 1
    assert "--- attempt 1 (local-1.5b)" in record["diff"] and "+++ edited" in record["diff"]
    assert "-    return x * 2" in record["diff"] and "+    return x + x" in record["diff"]


def test_a_whole_rewrite_is_kept_short() -> None:
    long = "def f(x):\n" + "".join(f"    y{i} = {i}\n" for i in range(2000)) + "    return x\n"
    edit = Attempt(number=2, reply="", code=long, kind="edit", edited_from=1)
    record = edited_by_a_person(result(Attempt(number=1, reply="", code=MODEL_CODE), edit))
    assert record is not None and len(record["diff"]) <= MAX_DIFF_CHARS + 20
    assert record["diff"].endswith("(diff cut)\n")
