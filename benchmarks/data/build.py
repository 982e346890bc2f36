"""Build benchmarks/data/retrieval_set.json from the hand-written tools and queries.

    .venv/bin/python -m benchmarks.data.build

The text files stay easy to read and review; the JSON is what benchmarks and tests
load. Fails loudly if a query names a tool that does not exist.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .queries_text import NEGATIVE, POSITIVE
from .tools_text import TOOLS

OUT = Path(__file__).with_name("retrieval_set.json")


def parse_tools(text: str) -> list[dict[str, Any]]:
    """``name | params -> ret | description | request | sample args`` (params may hold `|`)."""
    tools = []
    for line in text.splitlines():
        parts = line.split(" | ")
        name, args = parts[0].strip(), parts[-1].strip()
        description, request = parts[-3].strip(), parts[-2].strip()
        params, _, returns = " | ".join(parts[1:-3]).rpartition(" -> ")
        tools.append(
            {
                "name": name,
                "signature": f"{name}({params.strip()}) -> {returns.strip()}",
                "description": description,
                "request": request,
                "samples": [f"{name}({args})"],
            }
        )
    return tools


def build() -> dict[str, Any]:
    tools = parse_tools(TOOLS)
    names = [t["name"] for t in tools]
    if len(set(names)) != len(names):
        raise SystemExit("duplicate tool names in tools_text.py")
    unknown = [tool for _, tool in POSITIVE if tool not in names]
    if unknown:
        raise SystemExit(f"queries name unknown tools: {unknown}")
    return {
        "tools": tools,
        "positive": [{"query": q, "tool": t} for q, t in POSITIVE],
        "negative": list(NEGATIVE),
    }


def main() -> int:
    data = build()
    OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(
        f"{OUT}: {len(data['tools'])} tools, {len(data['positive'])} positive and "
        f"{len(data['negative'])} negative queries"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
