"""Which model a name means: aliases, the embedded local model, plain litellm strings."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from ..core.errors import ModelError

# Chosen by measurement (README, "Which model"): on plain-words requests the 1.5B model is
# right several times as often as the 0.5B one, which stays selectable as `local`.
DEFAULT_MODEL = "local-1.5b"


@dataclass(frozen=True)
class ResolvedModel:
    """What litellm needs to call a model. ``api_key`` is only ever a placeholder."""

    name: str  # what the user asked for, for display and provenance
    litellm_model: str
    api_base: str | None = None
    api_key: str | None = None
    local: bool = False


def resolve_model(
    name: str | None,
    *,
    aliases: Mapping[str, str] | None = None,
    api_base: str | None = None,
    progress: Callable[[str], None] | None = None,
    start_local: bool = True,
    keep_alive: float | None = None,
) -> ResolvedModel:
    """Resolve ``name`` (alias → local model → litellm string), starting the local server if needed.

    ``keep_alive``: idle seconds before a local server this starts exits (see
    ``local.ensure_server``; None: the environment's or the default).
    """
    requested = (name or "").strip() or DEFAULT_MODEL
    seen = {requested}
    target = requested
    while aliases and target in aliases:
        target = aliases[target]
        if target in seen:
            raise ModelError(f"model alias `{requested}` loops back on itself: fix Forge.aliases")
        seen.add(target)
    from . import local

    spec = local.resolve_local(target)
    if spec is not None:
        if not start_local:
            return ResolvedModel(requested, f"openai/{spec.alias}", None, "none", local=True)
        info = local.ensure_server(spec, progress=progress, keep_alive=keep_alive)
        return ResolvedModel(requested, f"openai/{spec.alias}", info.api_base, "none", local=True)
    if "/" not in target and not target.startswith(("gpt-", "o1", "o3", "o4", "claude", "gemini")):
        # litellm guesses providers for well-known names; be explicit otherwise.
        raise ModelError(
            f"unknown model `{target}`: use a litellm model string such as `gpt-4o-mini`, "
            "`anthropic/claude-3-5-haiku-latest`, `ollama/qwen2.5-coder`, `openai/NAME` with "
            "an api_base (Forge.api_base, or --api-base on the CLI), or `local` for the embedded model"
        )
    base = api_base or None
    key = None
    if base and target.startswith("openai/") and not os.environ.get("OPENAI_API_KEY"):
        key = "none"  # self-hosted OpenAI-compatible servers (vLLM, LM Studio) need no key
    return ResolvedModel(requested, target, base, key)


def release_local(model: ResolvedModel) -> bool:
    """Let the local server behind ``model`` exit once idle now (keep-alive 0); False if none."""
    if not model.local:
        return False
    from . import local

    spec = local.resolve_local(model.litellm_model.removeprefix("openai/"))
    return spec is not None and local.release(spec)
