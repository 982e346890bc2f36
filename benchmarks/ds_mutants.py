"""Are the hidden checks strong enough? Small mutations of each reference, scored.

Why: the recorded answers (``ds_hidden_audit``) show only the mistakes a model happened
to make. A mutant of the reference (one ``<`` made ``<=``, one ``.strip()`` dropped, one
``raise`` removed, one constant off by one) is a plausible near miss of every kind. A
mutant that passes the person's samples is what a forge could show green; if it also
passes every hidden check it *survives*, and the benchmark would score it correct.
Survivors are run beside the reference on the product's probes; one that answers
differently is listed for a person to read against the words: either the words leave
that behaviour open, or a hidden check is missing. Survivors that agree on every probe
are most likely equivalent to the reference (``x[:n+1]`` on a one-item list...).

    python -m benchmarks.ds_mutants [--tasks a,b] [--out benchmarks/results/ds-mutants.json]
"""

from __future__ import annotations

import argparse
import ast
import json
import time
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ._common import git_commit, validate_hidden
from .ds import HIDDEN_LIMITS, check_inputs, prepare, run_hidden, select_tasks
from .ds_hidden_audit import differences
from .ds_tasks import DsTask, all_tasks

_SWAPPED_COMPARISONS: dict[type[ast.cmpop], type[ast.cmpop]] = {
    ast.Lt: ast.LtE,
    ast.LtE: ast.Lt,
    ast.Gt: ast.GtE,
    ast.GtE: ast.Gt,
    ast.Eq: ast.NotEq,
    ast.NotEq: ast.Eq,
    ast.In: ast.NotIn,
    ast.NotIn: ast.In,
    ast.Is: ast.IsNot,
    ast.IsNot: ast.Is,
}
_SWAPPED_ARITHMETIC: dict[type[ast.operator], type[ast.operator]] = {
    ast.Add: ast.Sub,
    ast.Sub: ast.Add,
    ast.Mult: ast.Div,
    ast.Div: ast.Mult,
    ast.FloorDiv: ast.Div,
}


@dataclass(frozen=True)
class Mutant:
    """The reference with one change, and what the change was (for a person to read)."""

    code: str
    change: str


def _edits(node: ast.AST) -> Iterator[tuple[str, ast.AST]]:
    """Every one-step change of ``node`` itself: (what changed, the replacement node)."""
    if isinstance(node, ast.Compare):
        for i, op in enumerate(node.ops):
            swapped = _SWAPPED_COMPARISONS.get(type(op))
            if swapped is not None:
                ops = [*node.ops[:i], swapped(), *node.ops[i + 1 :]]
                yield (
                    f"{type(op).__name__} -> {swapped.__name__}",
                    ast.Compare(node.left, ops, node.comparators),
                )
    elif isinstance(node, ast.BinOp) and type(node.op) in _SWAPPED_ARITHMETIC:
        swapped_op = _SWAPPED_ARITHMETIC[type(node.op)]
        yield (
            f"{type(node.op).__name__} -> {swapped_op.__name__}",
            ast.BinOp(node.left, swapped_op(), node.right),
        )
    elif isinstance(node, ast.BoolOp):
        other = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield f"{type(node.op).__name__} -> {type(other).__name__}", ast.BoolOp(other, node.values)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        yield "drop `not`", node.operand
    elif isinstance(node, ast.Constant) and type(node.value) is bool:
        yield f"{node.value} -> {not node.value}", ast.Constant(not node.value)
    elif isinstance(node, ast.Constant) and type(node.value) is int:
        yield f"{node.value} -> {node.value + 1}", ast.Constant(node.value + 1)
        yield f"{node.value} -> {node.value - 1}", ast.Constant(node.value - 1)
    elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
        if not node.args and not node.keywords:
            yield f"drop `.{node.func.attr}()`", node.func.value
    elif isinstance(node, ast.Raise):
        yield "drop a `raise`", ast.Pass()


class _Sites(ast.NodeVisitor):
    """How many edits each editable node has, in the order :class:`_Apply` meets them."""

    def __init__(self) -> None:
        self.counts: list[int] = []

    def generic_visit(self, node: ast.AST) -> None:
        count = len(list(_edits(node)))
        if count:
            self.counts.append(count)
        super().generic_visit(node)


class _Apply(ast.NodeTransformer):
    """Replace the ``site``-th editable node (in walk order) with its ``choice``-th edit."""

    def __init__(self, site: int, choice: int) -> None:
        self.site, self.choice, self.seen = site, choice, -1
        self.change: str | None = None

    def generic_visit(self, node: ast.AST) -> ast.AST:
        edits = list(_edits(node))
        if edits:
            self.seen += 1
            if self.seen == self.site:
                self.change, replacement = edits[self.choice]
                return ast.copy_location(replacement, node)
        return super().generic_visit(node)


