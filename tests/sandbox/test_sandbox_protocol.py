"""What the sandbox reports for well-behaved and ordinarily broken candidates.

Why: every verdict the user approves comes from this protocol; these tests run
real worker processes (no mocks) and pin how examples, asserts, shared state,
load failures, inputs and tracebacks come back to the host.
"""

from __future__ import annotations

import os
import pickle
import shutil
import tempfile
import threading
import time
from pathlib import Path

import pytest

from jupyter_forge.core.spec import Sample
from jupyter_forge.core.validation import ValidationReport
from jupyter_forge.sandbox import Limits, active_layers, missing_layers, validate
from jupyter_forge.sandbox.layers import OPTIONAL_LAYERS, active_names

ADD = "def add(a, b):\n    return a + b\n"


def example(source: str, expected: str) -> Sample:
    return Sample(source=source, kind="example", expected=expected + "\n")


def check(source: str) -> Sample:
    return Sample(source=source, kind="assert")


def test_passing_example() -> None:
    report = validate(ADD, "add", [example("add(1, 2)", "3")])
    assert report.passed, report.to_json()
    assert report.results[0].got == "3"
    assert report.layers == active_layers()


def test_failing_example_says_expected_and_got() -> None:
    report = validate(ADD, "add", [example("add(1, 2)", "4")])
    assert not report.passed
    assert report.results[0].got == "3"
    assert report.results[0].error == "expected 4 but got 3"


def test_assert_pass_and_fail() -> None:
    report = validate(ADD, "add", [check("assert add(2, 2) == 4"), check("assert add(2, 2) == 5")])
    assert [r.passed for r in report.results] == [True, False]
    assert report.results[1].error == "AssertionError: add(2, 2) gave 4, expected 5"
    assert "assert add(2, 2) == 5" in (report.results[1].traceback or "")


@pytest.mark.parametrize(
    ("source", "error"),
    [
        # Either order: the side that computes is what the function gave.
        ("assert [9] == add([1], [2])", "add([1], [2]) gave [1, 2], expected [9]"),
        ("assert add(1, 1) == add(1, 2)", "add(1, 1) gave 2, expected 3"),
        ("assert add(1, 1) in (3, 4)", "2 in (3, 4) is false"),
        ("assert add(1, 1) > 5", "2 > 5 is false"),
        ("x = 7\nassert add(x, 1) == 9", "add(x, 1) gave 8, expected 9"),
        # Its own message, a chained or bare test, an assert in a block: left as Python says.
        ("assert add(1, 1) == 3, 'mine'", "mine"),
        ("assert 0 < add(1, 1) < 2", ""),
        ("assert add(0, 0)", ""),
        ("for i in (1,):\n    assert add(i, i) == 3", ""),
    ],
)
def test_a_failed_assert_says_what_each_side_was(source: str, error: str) -> None:
    report = validate(ADD, "add", [check(source)])
    assert report.results[0].error == f"AssertionError: {error}".rstrip(": ")


def test_assert_operands_are_evaluated_once() -> None:
    code = "def grow(xs):\n    xs.append(1)\n    return len(xs)\n"
    samples = [check("box = []\nassert grow(box) == 1\nassert box == [1]")]
    assert validate(code, "grow", samples).passed


def test_a_multiline_assert_keeps_its_lines_in_the_traceback() -> None:
    source = "y = 1\nassert add(\n    y, 1\n) == 3\n"
    report = validate(ADD, "add", [check(source)])
    assert report.results[0].error == "AssertionError: add( y, 1 ) gave 2, expected 3"
    assert "line 2, in <module>" in (report.results[0].traceback or "")


def test_a_multiline_repr_is_told_on_one_line() -> None:
    code = (
        "class Grid:\n"
        "    def __repr__(self):\n"
        "        return 'grid([[1, 2],\\n      [3, 4]])'\n\n"
        "def grid():\n"
        "    return Grid()\n"
    )
    report = validate(code, "grid", [check("assert grid() == 1")])
    assert (
        report.results[0].error == "AssertionError: grid() gave grid([[1, 2], [3, 4]]), expected 1"
    )


def test_a_long_operand_is_clipped() -> None:
    report = validate(ADD, "add", [check("assert add('x' * 1000, '') == 'y'")])
    error = report.results[0].error or ""
    assert error.startswith("AssertionError: add('x' * 1000, '') gave 'xxx")
    assert "more]" in error and len(error) < 450


def test_an_operand_whose_repr_fails_leaves_a_plain_assertion_error() -> None:
    code = "class Odd:\n    def __repr__(self):\n        raise ValueError\n\ndef odd():\n    return Odd()\n"
    report = validate(code, "odd", [check("assert odd() == 1")])
    assert report.results[0].error == "AssertionError"


