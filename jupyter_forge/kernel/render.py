"""HTML pieces for the approval widget: highlighted code, sample table, checks from the
words, edge-case preview, findings. Model and check text is hostile: always escaped."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ..core.auto_approve import attempted
from ..core.check_fault import OWN_CODE_NOTE, failed_in_own_code
from ..core.disagreement import SecondOpinion
from ..core.probes import ProbeResult
from ..core.result import Doubt, ForgeResult
from ..core.validation import SampleResult

# nowrap: in a narrow first column, the cells' break-word split "fail" into "fai" / "l".
_OK = "<span style='color:#1a7f37;font-weight:bold;white-space:nowrap'>✔ pass</span>"
_FAIL = "<span style='color:#cf222e;font-weight:bold;white-space:nowrap'>✘ fail</span>"
AMBER = "#9a6700"  # a failing check from the words, a doubtful tool: a warning, not red
_MUTED = "color:var(--jp-ui-font-color2,#666)"


_TICKS = re.compile(r"`([^`]+)`")
_SPACE_BEFORE_SPACE = re.compile(r" (?= )")


def escaped(text: str) -> str:
    """Escaped text whose runs of spaces stay runs: HTML would show ``'Red   Apple'`` as
    ``'Red Apple'``, and "expected 'Red Apple' but got 'Red Apple'" says nothing."""
    return _SPACE_BEFORE_SPACE.sub("&nbsp;", html.escape(text))


def inline(text: str) -> str:
    """Escape a message and render its `backticked` names as code, as Markdown would."""
    return _TICKS.sub(r"<code>\1</code>", escaped(text))


def highlight(code: str) -> str:
    """Pygments HTML with inline styles (no stylesheet needed in Lab or exported HTML)."""
    from pygments import highlight as _highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    formatter = HtmlFormatter(noclasses=True, nobackground=True, style="default")
    body = _highlight(code, PythonLexer(), formatter)
    return f"<div class='jupyter-forge-code' style='max-height:28em;overflow:auto;font-size:90%;padding:0 0.6em'>{body}</div>"


def _cell(text: str | None, limit: int = 300, *, color: str | None = None) -> str:
    text = text or ""
    if len(text) > limit:
        text = text[:limit] + "…"
    tint = f";color:{color}" if color else ""
    # break-spaces: a run of spaces where the line wraps stays visible (pre-wrap hides it).
    return f"<code style='white-space:break-spaces{tint}'>{html.escape(text)}</code>"


_TH = "style='white-space:nowrap;padding:2px 8px;text-align:left'"
_TD = "style='vertical-align:top;padding:2px 8px;word-break:break-word'"


def samples_table(results: Sequence[SampleResult]) -> str:
    """One row per sample; columns nobody needs (no expected values, no errors) are left out,
    and long text wraps inside its column instead of squeezing the headers."""
    if not results:
        return "<p><i>No samples: the code was only checked to load in the sandbox.</i></p>"
    with_values = any(r.expected or r.got for r in results)
    with_errors = any(r.error for r in results)
    columns = ["", "sample"] + (["expected", "got"] if with_values else [])
    columns += ["error"] if with_errors else []
    rows = []
    for result in results:
        cells = [_OK if result.passed else _FAIL, _cell(result.source)]
        if with_values:
            cells.append(_cell(result.expected.strip() if result.expected else ""))
            cells.append(_cell(result.got.strip() if result.got else ""))
        if with_errors:
            cells.append(_cell(result.error or ""))
        rows.append("<tr>" + "".join(f"<td {_TD}>{c}</td>" for c in cells) + "</tr>")
    head = "<tr>" + "".join(f"<th {_TH}>{c}</th>" for c in columns) + "</tr>"
    return (
        "<table class='jupyter-forge-samples' style='font-size:90%;border-collapse:collapse;"
        f"width:100%'>{head}{''.join(rows)}</table>"
    )


def check_marks(result: ForgeResult) -> list[tuple[str, str]]:
    """Per check from the words, in order: its mark (✔, ✘ or not run) and its error cell."""
    checks = result.word_checks.checks if result.word_checks is not None else []
    report = result.checks_report
    marks: list[tuple[str, str]] = []
    for number in range(1, len(checks) + 1):
        outcome = report.results[number - 1] if report and number <= len(report.results) else None
        if report is not None and report.load_error:
            mark = f"<span style='color:{AMBER};font-weight:bold'>✘</span>"
            error = _cell(f"could not load: {report.load_error}", color=AMBER)
        elif outcome is None:
            mark, error = f"<span style='{_MUTED}'>&ndash;</span>", ""
        elif outcome.passed:
            mark, error = "<span style='color:#1a7f37;font-weight:bold'>✔</span>", ""
        else:
            mark = f"<span style='color:{AMBER};font-weight:bold'>✘</span>"
            error = _cell(outcome.error or "failed", color=AMBER)
            if failed_in_own_code(outcome):
                error += f"<div style='font-size:90%;{_MUTED}'>{html.escape(OWN_CODE_NOTE)}</div>"
        marks.append((mark, error))
    return marks


def checks_table(result: ForgeResult, *, with_rows: bool = True) -> str:
    """The checks from the request's words, apart from the samples: they never block Approve.

    ``with_rows=False``: the title and explanation only, for a widget that shows each check
    on its own row beside its Accept / Drop buttons (:func:`check_label`), so no check is
    listed twice.
    """
    words = result.word_checks
    if words is None:
        return ""
    parts: list[str] = []
    checks = words.checks
    if checks:
        title = result.checks_line() or ""
        if result.checks_report is None:
            title = f"checks from your words: {len(checks)} not run on the code shown"
        parts.append(f"<p style='margin-bottom:0'><b>{html.escape(title)}</b></p>")
        parts.append(
            f"<p style='margin-top:0;font-size:90%;{_MUTED}'>Written by the model from the "
            "words of your request, without seeing any code: they may themselves be wrong, "
            "so they never block Approve. Accept one into your samples, or drop it.</p>"
        )
        if with_rows:
            rows = [
                f"<tr><td>{number}</td><td>{mark}</td><td>{_cell(check.text)}</td>"
                f"<td>{error}</td></tr>"
                for number, (check, (mark, error)) in enumerate(
                    zip(checks, check_marks(result), strict=True), start=1
                )
            ]
            head = "<tr><th>#</th><th></th><th>check</th><th>error</th></tr>"
            parts.append(
                "<table class='jupyter-forge-checks' style='font-size:90%;text-align:left'>"
                f"{head}{''.join(rows)}</table>"
            )
    elif words.error:
        parts.append(
            f"<p style='{_MUTED}'>No checks from your words: {html.escape(words.error)}</p>"
        )
    elif words.skipped:
        parts.append("<p><b>checks from your words: none usable</b></p>")
    if words.skipped:
        count = len(words.skipped)
        items = "".join(f"<li>{inline(line)}</li>" for line in words.skipped)
        parts.append(
            f"<details><summary>{count} piece{'s' if count != 1 else ''} of the model's "
            f"answer {'were' if count != 1 else 'was'} not a usable check</summary>"
            f"<ul>{items}</ul></details>"
        )
    return "".join(parts)


def check_label(number: int, text: str, mark: str = "", error: str = "") -> str:
    """A check's row beside its Accept / Drop buttons: number, mark, the check, its error."""
    tail = f" {error}" if error else ""
    return (
        f"<span class='jupyter-forge-check' style='font-size:90%'>{number} {mark} "
        f"{_cell(text)}{tail}</span>"
    )


