"""``python -m benchmarks NAME [ARGS...]``: one entry point for every benchmark.

Why: the README and the results JSON cite one command form; each benchmark keeps
its own ``main(argv)`` and flags (``python -m benchmarks NAME --help``). Modules
are imported only when chosen, so listing them starts no model and loads no data.
"""

from __future__ import annotations

import importlib
import sys

BENCHMARKS = {
    "humaneval": "tool quality: HumanEval as tool requests (single / forge / forge+reuse)",
    "forge-stages": "machinery cost: time per forge stage, share that is not the LLM",
    "library-scale": "library at scale: 1k/10k tools, load time, search latency, memory",
    "retrieval": "search and best_match quality on the labelled retrieval set",
    "call-overhead": "call overhead of a registered tool vs the bare function",
    "ds": "tool quality: plain-words data-science requests, single vs forge, false greens",
    "metadata-fuzz": "hostile tool-notebook metadata against every reader: tracebacks (target 0)",
    "auto-approve-clean": "automatic approval of known-clean code: false refusals (target 0)",
    "server-poll": "the panel's GET tools at 10k tools via jupyter server: p50/p95, cold scan",
}


def usage() -> str:
    width = max(map(len, BENCHMARKS))
    lines = [f"  {name:<{width}}  {about}" for name, about in BENCHMARKS.items()]
    return "usage: python -m benchmarks NAME [ARGS...]\n\nbenchmarks:\n" + "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if not args or args[0] in ("-h", "--help", "list"):
        print(usage())
        return 0
    name = args[0].replace("_", "-")
    if name not in BENCHMARKS:
        print(
            f"unknown benchmark `{args[0]}`: choose one of {', '.join(BENCHMARKS)}", file=sys.stderr
        )
        return 2
    module = importlib.import_module(f"benchmarks.{name.replace('-', '_')}")
    result: int = module.main(args[1:])
    return result


if __name__ == "__main__":
    sys.exit(main())
