"""Retrieval quality on the labelled set: top-1/top-5 hit rates and best_match precision/recall.

The set (benchmarks/data/retrieval_set.json, built by ``python -m benchmarks.data.build``)
has 245 hand-written data-science tools, paraphrased queries labelled with the tool
that does it, and negative queries no tool covers. ``best_match`` must answer the
first and stay silent on the second; its thresholds are calibrated here (grid
search, F0.5: a wrong "this already exists" costs more than a missed one) and a
repeated 2-fold cross-validation shows how much of that is fitted to this set.

    .venv/bin/python -m benchmarks.retrieval
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from jupyter_forge import __version__
from jupyter_forge.core.catalog import CatalogEntry
from jupyter_forge.core.search import ToolIndex

from ._common import RESULTS, machine_info, versions

DATA = Path(__file__).parent / "data" / "retrieval_set.json"
THRESHOLDS = [round(0.30 + 0.025 * i, 3) for i in range(49)]  # 0.30 .. 1.50
MARGINS = [0.0, 0.025, 0.05, 0.1, 0.15, 0.2]


def load_set(path: Path = DATA) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def entries_from_set(tools: Sequence[dict[str, Any]]) -> list[CatalogEntry]:
    """The labelled tools as catalog entries (what a library folder would list)."""
    return [
        CatalogEntry(
            name=t["name"],
            version=1,
            description=t["description"],
            signature=t["signature"],
            request=t["request"],
            samples=list(t["samples"]),
            deprecated=False,
            deprecated_reason="",
            location=f"{t['name']}.ipynb",
            mtime=0.0,
        )
        for t in tools
    ]


def ranking(index: ToolIndex, positives: Sequence[dict[str, str]]) -> dict[str, Any]:
    """Top-1 and top-5 hit rates, and the queries whose tool was not ranked first."""
    top1 = top5 = 0
    misses = []
    for item in positives:
        names = [h.name for h in index.search(item["query"], k=5)]
        top1 += bool(names) and names[0] == item["tool"]
        top5 += item["tool"] in names
        if not names or names[0] != item["tool"]:
            rank = names.index(item["tool"]) + 1 if item["tool"] in names else None
            misses.append(
                {"query": item["query"], "want": item["tool"], "got": names[:3], "rank": rank}
            )
    n = len(positives)
    return {"n": n, "top1": top1 / n, "top5": top5 / n, "misses": misses}


def decisions(
    index: ToolIndex, positives: Sequence[dict[str, str]], negatives: Sequence[str]
) -> list[dict[str, Any]]:
    """best_match's inputs for every labelled query (so thresholds can be swept offline)."""
    rows = []
    for item in positives:
        f = index.features(item["query"])
        rows.append({**f, "query": item["query"], "want": item["tool"]})
    for query in negatives:
        f = index.features(query)
        rows.append({**f, "query": query, "want": None})
    return rows


def precision_recall(
    rows: Sequence[dict[str, Any]], threshold: float, margin: float
) -> dict[str, float]:
    """Precision: answers that name the right tool; recall: positives answered rightly."""
    answered = right = 0
    positives = sum(r["want"] is not None for r in rows)
    for r in rows:
        if r["name"] is not None and ToolIndex.decide(
            r["confidence"], r["margin"], threshold, margin
        ):
            answered += 1
            right += r["name"] == r["want"]
    precision = right / answered if answered else 1.0
    recall = right / positives if positives else 0.0
    beta2 = 0.25
    denom = beta2 * precision + recall
    f05 = (1 + beta2) * precision * recall / denom if denom else 0.0
    return {"precision": precision, "recall": recall, "f0.5": f05, "answered": answered}


