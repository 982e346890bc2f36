"""Inputs the request's words name become "it runs" checks, chosen narrowly."""

from __future__ import annotations

import ast

from jupyter_forge.core.checks import Check
from jupyter_forge.core.named_inputs import MAX_NAMED_INPUTS, named_input_checks
from jupyter_forge.core.spec import Sample, parse_cell


def texts(name: str, body: str) -> list[str]:
    return [c.text for c in named_input_checks(parse_cell(name, body))]


def test_each_quoted_input_becomes_a_call_that_must_run() -> None:
    body = (
        "Convert readings such as '98.6F', '37 °C' or '310.15 K' to Celsius.\n"
        '>>> to_celsius("98.6F")\n37.0\n'
    )
    checks = named_input_checks(parse_cell("to_celsius", body))
    assert [c.text for c in checks] == ["to_celsius('37 °C')", "to_celsius('310.15 K')"]
    first = checks[0]
    assert first.sample.kind == "code" and first.sample.origin == "words"
    assert first.rule == "your words name '37 °C' as an input"


def test_the_other_arguments_stay_as_the_sample_has_them() -> None:
    body = 'Add months to dates like "2024-01-31" or "2023-11-30".\nassert add_months("2024-01-15", 2, clamp=True) == "2024-03-15"\n'
    assert texts("add_months", body) == [
        "add_months('2024-01-31', 2, clamp=True)",
        "add_months('2023-11-30', 2, clamp=True)",
    ]


def test_inputs_in_a_sentence_about_errors_are_left_out() -> None:
    body = (
        "Parse sizes like '200KB' or '1.5 MB'. Units such as '12 parsecs' raise ValueError.\n"
        '>>> parse_size("3 GB")\n3000000000\n'
    )
    assert texts("parse_size", body) == ["parse_size('200KB')", "parse_size('1.5 MB')"]


def test_fragments_templates_outputs_and_the_samples_own_input_are_left_out() -> None:
    body = (
        "Normalise numbers written as '(555) 123-4567' or '555.123.4567', with a leading '+1',"
        " in the form 'YYY-YYY-YYYY', into '555-123-4567'.\n"
        ">>> fmt(\"(555) 123-4567\")\n'555-123-4567'\n"
    )
    # '(555) 123-4567': the sample's own; '+1': a fragment; 'YYY-...': a template (no
    # digits); '555-123-4567': shaped like the expected output.
    assert texts("fmt", body) == ["fmt('555.123.4567')"]


def test_a_two_character_input_counts_and_a_piece_of_another_input_does_not() -> None:
    body = (
        "Convert a duration like '1h 30m', '45m' or '2h' to whole minutes.\n"
        ">>> to_minutes('1h 30m')\n90\n"
    )
    assert texts("to_minutes", body) == ["to_minutes('45m')", "to_minutes('2h')"]
    body = (
        "Convert durations like '1h 30m' or '45m' to minutes; in '1h 30m' the '1h' is hours.\n"
        ">>> to_minutes('2h')\n120\n"
    )
    assert texts("to_minutes", body) == ["to_minutes('1h 30m')", "to_minutes('45m')"]


def test_apostrophes_are_not_quotes() -> None:
    body = "If what's left isn't ten digits, it's 'bad'. Accept '555.123.4567' too.\n>>> f('5551234567')\n'x'\n"
    assert texts("f", body) == ["f('555.123.4567')"]


def test_no_string_call_in_the_samples_no_checks() -> None:
    assert texts("f", "Sum values like '1,5' or '2;3'.\n>>> f(3)\n3\n") == []
    assert texts("f", "Sum values like '1,5' or '2;3'.\n>>> f(df)\n3\n") == []
    assert texts("f", "Sum values like '1,5' or '2;3'.\n") == []


def test_hostile_quotes_stay_string_literals() -> None:
    body = (
        "Take inputs like '1\"); import os; os.system(\"x' or '22 apples'.\n>>> f('3 pears')\n3\n"
    )
    for check in named_input_checks(parse_cell("f", body)):
        call = ast.parse(check.sample.source).body[0]
        assert isinstance(call, ast.Expr) and isinstance(call.value, ast.Call)
        assert all(isinstance(a, ast.Constant) for a in call.value.args)


def test_at_most_a_few_and_none_the_model_already_wrote() -> None:
    quoted = ", ".join(f"'{n}0 units'" for n in range(1, 20))
    body = f"Parse values like {quoted}.\n>>> f('5 units')\n5\n"
    assert len(texts("f", body)) == MAX_NAMED_INPUTS
    spec = parse_cell("f", "Parse values like '10 units' or '20 units'.\n>>> f('5 units')\n5\n")
    written = Check(text="f('10 units')", sample=Sample("f('10 units')", "code"))
    assert [c.text for c in named_input_checks(spec, [written])] == ["f('20 units')"]


def test_inputs_the_samples_already_run_are_not_checked_again() -> None:
    body = (
        'Parse a money string like "$1,234.50" or "(12.00)" into a float.\n'
        '>>> parse_money("$1,234.50")\n1234.5\nassert parse_money("(12.00)") == -12.0\n'
    )
    assert texts("parse_money", body) == []