def _strip_docstrings_and_annotations(tree: ast.Module) -> None:
    """Strip what no mutation should touch: docstrings and type annotations."""
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            node.returns = None
            for arg in [*node.args.args, *node.args.kwonlyargs, *node.args.posonlyargs]:
                arg.annotation = None
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Module):
            body = node.body
            first = body[0] if body else None
            docstring = isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant)
            if docstring and len(body) > 1:
                node.body = body[1:]
        if isinstance(node, ast.AnnAssign):
            node.annotation = ast.Name("object", ast.Load())


def canonical(code: str) -> str:
    """``code`` as the mutants are written: unparsed, without docstrings or annotations."""
    tree = ast.parse(code)
    _strip_docstrings_and_annotations(tree)
    return ast.unparse(tree)


def mutants(code: str) -> list[Mutant]:
    """Every one-step mutant of ``code`` that still compiles and differs from it."""
    original = canonical(code)
    counter = _Sites()
    counter.visit(ast.parse(original))
    found: dict[str, Mutant] = {}
    for site, count in enumerate(counter.counts):
        for choice in range(count):
            tree = ast.parse(original)
            apply = _Apply(site, choice)
            mutated = ast.fix_missing_locations(apply.visit(tree))
            try:
                text = ast.unparse(mutated)
                compile(text, "<mutant>", "exec")
            except (SyntaxError, ValueError, RecursionError):
                continue
            if text != original and apply.change is not None:
                found.setdefault(text, Mutant(text + "\n", apply.change))
    return list(found.values())


def score_task(task: DsTask) -> dict[str, Any]:
    """Every mutant of the task's reference: caught by the samples, killed by a hidden
    check, or surviving (and then, whether it answers differently on a probe)."""
    p = prepare(task)
    samples = list(p.spec.samples)  # validated as the product does: every hash seed
    inputs = check_inputs([s.source for s in samples], p.namespace, task.name)
    row: dict[str, Any] = {"mutants": 0, "samples_fail": 0, "killed": 0, "survivors": []}
    for mutant in mutants(task.reference):
        row["mutants"] += 1
        if not validate_hidden(mutant.code, task.name, samples, HIDDEN_LIMITS, inputs).passed:
            row["samples_fail"] += 1
            continue
        if not run_hidden(p, mutant.code)[0]:
            row["killed"] += 1
            continue
        found = differences(p, mutant.code)
        row["survivors"].append(
            {
                "change": mutant.change,
                "differs": [asdict(d) for d in found[:3]],
                "code": mutant.code,
            }
        )
    return row


def summary(rows: dict[str, dict[str, Any]]) -> dict[str, Any]:
    green = sum(r["mutants"] - r["samples_fail"] for r in rows.values())
    killed = sum(r["killed"] for r in rows.values())
    survivors = [s for r in rows.values() for s in r["survivors"]]
    return {
        "tasks": len(rows),
        "mutants": sum(r["mutants"] for r in rows.values()),
        "pass_samples": green,
        "killed": killed,
        "survived": len(survivors),
        "survived_differing": sum(1 for s in survivors if s["differs"]),
        "kill_rate": round(killed / green, 3) if green else None,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tasks", help="comma-separated task names (default: all)")
    parser.add_argument("--out", type=Path, help="write the results here (JSON)")
    args = parser.parse_args(argv)
    tasks = select_tasks(all_tasks(), args.tasks, None)
    rows: dict[str, dict[str, Any]] = {}
    start = time.perf_counter()
    for index, task in enumerate(tasks, 1):
        rows[task.name] = row = score_task(task)
        differing = [s for s in row["survivors"] if s["differs"]]
        print(
            f"[{index}/{len(tasks)}] {task.name}: {row['mutants']} mutants, "
            f"{row['samples_fail']} fail the samples, {row['killed']} killed, "
            f"{len(row['survivors'])} survive ({len(differing)} answer differently)",
            flush=True,
        )
        for s in differing:
            d = s["differs"][0]
            answer, reference = d["answer"][:80], d["reference"][:80]
            print(f"    {s['change']}: {d['call']} -> {answer!r} (reference {reference!r})")
    result = {
        "benchmark": "ds-mutants",
        "commit": git_commit(),
        "command": "python -m benchmarks.ds_mutants"
        + (f" --tasks {args.tasks}" if args.tasks else ""),
        "seconds": round(time.perf_counter() - start, 1),
        "summary": summary(rows),
        "rows": rows,
    }
    print(json.dumps(result["summary"]))
    if args.out:
        args.out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