_RAISED = re.compile(r"[A-Za-z_][\w.]*(:|$)")


def preview_table(preview: Sequence[ProbeResult]) -> str:
    """What the shown code does on edge-case probes: behaviour, not a verdict."""
    if not preview:
        return ""
    rows = []
    for probe in preview:
        if probe.error is not None:
            verb = "raises " if _RAISED.match(probe.error) else ""
            outcome = f"<span style='color:{AMBER}'>{verb}</span>{_cell(probe.error)}"
        else:
            outcome = f"<span style='{_MUTED}'>returns </span>{_cell(probe.got)}"
        rows.append(
            f"<tr><td>{_cell(probe.call)}</td><td>{html.escape(probe.why)}</td>"
            f"<td>{outcome}</td></tr>"
        )
    head = "<tr><th>probe</th><th>why</th><th>returns / raises</th></tr>"
    return (
        "<p style='margin-bottom:0'><b>What it does on edge cases</b></p>"
        f"<p style='margin-top:0;font-size:90%;{_MUTED}'>The shown code, run in the sandbox "
        "on inputs nobody wrote a sample for: what it does, not whether that is right.</p>"
        "<table class='jupyter-forge-preview' style='font-size:90%;text-align:left'>"
        f"{head}{''.join(rows)}</table>"
    )


def disagreement_table(result: ForgeResult) -> str:
    """Where another candidate that passes the samples answers differently: the inputs on
    which the words were not pinned down, for the person to decide."""
    opinion = result.disputed
    if opinion is None:
        return ""
    rows = [
        f"<tr><td>{_cell(d.call)}</td><td>{_cell(d.shown)}</td><td>{_cell(d.other)}</td></tr>"
        for d in opinion.comparison.differences
    ]
    head = (
        f"<tr><th>input</th><th>this code (attempt {opinion.shown})</th>"
        f"<th>attempt {opinion.other}</th></tr>"
    )
    return (
        f"<p style='margin-bottom:0;color:{AMBER}'><b>Two candidates disagree</b></p>"
        f"<p style='margin-top:0;font-size:90%;{_MUTED}'>{_both(opinion)}, yet answer "
        "differently here. Decide which the words mean: "
        "add that as a sample and regenerate, or approve if this code is right.</p>"
        "<table class='jupyter-forge-disagreement' style='font-size:90%;text-align:left'>"
        f"{head}{''.join(rows)}</table>"
    )


