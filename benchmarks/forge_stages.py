"""Where a forge spends its time: per-stage wall time for the quickstart requests.

Runs the real pipeline (embedded local model, real sandbox, real library writes)
and reports each stage's median across runs, plus the share that is not the LLM.

    .venv/bin/python -m benchmarks.forge_stages --runs 3
    .venv/bin/python -m benchmarks.forge_stages --recorder-only   # no model: the audit
        # hook's cost on sample runs (with/without, in fresh processes), printed only
    .venv/bin/python -m benchmarks.forge_stages --restart-only --model local-1.5b
        # only the keep-alive restart cost of that model, printed

With a local model it also measures what keep-alive costs: the time the next forge
waits for a server that was idle-stopped (start to ready, i.e. loading the model),
against reaching a running one. That stops the shared server, so run it when no
other kernel is using the model.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_forge import __version__
from jupyter_forge.core.spec import Sample, parse_cell
from jupyter_forge.forge import Forge
from jupyter_forge.kernel.registry import ToolRegistry
from jupyter_forge.sandbox import validate

# The quickstart notebook's requests (scripts/make_quickstart.py), plus one the 0.5B
# model finds hard, so the repair path is measured too.
REQUESTS = {
    "median": (
        "Return the median of a list of numbers.\n>>> median([3, 1, 2])\n2\n"
        ">>> median([4, 1, 3, 2])\n2.5\nassert median([7]) == 7"
    ),
    "slugify": (
        "Turn a title into a URL slug: make it lowercase, keep only letters, digits and spaces, "
        "then join the words with single hyphens.\n"
        ">>> slugify(\"Hello, World!\")\n'hello-world'\n"
        'assert slugify(titles[1]) == "data-science-101"'
    ),
    "parse_money": (
        'Parse a money string like "$1,234.50" or "(12.00)" into a float. '
        "Parentheses mean a negative amount.\n"
        '>>> parse_money("$1,234.50")\n1234.5\nassert parse_money("(12.00)") == -12.0'
    ),
}
NAMESPACE = {"titles": ["Hello, World!", "  Data   Science 101 ", "What is new?"]}
STAGES = [
    "prompt",
    "model_start",
    "llm",
    "extract",
    "static",
    "validate",
    "hints",
    "approve",
    "save",
]


def sandbox_round_trips(n: int = 20) -> dict[str, float]:
    """Trivial validations, cold (a new locked-down worker each) and warm (from the pool)."""
    from jupyter_forge.sandbox import pool

    code = "def ok(x: int) -> int:\n    return x + 1\n"
    sample = [Sample("ok(1)", "example", "2\n")]

    def timed(use_pool: bool) -> list[float]:
        times = []
        for _ in range(n):
            warm = pool.default_pool()
            if use_pool and warm is not None:
                warm.wait_full(5)  # measure a job that finds a ready worker (refill is untimed)
            started = time.perf_counter()
            report = validate(code, "ok", sample, pool=use_pool)
            times.append(time.perf_counter() - started)
            assert report.passed
        return times

    cold = timed(False)
    validate(code, "ok", sample, pool=True)  # start the pool
    warm = timed(True)
    return {
        "median_ms": statistics.median(cold) * 1000,
        "max_ms": max(cold) * 1000,
        "warm_median_ms": statistics.median(warm) * 1000,
        "warm_max_ms": max(warm) * 1000,
        "n": n,
    }


def restart_cost(forge: Forge, runs: int) -> dict[str, float] | None:
    """Seconds the next forge waits when the local server was idle-stopped, vs. running."""
    from jupyter_forge.llm import local

    spec = local.resolve_local(forge.model)
    if spec is None or runs < 1:
        return None
    cold = []
    for _ in range(runs):
        local.stop_server(spec)  # what keep-alive does when it expires
        tick = time.perf_counter()
        forge.resolve()
        cold.append(time.perf_counter() - tick)
    tick = time.perf_counter()
    forge.resolve()
    return {
        "restart_seconds_median": statistics.median(cold),
        "restart_seconds_max": max(cold),
        "running_server_ms": (time.perf_counter() - tick) * 1000,
    }


def time_samples(hook: bool, rounds: int) -> dict[str, Any]:
    """Run every DS reference's samples and checks ``rounds`` times, in this process.

    Why in a plain process: an audit hook cannot be removed, and the sandbox always
    installs it, so the only fair "without" is the same runs where it was never added.
    With ``hook`` it is added exactly as the worker does (``_install_attempts``) and
    recording is on around each sample, as in ``worker.main``.
    """
    import os

    from jupyter_forge.sandbox.worker import CANDIDATE_FILE, _install_attempts, _read_attempts

    from .ds_tasks import all_tasks

    install_ms = 0.0
    switch = [False]
    if hook:
        sink = os.open(os.devnull, os.O_WRONLY)
        started = time.perf_counter()
        switch = _install_attempts(*_read_attempts(), sink)
        install_ms = (time.perf_counter() - started) * 1000
    jobs = []
    for task in all_tasks():
        namespace: dict[str, Any] = {}
        exec(task.setup, namespace)  # the notebook's own (trusted) setup is not recorded
        switch[0] = True
        exec(compile(task.reference, CANDIDATE_FILE, "exec", dont_inherit=True), namespace)
        switch[0] = False
        sources = [s.source for s in parse_cell(task.name, task.cell).samples]
        jobs.append((namespace, [*sources, *task.hidden]))
    seconds = []
    for _ in range(rounds):
        started = time.perf_counter()
        for namespace, sources in jobs:
            for index, source in enumerate(sources):
                switch[0] = True
                try:
                    try:
                        compiled = compile(source, f"<sample {index}>", "eval", dont_inherit=True)
                    except SyntaxError:
                        compiled = compile(source, f"<sample {index}>", "exec", dont_inherit=True)
                    eval(compiled, dict(namespace))
                except Exception:
                    pass  # a sample's own failure is timed like a pass
                finally:
                    switch[0] = False
        seconds.append(time.perf_counter() - started)
    return {"seconds": seconds, "install_ms": install_ms}


def recorder_overhead(pairs: int = 5, rounds: int = 20) -> dict[str, Any]:
    """The audit-hook recorder's cost on sample runs: median ratio with/without it.

    Each child process runs the 54 DS references' samples and hidden checks
    ``rounds`` times; children with and without the hook alternate ``pairs`` times
    so machine noise hits both alike. The ratio is of the children's medians.
    """
    import subprocess

    medians: dict[bool, list[float]] = {False: [], True: []}
    install = []
    root = Path(__file__).parent.parent
    for _ in range(pairs):
        for hook in (False, True):
            code = (
                "import json\nfrom benchmarks.forge_stages import time_samples\n"
                f"print(json.dumps(time_samples({hook}, {rounds})))"
            )
            proc = subprocess.run(
                [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
            )
            data = json.loads(proc.stdout.strip().splitlines()[-1])
            medians[hook].append(statistics.median(data["seconds"]))
            if hook:
                install.append(data["install_ms"])
    off, on = statistics.median(medians[False]), statistics.median(medians[True])
    return {
        "pairs": pairs,
        "rounds": rounds,
        "samples_per_round": "every sample and hidden check of the 54 DS references",
        "median_round_ms_without": off * 1000,
        "median_round_ms_with": on * 1000,
        "median_ratio": on / off,
        "ratio_per_pair": [b / a for a, b in zip(medians[False], medians[True], strict=True)],
        "install_ms_median": statistics.median(install),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--model", default="local")
    parser.add_argument(
        "--restart-runs",
        type=int,
        default=3,
        help="times to restart the local server to measure the cost of keep-alive (0: skip)",
    )
    parser.add_argument(
        "--recorder-only",
        action="store_true",
        help="only the audit-hook recorder's overhead on sample runs (no model); printed",
    )
    parser.add_argument(
        "--restart-only",
        action="store_true",
        help="only what keep-alive costs the next forge with --model (no forges); printed",
    )
    parser.add_argument(
        "--out", default=str(Path(__file__).parent / "results" / "forge_stages.json")
    )
    args = parser.parse_args(argv)
    if args.recorder_only:
        print(json.dumps(recorder_overhead(), indent=2))
        return 0
    if args.restart_only:
        forge = Forge(model=args.model)
        forge.resolve()
        print(json.dumps({"model": args.model, **(restart_cost(forge, args.restart_runs) or {})}))
        return 0

    forge = Forge(model=args.model)
    forge.resolve()  # start the local server outside the measured forges
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory() as library:
        for run in range(args.runs):
            for name, body in REQUESTS.items():
                spec = parse_cell(name, body)
                result = forge.create(spec, attempts=4, namespace=NAMESPACE)
                if result.passed:
                    # Approval bookkeeping as the kernel does it: exec into a module, register.
                    tick = time.perf_counter()
                    ToolRegistry().install(
                        {}, name=name, code=result.code or "", schema=result.schema
                    )
                    result.add_time("approve", time.perf_counter() - tick)
                    forge.save(result, library=library, approved_how="benchmark")
                timings = {stage: result.timings.get(stage, 0.0) for stage in STAGES}
                total = sum(timings.values())
                rows.append(
                    {
                        "run": run,
                        "name": name,
                        "passed": result.passed,
                        "attempts": len(result.attempts),
                        "timings": timings,
                        "total": total,
                        "completion_tokens": sum(a.completion_tokens or 0 for a in result.attempts),
                    }
                )
                print(
                    f"run {run} {name:15} passed={result.passed!s:5} attempts={len(result.attempts)} "
                    f"llm={timings['llm']:.2f}s validate={timings['validate'] * 1000:.0f}ms "
                    f"other={(total - timings['llm']) * 1000:.0f}ms",
                    flush=True,
                )
    medians = {stage: statistics.median(r["timings"][stage] for r in rows) for stage in STAGES}
    overhead = [(r["total"] - r["timings"]["llm"]) / r["total"] for r in rows if r["total"]]
    validation_per_sample = [
        r["timings"]["validate"]
        / r["attempts"]
        / max(1, REQUESTS[r["name"]].count(">>>") + REQUESTS[r["name"]].count("assert"))
        for r in rows
    ]
    summary = {
        "median_seconds_per_stage": medians,
        "median_overhead_share": statistics.median(overhead),
        "median_validation_ms_per_sample": statistics.median(validation_per_sample) * 1000,
        "pass_rate": sum(r["passed"] for r in rows) / len(rows),
        "sandbox_cold_round_trip": sandbox_round_trips(),
        "local_server_restart": restart_cost(forge, args.restart_runs),
        "recorder_overhead": recorder_overhead(),
    }
    payload = {
        "benchmark": "forge_stages",
        "when": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "machine": {
            "python": platform.python_version(),
            "platform": platform.platform(),
            "cpus": __import__("os").cpu_count(),
        },
        "jupyter_forge": __version__,
        "model": args.model,
        "runs": args.runs,
        "summary": summary,
        "rows": rows,
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(payload, indent=2) + "\n")
    print(json.dumps(summary, indent=2))
    try:
        plot(rows, out.with_suffix(".png"))
    except ImportError:
        print("matplotlib not installed: no plot", file=sys.stderr)
    return 0


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = list(REQUESTS)
    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    bottom = [0.0] * len(names)
    for stage in STAGES:
        values = [
            statistics.median(r["timings"][stage] for r in rows if r["name"] == n) for n in names
        ]
        left.bar(names, values, bottom=bottom, label=stage)
        bottom = [b + v for b, v in zip(bottom, values, strict=False)]
    left.set_ylabel("seconds (median)")
    left.set_title("Wall time per stage (LLM dominates)")
    left.legend(fontsize=8)
    non_llm = [s for s in STAGES if s != "llm"]
    values = [statistics.median(r["timings"][s] for r in rows) * 1000 for s in non_llm]
    right.bar(non_llm, values, color="tab:orange")
    right.set_ylabel("milliseconds (median)")
    right.set_title("Everything that is not the LLM")
    right.tick_params(axis="x", rotation=30)
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    print(f"plot: {path}")


if __name__ == "__main__":
    sys.exit(main())
