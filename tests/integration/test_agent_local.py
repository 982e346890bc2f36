"""The agent with the real embedded local model (Qwen2.5-Coder-0.5B via llama.cpp) in a real kernel.

The task needs one existing tool (``celsius_to_fahrenheit``, pre-saved and
trusted in a temporary library) and one the agent must ask for (rounding to a
multiple), forged by the normal pipeline and approved in ``--approve auto``
mode. One run, no retries: a flaky model fails the test. What the 0.5B model
does reliably is asserted (3 of 3 runs: the existing tool called with the task's
value, a new tool forged, validated, auto-approved and called); the right final
answer is not: the 0.5B model's own answer was right in 0 of 3 runs, and with
``JUPYTER_FORGE_AGENT_USER_MODEL=local-1.5b`` (LATM's split: the 0.5B makes, the
1.5B uses) in 3 of 4 (see the README).

``JUPYTER_FORGE_AGENT_RUNS=N`` (and ``JUPYTER_FORGE_AGENT_FIRST=I``) runs N different
temperatures from the I-th (for measuring the success rate; the default is one run).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest
from kernel_driver import KernelDriver

from jupyter_forge.core.findings import static_findings
from jupyter_forge.core.library import Library
from jupyter_forge.core.schema import function_schema, signature_text

# Several model turns plus a forge, on 2 shared cores: minutes, not seconds.
pytestmark = [pytest.mark.local_model, pytest.mark.timeout(1800)]

C2F = '''def celsius_to_fahrenheit(celsius: float) -> float:
    """Convert a temperature from degrees Celsius to degrees Fahrenheit."""
    return celsius * 9 / 5 + 32
'''
CELSIUS = [100, 40, 20, 65, 0, 35, 80, 15, 55, 90]
RUNS = int(os.environ.get("JUPYTER_FORGE_AGENT_RUNS", "1"))
FIRST = int(os.environ.get("JUPYTER_FORGE_AGENT_FIRST", "0"))  # more runs: other temperatures
USER_MODEL = os.environ.get("JUPYTER_FORGE_AGENT_USER_MODEL", "")  # e.g. local-1.5b (LATM split)

TRANSCRIPT = """
from jupyter_forge.kernel import extension
from jupyter_forge.kernel.agent_view import session_for
_run = session_for(extension.magics_for(get_ipython())).run
print("STATUS", _run.status, "steps", _run.steps, "text_calls", _run.text_calls)
for _l in _run.log:
    print("CALL", _l.call.name, _l.call.arguments, "->", _l.outcome.summary or _l.outcome.content[:200])
print("ANSWER", repr(_run.answer), "MODEL_ANSWERED", _run.model_answered)
"""


@pytest.fixture
def kernel_env(local_model_runtime: Path, tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["JUPYTER_FORGE_RUNTIME"] = str(local_model_runtime)
    env.pop("JUPYTER_FORGE_APPROVE", None)
    env["JUPYTER_DATA_DIR"] = str(tmp_path / "jupyter-data")
    return env


@pytest.fixture
def user_model_stopped(local_model_runtime: Path) -> Iterator[None]:
    """A local ``USER_MODEL`` server the kernel started in the test runtime stops afterwards."""
    yield
    if USER_MODEL.startswith("local"):
        from jupyter_forge.llm import local

        spec = local.resolve_local(USER_MODEL)
        if spec is not None:
            local.stop_server(spec)


def rounded(celsius: int) -> int:
    fahrenheit = celsius * 9 / 5 + 32
    return int(5 * round(fahrenheit / 5))


@pytest.mark.parametrize("celsius", CELSIUS[FIRST : FIRST + RUNS])
def test_agent_uses_an_existing_tool_and_makes_a_new_one_with_the_local_model(
    kernel_env: dict[str, str], tmp_path: Path, celsius: int, user_model_stopped: None
) -> None:
    library = tmp_path / "tools"
    Library(library, notary_dir=kernel_env["JUPYTER_DATA_DIR"]).save(
        name="celsius_to_fahrenheit",
        code=C2F,
        description="Convert a temperature from degrees Celsius to degrees Fahrenheit.",
        signature=signature_text(C2F, "celsius_to_fahrenheit"),
        request="Convert Celsius to Fahrenheit.",
        model="test",
        samples=[],
        schema=function_schema(C2F, "celsius_to_fahrenheit"),
        validation=None,
        findings=static_findings(C2F),
        approved_how="test",
    )
    fahrenheit = celsius * 9 / 5 + 32
    want = rounded(celsius)
    # Narrowed for the 0.5B model: the task names the new tool and gives it a sample (left to
    # itself it calls make_tool without a name and with samples that test something else).
    task = (
        f"Convert {celsius} degrees Celsius to Fahrenheit. Then make a new tool round_to_5 that "
        "rounds a number to the nearest multiple of 5 (sample: assert round_to_5(212) == 210), "
        "and use it on the Fahrenheit value."
    )
    driver = KernelDriver(env=kernel_env, cwd=str(tmp_path))
    try:
        assert driver.execute("%load_ext jupyter_forge").ok
        # The suite's embedded model (the product's default is the larger local-1.5b).
        assert driver.execute("%config Forge.model = 'local'").ok
        assert driver.execute(f"%config Forge.library = {str(library)!r}").ok
        if USER_MODEL:
            assert driver.execute(f"%config Forge.user_model = {USER_MODEL!r}").ok
        run = driver.execute(f"%forge ask {task!r} --approve auto", timeout=1500)
        text = "\n".join(run.texts())
        transcript = "".join(driver.execute(TRANSCRIPT).texts())
        print(text, transcript, sep="\n----\n")
        assert run.ok, transcript
        # The existing tool was called, in the kernel, with the task's value.
        assert re.search(
            rf"tool call: celsius_to_fahrenheit\(celsius={celsius}(\.0)?\) -> {fahrenheit}", text
        ), transcript
        # A new tool was forged, validated, auto-approved, saved and defined.
        made = [p for p in library.glob("*.ipynb") if p.stem != "celsius_to_fahrenheit"]
        assert len(made) >= 1, transcript
        for path in made:
            meta = nbformat.read(path, as_version=4).metadata["jupyter_forge"]
            assert meta["approved"]["how"] == "auto"
            assert meta["validation"]["passed"] is True
        # ... and called by the agent.
        called = re.findall(r"^CALL (\w+) ", transcript, re.MULTILINE)
        assert any(p.stem in called for p in made), transcript
        # NOT asserted: that the final answer holds round_to_5(fahrenheit). The 0.5B model
        # calls the new tool with its sample's 212 instead of the Fahrenheit value and
        # answers with a signature or a JSON call: 0 of 3 runs were right (issue 7 stays
        # open on this). The numbers, printed for the log:
        answer, own = transcript.split("ANSWER", 1)[1].split("MODEL_ANSWERED")
        right = bool(re.search(rf"(?<![\d.]){want}(\.0)?(?![\d])", answer))
        print(f"final answer right: {right} (wanted {want}); the model's own answer: {own.strip()}")
    finally:
        driver.close()
