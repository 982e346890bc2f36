"""One streaming chat call through litellm, with errors turned into one-line advice.

litellm is imported lazily (it costs seconds) and with its offline cost map,
since these machines cannot download it and would stall ~10 s otherwise.
"""

from __future__ import annotations

import contextlib
import os
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..core.errors import ModelError, ModelReplyError, ModelUnreachable
from .models import ResolvedModel

_litellm: Any = None


def import_litellm() -> Any:
    """Import litellm once, offline-friendly and quiet."""
    global _litellm
    if _litellm is None:
        os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
        os.environ.setdefault("LITELLM_LOG", "ERROR")
        import litellm

        litellm.suppress_debug_info = True
        litellm.drop_params = True
        _litellm = litellm
    return _litellm


@dataclass
class Completion:
    text: str
    model: str
    seconds: float
    prompt_tokens: int | None = None
    completion_tokens: int | None = None


def _check_environment(litellm: Any, model: ResolvedModel) -> None:
    if model.api_key is not None or model.api_base is not None:
        return
    try:
        status = litellm.validate_environment(model=model.litellm_model)
    except Exception:
        return
    missing = [k for k in status.get("missing_keys", []) if k]
    if missing:
        keys = " and ".join(missing)
        raise ModelError(
            f"model `{model.name}` needs {keys} set in the environment (the key is read from "
            "there and never stored): set it before starting Jupyter, or use --model local"
        )


def _explain(exc: Exception, model: ResolvedModel, timeout: float) -> ModelError:
    kind = type(exc).__name__
    where = f" at {model.api_base}" if model.api_base else ""
    text = str(exc).strip().split("\n")[0]
    if len(text) > 240:
        text = text[:237] + "..."
    if kind == "AuthenticationError":
        return ModelError(
            f"model `{model.name}` rejected the API key: check the key in the environment ({text})"
        )
    if kind in ("APIConnectionError", "InternalServerError", "ServiceUnavailableError") and (
        "Connection" in text or "connect" in text
    ):
        return ModelUnreachable(
            f"cannot reach model `{model.name}`{where}: is the server running? ({text})"
        )
    if kind == "ServiceUnavailableError":
        return ModelUnreachable(f"model `{model.name}`{where} is unavailable: {text}")
    if kind == "Timeout":
        return ModelError(
            f"model `{model.name}` did not answer within {timeout:.0f} s: try again or raise Forge.timeout"
        )
    if kind == "NotFoundError":
        return ModelError(
            f"model `{model.name}` was not found{where}: check the model name ({text})"
        )
    if kind == "RateLimitError":
        return ModelError(f"model `{model.name}` is rate limited: wait and retry ({text})")
    if kind == "BadRequestError" and "LLM Provider NOT provided" in str(exc):
        return ModelError(
            f"litellm does not know model `{model.name}`: prefix it with its provider, e.g. openai/NAME"
        )
    return ModelError(f"model `{model.name}` failed: {kind}: {text}")


def _request(
    model: ResolvedModel,
    messages: list[dict[str, Any]],
    *,
    temperature: float,
    max_tokens: int,
    timeout: float,
) -> dict[str, Any]:
    """The litellm arguments every call shares."""
    kwargs: dict[str, Any] = {
        "model": model.litellm_model,
        "messages": messages,
        "temperature": temperature,
        "max_tokens": max_tokens,
        "timeout": timeout,
    }
    if model.api_base:
        kwargs["api_base"] = model.api_base
        kwargs["max_retries"] = 0  # a local server that failed once will fail again; say so now
    if model.api_key:
        kwargs["api_key"] = model.api_key
    return kwargs


def _read_stream(stream: Any, pieces: list[str], on_token: Callable[[str], None] | None) -> Any:
    """Collect the streamed text into ``pieces`` (kept if the stream breaks off); the usage."""
    usage: Any = None
    for chunk in stream:
        choices = getattr(chunk, "choices", None) or []
        if choices:
            delta = getattr(choices[0], "delta", None)
            piece = getattr(delta, "content", None) if delta is not None else None
            if piece:
                pieces.append(piece)
                if on_token is not None:
                    on_token(piece)
        usage = getattr(chunk, "usage", None) or usage
    return usage


def _hang_up(stream: Any) -> None:
    """Close an interrupted stream: a llama.cpp server otherwise generates on for nobody,
    and the next forge waits for it (one generation at a time)."""
    close = getattr(stream, "close", None)
    if callable(close):
        with contextlib.suppress(Exception):
            close()


def complete(
    messages: Sequence[dict[str, str]],
    model: ResolvedModel,
    *,
    on_token: Callable[[str], None] | None = None,
    temperature: float = 0.0,
    max_tokens: int = 1024,
    timeout: float = 180.0,
    seed: int | None = None,
) -> Completion:
    """Stream one reply; ``on_token`` sees each piece as it arrives."""
    litellm = import_litellm()
    _check_environment(litellm, model)
    kwargs = _request(
        model, list(messages), temperature=temperature, max_tokens=max_tokens, timeout=timeout
    )
    kwargs.update(stream=True, stream_options={"include_usage": True})
    if seed is not None:
        kwargs["seed"] = seed
    started = time.perf_counter()
    pieces: list[str] = []
    stream: Any = None
    try:
        stream = litellm.completion(**kwargs)
        usage = _read_stream(stream, pieces, on_token)
    except ModelError:
        raise
    except KeyboardInterrupt:
        _hang_up(stream)
        raise
    except Exception as exc:
        explained = _explain(exc, model, timeout)
        if pieces:  # it was answering: a broken-off stream is a failed attempt, not fatal
            raise ModelReplyError(f"the answer broke off: {explained}") from None
        raise explained from None
    text = "".join(pieces)
    if not text.strip():
        raise ModelReplyError(
            f"model `{model.name}` returned an empty answer: try again or another model"
        )
    return Completion(
        text=text,
        model=model.name,
        seconds=time.perf_counter() - started,
        prompt_tokens=getattr(usage, "prompt_tokens", None),
        completion_tokens=getattr(usage, "completion_tokens", None),
    )


def complete_with_tools(
    messages: Sequence[Mapping[str, Any]],
    tools: Sequence[Mapping[str, Any]],
    model: ResolvedModel,
    *,
    temperature: float = 0.0,
    max_tokens: int = 1024,
    timeout: float = 180.0,
) -> Any:
    """One non-streaming chat turn offering OpenAI-style ``tools`` (the agent's turn).

    Returns the first choice's message (None when the model returned no choice);
    errors become one-line advice, as for :func:`complete`.
    """
    litellm = import_litellm()
    _check_environment(litellm, model)
    kwargs = _request(
        model,
        [dict(m) for m in messages],
        temperature=temperature,
        max_tokens=max_tokens,
        timeout=timeout,
    )
    if tools:
        kwargs["tools"] = [dict(t) for t in tools]
        kwargs["tool_choice"] = "auto"
    try:
        response = litellm.completion(**kwargs)
    except ModelError:
        raise
    except Exception as exc:
        raise _explain(exc, model, timeout) from None
    choices = getattr(response, "choices", None) or []
    return choices[0].message if choices else None
