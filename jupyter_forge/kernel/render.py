"""HTML pieces for the approval widget: highlighted code, sample table, findings."""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from ..core.result import ForgeResult
from ..core.validation import SampleResult

_OK = "<span style='color:#1a7f37;font-weight:bold'>✔ pass</span>"
_FAIL = "<span style='color:#cf222e;font-weight:bold'>✘ fail</span>"


_TICKS = re.compile(r"`([^`]+)`")


def inline(text: str) -> str:
    """Escape a message and render its `backticked` names as code, as Markdown would."""
    return _TICKS.sub(r"<code>\1</code>", html.escape(text))


def highlight(code: str) -> str:
    """Pygments HTML with inline styles (no stylesheet needed in Lab or exported HTML)."""
    from pygments import highlight as _highlight
    from pygments.formatters import HtmlFormatter
    from pygments.lexers import PythonLexer

    formatter = HtmlFormatter(noclasses=True, nobackground=True, style="default")
    body = _highlight(code, PythonLexer(), formatter)
    return f"<div class='jupyter-forge-code' style='max-height:28em;overflow:auto;font-size:90%;padding:0 0.6em'>{body}</div>"


def _cell(text: str | None, limit: int = 300) -> str:
    text = text or ""
    if len(text) > limit:
        text = text[:limit] + "…"
    return f"<code style='white-space:pre-wrap'>{html.escape(text)}</code>"


def samples_table(results: Sequence[SampleResult]) -> str:
    if not results:
        return "<p><i>No samples: the code was only checked to load in the sandbox.</i></p>"
    rows = []
    for result in results:
        detail = result.error or ""
        rows.append(
            "<tr>"
            f"<td>{_OK if result.passed else _FAIL}</td>"
            f"<td>{_cell(result.source)}</td>"
            f"<td>{_cell(result.expected.strip() if result.expected else '')}</td>"
            f"<td>{_cell(result.got.strip() if result.got else '')}</td>"
            f"<td>{_cell(detail)}</td>"
            "</tr>"
        )
    head = "<tr><th></th><th>sample</th><th>expected</th><th>got</th><th>error</th></tr>"
    return (
        "<table class='jupyter-forge-samples' style='font-size:90%;text-align:left'>"
        f"{head}{''.join(rows)}</table>"
    )


def header(result: ForgeResult, *, title: str = "forged") -> str:
    badge = _OK.replace("pass", "passed") if result.passed else _FAIL.replace("fail", "failed")
    tries = len(result.attempts)
    return (
        f"<div style='font-size:110%'><b>{html.escape(result.spec.name)}</b> {html.escape(title)} · {badge} · "
        f"{tries} attempt{'s' if tries != 1 else ''} · model <code>{html.escape(result.model)}</code></div>"
    )


def notes(result: ForgeResult, layers: Sequence[str]) -> str:
    parts = []
    if result.error:
        parts.append(f"<p style='color:#cf222e'>{html.escape(result.error)}</p>")
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
    if last is not None and last.notes:
        items = "".join(f"<li>{html.escape(p)}</li>" for p in last.notes)
        parts.append(f"<p><b>Still missing</b> (add before approving?)</p><ul>{items}</ul>")
    if last is not None and last.number != len(result.attempts):
        parts.append(
            f"<p>Showing attempt {last.number} of {len(result.attempts)}: "
            "the later ones did worse on the samples.</p>"
        )
    if result.report is not None and result.report.load_error:
        parts.append(
            f"<p style='color:#cf222e'>Load error: {html.escape(result.report.load_error)}</p>"
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
        parts.append(
            "<p style='font-size:85%;line-height:normal;color:var(--jp-ui-font-color2,#666)'>"
            "Validated in a sandbox: " + html.escape(", ".join(layers)) + "</p>"
        )
    return "".join(parts)
