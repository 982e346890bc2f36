"""The library at scale: listing and searching 1,000 and 10,000 tool notebooks.

Writes real tool notebooks (jupyter_forge.core.notebook.build_tool_notebook with
Library.save's metadata, via nbformat) into a temp dir, signed with a throwaway
notary so they are trusted, as a user's own library is. Texts are the 245 labelled tools of
benchmarks/data, varied by a domain word and extra words so the vocabulary grows
with the library. Measured per size:

Timings are medians of 3 runs.

- catalog cold build (json-parse every notebook, write the cache in the cache dir),
  warm listing from the on-disk cache in a new Catalog (a new kernel), re-listing
  in the same Catalog (stat only), and re-listing after 10 files changed;
- ToolIndex build time; search and best_match latency (median, p95) over the
  labelled queries;
- resident memory (RSS from /proc, in a fresh process) of holding catalog + index;
- ``%forge load`` of the whole library in a fresh IPython (every notebook read,
  its signature checked, its code exec'd into its own module): seconds and the
  kernel's RSS before/after;
- for comparison, ``Library(root).tools()`` (full nbformat read + trust check) at 1,000.

    .venv/bin/python -m benchmarks.library_scale            # 1000 and 10000
    .venv/bin/python -m benchmarks.library_scale --sizes 1000
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from jupyter_forge import __version__
from jupyter_forge.core.catalog import Catalog
from jupyter_forge.core.search import ToolIndex

from ._common import RESULTS, machine_info, versions
from .retrieval import load_set

DOMAINS = [
    "sales",
    "finance",
    "marketing",
    "clinical",
    "genomics",
    "sensor",
    "weather",
    "traffic",
    "retail",
    "energy",
    "insurance",
    "logistics",
    "survey",
    "web",
    "mobile",
    "payroll",
    "inventory",
    "fraud",
    "churn",
    "support",
    "hr",
    "supply",
    "telemetry",
    "ads",
    "crm",
    "billing",
    "shipping",
    "hotel",
    "airline",
    "sports",
    "education",
]
ROOT = Path(__file__).parent.parent
REPEAT = 3  # timings are the median of this many runs (the machine is shared)


def write_library(root: Path, n: int, seed: int = 0, notary_dir: Path | None = None) -> None:
    """``n`` tool notebooks, laid out as Library.save does; signed when ``notary_dir`` is given."""
    import nbformat

    from jupyter_forge.core.signatures import notary as _notary

    notary = _notary(str(notary_dir)) if notary_dir is not None else None

    from jupyter_forge.core.library import FORMAT_VERSION, now_iso
    from jupyter_forge.core.notebook import build_tool_notebook
    from jupyter_forge.core.spec import Sample

    rng = random.Random(seed)
    tools = load_set()["tools"]
    vocab = sorted({w for t in tools for w in t["description"].lower().split() if w.isalpha()})
    root.mkdir(parents=True, exist_ok=True)
    for i in range(n):
        base = tools[i % len(tools)]
        lap = i // len(tools)
        domain = DOMAINS[lap % len(DOMAINS)]
        name = base["name"] if lap == 0 else f"{base['name']}_{domain}_{lap}"
        extra = " ".join(rng.sample(vocab, 3))
        description = (
            base["description"]
            if lap == 0
            else f"{base['description']} For {domain} data ({extra})."
        )
        signature = base["signature"].replace(base["name"], name, 1)
        samples = [Sample(s.replace(base["name"], name, 1), "code") for s in base["samples"]]
        params = signature.partition("(")[2].rpartition(")")[0]
        code = f"def {name}({params}):\n    {description!r}\n    raise NotImplementedError\n"
        meta = {
            "format": FORMAT_VERSION,
            "name": name,
            "version": 1,
            "description": description,
            "signature": signature,
            "request": base["request"],
            "model": "openai/synthetic",
            "model_id": "synthetic",
            "samples": [s.to_json() for s in samples],
            "schema": None,
            "validation": {"passed": True, "samples": len(samples)},
            "requirements": [],
            "findings": [],
            "created": now_iso(),
            "updated": now_iso(),
            "approved": {"by": "bench", "at": now_iso(), "how": "synthetic"},
            "deprecated": {"by": "bench", "at": now_iso(), "reason": "synthetic"}
            if i % 50 == 49
            else None,
            "history": [],
        }
        nb = build_tool_notebook(
            name=name,
            code=code,
            description=description,
            signature=signature,
            samples=samples,
            metadata=meta,
        )
        if notary is not None:
            notary.sign(nb)
        (root / f"{name}.ipynb").write_text(nbformat.writes(nb), encoding="utf-8")


def timed(func: Any, *args: Any) -> tuple[float, Any]:
    started = time.perf_counter()
    value = func(*args)
    return (time.perf_counter() - started) * 1000, value


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


MEMORY_CHILD = """
import json, sys, gc
def rss():
    for line in open('/proc/self/status'):
        if line.startswith('VmRSS:'):
            return int(line.split()[1]) * 1024