def test_printed_output_is_part_of_an_example() -> None:
    report = validate(ADD, "add", [example("print(add(1, 1))", "2"), example("None", "")])
    assert report.results[0].passed
    assert report.results[0].got == "2\n"


def test_samples_share_one_namespace_in_order() -> None:
    samples = [
        Sample("x = [1, 2]", "code"),
        example("add(*x)", "3"),
        check("assert add(x[0], 9) == 10"),
    ]
    report = validate(ADD, "add", samples)
    assert report.passed, report.to_json()


def test_samples_see_helpers_the_candidate_defined() -> None:
    code = "RATE = 2\n\ndef _double(v):\n    return v * RATE\n\ndef f(v):\n    return _double(v)\n"
    report = validate(code, "f", [example("f(3), _double(1), RATE", "(6, 2, 2)")])
    assert report.passed, report.to_json()


def test_syntax_error_is_a_load_error_with_the_line() -> None:
    code = "def f(x):\n    y = 1\n    return x +\n"
    report = validate(code, "f", [example("f(1)", "1")])
    assert not report.passed
    assert report.load_error == "SyntaxError: invalid syntax (line 3)"
    assert report.results[0].error is not None
    assert report.results[0].error.startswith("not run")


def test_missing_function_is_a_load_error() -> None:
    report = validate(ADD, "parse_money", [example("parse_money('1')", "1")])
    assert report.load_error == "the code defines no function `parse_money`"
    report = validate("parse_money = 3\n", "parse_money", [])
    assert report.load_error == "`parse_money` is a int, not a function"


def test_exception_while_loading_shows_candidate_source() -> None:
    code = "import math\n\nVALUE = math.sqrt(-1)\n\ndef f():\n    return VALUE\n"
    report = validate(code, "f", [])
    assert report.load_error == "ValueError: math domain error"
    assert report.load_traceback is not None
    assert "VALUE = math.sqrt(-1)" in report.load_traceback
    assert "worker.py" not in report.load_traceback


def test_no_samples_means_it_loads() -> None:
    report = validate(ADD, "add", [])
    assert report.passed
    assert report.summary() == "loads; no samples to check"


def test_traceback_shows_candidate_lines_not_worker_frames() -> None:
    code = "def f(x):\n    if x < 0:\n        raise ValueError(f'negative: {x}')\n    return x\n"
    report = validate(code, "f", [example("f(-1)", "1")])
    result = report.results[0]
    assert result.error == "ValueError: negative: -1"
    tb = result.traceback or ""
    assert 'File "<sample 0>", line 1' in tb
    assert 'File "<forge candidate>", line 3, in f' in tb
    assert "raise ValueError(f'negative: {x}')" in tb
    assert "worker.py" not in tb


def test_candidate_does_not_inherit_worker_future_flags() -> None:
    code = "def f(x: int) -> int:\n    return x\n"
    report = validate(code, "f", [example("f.__annotations__['x']", "<class 'int'>")])
    assert report.passed, report.to_json()


def test_inputs_are_unpickled_into_the_sample_namespace() -> None:
    inputs = {
        "prices": pickle.dumps({"apple": 1.5, "pear": 2.0}),
        "qty": pickle.dumps([1, 2, 3]),
    }
    code = "def total(prices, qty):\n    return sum(prices.values()) * sum(qty)\n"
    report = validate(code, "total", [example("total(prices, qty)", "21.0")], inputs=inputs)
    assert report.passed, report.to_json()


class OnlyOnTheHost:
    """Importable in the host, not in the worker: unpickling it there must fail clearly."""


def test_input_that_cannot_be_unpickled_is_reported() -> None:
    inputs = {"thing": pickle.dumps(OnlyOnTheHost())}
    report = validate(ADD, "add", [example("add(1, 1)", "2")], inputs=inputs)
    assert report.load_error is not None
    assert report.load_error.startswith("could not unpickle the input `thing` in the sandbox:")


def test_repr_that_raises_is_an_error_not_a_host_crash() -> None:
    code = (
        "class Weird:\n    def __repr__(self):\n        raise RuntimeError('no repr')\n\n"
        "def f():\n    return Weird()\n"
    )
    report = validate(code, "f", [example("f()", "Weird"), example("1 + 1", "2")])
    first = report.results[0]
    assert not first.passed
    assert first.error == "RuntimeError: no repr (raised by repr() of the result)"
    assert report.results[1].passed


def test_exception_whose_str_raises() -> None:
    code = (
        "class Bad(Exception):\n    def __str__(self):\n        raise TypeError('nope')\n\n"
        "def f():\n    raise Bad()\n"
    )
    report = validate(code, "f", [example("f()", "1"), example("2", "2")])
    assert report.results[0].error is not None
    assert report.results[0].error.startswith("Bad")
    assert report.results[1].passed


