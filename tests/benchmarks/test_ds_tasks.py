"""The data-science benchmark tasks are sound: each can tell right code from a near miss.

Why: a benchmark whose hidden checks a correct solution fails (or a plausible
wrong one passes) measures nothing. For every task this runs, in the real
sandbox, the reference (samples and every hidden check pass) and the near miss
(samples pass, at least one hidden check fails), and checks the cell is what a
person types: plain words plus one or two samples, no signature.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest

from benchmarks.ds_tasks import DsTask, all_tasks
from jupyter_forge.core.checks import parse_checks
from jupyter_forge.core.spec import ForgeSpec, Sample, check_tool_name, parse_cell
from jupyter_forge.core.validation import ValidationReport
from jupyter_forge.core.variables import pickle_inputs, sample_free_names
from jupyter_forge.sandbox import validate

TASKS = all_tasks()
NAMES = [task.name for task in TASKS]
CATEGORIES = {"text", "money", "units", "dates", "records", "pandas"}


def _task(name: str) -> DsTask:
    return next(task for task in TASKS if task.name == name)


def _spec(task: DsTask) -> ForgeSpec:
    return parse_cell(task.name, task.cell)


def _hidden(task: DsTask) -> list[Sample]:
    """The hidden checks as sandbox samples; every string must parse to exactly one check."""
    checks, errors = parse_checks("\n".join(task.hidden), task.name)
    assert errors == [], f"{task.name}: hidden checks that do not parse: {errors}"
    assert len(checks) == len(task.hidden), f"{task.name}: {len(checks)} checks parsed"
    return [check.sample for check in checks]


def _inputs(task: DsTask, spec: ForgeSpec) -> dict[str, bytes]:
    """The setup's variables the samples use, pickled as the kernel would send them."""
    if not task.setup:
        return {}
    namespace: dict[str, Any] = {}
    exec(task.setup, namespace)  # trusted benchmark data, like a notebook cell
    names = sample_free_names(sample.source for sample in spec.samples)
    return pickle_inputs(names, namespace, exclude=[task.name])


def _run_samples(task: DsTask, code: str) -> ValidationReport:
    """The cell's samples, with the setup's variables they read sent in."""
    spec = _spec(task)
    report = validate(code, task.name, list(spec.samples), inputs=_inputs(task, spec))
    assert report.load_error is None, f"{task.name}: {report.summary()}"
    return report


def _run_hidden(task: DsTask, code: str) -> ValidationReport:
    """The hidden checks alone and with no inputs, as the benchmark runs them: self-contained."""
    checks = _hidden(task)
    report = validate(code, task.name, checks)
    assert report.load_error is None, f"{task.name}: {report.summary()}"
    assert len(report.results) == len(checks)
    return report


def _failures(results: list[Any]) -> str:
    return "\n".join(f"  {r.source!r}: {r.error}" for r in results if not r.passed)


def test_benchmark_size_and_names() -> None:
    """Enough tasks, enough pandas, and names that can be forged and index results."""
    assert len(TASKS) >= 44
    counts = Counter(task.category for task in TASKS)
    assert counts["pandas"] >= 10
    assert set(counts) <= CATEGORIES
    assert len(set(NAMES)) == len(NAMES)
    for name in NAMES:
        check_tool_name(name)


@pytest.mark.parametrize("name", NAMES)
def test_cell_is_plain_words_and_samples(name: str) -> None:
    """One or two samples after words with no signature; 4-8 hidden checks that all parse."""
    task = _task(name)
    spec = _spec(task)
    assert 1 <= len(spec.samples) <= 2
    assert "def " not in spec.request
    assert all(name in sample.source for sample in spec.samples)
    assert 4 <= len(task.hidden) <= 8
    _hidden(task)


@pytest.mark.parametrize("name", NAMES)
def test_reference_passes_everything(name: str) -> None:
    """The reference passes the samples and every hidden check in the sandbox."""
    task = _task(name)
    for report in (_run_samples(task, task.reference), _run_hidden(task, task.reference)):
        assert report.passed, f"{name}: {report.summary()}\n{_failures(report.results)}"
        # Known-clean code tries nothing: pandas' own imports and file reads never count.
        assert report.attempted == [], f"{name}: {report.attempted}"


@pytest.mark.parametrize("name", NAMES)
def test_near_miss_is_caught_only_by_hidden_checks(name: str) -> None:
    """The near miss passes the samples (a false green) and fails a hidden check."""
    task = _task(name)
    samples = _run_samples(task, task.near_miss)
    assert samples.passed, f"{name}: near miss fails a sample\n{_failures(samples.results)}"
    assert not _run_hidden(task, task.near_miss).passed, f"{name}: near miss passes every check"


def test_every_reference_runs_on_the_inputs_its_words_name() -> None:
    """The inputs a request quotes (core/named_inputs.py) never doubt a correct tool here,
    and enough requests quote some for that to mean something."""
    from jupyter_forge.core.named_inputs import named_input_checks

    with_inputs, doubted = 0, []
    for task in TASKS:
        spec = _spec(task)
        checks = named_input_checks(spec)
        if not checks:
            continue
        with_inputs += 1
        report = validate(
            task.reference, task.name, [c.sample for c in checks], inputs=_inputs(task, spec)
        )
        doubted += [f"{task.name}: {_failures(report.results)}"] if not report.passed else []
    assert with_inputs >= 8
    assert doubted == [], "\n".join(doubted)


def test_the_prompts_worked_example_is_no_benchmark_task() -> None:
    """A few-shot example that is also a benchmark task would hand the model its answer."""
    from jupyter_forge.core import word_checks

    shown = word_checks.EXAMPLE_REQUEST + word_checks.EXAMPLE_ANSWER
    for task in TASKS:
        assert f"`{task.name}`" not in shown
        assert f"{task.name}(" not in shown
