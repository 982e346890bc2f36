"""Small display objects: an HTML table in notebooks, aligned text in terminals."""

from __future__ import annotations

import html
from collections.abc import Sequence


class Table:
    def __init__(
        self, headers: Sequence[str], rows: Sequence[Sequence[str]], *, title: str = ""
    ) -> None:
        self.headers, self.rows, self.title = list(headers), [list(r) for r in rows], title

    def _repr_html_(self) -> str:
        head = "".join(f"<th style='text-align:left'>{html.escape(h)}</th>" for h in self.headers)
        body = "".join(
            "<tr>"
            + "".join(f"<td style='text-align:left'>{html.escape(c)}</td>" for c in row)
            + "</tr>"
            for row in self.rows
        )
        title = f"<p><b>{html.escape(self.title)}</b></p>" if self.title else ""
        return f"{title}<table><tr>{head}</tr>{body}</table>"

    def __repr__(self) -> str:
        widths = [len(h) for h in self.headers]
        for row in self.rows:
            widths = [max(w, len(c)) for w, c in zip(widths, row, strict=False)]
        lines = [self.title] if self.title else []
        lines.append(
            "  ".join(h.ljust(w) for h, w in zip(self.headers, widths, strict=False)).rstrip()
        )
        lines.extend(
            "  ".join(c.ljust(w) for c, w in zip(row, widths, strict=False)).rstrip()
            for row in self.rows
        )
        return "\n".join(lines)


class Note:
    """A one-line message with optional code, shown nicely everywhere."""

    def __init__(self, text: str, code: str | None = None) -> None:
        self.text, self.code = text, code

    def _repr_html_(self) -> str:
        from .render import highlight

        code = highlight(self.code) if self.code else ""
        return f"<p>{html.escape(self.text)}</p>{code}"

    def __repr__(self) -> str:
        return self.text + (f"\n\n{self.code.rstrip()}" if self.code else "")
