"""Plain-words data-science results: the per-condition summary, the README table and plot.

Why: the numbers people compare (correct tools, false greens, time, attempts)
are computed in one place from the rows, so a resumed or partial run is summarised
exactly like a complete one, and several models' files make one chart.

    .venv/bin/python -m benchmarks.ds_report benchmarks/results/ds-*.json
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._common import RESULTS

CONDITIONS = ("single", "forge")
Row = dict[str, Any]
Rows = dict[str, dict[str, Row]]  # condition -> task name -> row

# How rows are scored. 2: ``hidden_passed`` needs the samples to pass too, and the
# forge's green is the ``passed`` verdict (a doubtful, amber tool is not green).
SCORING = 2


def rescored(rows: Rows) -> Rows:
    """Rows of an older run scored as now, from what they recorded.

    Scoring 1 counted hidden checks alone and every sample-passing forge as green. Both
    are recomputable exactly: ``flagged`` on a sample-passing forge row is the doubtful
    verdict (its checks ran on the shown code and some failed).
    """
    out: Rows = {}
    for condition, by_task in rows.items():
        out[condition] = {}
        for name, row in by_task.items():
            if row.get("scoring", 1) >= SCORING:
                out[condition][name] = row
                continue
            correct = bool(row["hidden_passed"]) and bool(row["samples_passed"])
            green = bool(row["samples_passed"]) and (
                condition.startswith("single") or not row.get("flagged")
            )
            out[condition][name] = {
                **row,
                "scoring": SCORING,
                "rescored": True,
                "hidden_passed": correct,
                "false_green": green and not correct,
                "flagged": bool(row.get("flagged")) and bool(row["samples_passed"]),
            }
    return out


def _mean(values: list[float]) -> float:
    return statistics.mean(values) if values else 0.0


def any_correct(row: Row) -> bool:
    """Whether any answer the forge got passed the samples and every hidden check."""
    total = row.get("hidden_checks", 0)
    return any(
        c["samples_passed"] and total and c["hidden_checks_passed"] == total
        for c in row.get("candidates") or ()
    )


def summarize(rows: Rows) -> dict[str, Any]:
    """Per condition: hidden pass, false greens, cost; the forge/single ratio; categories.

    Rates are over the tasks the condition ran (``n``). ``hidden_passed``: a correct
    tool (samples and every hidden check pass). A false green is a task the product
    showed green that is not correct: for ``single``, code passing the samples; for
    ``forge``, the ``passed`` verdict. ``doubtful`` (amber: passes the samples, breaks
    checks from the words) is counted apart: ``caught`` wrong ones, ``doubted`` right
    ones; ``disputed`` of them were amber because a second green candidate answered
    differently on probes. So ``hidden_pass_rate + false_green_rate <= 1``.
    ``correct_written``: tasks where some answer was correct, shown or not (a
    selection miss when it exceeds ``hidden_passed``).
    """
    summary: dict[str, Any] = {}
    rows = rescored(rows)
    for condition in [*CONDITIONS, *sorted(set(rows) - set(CONDITIONS))]:
        outs = list(rows.get(condition, {}).values())
        if not outs:
            continue
        n = len(outs)
        hidden = sum(bool(o["hidden_passed"]) for o in outs)
        false_green = sum(bool(o["false_green"]) for o in outs)
        entry: dict[str, Any] = {
            "n": n,
            "hidden_passed": hidden,
            "hidden_pass_rate": hidden / n,
            "false_green": false_green,
            "false_green_rate": false_green / n,
            "samples_passed": sum(bool(o["samples_passed"]) for o in outs),
            "median_seconds": statistics.median(o["wall_seconds"] for o in outs),
            "mean_attempts": _mean([o["attempts"] for o in outs]),
            "mean_prompt_tokens": _mean([o["prompt_tokens"] for o in outs]),
            "mean_completion_tokens": _mean([o["completion_tokens"] for o in outs]),
            "errors": sum(bool(o.get("error")) for o in outs),
        }
        if not condition.startswith("single"):
            # The reviewer saw amber: "passes the samples, breaks k of N checks from your words".
            entry["flagged"] = sum(bool(o.get("flagged")) for o in outs)
            entry["caught"] = sum(bool(o.get("flagged")) and not o["hidden_passed"] for o in outs)
            entry["doubted_correct"] = sum(
                bool(o.get("flagged")) and bool(o["hidden_passed"]) for o in outs
            )
            # Amber from the second opinion: two green candidates that answered differently.
            disputed = [o for o in outs if o.get("disputed")]
            entry["disputed"] = len(disputed)
            entry["disputed_wrong"] = sum(not o["hidden_passed"] for o in disputed)
            # Amber because a repaired candidate had no second answer agreeing with it.
            late = [o for o in outs if o.get("doubt") == "uncorroborated"]
            entry["uncorroborated"] = len(late)
            entry["uncorroborated_wrong"] = sum(not o["hidden_passed"] for o in late)
            entry["with_word_checks"] = sum(
                bool((o.get("word_checks") or {}).get("count")) for o in outs
            )
            # A correct candidate was written but another was shown (rows that list them).
            scored = [o for o in outs if o.get("candidates") is not None]
            if scored:
                entry["scored_candidates"] = len(scored)
                entry["correct_written"] = sum(any_correct(o) for o in scored)
        summary[condition] = entry
    # Over the tasks both conditions ran (a partial or resumed run may differ).
    both = set(rows.get("single", {})) & set(rows.get("forge", {}))
    base = sum(bool(rows["single"][t]["hidden_passed"]) for t in both)
    forged = sum(bool(rows["forge"][t]["hidden_passed"]) for t in both)
    summary["ratio_forge_single"] = forged / base if base else None
    summary["ratio_n"] = len(both)
    # The checks-in-prompt experiment, each against its own baseline over shared tasks.
    pairs = (
        ("single-checks", "single"),
        ("forge-checks", "forge"),
        ("single-plan", "single"),
        ("forge-fresh", "forge"),
    )
    for variant, baseline in pairs:
        shared = set(rows.get(variant, {})) & set(rows.get(baseline, {}))
        if shared:
            summary[f"paired_{variant}"] = {
                "n": len(shared),
                baseline: sum(bool(rows[baseline][t]["hidden_passed"]) for t in shared),
                variant: sum(bool(rows[variant][t]["hidden_passed"]) for t in shared),
                f"{baseline}_false_green": sum(
                    bool(rows[baseline][t]["false_green"]) for t in shared
                ),
                f"{variant}_false_green": sum(
                    bool(rows[variant][t]["false_green"]) for t in shared
                ),
            }
    categories: dict[str, dict[str, dict[str, int]]] = {}
    for condition, by_task in rows.items():
        for row in by_task.values():
            cell = categories.setdefault(row.get("category") or "?", {}).setdefault(
                condition, {"n": 0, "hidden_passed": 0, "false_green": 0}
            )
            cell["n"] += 1
            cell["hidden_passed"] += bool(row["hidden_passed"])
            cell["false_green"] += bool(row["false_green"])
    summary["by_category"] = {k: categories[k] for k in sorted(categories)}
    return summary


def _label(payload: dict[str, Any]) -> str:
    default = " (default)" if payload.get("default_model") else ""
    return f"{payload['model']}{default}"


def markdown_table(payloads: Sequence[dict[str, Any]]) -> str:
    """The README table: one line per model and condition."""
    lines = [
        "| model | condition | correct | false greens | amber (wrong / right) | median s | attempts |",
        "|---|---|---|---|---|---|---|",
    ]
    for payload in payloads:
        summary = summarize(payload["rows"])
        partial = "" if payload.get("complete") else " (partial)"
        for condition in [c for c in summary if c in CONDITIONS]:
            e = summary[condition]
            amber = f"{e['caught']} / {e['doubted_correct']}" if "caught" in e else "-"
            lines.append(
                f"| `{_label(payload)}`{partial} | {condition} | "
                f"{e['hidden_pass_rate'] * 100:.0f}% ({e['hidden_passed']}/{e['n']}) | "
                f"{e['false_green']}/{e['n']} | {amber} | {e['median_seconds']:.1f} | "
                f"{e['mean_attempts']:.2f} |"
            )
    return "\n".join(lines)


def cascade_rows(small: Rows, large: Rows) -> dict[str, Row]:
    """The cascade "small model first, the larger one when the small one's forge is not
    green" (failed, or doubtful: a person would want the better model's answer then),
    derived from two measured runs on the tasks both ran (no new generation): the outcome
    is the large run's row when the small forge was not green, and its time is both
    forges' time added up (the fallback starts after the small forge gave up)."""
    out: dict[str, Row] = {}
    for name in sorted(set(small.get("forge", {})) & set(large.get("forge", {}))):
        first, second = small["forge"][name], large["forge"][name]
        green = bool(first["samples_passed"]) and not first.get("flagged")
        row = dict(first if green else second)
        if not green:
            row["wall_seconds"] = first["wall_seconds"] + second["wall_seconds"]
            row["attempts"] = first["attempts"] + second["attempts"]
            for key in ("prompt_tokens", "completion_tokens"):
                row[key] = first[key] + second[key]
        row["fell_back"] = not green
        out[name] = row
    return out


