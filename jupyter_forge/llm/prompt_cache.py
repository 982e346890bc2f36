"""The local server's prompt cache: one evaluated prompt kept per kind of conversation.

llama.cpp reuses the longest common prefix of the new prompt and the tokens it
evaluated last, so a server alternating between two kinds of call (writing code,
writing checks from the words) re-reads each call's whole prompt at every switch:
on 2 cores that is seconds per call. This cache keeps the model state after each
completion, one per *family* (prompts that share at least :data:`FAMILY_TOKENS`
leading tokens: the same system prompt), so each kind of call finds its own
prefix again. A family's newest state replaces its older one (what the server's
single context did for it anyway); the least recently used family goes first.

It plugs into ``llama_cpp.Llama.set_cache`` (the duck-typed protocol llama.cpp's
completion path uses: ``cache[tokens]`` finds the state of the longest matching
key, ``cache[tokens] = state`` stores one). States are opaque here.
Stdlib only: tests drive it with stand-in states.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

FAMILY_TOKENS = 32  # leading tokens two prompts share when they are the same kind of call
MAX_FAMILIES = 3  # code, checks from the words, one spare (an agent's or another client's)

Key = tuple[int, ...]


def shared_prefix(a: Sequence[int], b: Sequence[int]) -> int:
    """How many leading tokens ``a`` and ``b`` have in common."""
    count = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        count += 1
    return count


class PromptCache:
    """Model states after completions, at most one per family of prompts."""

    def __init__(
        self, max_families: int = MAX_FAMILIES, family_tokens: int = FAMILY_TOKENS
    ) -> None:
        if max_families < 1 or family_tokens < 1:
            raise ValueError("a prompt cache keeps at least one family of at least one token")
        self.max_families = max_families
        self.family_tokens = family_tokens
        self._states: OrderedDict[Key, Any] = OrderedDict()

    def __len__(self) -> int:
        return len(self._states)

    def __bool__(self) -> bool:
        # llama.cpp tests ``if self.cache:``; an empty cache must still receive states.
        return True

    def _longest(self, key: Key) -> Key | None:
        """The stored key sharing the most leading tokens with ``key``; None if none shares any."""
        best: Key | None = None
        best_length = 0
        for stored in self._states:
            length = shared_prefix(stored, key)
            if length > best_length:
                best, best_length = stored, length
        return best

    def __contains__(self, key: Sequence[int]) -> bool:
        return self._longest(tuple(key)) is not None

    def __getitem__(self, key: Sequence[int]) -> Any:
        """The state whose tokens share the longest prefix with ``key`` (KeyError: none)."""
        best = self._longest(tuple(key))
        if best is None:
            raise KeyError("no cached prompt shares a prefix with this one")
        self._states.move_to_end(best)
        return self._states[best]

    def __setitem__(self, key: Sequence[int], state: Any) -> None:
        """Keep ``state`` as its family's newest; drop the family's older state."""
        stored_key = tuple(key)
        for stored in [k for k in self._states if self._same_family(k, stored_key)]:
            del self._states[stored]
        self._states[stored_key] = state
        while len(self._states) > self.max_families:
            self._states.popitem(last=False)

    def _same_family(self, a: Key, b: Key) -> bool:
        return shared_prefix(a, b) >= min(self.family_tokens, len(a), len(b))
