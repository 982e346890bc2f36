"""The forge's calls to the model: restart-once on a vanished local server, the
temperature policy of repairs, and the separate call for checks from the words.

Why apart from ``Forge``: these are the only places the service talks to a model, so
what a call sends (temperature, seed, token budget, timeout) is decided here once,
for the kernel, the CLI, the agent and the benchmarks alike.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from .core.errors import ModelReplyError, ModelUnreachable
from .core.named_inputs import named_input_checks
from .core.prompt import Message
from .core.repair import Reply
from .core.spec import ForgeSpec
from .core.templates import input_unchanged_checks
from .core.variables import VariableInfo
from .core.word_checks import WordChecks, check_messages, checks_from_reply
from .llm.models import ResolvedModel

if TYPE_CHECKING:
    from .llm.client import Completion

__all__ = ["CallSettings", "Complete", "Generate", "caller", "checks_maker", "generator"]

Generate = Callable[[Sequence[Message], int, Callable[[str], None]], Reply]
Resolve = Callable[[str], ResolvedModel]  # a model name -> a running, resolved model


class Complete(Protocol):
    def __call__(self, messages: Sequence[Message], **kwargs: Any) -> Completion: ...


@dataclass(frozen=True)
class CallSettings:
    """The ``Forge`` settings a model call uses."""

    temperature: float
    repair_temperature: float
    max_tokens: int
    llm_timeout: float


def caller(resolved: ResolvedModel, resolve_again: Resolve) -> Complete:
    """``complete`` on ``resolved``; a local server that went away between two requests
    (stopped idle, released by another kernel's keep-alive 0, crashed) is started again
    once and the request repeated, instead of failing the forge."""
    from .llm.client import complete

    current = [resolved]

    def call(messages: Sequence[Message], **kwargs: Any) -> Completion:
        try:
            return complete(messages, current[0], **kwargs)
        except ModelUnreachable:
            if not current[0].local:
                raise
        current[0] = resolve_again(current[0].name)
        return complete(messages, current[0], **kwargs)

    return call


def generator(complete: Complete, settings: CallSettings) -> Generate:
    """Code generation: the first attempt at ``settings.temperature``, repairs sampled
    at least at ``repair_temperature`` (greedy decoding repeats the same mistake)."""
    base = settings.temperature

    def generate(
        messages: Sequence[Message], attempt: int, on_token: Callable[[str], None]
    ) -> Reply:
        temp = base if attempt == 1 else max(base, settings.repair_temperature)
        answer = complete(
            messages,
            on_token=on_token,
            temperature=temp,
            max_tokens=settings.max_tokens,
            timeout=settings.llm_timeout,
            seed=attempt,
        )
        return Reply(answer.text, answer.seconds, answer.prompt_tokens, answer.completion_tokens)

    return generate


def checks_maker(
    spec: ForgeSpec,
    complete: Complete,
    settings: CallSettings,
    on_token: Callable[[str], None],
    variables: Sequence[VariableInfo] = (),
) -> Callable[[], WordChecks]:
    """The separate, greedy call for checks from the words: it sees the request, the
    samples and ``variables`` (their outline), never a candidate. Inputs the request quotes become checks with no
    model at all (:mod:`.core.named_inputs`)."""

    unchanged = input_unchanged_checks(spec, [v.name for v in variables])

    def make() -> WordChecks:
        try:
            answer = complete(
                check_messages(spec, variables),
                on_token=on_token,
                temperature=0.0,
                max_tokens=min(settings.max_tokens, 512),
                timeout=settings.llm_timeout,
                seed=0,
            )
        except ModelReplyError as exc:
            return WordChecks(checks=unchanged + named_input_checks(spec), error=str(exc))
        checks, skipped = checks_from_reply(answer.text, spec)
        # The table-stays checks run first: the checks share one sandbox namespace, and a
        # check that called the tool before would already have changed the table.
        checks = unchanged + checks + named_input_checks(spec, checks)
        return WordChecks(
            checks=checks,
            skipped=skipped,
            seconds=answer.seconds,
            prompt_tokens=answer.prompt_tokens,
            completion_tokens=answer.completion_tokens,
            reply=answer.text,
        )

    return make