def cascade_table(small: dict[str, Any], large: dict[str, Any]) -> str:
    """Plain switch vs cascade, on the tasks both runs have, as a README table."""
    small_rows, large_rows = rescored(small["rows"]), rescored(large["rows"])
    shared = sorted(set(small_rows.get("forge", {})) & set(large_rows.get("forge", {})))
    options = {
        f"`{small['model']}` forge": {t: small_rows["forge"][t] for t in shared},
        f"`{large['model']}` forge": {t: large_rows["forge"][t] for t in shared},
        f"cascade `{small['model']}` → `{large['model']}`": cascade_rows(small_rows, large_rows),
    }
    lines = [
        f"| on the {len(shared)} tasks both ran | hidden pass | false greens | median s |",
        "|---|---|---|---|",
    ]
    for label, rows in options.items():
        n = len(rows) or 1
        hidden = sum(bool(r["hidden_passed"]) for r in rows.values())
        false_green = sum(bool(r["false_green"]) for r in rows.values())
        median = statistics.median(r["wall_seconds"] for r in rows.values()) if rows else 0.0
        lines.append(
            f"| {label} | {hidden / n * 100:.0f}% ({hidden}/{len(rows)}) | "
            f"{false_green}/{len(rows)} | {median:.1f} |"
        )
    return "\n".join(lines)


