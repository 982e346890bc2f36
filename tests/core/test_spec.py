"""Spec parsing: a ``%%forge`` cell body → request + samples, tool names, sample strings."""

from __future__ import annotations

import pytest

from jupyter_forge.core.errors import SpecError
from jupyter_forge.core.spec import (
    ForgeSpec,
    Sample,
    check_tool_name,
    merge_samples,
    parse_cell,
    parse_sample_strings,
)

ISSUE_CELL = """Turn a column of price strings like "$1,234.50" or "(12.00)" into floats.
>>> clean_prices(["$1.50", "(2)"])
[1.5, -2.0]
assert clean_prices(["$1,234.50"]) == [1234.5]
Parentheses mean a negative amount.
"""


def one_line(exc: BaseException) -> str:
    text = str(exc)
    assert "\n" not in text, f"error message is not one line: {text!r}"
    return text


# -- parse_cell ------------------------------------------------------------------------


def test_issue_example_cell_expected_output_then_assert() -> None:
    spec = parse_cell("clean_prices", ISSUE_CELL)
    assert isinstance(spec, ForgeSpec)
    assert spec.name == "clean_prices"
    # The assert line ends the doctest output instead of being swallowed into it.
    assert spec.samples == (
        Sample('clean_prices(["$1.50", "(2)"])', "example", "[1.5, -2.0]\n"),
        Sample('assert clean_prices(["$1,234.50"]) == [1234.5]', "assert"),
    )
    # Prose before and after the samples is the request; no sample text leaks into it.
    assert spec.request.startswith("Turn a column of price strings")
    assert spec.request.endswith("Parentheses mean a negative amount.")
    assert ">>>" not in spec.request
    assert "assert" not in spec.request
    assert "[1.5, -2.0]" not in spec.request


def test_multiline_example_with_continuation_lines() -> None:
    body = "Add numbers.\n>>> add(1,\n...     2)\n3\n>>> add(\n...     10, 20)\n30\n"
    spec = parse_cell("add", body)
    assert [s.kind for s in spec.samples] == ["example", "example"]
    assert spec.samples[0].source == "add(1,\n    2)"
    assert spec.samples[0].expected == "3\n"
    assert spec.samples[1].source == "add(\n    10, 20)"
    assert spec.samples[1].expected == "30\n"
    assert spec.request == "Add numbers."


def test_multiline_example_round_trips_as_doctest() -> None:
    spec = parse_cell("add", "Add.\n>>> add(1,\n...     2)\n3\n")
    assert spec.samples[0].as_doctest() == ">>> add(1,\n...     2)\n3"


def test_multiline_assert_spanning_brackets() -> None:
    body = (
        "Merge two dicts.\n"
        "assert merge(\n"
        "    {'a': 1},\n"
        "    {'b': 2},\n"
        ") == {'a': 1, 'b': 2}\n"
        "Later keys win.\n"
    )
    spec = parse_cell("merge", body)
    assert len(spec.samples) == 1
    sample = spec.samples[0]
    assert sample.kind == "assert"
    assert sample.source == "assert merge(\n    {'a': 1},\n    {'b': 2},\n) == {'a': 1, 'b': 2}"
    compile(sample.source, "<t>", "exec")  # the whole statement, not just its first line
    assert spec.request == "Merge two dicts.\nLater keys win."


def test_assert_with_parenthesis_form() -> None:
    spec = parse_cell("f", "Identity.\nassert(f(1) == 1)\n")
    assert spec.samples == (Sample("assert(f(1) == 1)", "assert"),)


def test_example_without_expected_output_is_a_code_sample() -> None:
    spec = parse_cell("setup", "Build a frame.\n>>> frame = setup(3)\n>>> len(frame)\n3\n")
    assert spec.samples[0] == Sample("frame = setup(3)", "code")
    assert spec.samples[0].expected is None
    assert spec.samples[1] == Sample("len(frame)", "example", "3\n")


def test_trailing_example_without_output_before_prose() -> None:
    spec = parse_cell("f", "Do it.\n>>> f(0)\n\nThen explain more.\n")
    assert spec.samples == (Sample("f(0)", "code"),)
    assert "Then explain more." in spec.request