def test_system_exit_in_a_sample_is_an_error_and_later_samples_run() -> None:
    code = "import sys\n\ndef f():\n    sys.exit(3)\n"
    report = validate(code, "f", [check("f()"), example("40 + 2", "42")])
    assert report.results[0].error == "SystemExit: 3"
    assert report.results[1].passed


def test_rlimits_are_in_force_inside_the_worker() -> None:
    limits = Limits(memory_mb=768, cpu_seconds=7, open_files=50)
    samples = [
        Sample("import resource", "code"),
        example("resource.getrlimit(resource.RLIMIT_AS)", str((768 << 20, 768 << 20))),
        example("resource.getrlimit(resource.RLIMIT_CPU)", "(7, 8)"),
        example("resource.getrlimit(resource.RLIMIT_NOFILE)", "(50, 50)"),
        example("resource.getrlimit(resource.RLIMIT_CORE)", "(0, 0)"),
        example("resource.getrlimit(resource.RLIMIT_FSIZE)", str((16 << 20, 16 << 20))),
    ]
    report = validate(ADD, "add", samples, limits=limits)
    assert report.passed, report.to_json()


def test_worker_does_not_import_the_package() -> None:
    samples = [Sample("import sys", "code"), example("'jupyter_forge' in sys.modules", "False")]
    report = validate(ADD, "add", samples)
    assert report.passed, report.to_json()


def test_extra_sys_path_is_importable() -> None:
    # Not tmp_path: pytest makes its parent 0700, which a worker that dropped to
    # another uid cannot enter (refused up front: see test_sandbox_layers).
    folder = Path(tempfile.mkdtemp(prefix="forge-extra-path-"))
    try:
        folder.chmod(0o755)
        (folder / "helper_mod_for_forge.py").write_text("VALUE = 41\n")
        code = (
            "import helper_mod_for_forge\n\ndef f():\n    return helper_mod_for_forge.VALUE + 1\n"
        )
        report = validate(code, "f", [example("f()", "42")], extra_sys_path=[str(folder)])
        assert report.passed, report.to_json()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _settled_fd_count() -> int:
    """Open fds once the warm pool (if on) is full again: idle workers hold their pipes."""
    from jupyter_forge.sandbox import pool

    warm = pool.default_pool()
    if warm is not None:
        warm.wait_full(10)
    # A pool replaced by one for other limits may still be finishing a start: let it close.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(
        t.name == "forge-sandbox-pool" and (warm is None or t is not warm._thread)
        for t in threading.enumerate()
    ):
        time.sleep(0.02)
    return len(os.listdir("/proc/self/fd"))


