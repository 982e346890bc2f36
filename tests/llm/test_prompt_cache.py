"""The local server's prompt cache, driven with stand-in states (no model)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from jupyter_forge.llm.prompt_cache import PromptCache, shared_prefix

CODE = tuple(range(100, 140))  # a system prompt: 40 tokens
CHECKS = tuple(range(100, 105)) + tuple(range(500, 535))  # shares 5 tokens with CODE ("You are a")


@dataclass
class State:
    name: str


def test_shared_prefix_counts_leading_tokens_only() -> None:
    assert shared_prefix([1, 2, 3], [1, 2, 4, 5]) == 2
    assert shared_prefix([1, 2], [1, 2, 3]) == 2
    assert shared_prefix([9], [1, 9]) == 0
    assert shared_prefix([], [1]) == 0


def test_each_kind_of_call_finds_its_own_prompt_again() -> None:
    """Code, then checks, then code: the code call gets the code state back, not the checks'."""
    cache = PromptCache()
    cache[(*CODE, 1, 2, 3)] = State("code 1")
    cache[(*CHECKS, 7, 8)] = State("checks")
    assert cache[(*CODE, 1, 2, 9, 9)].name == "code 1"
    assert cache[(*CHECKS, 6)].name == "checks"


def test_a_family_keeps_only_its_newest_state() -> None:
    cache = PromptCache()
    cache[(*CODE, 1)] = State("first ask")
    cache[(*CODE, 2, 2)] = State("repair")
    assert len(cache) == 1
    assert cache[(*CODE, 1)].name == "repair"  # the only code state left


def test_the_least_recently_used_family_goes_first() -> None:
    cache = PromptCache(max_families=2)
    other = tuple(range(900, 940))
    cache[CODE] = State("code")
    cache[CHECKS] = State("checks")
    assert cache[(*CODE, 5)].name == "code"  # used: now the most recent
    cache[other] = State("other")
    assert len(cache) == 2
    assert cache[CHECKS].name == "code"  # the checks state is gone; code shares 5 tokens
    assert cache[other].name == "other"


def test_no_shared_prefix_is_a_miss() -> None:
    cache = PromptCache()
    with pytest.raises(KeyError):
        cache[CODE]
    cache[CODE] = State("code")
    with pytest.raises(KeyError):
        cache[(1, 2, 3)]
    assert (1, 2, 3) not in cache
    assert CODE[:3] in cache


def test_an_empty_cache_is_still_truthy() -> None:
    """llama.cpp stores states only ``if self.cache``: an empty cache must say yes."""
    assert PromptCache()


def test_short_prompts_of_one_kind_are_one_family() -> None:
    """Two prompts shorter than the family length are the same family when one extends the other."""
    cache = PromptCache(family_tokens=32)
    cache[(1, 2)] = State("short")
    cache[(1, 2, 3)] = State("longer")
    assert len(cache) == 1


@pytest.mark.parametrize(("families", "tokens"), [(0, 32), (3, 0)])
def test_a_cache_that_keeps_nothing_is_refused(families: int, tokens: int) -> None:
    with pytest.raises(ValueError, match="at least one"):
        PromptCache(families, tokens)
