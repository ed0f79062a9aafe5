"""The report as one self-contained page: polyglot XHTML (well-formed XML and valid HTML5), inline CSS and SVG,
no script, no external resource. A Content-Security-Policy forbids scripts and remote loads besides.

Text from messages and the CRM is data: `esc` escapes every piece of it, and drops what XML cannot carry.
"""

from __future__ import annotations

import html

from crm_crew.observability.report.document import (
    Block,
    Chart,
    Commands,
    Document,
    Facts,
    Headline,
    Paragraph,
    Section,
    Table,
)
from crm_crew.observability.report.svg import chart_svg
from crm_crew.observability.report.text import clean_text

CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CSS = """
body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; margin: 0;
  background: #f6f8fa; }
main { max-width: 1080px; margin: 0 auto; padding: 16px 24px 40px; background: #fff; }
header { border-bottom: 3px solid #2f6fb0; margin-bottom: 8px; }
h1 { font-size: 22px; margin: 8px 0 2px; } h2 { font-size: 18px; margin: 28px 0 8px; color: #2f6fb0; }
h3 { font-size: 14px; margin: 14px 0 4px; }
.sub { color: #57606a; margin: 0 0 10px; }
nav { font-size: 13px; margin: 6px 0 12px; } nav a { margin-right: 12px; color: #2f6fb0; }
table { border-collapse: collapse; margin: 6px 0 12px; font-size: 13px; }
th, td { border: 1px solid #d0d7de; padding: 3px 8px; text-align: left; vertical-align: top; }
th { background: #eef2f6; } td.num { text-align: right; font-variant-numeric: tabular-nums; }
td { max-width: 420px; overflow-wrap: anywhere; }
.facts th { width: 200px; background: #f6f8fa; font-weight: 600; }
.note { color: #57606a; font-size: 12px; }
p.tone { padding: 6px 10px; border-left: 4px solid; border-radius: 3px; }
.info { background: #eef4fb; border-color: #2f6fb0; } .good { background: #eaf6ee; border-color: #3a9a5b; }
.warn { background: #fdf4e3; border-color: #d4a017; } .bad { background: #fbeaea; border-color: #c8453b; }
pre { background: #f6f8fa; border: 1px solid #d0d7de; padding: 8px 10px; overflow-x: auto; font-size: 12.5px; }
code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
svg.chart { display: block; margin: 2px 0 10px; font-size: 12px; fill: #1f2328; }
.charts { display: flex; flex-wrap: wrap; gap: 4px 28px; } .figure { flex: 0 0 auto; }
.tiles { display: flex; flex-wrap: wrap; gap: 10px; margin: 10px 0 14px; }
.tile { border: 1px solid #d0d7de; border-top: 4px solid #2f6fb0; border-radius: 4px; padding: 6px 12px;
  min-width: 110px; background: #fff; }
.tile .v { font-size: 22px; font-weight: 700; } .tile .l { color: #57606a; font-size: 12px; }
.tile.good { border-top-color: #3a9a5b; } .tile.warn { border-top-color: #d4a017; }
.tile.bad { border-top-color: #c8453b; }
.empty { color: #57606a; font-style: italic; }
footer { margin-top: 30px; color: #57606a; font-size: 12px; border-top: 1px solid #d0d7de; padding-top: 8px; }
"""


def esc(value: object) -> str:
    """Text as XML/HTML character data or attribute value: escaped, control characters and what XML 1.0 cannot
    hold (lone surrogates, U+FFFE/U+FFFF) replaced."""
    return html.escape(clean_text(value), quote=True)


def inline(text: str) -> str:
    """A paragraph's text, escaped; `backticked` parts (commands) set as code."""
    parts = text.split("`")
    if len(parts) % 2 == 0:          # an odd number of backticks: no code spans
        return esc(text)
    return "".join(esc(p) if i % 2 == 0 else f"<code>{esc(p)}</code>" for i, p in enumerate(parts))