import numpy, bm25s
from jupyter_forge.core.catalog import Catalog
from jupyter_forge.core.search import ToolIndex
gc.collect(); before = rss()
catalog = Catalog(__import__('pathlib').Path(sys.argv[1]), __import__('pathlib').Path(sys.argv[2]))
entries = catalog.refresh()
gc.collect(); after_catalog = rss()
index = ToolIndex(entries)
index.search('parse a date string')
gc.collect(); after_index = rss()
print(json.dumps({'catalog_mb': (after_catalog - before) / 2**20,
                  'index_mb': (after_index - after_catalog) / 2**20,
                  'total_mb': (after_index - before) / 2**20, 'entries': len(entries)}))
"""


def memory(root: Path, cache: Path) -> dict[str, float]:
    """RSS growth of a fresh process that lists (warm cache) and indexes the library."""
    out = subprocess.run(
        [sys.executable, "-c", MEMORY_CHILD, str(root), str(cache)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
    )
    result: dict[str, float] = json.loads(out.stdout)
    return result


LOAD_CHILD = """
import json, os, resource, sys, time
from IPython.testing.globalipapp import start_ipython

def rss_mb():
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
ip = start_ipython()
ip.run_line_magic("load_ext", "jupyter_forge")
ip.run_line_magic("config", f"Forge.library = {sys.argv[1]!r}")
ip.run_line_magic("config", "Forge.user_library = ''")
before = rss_mb()
t = time.perf_counter()
ip.run_line_magic("forge", "load")
seconds = time.perf_counter() - t
loaded = sum(1 for v in ip.user_ns.values() if getattr(v, "__module__", "").startswith("forge_tools."))
print(json.dumps({"load_s": seconds, "tools_defined": loaded, "rss_before_mb": before, "rss_after_mb": rss_mb()}))
"""


def forge_load(root: Path, notary_dir: Path) -> dict[str, float]:
    """``%forge load`` of the whole library in a fresh IPython: seconds and kernel memory."""
    env = dict(os.environ, JUPYTER_DATA_DIR=str(notary_dir), JUPYTER_FORGE_SANDBOX_POOL="0")
    out = subprocess.run(
        [sys.executable, "-c", LOAD_CHILD, str(root)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
    )
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def measure(n: int, work: Path, queries: list[str], full_read: bool) -> dict[str, Any]:
    root, cache, notary_dir = work / f"lib{n}", work / f"cache{n}", work / f"notary{n}"
    write_ms, _ = timed(write_library, root, n, 0, notary_dir)
    print(f"[{n}] wrote {n} notebooks in {write_ms / 1000:.1f} s", flush=True)
    before = sorted(os.listdir(root))
    colds, warms, relists = [], [], []
    for attempt in range(REPEAT):
        if attempt:
            Catalog(root, cache).cache_file.unlink()
        ms, entries = timed(Catalog(root, cache).refresh)
        colds.append(ms)
    for _ in range(REPEAT):
        warm_catalog = Catalog(root, cache)
        warms.append(timed(warm_catalog.refresh)[0])
        relists.append(timed(warm_catalog.refresh)[0])
    cold_ms, warm_ms, relist_ms = map(statistics.median, (colds, warms, relists))
    for path in sorted(root.glob("*.ipynb"))[:10]:
        path.write_text(path.read_text(encoding="utf-8").replace("synthetic", "synthetic2"))
    changed_ms, _ = timed(warm_catalog.refresh)
    assert warm_catalog.stats["parsed"] == 10, warm_catalog.stats
    assert sorted(os.listdir(root)) == before, "reading the catalog changed the library folder"
    assert not warm_catalog.errors, warm_catalog.errors[:3]
    builds = [timed(ToolIndex, entries) for _ in range(REPEAT)]
    index_ms, index = statistics.median(ms for ms, _ in builds), builds[-1][1]
    search_ms, match_ms = [], []
    for _ in range(3):
        for q in queries:
            search_ms.append(timed(index.search, q)[0])
            match_ms.append(timed(index.best_match, q)[0])
    row: dict[str, Any] = {
        "tools": n,
        "entries": len(entries),
        "deprecated": sum(e.deprecated for e in entries),
        "write_s": write_ms / 1000,
        "catalog_cold_ms": cold_ms,
        "catalog_warm_new_process_ms": warm_ms,
        "catalog_relist_same_object_ms": relist_ms,
        "catalog_relist_10_changed_ms": changed_ms,
        "cache_file_mb": Catalog(root, cache).cache_file.stat().st_size / 2**20,
        "index_build_ms": index_ms,
        "search_median_ms": statistics.median(search_ms),
        "search_p95_ms": percentile(search_ms, 0.95),
        "best_match_median_ms": statistics.median(match_ms),
        "best_match_p95_ms": percentile(match_ms, 0.95),
        "queries_timed": len(search_ms),
        "memory": memory(root, cache),
    }
    loads = [forge_load(root, notary_dir) for _ in range(REPEAT)]
    row["forge_load"] = {key: statistics.median(run[key] for run in loads) for key in loads[0]} | {
        "runs_s": [run["load_s"] for run in loads]
    }
    if full_read:
        from jupyter_forge.core.library import Library

        lib = Library(root, notary_dir=str(notary_dir))
        full_ms, records = timed(lib.tools)
        row["library_tools_full_read_ms"] = full_ms
        row["library_tools_records"] = len(records)
    print(f"[{n}] {json.dumps({k: v for k, v in row.items() if k != 'memory'})}", flush=True)
    print(f"[{n}] memory {row['memory']}", flush=True)
    return row


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--out", type=Path, default=RESULTS / "library_scale.json")
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument("--replot", action="store_true", help="redraw the PNG from --out")
    args = parser.parse_args(argv)
    if args.replot:
        plot(json.loads(args.out.read_text())["rows"], args.out.with_suffix(".png"))
        return 0
    data = load_set()
    queries = [p["query"] for p in data["positive"]] + list(data["negative"])
    import_ms, _ = timed(__import__, "bm25s")
    rows = []
    with tempfile.TemporaryDirectory(prefix="forge-scale-") as tmp:
        for n in args.sizes:
            rows.append(measure(n, Path(tmp), queries, full_read=n <= 1000))
    payload = {
        "benchmark": "library_scale",
        "jupyter_forge": __version__,
        "machine": machine_info(),
        "versions": versions("bm25s", "numpy", "nbformat"),
        "signed": True,
        "bm25s_import_ms": import_ms,
        "rows": rows,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"results: {args.out}")
    if not args.no_plot:
        try:
            plot(rows, args.out.with_suffix(".png"))
        except ImportError:
            print("matplotlib not installed: no plot", file=sys.stderr)
    return 0


def plot(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right, third) = plt.subplots(1, 3, figsize=(15, 4))
    labels = {
        "catalog_cold_ms": "catalog\ncold",
        "catalog_warm_new_process_ms": "catalog warm\n(cache file)",
        "catalog_relist_same_object_ms": "re-list\n(stat only)",
        "index_build_ms": "index\nbuild",
    }
    width = 0.8 / len(rows)
    for j, row in enumerate(rows):
        xs = [i + j * width for i in range(len(labels))]
        bars = left.bar(xs, [row[k] for k in labels], width, label=f"{row['tools']:,} tools")
        left.bar_label(bars, labels=[f"{row[k]:.0f}" for k in labels], fontsize=7)
    left.set_xticks([i + width * (len(rows) - 1) / 2 for i in range(len(labels))])
    left.set_xticklabels(list(labels.values()), fontsize=8)
    left.set_ylabel("ms")
    full = [r for r in rows if "library_tools_full_read_ms" in r]
    title = "listing and indexing"
    if full:
        title += f" (Library.tools() at {full[0]['tools']:,}: {full[0]['library_tools_full_read_ms']:.0f} ms)"
    left.set_title(title, fontsize=9)
    left.legend()
    names = [f"{r['tools']:,}" for r in rows]
    xs = list(range(len(rows)))
    right.bar([x - 0.2 for x in xs], [r["search_median_ms"] for r in rows], 0.4, label="median")
    right.bar([x + 0.2 for x in xs], [r["search_p95_ms"] for r in rows], 0.4, label="p95")
    right.axhline(20, color="grey", ls="--", label="20 ms target")
    right.set_xticks(xs)
    right.set_xticklabels([f"{n} tools" for n in names])
    right.set_ylabel("ms per query")
    right.set_title("search latency (labelled queries, x3)", fontsize=9)
    right.legend()
    loads = [r for r in rows if "forge_load" in r]
    xs = list(range(len(loads)))
    seconds = third.bar(xs, [r["forge_load"]["load_s"] for r in loads], 0.5, color="tab:green")
    third.bar_label(
        seconds,
        labels=[
            f"{r['forge_load']['load_s']:.1f} s\n+{r['forge_load']['rss_after_mb'] - r['forge_load']['rss_before_mb']:.0f} MB RSS"
            for r in loads
        ],
        fontsize=8,
    )
    third.set_xticks(xs)
    third.set_xticklabels([f"{r['tools']:,} tools" for r in loads])
    third.set_ylabel("seconds")
    third.set_title("%forge load of the whole library (fresh IPython)", fontsize=9)
    third.margins(y=0.25)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot: {path}")


if __name__ == "__main__":
    raise SystemExit(main())
