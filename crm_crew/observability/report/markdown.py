"""The report in Markdown, for a ticket or a chat: headings, tables, code blocks; no HTML.

Data is escaped: characters Markdown reads inline get a backslash (a `|` in a table cell
especially), a line cannot start a heading, list or quote, newlines inside a cell become
spaces, and a chart becomes a table of its bars.
"""

from __future__ import annotations

import re

from crm_crew.observability.report.document import Block, Chart, Commands, Document, Facts, Headline, Paragraph, Table
from crm_crew.observability.report.svg import amount
from crm_crew.observability.report.text import clean_text

INLINE = re.compile(r"([\\`*_\[\]<>|~&])")
LINE_START = re.compile(r"^(\s*)([#+\-=]+|\d+[.)])(?=\s|$)")     # a heading, list item or rule
TONE_PREFIX = {"info": "Note: ", "good": "OK: ", "warn": "Attention: ", "bad": "PROBLEM: "}


def md_escape(value: object) -> str:
    """Plain text as Markdown text: nothing in it is syntax, and it stays on one line."""
    text = re.sub(r"\s*[\r\n]+\s*", " ", clean_text(value))
    text = INLINE.sub(r"\\\1", text)
    return LINE_START.sub(_escape_marker, text)


def _escape_marker(match: re.Match[str]) -> str:
    marker = match.group(2)
    if marker[-1] in ".)":                 # `1.` : the dot is what makes it a list
        return match.group(1) + marker[:-1] + "\\" + marker[-1]
    return match.group(1) + "\\" + marker


def _code_span(text: str) -> str:
    """Inline code (a command): nothing inside is syntax; it cannot hold a backtick or a newline."""
    clean = re.sub(r"\s*[\r\n]+\s*", " ", clean_text(text))
    return f"`{clean}`" if clean.strip() else md_escape(text)


def inline(text: str) -> str:
    """A paragraph's text; `backticked` parts (commands) as code spans."""
    parts = text.split("`")
    if len(parts) % 2 == 0:
        return md_escape(text)
    return "".join(md_escape(p) if i % 2 == 0 else _code_span(p) for i, p in enumerate(parts))


def table(headers: list[str], rows: list[list[str]]) -> list[str]:
    lines = ["| " + " | ".join(md_escape(h) or " " for h in headers) + " |", "|" + "---|" * len(headers)]
    lines += ["| " + " | ".join(md_escape(c) or " " for c in row) + " |" for row in rows]
    return lines


def block_md(block: Block) -> list[str]:
    if isinstance(block, Paragraph):
        return [TONE_PREFIX.get(block.tone or "", "") + inline(block.text), ""]
    if isinstance(block, Headline):
        return [*table([label for _, label, _, _ in block.items], [[value for _, _, value, _ in block.items]]), ""]
    if isinstance(block, Facts):
        return [*table(["", "Value"], [[label.strip(), value] for _, label, value in block.rows]), ""]
    if isinstance(block, Table):
        return [*table(block.headers, block.rows), "", *([inline(block.note), ""] if block.note else [])]
    if isinstance(block, Chart):
        title = f"**{md_escape(block.title)}**"
        if not block.bars:
            return [f"{title}: {md_escape(block.empty)}", ""]
        return [title, "", *table(["", block.unit or "Count"],
                                   [[label, amount(value, block.unit)] for label, value in block.bars]), ""]
    if isinstance(block, Commands):
        lines = [clean_text(line) for line in block.lines]
        fence = "`" * max(3, 1 + max((len(run) for line in lines for run in re.findall(r"`+", line)), default=0))
        return [fence + "sh", *lines, fence, ""]
    raise TypeError(f"unknown block {type(block).__name__}")


def render_markdown(doc: Document) -> str:
    lines = [f"# {md_escape(doc.title)}", "", md_escape(doc.subtitle), ""]
    for section in doc.sections:
        lines += [f"## {md_escape(section.title)}", ""]
        for block in section.blocks:
            lines += block_md(block)
    lines += ["---", "", inline(doc.footer), ""]
    return "\n".join(lines)
