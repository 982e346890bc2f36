"""``complete``: one streaming call through real litellm to the scripted model over HTTP."""

from __future__ import annotations

import time

import pytest

from jupyter_forge.llm.client import complete
from jupyter_forge.llm.models import ResolvedModel
from jupyter_forge.testing.scripted_llm import ScriptedModel


def test_an_interrupt_while_streaming_hangs_up_and_stays_an_interrupt() -> None:
    """Ctrl-C in the middle of an answer (here: in the token callback, where the display
    runs) must reach the caller as KeyboardInterrupt, not as a model error, and must close
    the stream: a llama.cpp server would otherwise generate on for nobody and make the
    next request wait."""
    with ScriptedModel([{"content": "word " * 400, "chunk_delay": 0.02}]) as sm:
        model = ResolvedModel("scripted", sm.model, sm.api_base, "none")
        seen: list[str] = []

        def on_token(piece: str) -> None:
            seen.append(piece)
            if len(seen) == 5:
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            complete([{"role": "user", "content": "talk"}], model, on_token=on_token)
        interrupted = time.monotonic()
        assert len(seen) == 5
        while sm.hangups == 0 and time.monotonic() - interrupted < 4:
            time.sleep(0.05)
        assert sm.hangups == 1  # well before the ~8 s the whole answer takes

        sm.push("fine")
        assert complete([{"role": "user", "content": "again"}], model).text == "fine"