def test_expected_output_spans_lines_until_blank_line() -> None:
    spec = parse_cell("show", "Print a grid.\n>>> show(2)\nab\ncd\n\nDone.\n")
    assert spec.samples == (Sample("show(2)", "example", "ab\ncd\n"),)
    assert spec.request == "Print a grid.\n\n\nDone."


def test_origin_is_recorded() -> None:
    spec = parse_cell("f", "Do.\n>>> f(1)\n1\nassert f(2) == 2\n", origin="request")
    assert {s.origin for s in spec.samples} == {"request"}


@pytest.mark.parametrize("body", ["", "   \n\t\n", ">>> f(1)\n1\n", "assert f(1) == 1\n"])
def test_empty_request_is_a_one_line_spec_error(body: str) -> None:
    with pytest.raises(SpecError) as info:
        parse_cell("f", body)
    message = one_line(info.value)
    assert "request is empty" in message
    assert "%%forge f" in message


def test_syntax_error_in_example_names_its_line() -> None:
    body = "Do it.\nStill prose.\n>>> f(1\n1\n"
    with pytest.raises(SpecError) as info:
        parse_cell("f", body)
    message = one_line(info.value)
    assert "line 3" in message
    assert ">>> sample" in message
    assert "syntax error" in message


def test_syntax_error_in_assert_names_its_line() -> None:
    body = "Do it.\n\nassert f(1 ==\n"
    with pytest.raises(SpecError) as info:
        parse_cell("f", body)
    message = one_line(info.value)
    assert "assert sample on line 3" in message


def test_syntax_error_in_assert_after_example_names_its_line() -> None:
    body = "Do it.\nmore\n>>> f(1)\n1\n\nthen\nassert f(2 ==\n"
    with pytest.raises(SpecError) as info:
        parse_cell("f", body)
    assert "line 7" in one_line(info.value)


def test_malformed_doctest_indentation_is_a_spec_error() -> None:
    # Continuation line indented less than its >>> line: doctest refuses it.
    with pytest.raises(SpecError) as info:
        parse_cell("f", "Do.\n    >>> f(1,\n... 2)\n")
    assert "malformed" in one_line(info.value)


# -- tool names ------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["parse_money", "_private", "f2", "Ünïcode"])
def test_valid_tool_names(name: str) -> None:
    assert check_tool_name(name) == name


@pytest.mark.parametrize("name", ["2fast", "has-dash", "with space", "a.b", "../evil"])
def test_non_identifier_names_are_refused(name: str) -> None:
    with pytest.raises(SpecError) as info:
        check_tool_name(name)
    message = one_line(info.value)
    assert "not a valid Python function name" in message
    assert name in message


def test_missing_name_is_refused() -> None:
    with pytest.raises(SpecError) as info:
        check_tool_name("")
    assert "missing" in one_line(info.value)


@pytest.mark.parametrize("name", ["class", "lambda", "None", "match", "type"])
def test_keywords_are_refused_even_when_builtins_are_allowed(name: str) -> None:
    if name == "type":
        # `type` is a soft keyword only from Python 3.12 on; elsewhere it is a builtin.
        import keyword

        if not keyword.issoftkeyword("type"):
            with pytest.raises(SpecError, match="builtin"):
                check_tool_name(name)
            assert check_tool_name(name, allow_builtin=True) == name
            return
    with pytest.raises(SpecError) as info:
        check_tool_name(name, allow_builtin=True)
    assert "keyword" in one_line(info.value)


@pytest.mark.parametrize("name", ["list", "sum", "print", "open"])
def test_builtins_refused_unless_allowed(name: str) -> None:
    with pytest.raises(SpecError) as info:
        check_tool_name(name)
    message = one_line(info.value)
    assert "shadow the Python builtin" in message
    assert check_tool_name(name, allow_builtin=True) == name


# -- sample strings ----------------------------------------------------------------------


