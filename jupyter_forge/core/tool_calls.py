"""Tool calls as a model writes them: API ``tool_calls``, or text small models write.

Small models often write tool calls as text instead of using the API's
``tool_calls`` field; :func:`parse_text_tool_calls` reads Qwen/Hermes-style
``<tool_call>{...}</tool_call>`` blocks, a reply that is one such JSON object, or
a plan of several ```json blocks, strictly: valid JSON, a known tool name, object
arguments. Values are shown (and given back to the model) short and safe.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ToolCall:
    """One call the model asked for; ``error`` is set when its arguments are unusable."""

    id: str
    name: str
    arguments: dict[str, Any]
    raw_arguments: str = ""
    error: str | None = None
    from_text: bool = False  # written as text by the model (see parse_text_tool_calls)

    def as_message(self) -> dict[str, Any]:
        arguments = self.raw_arguments or json.dumps(self.arguments)
        return {
            "id": self.id,
            "type": "function",
            "function": {"name": self.name, "arguments": arguments},
        }

    def signature(self, width: int = 160) -> str:
        """``name(a=1, b='x')``, shortened for display."""
        args = ", ".join(f"{k}={short_repr(v, 60)}" for k, v in self.arguments.items())
        return short_repr_text(f"{self.name}({args})", width)


# -- reading calls -----------------------------------------------------------------------


def parse_arguments(raw: Any) -> tuple[dict[str, Any], str | None]:
    """Arguments as the API gives them (a JSON string, or already an object)."""
    value = raw
    if isinstance(raw, str):
        if not raw.strip():
            return {}, None
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as exc:
            return {}, f"the arguments are not valid JSON ({exc.msg}): send a JSON object"
    if isinstance(value, str):  # double-encoded, as some chat templates teach
        return parse_arguments(value)
    if not isinstance(value, dict):
        return {}, f"the arguments must be a JSON object, not {type(value).__name__}"
    return value, None


_TAGGED = re.compile(r"<tool_call>\s*(.*?)\s*(?:</tool_call>|$)", re.DOTALL)
_FENCED = re.compile(r"^```(?:json)?\s*(.*?)\s*```$", re.DOTALL)
_FENCED_ANY = re.compile(r"```(?:json)?\s*(.*?)\s*```", re.DOTALL)


def _is_call(data: Any, known: Collection[str]) -> bool:
    """A known tool's name, or exactly the call shape {"name": str, "arguments": object}
    (a call of a tool that does not exist yet is a call, answered with an error)."""
    if not isinstance(data, dict) or not isinstance(data.get("name"), str):
        return False
    if data["name"] in known:
        return True
    return set(data) == {"name", "arguments"} and isinstance(data["arguments"], dict)


def parse_text_tool_calls(
    text: str, known: Collection[str], *, id_prefix: str = "text"
) -> tuple[str, list[ToolCall]]:
    """Tool calls written as text; returns (the text before them, the calls).

    Strict on purpose: a block counts only if it is a JSON object with a known
    ``name`` and object ``arguments``; anything else is left as the answer text.
    """
    blocks = _TAGGED.findall(text) if "<tool_call>" in text else []
    prose = text.split("<tool_call>", 1)[0].strip() if blocks else ""
    if not blocks:
        stripped = text.strip()
        fenced = _FENCED.match(stripped)
        blocks = [fenced.group(1) if fenced else stripped]
        complete = stripped
        if stripped.count("```") % 2:  # cut off mid-block (max_tokens): drop that block
            complete = stripped[: stripped.rindex("```")].rstrip()
        several = _FENCED_ANY.findall(complete)
        before = complete.split("```", 1)[0].strip()
        if len(several) > 1 and _FENCED_ANY.sub("", complete).strip() == before:
            # A whole plan as ```json blocks, one call each (with prose only before them).
            blocks, prose = several, before
    calls: list[ToolCall] = []
    for index, block in enumerate(blocks):
        try:
            data = json.loads(block)
        except json.JSONDecodeError:
            return (text.strip(), []) if not calls else (prose, calls)
        if not _is_call(data, known):
            return (text.strip(), []) if not calls else (prose, calls)
        if "arguments" in data or "parameters" in data:
            arguments, error = parse_arguments(data.get("arguments", data.get("parameters")))
        else:  # the flat form small models also write: {"name": "f", "x": 1}
            arguments, error = {k: v for k, v in data.items() if k != "name"}, None
        calls.append(
            ToolCall(
                id=f"call_{id_prefix}_{index}",
                name=str(data["name"]),
                arguments=arguments,
                raw_arguments=json.dumps(arguments),
                error=error,
                from_text=True,
            )
        )
    return prose, calls


# -- showing values ----------------------------------------------------------------------


def short_repr_text(text: str, width: int) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


def short_repr(value: Any, width: int = 120) -> str:
    """A one-line repr that never explodes (big frames, long lists, broken __repr__)."""
    try:
        text = repr(value)
    except Exception as exc:
        text = f"<{type(value).__name__} (repr failed: {type(exc).__name__})>"
    return short_repr_text(text, width)


def result_for_model(value: Any, limit: int = 2000) -> str:
    """A tool's return value as the model reads it: JSON when it can be, else a repr."""
    try:
        text = json.dumps(value, ensure_ascii=False, default=None)
    except (TypeError, ValueError):
        text = short_repr(value, limit)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def tool_name_from_samples(samples: Sequence[str], exclude: Collection[str] = ()) -> str | None:
    """The one function the samples call that does not exist yet, if exactly one.

    Why: small models often leave out ``tool_name`` but write samples such as
    ``assert round_to_5(212) == 210``; the name is then theirs, not a guess.
    """
    import ast
    import builtins

    called: set[str] = set()
    for source in samples:
        try:
            tree = ast.parse(source.replace(">>> ", ""))
        except SyntaxError:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                called.add(node.func.id)
    called -= set(dir(builtins)) | set(exclude)
    return called.pop() if len(called) == 1 else None


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_CLAUSE = re.compile(r"\s*(?:,|;)\s*(?:and|then)?\s*|\s+(?:and then|then)\s+")