def calibrate(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """Best (threshold, min margin) by F0.5; ties go to the stricter rule."""
    best: dict[str, Any] | None = None
    for threshold in THRESHOLDS:
        for margin in MARGINS:
            pr = precision_recall(rows, threshold, margin)
            key = (round(pr["f0.5"], 6), threshold, margin)
            if best is None or key > best["key"]:
                best = {"key": key, "threshold": threshold, "min_margin": margin, **pr}
    assert best is not None
    best.pop("key")
    return best


def cross_validate(
    rows: Sequence[dict[str, Any]], folds: int = 2, repeats: int = 10
) -> dict[str, Any]:
    """Calibrate on part of the queries, score on the rest: the honest precision/recall."""
    results = []
    for seed in range(repeats):
        shuffled = list(rows)
        random.Random(seed).shuffle(shuffled)
        for fold in range(folds):
            held = shuffled[fold::folds]
            train = [r for i, r in enumerate(shuffled) if i % folds != fold]
            rule = calibrate(train)
            results.append(precision_recall(held, rule["threshold"], rule["min_margin"]))
    return {
        "folds": folds,
        "repeats": repeats,
        "precision": statistics.mean(r["precision"] for r in results),
        "recall": statistics.mean(r["recall"] for r in results),
    }


def small_libraries(
    data: dict[str, Any], sizes: Sequence[int] = (3, 10, 30), trials: int = 20, seed: int = 0
) -> list[dict[str, Any]]:
    """best_match in libraries of a few tools, as most users have.

    Random subsets of the labelled tools; a paraphrased query whose tool is in the
    subset should be answered with it, one whose tool is not (often a tool of the
    same domain) and the negatives should get no offer. Reported for the current
    rule and without its confidence floor, to show what the floor buys.
    """
    rng = random.Random(seed)
    entries = entries_from_set(data["tools"])
    rows = []
    for size in sizes:
        counts = {
            rule: {"present": 0, "right": 0, "answered": 0, "absent": 0, "false": 0}
            for rule in ("current", "no_floor")
        }
        for _ in range(trials):
            subset = rng.sample(entries, size)
            names = {e.name for e in subset}
            index = ToolIndex(subset)
            queries = [(p["query"], p["tool"]) for p in data["positive"]]
            queries += [(q, None) for q in data["negative"]]
            for query, want in queries:
                f = index.features(query)
                for rule, floor in (("current", None), ("no_floor", 0.0)):
                    fire = f["name"] is not None and ToolIndex.decide(
                        f["confidence"], f["margin"], min_confidence=floor
                    )
                    c = counts[rule]
                    if want in names:
                        c["present"] += 1
                        c["answered"] += fire
                        c["right"] += fire and f["name"] == want
                    else:
                        c["absent"] += 1
                        c["false"] += fire
        for rule, c in counts.items():
            rows.append(
                {
                    "tools": size,
                    "rule": rule,
                    "trials": trials,
                    "recall": c["right"] / c["present"] if c["present"] else 0.0,
                    "precision": c["right"] / c["answered"] if c["answered"] else 1.0,
                    "false_offer_rate": c["false"] / c["absent"] if c["absent"] else 0.0,
                    "requests_without_a_tool": c["absent"],
                }
            )
    return rows


def evaluate(data: dict[str, Any]) -> dict[str, Any]:
    """Everything the results file and the regression test need."""
    started = time.perf_counter()
    index = ToolIndex(entries_from_set(data["tools"]))
    build_ms = (time.perf_counter() - started) * 1000
    rank = ranking(index, data["positive"])
    rows = decisions(index, data["positive"], data["negative"])
    current = precision_recall(rows, index.THRESHOLD, index.MIN_MARGIN)
    times = []
    for item in data["positive"]:
        t0 = time.perf_counter()
        index.search(item["query"])
        times.append((time.perf_counter() - t0) * 1000)
    return {
        "tools": len(data["tools"]),
        "positive_queries": len(data["positive"]),
        "negative_queries": len(data["negative"]),
        "index_build_ms": build_ms,
        "query_median_ms": statistics.median(times),
        "top1": rank["top1"],
        "top5": rank["top5"],
        "best_match": {
            "rule": {
                "threshold": index.THRESHOLD,
                "min_margin": index.MIN_MARGIN,
                "min_confidence": index.MIN_CONFIDENCE,
            },
            **current,
            "false_answers_on_negatives": [
                r["query"]
                for r in rows
                if r["want"] is None
                and r["name"] is not None
                and index.decide(r["confidence"], r["margin"])
            ],
        },
        "calibrated_in_sample": calibrate(rows),
        "cross_validated": cross_validate(rows),
        "small_libraries": small_libraries(data),
        "misses": rank["misses"],
        "decisions": rows,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=RESULTS / "retrieval.json")
    parser.add_argument("--no-plot", action="store_true")
    args = parser.parse_args(argv)
    result = evaluate(load_set())
    bm = result["best_match"]
    print(
        f"{result['tools']} tools, {result['positive_queries']} queries: top-1 {result['top1']:.1%}, "
        f"top-5 {result['top5']:.1%}; best_match precision {bm['precision']:.1%} "
        f"recall {bm['recall']:.1%} on +{result['negative_queries']} negatives; "
        f"cross-validated {result['cross_validated']['precision']:.1%}/"
        f"{result['cross_validated']['recall']:.1%}"
    )
    for row in result["small_libraries"]:
        print(
            f"  {row['tools']:>3} tools ({row['rule']:8}): recall {row['recall']:.0%}, precision "
            f"{row['precision']:.0%}, offers on requests no tool covers {row['false_offer_rate']:.1%}"
        )
    payload = {
        "benchmark": "retrieval",
        "jupyter_forge": __version__,
        "machine": machine_info(),
        "versions": versions("bm25s", "numpy"),
        "data": str(DATA.relative_to(Path(__file__).parent.parent)),
        **result,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(payload, indent=1) + "\n")
    print(f"results: {args.out}")
    if not args.no_plot:
        try:
            plot(result, args.out.with_suffix(".png"))
        except ImportError:
            print("matplotlib not installed: no plot", file=sys.stderr)
    return 0


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(11, 4))
    bm = result["best_match"]
    labels = ["top-1", "top-5", "best_match\nprecision", "best_match\nrecall"]
    values = [result["top1"], result["top5"], bm["precision"], bm["recall"]]
    bars = left.bar(labels, values, color=["#4c72b0", "#4c72b0", "#55a868", "#55a868"])
    left.bar_label(bars, labels=[f"{v:.0%}" for v in values])
    left.set_ylim(0, 1.1)
    left.set_title(
        f"{result['tools']} tools, {result['positive_queries']} paraphrased + "
        f"{result['negative_queries']} negative queries"
    )
    rows = result["decisions"]
    groups = (
        (
            "#4c72b0",
            "right tool on top",
            lambda r: r["want"] is not None and r["name"] == r["want"],
        ),
        (
            "#dd8452",
            "wrong tool on top",
            lambda r: r["want"] is not None and r["name"] != r["want"],
        ),
        ("#c44e52", "no tool exists", lambda r: r["want"] is None),
    )
    for colour, label, keep in groups:
        pts = [r for r in rows if keep(r)]
        right.scatter(
            [r["confidence"] for r in pts],
            [r["margin"] for r in pts],
            s=14,
            c=colour,
            label=f"{label} ({len(pts)})",
            alpha=0.7,
        )
    rule = bm["rule"]
    # boundary: margin = threshold / confidence - 1 (up to margin 1.0), floored at min_margin
    # and confidence >= min_confidence (a vertical line)
    floor = rule.get("min_confidence", 0.0)
    low = max(rule["threshold"] / 2, floor)
    knee = max(rule["threshold"] / (1 + rule["min_margin"]), floor)
    top = min(1.0, rule["threshold"] / low - 1)
    right.vlines(low, max(top, rule["min_margin"]), 1.05, color="grey", ls="--")
    xs = [low + (knee - low) * i / 100 for i in range(101)]
    right.plot(
        xs, [max(rule["threshold"] / x - 1, rule["min_margin"]) for x in xs], color="grey", ls="--"
    )
    right.hlines(rule["min_margin"], knee, 1.0, color="grey", ls="--")
    right.set_xlabel("confidence of top hit (idf-weighted query coverage)")
    right.set_ylabel("relative margin over 2nd hit")
    right.set_title("best_match answers above the dashed line", fontsize=10)
    right.legend(loc="upper left", fontsize=8, framealpha=0.8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"plot: {path}")


if __name__ == "__main__":
    raise SystemExit(main())