def plot(results_paths: Sequence[Path], out_png: Path) -> None:
    """Grouped bars, one group per results file: single vs forge, correct tools with the
    false-green rate stacked on top (hatched red: marked green, wrong) and, for the forge,
    the wrong tools it marked doubtful (hatched amber: the mark caught them)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    payloads = [json.loads(Path(p).read_text()) for p in results_paths]
    colors = {"single": "tab:gray", "forge": "tab:blue"}
    width = 0.38
    fig, ax = plt.subplots(figsize=(max(5.0, 2.6 * len(payloads) + 1.5), 4.2))
    caught_labelled = False
    for group, payload in enumerate(payloads):
        summary = summarize(payload["rows"])
        for offset, condition in enumerate(CONDITIONS):
            e = summary.get(condition)
            if e is None:
                continue
            x = group + (offset - 0.5) * width
            passed, green = e["hidden_pass_rate"] * 100, e["false_green_rate"] * 100
            label = condition if group == 0 else None
            ax.bar(x, passed, width, color=colors[condition], label=label)
            ax.bar(
                x,
                green,
                width,
                bottom=passed,
                color="white",
                edgecolor="tab:red",
                hatch="///",
                label="false green (marked green, wrong)" if group == 0 and offset == 0 else None,
            )
            caught = e.get("caught", 0) / e["n"] * 100
            ax.bar(
                x,
                caught,
                width,
                bottom=passed + green,
                color="white",
                edgecolor="tab:orange",
                hatch="\\\\",
                label="wrong, marked doubtful (caught)" if caught and not caught_labelled else None,
            )
            caught_labelled = caught_labelled or bool(caught)
            ax.annotate(
                f"{passed:.0f}% ({e['hidden_passed']}/{e['n']})"
                + (f"\n+{e['false_green']} false green" if e["false_green"] else "")
                + (f"\n+{e['caught']} caught" if caught else ""),
                (x, passed + green + caught),
                ha="center",
                va="bottom",
                fontsize=8,
            )
    ax.set_xticks(range(len(payloads)))
    ax.set_xticklabels([f"{_label(p)}\n{p.get('tasks', '?')} tasks" for p in payloads], fontsize=8)
    ax.set_ylim(0, 115)
    ax.set_ylabel("tasks (%)")
    ax.set_title(
        "Plain-words data-science tasks: correct tools\n(samples and hidden checks pass)",
        fontsize=10,
    )
    handles, labels = ax.get_legend_handles_labels()
    order = sorted(range(len(labels)), key=lambda i: labels[i].startswith("false"))
    ax.legend(
        [handles[i] for i in order],
        [labels[i] for i in order],
        loc="upper left",
        fontsize=8,
        frameon=False,
        ncol=3,
    )
    fig.tight_layout()
    out_png.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out_png, dpi=100)
    plt.close(fig)
    print(f"plot: {out_png}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.ds_report",
        description="Print the markdown table of ds results and redraw the plot.",
    )
    parser.add_argument("results", nargs="+", type=Path, help="ds-*.json files")
    parser.add_argument("--out", type=Path, default=RESULTS / "ds.png", help="plot path")
    parser.add_argument("--no-plot", action="store_true")
    parser.add_argument(
        "--cascade",
        nargs=2,
        metavar=("SMALL", "LARGE"),
        help="also compare a cascade (SMALL's forge, LARGE's when it fails) with each model",
    )
    args = parser.parse_args(argv)
    payloads = [json.loads(p.read_text()) for p in args.results]
    print(markdown_table(payloads))
    if args.cascade:
        by_model = {p["model"]: p for p in payloads}
        small, large = (by_model.get(m) for m in args.cascade)
        if small is None or large is None:
            print(f"--cascade: no results for {args.cascade} among the files", file=sys.stderr)
            return 2
        print()
        print(cascade_table(small, large))
    if not args.no_plot:
        try:
            plot(args.results, args.out)
        except ImportError:
            print("matplotlib not installed: no plot", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