def _both(opinion: SecondOpinion) -> str:
    if opinion.other_green:
        return "Both pass your samples and every check from your words"
    return (
        f"Both pass your samples (attempt {opinion.other} breaks a check from your words "
        "that this code passes)"
    )


_DOUBTS: dict[Doubt, str] = {
    "checks": "passes the samples, breaks checks from your words: read them before approving",
    "disputed": "another candidate that passes your samples answers differently: read "
    "where before approving",
    "uncorroborated": "found only after failed answers, and no second answer agreed: read "
    "the edge-case preview before approving",
}


def header(result: ForgeResult, *, title: str = "forged") -> str:
    if result.doubt is not None:
        why = _DOUBTS[result.doubt]
        badge = f"<span style='color:{AMBER};font-weight:bold' title='{why}'>⚠ doubtful</span>"
    elif result.passed:
        badge = _OK.replace("pass", "passed")
    else:
        badge = _FAIL.replace("fail", "failed")
    shown = result.shown
    if shown is not None and shown.kind == "edit":
        start = f" from attempt {shown.edited_from}" if shown.edited_from else ""
        made = f"edited by you{start} of <code>{html.escape(result.model)}</code>"
    else:
        tries = sum(a.kind != "edit" for a in result.attempts)
        made = f"{tries} attempt{'s' if tries != 1 else ''} · model <code>{html.escape(result.model)}</code>"
    return (
        f"<div style='font-size:110%'><b>{html.escape(result.spec.name)}</b> {inline(title)} · {badge} · "
        f"{made}</div>"
    )


def attempted_block(result: ForgeResult) -> str:
    """What the code tried in the sandbox, in red: blocked there, it would act in the kernel."""
    tried = attempted(result)
    if not tried:
        return ""
    items = "".join(f"<li>{html.escape(a)}</li>" for a in tried)
    return (
        "<div style='color:#cf222e'><p><b>Tried while it ran in the sandbox</b> (blocked "
        f"there; approving runs it in this kernel):</p><ul>{items}</ul></div>"
    )


def notes(result: ForgeResult, layers: Sequence[str]) -> str:
    parts = [attempted_block(result)]  # first: the strongest reason not to approve
    if result.error:
        parts.append(f"<p style='color:#cf222e'>{escaped(result.error)}</p>")
    last = result.shown
    if last is not None and last.problems:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in last.problems)
        parts.append(f"<p><b>Problems</b></p><ul>{items}</ul>")
    if last is not None and last.hinted:
        parts.append(
            "<p>Type hints for "
            + html.escape(", ".join(last.hinted))
            + " come from the values the samples passed: check they are as general as meant.</p>"
        )
    if last is not None and last.fixes:
        parts.append(
            "<p>Fixed without the model: " + "; ".join(inline(f) for f in last.fixes) + "</p>"
        )
    if last is not None and last.notes:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in last.notes)
        parts.append(f"<p><b>Still missing</b> (add before approving?)</p><ul>{items}</ul>")
    why_not_later = result.why_not_later()
    if last is not None and why_not_later:
        parts.append(
            f"<p>Showing attempt {last.number} of {len(result.attempts)}: "
            f"{html.escape(why_not_later)}.</p>"
        )
    if result.report is not None and result.report.load_error:
        parts.append(
            f"<p style='color:#cf222e'>Load error: {escaped(result.report.load_error)}</p>"
        )
    if result.findings:
        items = "".join(f"<li>{html.escape(f)}</li>" for f in result.findings)
        parts.append(f"<p><b>Review these</b> (what the code touches):</p><ul>{items}</ul>")
    if result.requirements:
        parts.append(
            "<p>Needs packages: "
            + ", ".join(f"<code>{html.escape(r)}</code>" for r in result.requirements)
            + "</p>"
        )
    if last is not None and last.dropped:
        items = "".join(f"<li><code>{html.escape(d)}</code></li>" for d in last.dropped)
        parts.append(
            f"<details><summary>Dropped from the model's answer</summary><ul>{items}</ul></details>"
        )
    if layers:
        # One quiet line under every widget; the list only for whoever opens it.
        items = "".join(f"<li>{html.escape(layer)}</li>" for layer in layers)
        parts.append(
            "<details class='jupyter-forge-layers' style='font-size:85%;"
            f"{_MUTED}'><summary>Validated in a sandbox: {len(layers)} "
            f"layer{'s' if len(layers) != 1 else ''} ✓</summary><ul>{items}</ul></details>"
        )
    return "".join(parts)