def test_works_from_a_background_thread_and_leaks_no_fds() -> None:
    validate(ADD, "add", [example("add(1, 1)", "2")])  # start the pool, if it is on
    before = _settled_fd_count()
    reports: list[ValidationReport] = []
    threads = [
        threading.Thread(
            target=lambda: reports.append(validate(ADD, "add", [example("add(1, 1)", "2")]))
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert len(reports) == 4
    assert all(r.passed for r in reports)
    assert _settled_fd_count() == before


def test_layer_lists_are_honest_and_disjoint() -> None:
    active, missing = active_layers(), missing_layers()
    assert "separate process" in active and "wall-clock SIGKILL" in active
    assert not set(active) & set(missing)
    named = {layer.split(" (")[0] for layer in active} | {m.split(":")[0] for m in missing}
    assert named >= OPTIONAL_LAYERS  # every optional layer is reported one way or the other
    for layer in OPTIONAL_LAYERS:
        is_active = any(a.startswith(layer) for a in active)
        assert is_active != any(m.startswith(layer + ":") for m in missing)
        assert is_active == (layer in active_names())


def test_dataframe_input_round_trip() -> None:
    pd = pytest.importorskip("pandas")
    frame = pd.DataFrame({"city": ["Oslo", "Lima"], "temp": [3.5, 19.0]})
    code = "def hottest(df):\n    return df.loc[df['temp'].idxmax(), 'city']\n"
    samples = [example("hottest(df)", "'Lima'"), example("type(df).__name__", "'DataFrame'")]
    report = validate(code, "hottest", samples, inputs={"df": pickle.dumps(frame)})
    assert report.passed, report.to_json()


def test_an_input_never_shadows_the_function() -> None:
    report = validate(ADD, "add", [example("add(1, 2)", "3")], inputs={"add": pickle.dumps(5)})
    assert report.passed, report.to_json()


def test_awkward_text_survives_the_json_channel() -> None:
    text = 'quote " backslash \\ nul \x00 esc \x1b tab \t é 漢 \U0001f600 lone \ud800 end'
    samples = [Sample(f"print({text!r}, end='')", "code"), Sample(f"{text!r}", "code")]
    report = validate(ADD, "add", samples)
    assert report.passed, report.to_json()
    assert report.results[0].got == text
    assert report.results[1].got == repr(text)


NUMPY_MEAN = (
    "import numpy as np\n\n"
    "def mean(xs):\n    return np.mean(np.array(xs, dtype=float))\n\n"
    "def halves(xs):\n    return [np.float64(x) / 2 for x in xs]\n"
)


def test_numpy_scalar_matches_a_plain_number_example() -> None:
    pytest.importorskip("numpy")
    report = validate(
        NUMPY_MEAN,
        "mean",
        [example("mean([0, 0.5])", "0.25"), example("halves([1, 3])", "[0.5, 1.5]")],
    )
    assert report.passed, report.to_json()
    # What the person sees is still the real repr, not the converted one.
    assert report.results[0].got == "np.float64(0.25)"


def test_numpy_scalar_with_the_wrong_value_still_fails() -> None:
    pytest.importorskip("numpy")
    report = validate(NUMPY_MEAN, "mean", [example("mean([0, 1])", "0.25")])
    assert not report.passed
    assert report.results[0].error == "expected 0.25 but got np.float64(0.5)"


def test_an_object_posing_as_numpy_cannot_break_the_report() -> None:
    code = (
        "class Fake:\n    __module__ = 'numpy'\n    shape = ()\n"
        "    def item(self):\n        raise RuntimeError('boom')\n"
        "    def __repr__(self):\n        return 'Fake()'\n\n"
        "def make():\n    return Fake()\n"
    )
    report = validate(code, "make", [example("make()", "Fake()")])
    assert report.passed, report.to_json()


# -- observing runs (type hints from the samples) -------------------------------------

UNTYPED = (
    "def search(lst, k=2):\n"
    '    """Items above k."""\n'
    "    return [x for x in lst if x > k] or None\n"
)


def test_an_observing_run_records_each_call_of_the_function() -> None:
    samples = [example("search([1, 5, 3])", "[5, 3]"), check("assert search([0.5], k=1) is None")]
    report = validate(UNTYPED, "search", samples, observe=True)
    assert report.passed, report.to_json()
    assert report.observed == [
        "lst=list[int];return=list[int]",
        "lst=list[float];k=int;return=None",
    ]


def test_a_normal_run_records_nothing() -> None:
    report = validate(UNTYPED, "search", [example("search([1, 5, 3])", "[5, 3]")])
    assert report.observed == []


def test_the_observed_function_still_looks_like_itself() -> None:
    samples = [
        check("assert search.__name__ == 'search' and search.__doc__ == 'Items above k.'"),
        check("import inspect; assert list(inspect.signature(search).parameters) == ['lst', 'k']"),
    ]
    report = validate(UNTYPED, "search", samples, observe=True)
    assert report.passed, report.to_json()


def test_values_that_are_not_builtin_are_described_as_unknown() -> None:
    code = "class Box(list):\n    pass\n\ndef wrap(x):\n    return Box([x])\n"
    report = validate(code, "wrap", [check("wrap({1: (2, 'a')})")], observe=True)
    assert report.observed == ["x=dict[int, tuple[int, str]];return=?"]


SET_ORDER = "def order():\n    return list({'apple', 'kiwi', 'pear', 'fig', 'plum', 'lime'})\n"


def _order_under(seed: int) -> str:
    """What ``order()`` gives in a plain Python process with that hash seed."""
    import subprocess
    import sys

    env = {"PYTHONHASHSEED": str(seed), "PATH": os.environ.get("PATH", "")}
    program = SET_ORDER + "print(repr(order()))"
    return subprocess.run(
        [sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_the_worker_runs_under_the_limits_hash_seed() -> None:
    """A verdict is repeatable: the same code iterates a set the same way on every run,
    and a second seed is another order (what ``core.hash_order`` relies on)."""
    first, second = _order_under(0), _order_under(1)
    assert first != second  # these six strings: a different order under each seed
    for seed, expected in ((0, first), (1, second), (0, first)):
        report = validate(
            SET_ORDER, "order", [example("order()", expected)], limits=Limits(hash_seed=seed)
        )
        assert report.passed, (seed, report.to_json())


def test_the_workers_own_folder_is_not_on_its_path() -> None:
    """Run without -I (which would ignore the hash seed), the worker still drops its
    folder from sys.path, so ``import runner`` finds nothing of the sandbox's."""
    code = "import sys\n\ndef path_has(name):\n    return any(p.endswith(name) for p in sys.path)\n"
    report = validate(code, "path_has", [example("path_has('sandbox')", "False")])
    assert report.passed, report.to_json()
    probe = "def find(name):\n    import importlib.util\n    return importlib.util.find_spec(name) is None\n"
    report = validate(
        probe, "find", [example("find('runner')", "True"), example("find('jobs')", "True")]
    )
    assert report.passed, report.to_json()
