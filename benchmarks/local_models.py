"""What each embedded model costs on this machine: disk, start, memory, reading, writing.

Why: the README and the models page quote these numbers to help a person choose a
model; they must come from the server as the product starts it (its flags, its
prompt cache), on the product's own prompts. For each installed model, side by side
in one run: the server is stopped, started again (seconds to ready), then asked for
code for the same plain-words requests, greedy, in rounds (model A's request, then
model B's, round by round, so machine noise hits both alike). Streaming times the
first token (reading the prompt) apart from the rest (writing). Memory is the server's
resident set after the load and at the end. Medians over the requests.

    .venv/bin/python -m benchmarks.local_models            # every installed model
    .venv/bin/python -m benchmarks.local_models --models local-1.5b --rounds 5
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from jupyter_forge import __version__
from jupyter_forge.forge import Forge
from jupyter_forge.llm import local
from jupyter_forge.llm.client import complete
from jupyter_forge.llm.local_models import LocalModelSpec, model_path, resolve_local
from jupyter_forge.llm.models import ResolvedModel

from ._common import RESULTS, machine_info, versions
from .ds import prepare
from .ds_tasks import all_tasks

EMBEDDED = ["local-1.5b", "local"]  # the default first
# Requests of each kind the DS benchmark holds: text, money, dates, records, pandas.
REQUESTS = ["squash_whitespace", "clean_prices", "parse_any_date", "sum_by_key", "share_of_group"]
MAX_TOKENS = 256


def timed_answer(forge: Forge, resolved: ResolvedModel, task_name: str) -> dict[str, Any]:
    """One greedy code answer to the product's first prompt for a DS task, timed."""
    task = next(t for t in all_tasks() if t.name == task_name)
    p = prepare(task)
    stamps: list[float] = []
    started = time.perf_counter()
    answer = complete(
        forge.first_messages(p.spec, p.namespace),
        resolved,
        on_token=lambda _t: stamps.append(time.perf_counter()),
        temperature=0.0,
        max_tokens=MAX_TOKENS,
        seed=0,
    )
    ended = time.perf_counter()
    tokens = answer.completion_tokens or len(stamps)
    first = stamps[0] - started if stamps else ended - started
    writing = ended - (stamps[0] if stamps else started)
    return {
        "task": task_name,
        "prompt_tokens": answer.prompt_tokens,
        "completion_tokens": tokens,
        "first_token_s": round(first, 3),
        "writing_s": round(writing, 3),
        "tokens_per_s": round((tokens - 1) / writing, 2) if writing > 0 and tokens > 1 else None,
        "seconds": round(ended - started, 3),
    }


def start_fresh(spec: LocalModelSpec) -> tuple[float, local.ServerInfo]:
    local.stop_server(spec)
    started = time.perf_counter()
    info = local.ensure_server(spec, keep_alive=-1)
    return time.perf_counter() - started, info


def measure(
    forge: Forge,
    specs: dict[str, LocalModelSpec],
    per_model: dict[str, dict[str, Any]],
    rounds: int,
) -> None:
    """Start each server afresh, then the timed answers, round by round across models."""
    models = list(specs)
    resolved: dict[str, ResolvedModel] = {}
    for name, spec in specs.items():
        seconds, info = start_fresh(spec)
        resolved[name] = forge.resolve(name)
        per_model[name] = {
            "gguf_bytes": model_path(spec).stat().st_size,
            "start_s": round(seconds, 2),
            "rss_after_load": local.rss_bytes(info.pid),
            "pid": info.pid,
            "answers": [],
        }
    for round_number in range(rounds):
        for task_name in REQUESTS:
            for name in models:
                row = timed_answer(forge, resolved[name], task_name)
                row["round"] = round_number + 1
                per_model[name]["answers"].append(row)
                print(
                    f"{name} round {row['round']} {task_name}: {row['first_token_s']} s to the "
                    f"first token, {row['tokens_per_s']} tokens/s writing",
                    flush=True,
                )
    for name in models:
        entry = per_model[name]
        entry["rss_at_end"] = local.rss_bytes(entry.pop("pid"))
        answers = entry["answers"]
        entry["median_tokens_per_s"] = statistics.median(
            a["tokens_per_s"] for a in answers if a["tokens_per_s"]
        )
        entry["median_first_token_s"] = statistics.median(a["first_token_s"] for a in answers)
        entry["median_answer_s"] = statistics.median(a["seconds"] for a in answers)


def run(models: list[str], rounds: int) -> dict[str, Any]:
    specs = {name: spec for name in models if (spec := resolve_local(name)) is not None}
    forge = Forge()
    per_model: dict[str, dict[str, Any]] = {}
    try:
        measure(forge, specs, per_model, rounds)
    finally:  # the servers were started never to stop on their own
        for spec in specs.values():
            local.stop_server(spec)
    return {
        "benchmark": "local_models",
        "command": "python -m benchmarks.local_models "
        + " ".join(f"--models {','.join(models)} --rounds {rounds}".split()),
        "machine": machine_info(),
        "jupyter_forge": __version__,
        "versions": versions("llama_cpp_python", "litellm"),
        "requests": REQUESTS,
        "max_tokens": MAX_TOKENS,
        "models": per_model,
    }


def _spec(name: str) -> LocalModelSpec:
    spec = resolve_local(name)
    assert spec is not None, name
    return spec


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", help="comma-separated (default: every installed model)")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--out", type=Path, default=RESULTS / "local_models.json")
    args = parser.parse_args(argv)
    if args.rounds < 1:
        raise SystemExit("--rounds must be at least 1")
    installed = [n for n in EMBEDDED if model_path(_spec(n)).exists()]
    models = [m.strip() for m in args.models.split(",")] if args.models else installed
    unknown = [m for m in models if resolve_local(m) is None]
    if unknown:
        raise SystemExit(f"not an embedded model: {unknown}; choose from {', '.join(EMBEDDED)}")
    missing = [m for m in models if not model_path(_spec(m)).exists()]
    if missing:
        raise SystemExit(f"not installed: {missing}; run `jupyter-forge model pull --model M`")
    payload = run(models, args.rounds)
    args.out.write_text(json.dumps(payload, indent=2) + "\n")
    for name, entry in payload["models"].items():
        print(
            f"{name}: {entry['gguf_bytes'] / 1e9:.2f} GB on disk, ready in {entry['start_s']} s, "
            f"{entry['rss_at_end'] / 1e9:.1f} GB RSS at the end, "
            f"{entry['median_tokens_per_s']} tokens/s writing, "
            f"{entry['median_first_token_s']} s to the first token (medians)"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