def _is_number(cell: str) -> bool:
    return cell.replace(",", "").replace(".", "").replace("$", "").lstrip("-").isdigit()


def _table(headers: list[str], rows: list[list[str]], css: str = "", row_keys: list[str] | None = None) -> str:
    head = "".join(f"<th>{esc(h)}</th>" for h in headers)
    body = []
    for i, row in enumerate(rows):
        key = f' data-key="{esc(row_keys[i])}"' if row_keys else ""
        cells = "".join(f'<td class="num">{esc(c)}</td>' if _is_number(c) else f"<td>{esc(c)}</td>" for c in row)
        body.append(f"<tr{key}>{cells}</tr>")
    css_attr = f' class="{css}"' if css else ""
    thead = f"<thead><tr>{head}</tr></thead>" if headers else ""
    return f"<table{css_attr}>{thead}<tbody>{''.join(body)}</tbody></table>"


def block_html(block: Block) -> str:
    if isinstance(block, Paragraph):
        css = f' class="tone {block.tone}"' if block.tone else ""
        return f"<p{css}>{inline(block.text)}</p>"
    if isinstance(block, Headline):
        tiles = "".join(f'<div class="tile{" " + tone if tone else ""}" data-key="{esc(key)}">'
                        f'<div class="v">{esc(value)}</div><div class="l">{esc(label)}</div></div>'
                        for key, label, value, tone in block.items)
        return f'<div class="tiles">{tiles}</div>'
    if isinstance(block, Facts):
        body = "".join(f'<tr data-key="{esc(key)}"><th>{esc(label)}</th><td>{esc(value)}</td></tr>'
                       for key, label, value in block.rows)
        return f'<table id="{esc(block.id)}" class="facts"><tbody>{body}</tbody></table>'
    if isinstance(block, Table):
        note = f'<p class="note">{inline(block.note)}</p>' if block.note else ""
        return _table(block.headers, block.rows) + note
    if isinstance(block, Chart):
        title = f"<h3>{esc(block.title)}</h3>"
        if not block.bars:
            return f'<div class="figure">{title}<p class="empty" id="{esc(block.id)}">{esc(block.empty)}</p></div>'
        return f'<div class="figure">{title}{chart_svg(block, esc)}</div>'
    if isinstance(block, Commands):
        return f"<pre><code>{esc(chr(10).join(block.lines))}</code></pre>"
    raise TypeError(f"unknown block {type(block).__name__}")


def _section(section: Section) -> str:
    """Blocks in order; charts next to each other run side by side, wrapping."""
    parts: list[str] = []
    charts: list[str] = []
    for block in section.blocks:
        if isinstance(block, Chart):
            charts.append(block_html(block))
            continue
        if charts:
            parts.append(f'<div class="charts">{"".join(charts)}</div>')
            charts = []
        parts.append(block_html(block))
    if charts:
        parts.append(f'<div class="charts">{"".join(charts)}</div>')
    inner = "".join(parts)
    return f'<section id="{esc(section.id)}"><h2>{esc(section.title)}</h2>{inner}</section>'


def render_html(doc: Document) -> str:
    nav = "".join(f'<a href="#{esc(s.id)}">{esc(s.title)}</a>' for s in doc.sections)
    return (
        "<!DOCTYPE html>\n"
        '<html xmlns="http://www.w3.org/1999/xhtml" lang="en" xml:lang="en">\n<head>\n'
        '<meta charset="utf-8"/>\n'
        f'<meta http-equiv="Content-Security-Policy" content="{esc(CSP)}"/>\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1"/>\n'
        f"<title>{esc(doc.title)}</title>\n<style>{CSS}</style>\n</head>\n<body>\n<main>\n"
        f"<header><h1>{esc(doc.title)}</h1><p class=\"sub\">{esc(doc.subtitle)}</p><nav>{nav}</nav></header>\n"
        + "\n".join(_section(s) for s in doc.sections)
        + f"\n<footer>{inline(doc.footer)}</footer>\n</main>\n</body>\n</html>\n"
    )
