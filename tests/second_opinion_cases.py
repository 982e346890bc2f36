"""Two candidates for one request that both pass its sample but differ on equal values,
and wrong ones that fail it (a repair found after them needs a second answer to agree).

Shared by the service, kernel and CLI tests of the second opinion (tests/conftest.py's
folder is on ``sys.path``).
"""

from __future__ import annotations

CELL = (
    "Scale a list of numbers so the smallest becomes 0 and the largest 1.\n"
    ">>> scale([10, 20, 30])\n[0.0, 0.5, 1.0]\n"
)
GUARDED = """```python
def scale(xs: list[float]) -> list[float]:
    \"\"\"Min-max scale; all-equal values scale to zeros.\"\"\"
    lo, hi = min(xs), max(xs)
    if hi == lo:
        return [0.0 for _ in xs]
    return [(x - lo) / (hi - lo) for x in xs]
```"""
SAME_BEHAVIOUR = """```python
def scale(xs: list[float]) -> list[float]:
    \"\"\"Min-max scale.\"\"\"
    low = min(xs)
    span = max(xs) - low
    return [0.0] * len(xs) if span == 0 else [(v - low) / span for v in xs]
```"""
UNGUARDED = """```python
def scale(xs: list[float]) -> list[float]:
    \"\"\"Min-max scale.\"\"\"
    lo, hi = min(xs), max(xs)
    return [(x - lo) / (hi - lo) for x in xs]
```"""
# Three different wrong answers: each fails the sample.
WRONG = UNGUARDED.replace("(x - lo) / (hi - lo)", "x / hi")
WRONG_TOO = UNGUARDED.replace("(x - lo) / (hi - lo)", "(x - lo) / hi")
WRONG_THREE = UNGUARDED.replace("(x - lo) / (hi - lo)", "x / (hi - lo)")