def test_parse_sample_strings_each_form() -> None:
    samples = parse_sample_strings(
        [">>> f(1)\n2", "assert f(1) == 2", "y = f(2)\nprint(y)"], origin="--sample"
    )
    assert samples == [
        Sample("f(1)", "example", "2\n", "--sample"),
        Sample("assert f(1) == 2", "assert", None, "--sample"),
        Sample("y = f(2)\nprint(y)", "code", None, "--sample"),
    ]


def test_parse_sample_strings_keeps_setup_code_with_its_assert() -> None:
    # A tagged samples cell with setup lines: the setup must run before the assert.
    samples = parse_sample_strings(["x = f(1)\nassert x == 2"], origin="tag")
    assert len(samples) == 1
    assert samples[0].source == "x = f(1)\nassert x == 2"
    assert samples[0].kind == "code"
    namespace: dict[str, object] = {"f": lambda v: v + 1}
    exec(samples[0].source, namespace)  # runs as one unit, no NameError


def test_parse_sample_strings_several_asserts_are_separate_samples() -> None:
    samples = parse_sample_strings(["assert f(1) == 2\nassert f(2) == 3"], origin="o")
    assert [s.source for s in samples] == ["assert f(1) == 2", "assert f(2) == 3"]


@pytest.mark.parametrize("bad", [3, None, b"assert f(1)", ["assert f(1)"]])
def test_parse_sample_strings_rejects_non_strings(bad: object) -> None:
    with pytest.raises(SpecError) as info:
        parse_sample_strings(["assert f(1) == 1", bad], origin="--samples")
    message = one_line(info.value)
    assert "sample 1" in message
    assert type(bad).__name__ in message


def test_parse_sample_strings_syntax_error() -> None:
    with pytest.raises(SpecError) as info:
        parse_sample_strings(["f(1"], origin="--sample")
    message = one_line(info.value)
    assert "sample 0 (--sample)" in message
    assert "syntax error" in message


def test_parse_sample_strings_empty_string_gives_nothing() -> None:
    assert parse_sample_strings(["", "   "], origin="o") == []


# -- merge and serialisation ---------------------------------------------------------------


def test_merge_samples_dedupes_keeping_first_order() -> None:
    a = Sample("f(1)", "example", "1\n", origin="cell")
    b = Sample("assert f(2) == 2", "assert")
    a_again = Sample("f(1)", "example", "1\n", origin="--sample")  # origin does not matter
    a_other_expected = Sample("f(1)", "example", "2\n")
    merged = merge_samples([a, b], [a_again, a_other_expected], [b])
    assert merged == (a, b, a_other_expected)
    assert merged[0].origin == "cell"


def test_merge_samples_of_nothing() -> None:
    assert merge_samples() == ()
    assert merge_samples([], []) == ()


def test_sample_json_round_trip() -> None:
    sample = Sample("f(1)", "example", "1\n", origin="cell")
    assert Sample.from_json(sample.to_json()) == sample
    assert Sample.from_json({"source": "x = 1"}) == Sample("x = 1", "code", None, "cell")


def test_sample_from_json_rejects_unknown_kind() -> None:
    with pytest.raises(SpecError) as info:
        Sample.from_json({"source": "x", "kind": "nonsense"})
    assert "nonsense" in one_line(info.value)


def test_as_doctest_for_non_examples_is_the_source() -> None:
    assert Sample("assert f(1)\n", "assert").as_doctest() == "assert f(1)"
    assert Sample("f(1)", "example", None).as_doctest() == ">>> f(1)"


def test_line_numbers_count_from_where_the_body_starts_in_the_cell() -> None:
    # In a notebook the body starts on line 2, under `%%forge NAME`.
    example = "Do it.\n>>> f(1\n2\n"
    with pytest.raises(SpecError) as info:
        parse_cell("f", example, first_line=2)
    assert "the >>> sample on line 3" in one_line(info.value)
    after = "Do it.\n>>> f(1)\n1\n\nthen\nassert f(2 ==\n"
    with pytest.raises(SpecError) as info:
        parse_cell("f", after, first_line=2)
    assert "assert sample on line 7" in one_line(info.value)
    plain = "Do it.\n\nassert f(1 ==\n"
    with pytest.raises(SpecError) as info:
        parse_cell("f", plain, first_line=2)
    assert "assert sample on line 4" in one_line(info.value)
