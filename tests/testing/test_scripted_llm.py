"""The scripted model, exercised over real HTTP through real litellm.

Why: every pipeline test trusts this server to behave like llama.cpp's
OpenAI-compatible endpoint as litellm sees it; these tests pin that contract.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Before importing litellm: otherwise it tries to fetch its cost map online and
# stalls for seconds when offline.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")

import litellm

from jupyter_forge.testing.scripted_llm import (
    NO_REPLY_LEFT,
    ScriptedModel,
    reply_by_function_name,
)

litellm.suppress_debug_info = True  # no "Provider List" banners on expected errors

CODE_REPLY = (
    "Here is the tool:\n\n"
    "```python\n"
    "def add(a: int, b: int) -> int:\n"
    '    """Add two numbers."""\n'
    "    return a + b\n"
    "```\n"
    "  Trailing  spaces and a blank line.\n\n"
)
USER = [{"role": "user", "content": "please forge `add` now"}]


@pytest.fixture
def model() -> Iterator[ScriptedModel]:
    with ScriptedModel() as m:
        yield m


def complete(m: ScriptedModel, messages: list[dict[str, Any]] = USER, **kw: Any) -> Any:
    # max_retries=0: the OpenAI SDK otherwise retries 5xx/timeouts (twice by
    # default), and each retry would consume the next scripted reply.
    kw.setdefault("max_retries", 0)
    return litellm.completion(
        model=m.model, api_base=m.api_base, api_key="none", messages=messages, **kw
    )


def test_properties() -> None:
    m = ScriptedModel(name="coder")
    with pytest.raises(RuntimeError, match="not started"):
        _ = m.api_base
    with m:
        assert m.model == "openai/coder"
        assert m.api_base.startswith("http://127.0.0.1:")
        assert m.api_base.endswith("/v1")
        assert m.port > 0
    m.stop()  # idempotent


def test_non_streaming_text_and_usage(model: ScriptedModel) -> None:
    model.push(CODE_REPLY)
    resp = complete(model, temperature=0.2)
    assert resp.choices[0].message.content == CODE_REPLY
    assert resp.choices[0].finish_reason == "stop"
    assert resp.usage.prompt_tokens == 4  # "please forge `add` now"
    assert resp.usage.completion_tokens == len(CODE_REPLY.split())
    assert resp.usage.total_tokens == resp.usage.prompt_tokens + resp.usage.completion_tokens


def test_streaming_joins_to_exact_text(model: ScriptedModel) -> None:
    model.push(CODE_REPLY)
    chunks = list(complete(model, stream=True))
    texts = [c.choices[0].delta.content or "" for c in chunks if c.choices]
    assert "".join(texts) == CODE_REPLY
    assert sum(1 for t in texts if t) > 5  # really streamed in pieces
    assert chunks[0].choices[0].delta.role == "assistant"
    assert chunks[-1].choices[0].finish_reason == "stop"


def test_streaming_usage_when_asked(model: ScriptedModel) -> None:
    model.push(CODE_REPLY)
    chunks = list(complete(model, stream=True, stream_options={"include_usage": True}))
    usages = [u for c in chunks if (u := getattr(c, "usage", None)) is not None]
    assert usages, "litellm should pass the usage chunk through"
    assert usages[-1].completion_tokens == len(CODE_REPLY.split())
    assert usages[-1].prompt_tokens == 4
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == CODE_REPLY


def test_empty_reply_streams(model: ScriptedModel) -> None:
    model.push("")
    chunks = list(complete(model, stream=True))
    assert "".join(c.choices[0].delta.content or "" for c in chunks if c.choices) == ""


def test_replies_in_order_then_rule_then_500() -> None:
    calls: list[int] = []

    def rule(messages: list[dict[str, Any]]) -> str | None:
        calls.append(len(messages))
        return "from rule" if len(calls) == 1 else None

    with ScriptedModel(["one", "two"], rule=rule) as m:
        assert m.pending == 2
        assert complete(m).choices[0].message.content == "one"
        assert complete(m).choices[0].message.content == "two"
        assert m.pending == 0
        assert complete(m).choices[0].message.content == "from rule"
        with pytest.raises(litellm.exceptions.InternalServerError, match=NO_REPLY_LEFT) as info:
            complete(m)
        assert info.value.status_code == 500
        m.push("three")
        assert complete(m).choices[0].message.content == "three"
    assert calls == [1, 1]


def test_no_rule_no_reply_is_500(model: ScriptedModel) -> None:
    with pytest.raises(litellm.exceptions.InternalServerError, match=NO_REPLY_LEFT):
        complete(model, stream=True)


def test_reply_by_function_name_rule() -> None:
    rule = reply_by_function_name({"add": "ADD", "add_two": "ADD2", "mul": {"content": "MUL"}})
    assert rule([{"role": "user", "content": "forge `add_two` please"}]) == "ADD2"
    assert rule([{"role": "user", "content": "forge `add` please"}]) == "ADD"
    # Only the LAST user message counts; assistant/system text is ignored.
    history: list[dict[str, Any]] = [
        {"role": "system", "content": "tools: `add`"},
        {"role": "user", "content": "forge `add`"},
        {"role": "assistant", "content": "done `add`"},
        {"role": "user", "content": [{"type": "text", "text": "now `mul`"}]},
    ]
    assert rule(history) == {"content": "MUL"}
    assert rule([{"role": "user", "content": "add without backticks"}]) is None
    assert rule([{"role": "system", "content": "`add`"}]) is None


def test_reply_by_function_name_over_http() -> None:
    rule = reply_by_function_name({"add": "def add(): ...", "mul": "def mul(): ..."})
    with ScriptedModel(rule=rule) as m:
        ask = [{"role": "user", "content": "forge `mul`"}]
        assert complete(m, ask).choices[0].message.content == "def mul(): ..."
        assert complete(m, USER).choices[0].message.content == "def add(): ..."
        with pytest.raises(litellm.exceptions.InternalServerError):
            complete(m, [{"role": "user", "content": "forge `div`"}])


@pytest.mark.parametrize("stream", [False, True])
def test_error_replies_surface_with_status(model: ScriptedModel, stream: bool) -> None:
    model.push({"error": 500}, {"error": 401, "message": "bad key, friend"}, {"error": 429})
    with pytest.raises(litellm.exceptions.InternalServerError) as e500:
        complete(model, stream=stream)
    assert e500.value.status_code == 500
    with pytest.raises(litellm.exceptions.AuthenticationError, match="bad key, friend") as e401:
        complete(model, stream=stream)
    assert e401.value.status_code == 401
    with pytest.raises(litellm.exceptions.RateLimitError) as e429:
        complete(model, stream=stream)
    assert e429.value.status_code == 429


def test_delay_causes_timeout(model: ScriptedModel) -> None:
    model.push({"delay": 1.0, "reply": "too late"}, {"delay": 0.05, "reply": "in time"})
    with pytest.raises(litellm.exceptions.Timeout):
        complete(model, timeout=0.3)
    assert complete(model, timeout=5).choices[0].message.content == "in time"


TOOL_REPLY = {
    "tool_calls": [
        {"name": "run_tests", "arguments": {"path": "tests/test_add.py", "verbose": True}},
        {"name": "read_file", "arguments": {"path": "add.py", "lines": [1, 2, 3]}},
    ]
}


def test_tool_calls_non_streaming(model: ScriptedModel) -> None:
    model.push(TOOL_REPLY)
    tools = [{"type": "function", "function": {"name": "run_tests", "parameters": {}}}]
    resp = complete(model, tools=tools)
    choice = resp.choices[0]
    assert choice.finish_reason == "tool_calls"
    calls = choice.message.tool_calls
    assert [c.function.name for c in calls] == ["run_tests", "read_file"]
    assert json.loads(calls[0].function.arguments) == {"path": "tests/test_add.py", "verbose": True}
    assert json.loads(calls[1].function.arguments) == {"path": "add.py", "lines": [1, 2, 3]}
    assert calls[0].id != calls[1].id
    assert model.requests[-1]["tools"] == tools


def test_tool_calls_streaming(model: ScriptedModel) -> None:
    model.push(TOOL_REPLY)
    chunks = list(complete(model, stream=True))
    # Reassemble by hand, the way an agent loop would.
    calls: dict[int, dict[str, str]] = {}
    for chunk in chunks:
        for tc in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            entry = calls.setdefault(tc.index, {"name": "", "arguments": ""})
            entry["name"] += tc.function.name or ""
            entry["arguments"] += tc.function.arguments or ""
    assert [calls[i]["name"] for i in sorted(calls)] == ["run_tests", "read_file"]
    assert json.loads(calls[0]["arguments"]) == TOOL_REPLY["tool_calls"][0]["arguments"]
    assert json.loads(calls[1]["arguments"]) == TOOL_REPLY["tool_calls"][1]["arguments"]
    assert chunks[-1].choices[0].finish_reason == "tool_calls"
    # litellm's own reassembly agrees.
    built: Any = litellm.stream_chunk_builder(chunks)
    built = built.choices[0]
    assert built.finish_reason == "tool_calls"
    assert [c.function.name for c in built.message.tool_calls] == ["run_tests", "read_file"]


def test_content_with_tool_calls_streaming(model: ScriptedModel) -> None:
    model.push({"content": "Let me run the tests.", "tool_calls": [{"name": "run_tests"}]})
    chunks = list(complete(model, stream=True))
    text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
    assert text == "Let me run the tests."
    names = [
        tc.function.name
        for c in chunks
        if c.choices
        for tc in c.choices[0].delta.tool_calls or []
        if tc.function.name
    ]
    assert names == ["run_tests"]


def test_requests_are_recorded(model: ScriptedModel) -> None:
    model.push("a", "b")
    complete(model, temperature=0.0)
    complete(model, [*USER, {"role": "assistant", "content": "a"}], stream=True, max_tokens=7)
    assert len(model.requests) == 2
    first, second = model.requests
    assert first["model"] == "scripted"
    assert first["messages"] == USER
    assert first["temperature"] == 0.0
    assert not first.get("stream")
    assert second["stream"] is True
    assert second["max_tokens"] == 7
    assert second["messages"][-1] == {"role": "assistant", "content": "a"}


def _get(url: str, data: bytes | None = None) -> tuple[int, Any]:
    try:
        with urllib.request.urlopen(url, data=data, timeout=5) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def test_raw_routes(model: ScriptedModel) -> None:
    status, body = _get(model.api_base + "/models")
    assert status == 200
    assert body == {
        "object": "list",
        "data": [{"id": "scripted", "object": "model", "owned_by": "jupyter_forge"}],
    }
    status, body = _get(model.api_base + "/nope")
    assert status == 404
    assert "message" in body["error"]
    status, body = _get(model.api_base + "/chat/completions", data=b"not json")
    assert status == 400
    status, body = _get(model.api_base + "/embeddings", data=b"{}")
    assert status == 404
    assert model.requests == []


def test_bad_reply_spec_is_500(model: ScriptedModel) -> None:
    model.push({"bogus": 1})
    with pytest.raises(litellm.exceptions.InternalServerError, match="unknown keys"):
        complete(model)


def test_cli_serves_until_sigterm(tmp_path: Path) -> None:
    script = tmp_path / "script.json"
    script.write_text(
        json.dumps({"replies": ["first"], "by_name": {"add": "def add(a, b): return a + b"}})
    )
    import jupyter_forge

    root = str(Path(next(iter(jupyter_forge.__path__))).parent)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
    }
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyter_forge.testing.scripted_llm",
            "--port",
            "0",
            "--script",
            str(script),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline().strip()
        prefix = "scripted model listening on "
        assert line.startswith(prefix), (line, proc.stderr.read() if proc.stderr else "")
        api_base = line[len(prefix) :]
        assert api_base.startswith("http://127.0.0.1:") and api_base.endswith("/v1")
        kw: dict[str, Any] = {"api_base": api_base, "api_key": "none", "max_retries": 0}
        first = litellm.completion(model="openai/scripted", messages=USER, **kw)
        assert first.choices[0].message.content == "first"
        chunks = litellm.completion(model="openai/scripted", messages=USER, stream=True, **kw)
        text = "".join(c.choices[0].delta.content or "" for c in chunks if c.choices)
        assert text == "def add(a, b): return a + b"
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