def request_from_task(task: str, name: str) -> str | None:
    """The person's own words about tool ``name`` in the agent's task, without its samples.

    Why: small models often call ``make_tool`` with only a name; the task usually says
    what the tool does ("make a tool round_to_5 that rounds to the nearest multiple of
    5"). Those words are the person's, not the model's guess, so they may stand in.
    """
    for sentence in _SENTENCE_END.split(task):
        if not re.search(rf"\b{re.escape(name)}\b", sentence):
            continue
        words = re.sub(r"\([^()]*\bassert\b[^()]*(?:\([^()]*\)[^()]*)*\)", "", sentence)
        words = re.sub(r"\bassert\b.*", "", words)
        # Only the clause about the tool: "…, and use it on the value" is the agent's job.
        clauses = [c for c in _CLAUSE.split(words) if re.search(rf"\b{re.escape(name)}\b", c)]
        words = (clauses[0] if clauses else words).strip(" ,;:.")
        words = re.sub(r"^(?:then|and|also|next)\s+", "", words, flags=re.IGNORECASE)
        if len(words.split()) >= 4:
            return words[:1].upper() + words[1:]
    return None


def samples_from_task(task: str, name: str) -> list[str]:
    """``assert NAME(...) ...`` statements the person wrote inside the agent's task."""
    found: list[str] = []
    for match in re.finditer(rf"\bassert\s+{re.escape(name)}\s*\(", task):
        tail = task[match.start() :].split("\n")[0]
        for end in range(len(tail), match.end() - match.start(), -1):
            candidate = tail[:end].strip()
            try:
                compile(candidate, "<task>", "exec")
            except (SyntaxError, ValueError):
                continue
            found.append(candidate)
            break
    return found
