"""What reuse tracking costs per call: a bare tool vs the registered tool, tracking on and off.

The tool is trivial (``x + 1``), so the wrapper's share is as large as it can
get. The three cases are timed side by side in one run, interleaved round by
round (timeit-style: ``number`` calls per round, the median of the rounds), so
machine noise hits them alike. Also timed: one flush of counters to SQLite,
which happens every ``Forge.usage_flush_seconds`` on a background thread.

    .venv/bin/python -m benchmarks.call_overhead
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path
from typing import Any

from jupyter_forge import __version__
from jupyter_forge.kernel.registry import ToolRegistry
from jupyter_forge.kernel.tracking import Tracker

from ._common import RESULTS, machine_info, versions

CODE = "def add_one(x: int) -> int:\n    return x + 1\n"
CASES = ["bare function", "registered, tracking off", "registered, tracking on"]


def tools(library: Path) -> tuple[dict[str, Callable[..., Any]], Tracker]:
    """The three callables as a notebook user would hold them."""
    off = ToolRegistry(tracker=Tracker(enabled=False, register_atexit=False))
    tracker = Tracker(flush_seconds=3600, register_atexit=False)
    on = ToolRegistry(tracker=tracker)
    ns_off: dict[str, Any] = {}
    ns_on: dict[str, Any] = {}
    path = str(library / "add_one.ipynb")
    off.install(ns_off, name="add_one", code=CODE, schema=None, path=path)
    on.install(ns_on, name="add_one", code=CODE, schema=None, path=path)
    tool = on.get("add_one")
    assert tool is not None and tool.tracked and ns_on["add_one"] is not tool.function
    return {
        CASES[0]: tool.function,
        CASES[1]: ns_off["add_one"],
        CASES[2]: ns_on["add_one"],
    }, tracker


def per_call_ns(function: Callable[..., Any], number: int) -> float:
    timer = timeit.Timer("f(1)", globals={"f": function})
    return timer.timeit(number) / number * 1e9


def flush_ms(tracker: Tracker, fn: Callable[..., Any], rounds: int) -> list[float]:
    """One background flush: a batch of new counts merged into SQLite (WAL, UPSERT)."""
    times = []
    for _ in range(rounds):
        fn(1)
        started = time.perf_counter()
        assert tracker.flush(), tracker.errors
        times.append((time.perf_counter() - started) * 1000)
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=200, help="timing rounds per case")
    parser.add_argument("--number", type=int, default=20000, help="calls per round")
    parser.add_argument("--out", default=str(RESULTS / "call_overhead.json"))
    args = parser.parse_args(argv)

    with tempfile.TemporaryDirectory() as library:
        functions, tracker = tools(Path(library))
        for function in functions.values():  # warm up
            per_call_ns(function, args.number)
        samples: dict[str, list[float]] = {case: [] for case in CASES}
        order = list(CASES)
        rng = random.Random(0)
        for _ in range(args.rounds):
            rng.shuffle(order)
            for case in order:
                samples[case].append(per_call_ns(functions[case], args.number))
        calls, failures = tracker.counts("add_one")
        flushes = flush_ms(tracker, functions[CASES[2]], 50)
        tracker.close()

    median = {case: statistics.median(values) for case, values in samples.items()}
    quartiles = {case: statistics.quantiles(values, n=4) for case, values in samples.items()}
    summary = {
        "median_ns_per_call": median,
        "iqr_ns_per_call": {case: [q[0], q[2]] for case, q in quartiles.items()},
        "tracking_overhead_ns": median[CASES[2]] - median[CASES[0]],
        "tracking_off_overhead_ns": median[CASES[1]] - median[CASES[0]],
        "flush_ms_median": statistics.median(flushes),
        "flush_ms_max": max(flushes),
        "calls_counted": calls,
        "failures_counted": failures,
    }
    payload = {
        "benchmark": "call_overhead",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": machine_info(),
        "versions": versions("ipython", "ipykernel"),
        "jupyter_forge": __version__,
        "rounds": args.rounds,
        "calls_per_round": args.number,
        "summary": summary,
        "samples_ns_per_call": samples,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    try:
        plot(summary, out.with_suffix(".png"))
    except ImportError:
        print("matplotlib not installed: no plot", file=sys.stderr)
    return 0


def plot(summary: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    medians = [summary["median_ns_per_call"][c] for c in CASES]
    low = [m - summary["iqr_ns_per_call"][c][0] for m, c in zip(medians, CASES, strict=True)]
    high = [summary["iqr_ns_per_call"][c][1] - m for m, c in zip(medians, CASES, strict=True)]
    labels = [c.replace(", ", ",\n") for c in CASES]
    bars = ax.bar(labels, medians, yerr=[low, high], capsize=6, color=["0.6", "0.6", "tab:orange"])
    ax.bar_label(bars, [f"{m:.0f} ns" for m in medians], padding=8)
    ax.set_ylim(0, max(summary["iqr_ns_per_call"][c][1] for c in CASES) * 1.25)
    ax.set_ylabel("ns per call (median of rounds, IQR bars)")
    ax.set_title(
        f"Calling a trivial tool: tracking adds {summary['tracking_overhead_ns']:.0f} ns per call "
        "(target < 1000)"
    )
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"plot: {path}")


if __name__ == "__main__":
    sys.exit(main())
