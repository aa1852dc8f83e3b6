"""The report's blocks as Markdown and as one self-contained HTML page, every text escaped.

The HTML has its CSS inline; figures are PNG files beside it, referenced by relative paths.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence

from behavlab.report.blocks import Block, Bullets, Heading, Paragraph, Table

CSS = """
body { font-family: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif; max-width: 60rem;
       margin: 2rem auto; padding: 0 1rem; color: #111; line-height: 1.45; }
h1 { font-size: 1.6rem; } h2 { font-size: 1.25rem; border-bottom: 1px solid #ccc; margin-top: 2rem; }
h3 { font-size: 1.05rem; margin-top: 1.4rem; }
table { border-collapse: collapse; margin: 0.6rem 0 1rem; font-size: 0.85rem; }
th, td { border: 1px solid #bbb; padding: 0.2rem 0.45rem; text-align: left; vertical-align: top;
         overflow-wrap: anywhere; }
th { background: #f0f0f0; }
caption { caption-side: top; text-align: left; font-weight: 600; padding-bottom: 0.2rem; }
figure { margin: 1rem 0; } figure img { max-width: 100%; height: auto; border: 1px solid #ddd; }
figcaption { font-size: 0.85rem; color: #444; }
.banner { border: 2px solid #b00; background: #fff3f3; padding: 0.6rem 0.8rem; font-weight: 600; }
code { font-size: 0.85em; word-break: break-all; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; }
  table, figure { break-inside: avoid; } }
"""

_MD_MARKUP = re.compile(r"([\\`*_\[\]>|#~]|<(?=[A-Za-z/!?]))")
_MD_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
_MD_LIST_MARKER = re.compile(r"^(\s*)(?:([-+])|(\d+)([.)]))(?=\s|$)")


def markdown_text(text: str, starts_block: bool = False) -> str:
    """Plain text as Markdown that shows it literally, as `html.escape` does for the HTML page.

    Line breaks become spaces; backslashes, backticks, ``* _ [ ] > | # ~``, a ``<`` that would open a tag
    and an ``&`` that would start an entity are backslash-escaped, so a study named ``<script>`` or ``*x*``
    renders as typed, raw HTML never reaches the page and a ``|`` cannot split a table cell. With
    `starts_block` (a paragraph, a list item), a leading list marker (``-``, ``+``, ``1.``) is escaped too.
    """
    flat = " ".join(text.splitlines())
    escaped = _MD_ENTITY.sub(r"\\&", _MD_MARKUP.sub(r"\\\1", flat))
    if starts_block:
        escaped = _MD_LIST_MARKER.sub(
            lambda found: found[1] + (f"\\{found[2]}" if found[2] else f"{found[3]}\\{found[4]}"), escaped
        )
    return escaped


def _markdown_table(block: Table) -> str:
    md = markdown_text
    lines = [f"**{md(block.caption)}**", ""] if block.caption else []
    lines.append("| " + " | ".join(md(cell) for cell in block.header) + " |")
    lines.append("|" + "---|" * len(block.header))
    lines += ["| " + " | ".join(md(cell) for cell in row) + " |" for row in block.rows]
    return "\n".join(lines)


def _markdown_block(block: Block) -> str:
    md = markdown_text
    if isinstance(block, Heading):
        return f"{'#' * block.level} {md(block.text)}"
    if isinstance(block, Paragraph):
        return f"> **{md(block.text)}**" if block.banner else md(block.text, starts_block=True)
    if isinstance(block, Bullets):
        return "\n".join(f"- {md(item, starts_block=True)}" for item in block.items)
    if isinstance(block, Table):
        return _markdown_table(block)
    return f"![{md(block.caption)}]({block.source})\n\n*{md(block.caption)}*"


def to_markdown(blocks: Sequence[Block]) -> str:
    """The blocks as GitHub-flavoured Markdown, every text escaped with `markdown_text`."""
    return "\n\n".join(_markdown_block(block) for block in blocks) + "\n"


def _html_table(block: Table) -> str:
    e = html.escape
    caption = f"<caption>{e(block.caption)}</caption>" if block.caption else ""
    head = "".join(f"<th>{e(cell)}</th>" for cell in block.header)
    rows = "".join("<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>" for row in block.rows)
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"


def _html_block(block: Block) -> str:
    e = html.escape
    if isinstance(block, Heading):
        return f"<h{block.level}>{e(block.text)}</h{block.level}>"
    if isinstance(block, Paragraph):
        return f'<p class="banner">{e(block.text)}</p>' if block.banner else f"<p>{e(block.text)}</p>"
    if isinstance(block, Bullets):
        return "<ul>" + "".join(f"<li>{e(item)}</li>" for item in block.items) + "</ul>"
    if isinstance(block, Table):
        return _html_table(block)
    return (
        f'<figure><img src="{e(block.source)}" alt="{e(block.caption)}">'
        f"<figcaption>{e(block.caption)}</figcaption></figure>"
    )


def to_html(blocks: Sequence[Block], title: str) -> str:
    """The blocks as one self-contained HTML page (inline CSS, figures by relative path)."""
    return (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{html.escape(title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n"
        + "\n".join(_html_block(block) for block in blocks)
        + "\n</body>\n</html>\n"
    )
