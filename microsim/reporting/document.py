"""A report as a list of blocks, rendered to Markdown (``report.md``) and to self-contained HTML
(``report.html``, charts embedded, real tables that paste into Word).

Blocks: :class:`Heading`, :class:`Paragraph`, :class:`Bullets`, :class:`Table` (a DataFrame
already formatted for display: strings), :class:`Figure` (a PNG in the run folder). Inline text
may use ``**bold**`` and ``code`` in backticks; nothing else is interpreted.
"""

from __future__ import annotations

import base64
import html
import re
from dataclasses import dataclass
from pathlib import Path

import pandas as pd


@dataclass(frozen=True)
class Heading:
    text: str
    level: int = 2


@dataclass(frozen=True)
class Paragraph:
    text: str


@dataclass(frozen=True)
class Bullets:
    items: tuple[str, ...]


@dataclass(frozen=True)
class Table:
    """A display table: every cell a string; ``numeric`` columns are right-aligned."""

    frame: pd.DataFrame
    numeric: tuple[str, ...] = ()
    caption: str = ""


@dataclass(frozen=True)
class Figure:
    path: str  # relative to the run folder
    caption: str


Block = Heading | Paragraph | Bullets | Table | Figure


# ---- Markdown ---------------------------------------------------------------------------------------
def to_markdown(blocks: list[Block]) -> str:
    out = []
    for b in blocks:
        if isinstance(b, Heading):
            out += ["#" * b.level + " " + b.text, ""]
        elif isinstance(b, Paragraph):
            out += [b.text, ""]
        elif isinstance(b, Bullets):
            out += [f"- {item}" for item in b.items] + [""]
        elif isinstance(b, Table):
            if b.caption:
                out += [f"*{b.caption}*", ""]
            cols = list(b.frame.columns)
            out.append("| " + " | ".join(_md_cell(c) for c in cols) + " |")
            out.append("|" + "|".join("---:" if c in b.numeric else "---" for c in cols) + "|")
            for row in b.frame.itertuples(index=False):
                out.append("| " + " | ".join(_md_cell(v) for v in row) + " |")
            out.append("")
        elif isinstance(b, Figure):
            out += [f"![{b.caption}]({b.path})", "", f"*{b.caption}*", ""]
    return "\n".join(out).rstrip() + "\n"


def _md_cell(value) -> str:
    return str(value).replace("|", "\\|").replace("\n", " ")


# ---- HTML -------------------------------------------------------------------------------------------
STYLE = """
body { font-family: Calibri, Arial, sans-serif; max-width: 60em; margin: 2em auto; color: #222; line-height: 1.4; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
table { border-collapse: collapse; margin: 0.6em 0 1.2em; font-size: 0.92em; }
th, td { border: 1px solid #bbb; padding: 0.25em 0.6em; vertical-align: top; }
th { background: #eef2f7; text-align: left; }
td.n { text-align: right; white-space: nowrap; }
figure { margin: 1em 0; } figure img { max-width: 100%; } figcaption { font-style: italic; font-size: 0.9em; }
code { background: #f3f3f3; padding: 0 0.2em; }
"""


def _inline(text: str) -> str:
    escaped = html.escape(text, quote=False)
    escaped = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", escaped)
    return re.sub(r"`([^`]+)`", r"<code>\1</code>", escaped)


def to_html(blocks: list[Block], title: str, folder: Path) -> str:
    """Self-contained HTML: figures are read from ``folder`` and embedded as base64 PNG."""
    out = ["<!DOCTYPE html>", '<html lang="en">', "<head>", '<meta charset="utf-8">',
           f"<title>{html.escape(title)}</title>", f"<style>{STYLE}</style>", "</head>", "<body>"]
    for b in blocks:
        if isinstance(b, Heading):
            out.append(f"<h{b.level}>{_inline(b.text)}</h{b.level}>")
        elif isinstance(b, Paragraph):
            out.append(f"<p>{_inline(b.text)}</p>")
        elif isinstance(b, Bullets):
            out.append("<ul>" + "".join(f"<li>{_inline(i)}</li>" for i in b.items) + "</ul>")
        elif isinstance(b, Table):
            cols = list(b.frame.columns)
            rows = ["<table>"]
            if b.caption:
                rows.append(f"<caption>{_inline(b.caption)}</caption>")
            rows.append("<thead><tr>" + "".join(f"<th>{html.escape(str(c))}</th>" for c in cols) + "</tr></thead><tbody>")
            for row in b.frame.itertuples(index=False):
                rows.append("<tr>" + "".join(
                    f'<td class="n">{html.escape(str(v))}</td>' if c in b.numeric else f"<td>{html.escape(str(v))}</td>"
                    for c, v in zip(cols, row)) + "</tr>")
            rows.append("</tbody></table>")
            out.append("".join(rows))
        elif isinstance(b, Figure):
            data = base64.b64encode((folder / b.path).read_bytes()).decode("ascii")
            out.append(f'<figure><img alt="{html.escape(b.caption)}" src="data:image/png;base64,{data}">'
                       f"<figcaption>{_inline(b.caption)}</figcaption></figure>")
    out += ["</body>", "</html>", ""]
    return "\n".join(out)
