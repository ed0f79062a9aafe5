"""The report's renderers on hostile text: HTML and Markdown escaping, SVG charts, latency bins."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pytest

from crm_crew.observability.report.document import Chart, Commands, Document, Paragraph, Section, Table
from crm_crew.observability.report.html_page import esc, render_html
from crm_crew.observability.report.markdown import md_escape, render_markdown
from crm_crew.observability.report.sections_run import latency_bins
from crm_crew.observability.report.svg import chart_svg
from tests.e2e.pages import md_tables

HOSTILE = "<script>alert(1)</script> \"><img src=x onerror=alert(2)> | a|b ]]> &amp; `x` \x07 \ud800 \uffff"


def _doc(text: str) -> Document:
    return Document(text, text, [Section("s", text, [
        Paragraph(text, "warn"), Paragraph(f"run `crm-crew show {text}` now"),
        Table([text, "n"], [[text, "1"], ["-", "2"]], note=text),
        Chart("c", text, [(text, 3.0), ("b", 1.0)]), Chart("h", text, [(text, 2.0)], histogram=True),
        Commands([f"crm-crew review list --run {text}"])])], text)


def test_html_escapes_everything_and_stays_well_formed_xml() -> None:
    page = render_html(_doc(HOSTILE))
    root = ET.fromstring(page.split("\n", 1)[1])
    assert "<script" not in page and "<img" not in page and "\x07" not in page and "\uffff" not in page
    assert {e.tag.split("}")[1] for e in root.iter()} <= {
        "html", "head", "meta", "title", "style", "body", "main", "header", "h1", "h2", "h3", "p", "nav", "a",
        "section", "div", "table", "thead", "tbody", "tr", "th", "td", "svg", "g", "rect", "text", "line", "pre",
        "code", "footer"}
    texts = "".join(root.itertext())
    assert "<script>alert(1)</script>" in texts and "\ufffd" in texts     # the data survives, as text


def test_esc_quotes_attributes() -> None:
    assert esc('" onmouseover=\'x\'') == "&quot; onmouseover=&#x27;x&#x27;"


@pytest.mark.parametrize(("text", "escaped"), [
    ("a|b", "a\\|b"), ("<b>x</b>", "\\<b\\>x\\</b\\>"), ("*x* _y_ [l](u)", "\\*x\\* \\_y\\_ \\[l\\](u)"),
    ("# title", "\\# title"), ("- item", "\\- item"), ("1. item", "1\\. item"), ("3.64", "3.64"),
    ("line\nbreak", "line break"), ("&amp;", "\\&amp;"), ("`x`", "\\`x\\`"), ("back\\slash", "back\\\\slash"),
])
def test_markdown_escaping(text: str, escaped: str) -> None:
    assert md_escape(text) == escaped


def test_markdown_tables_keep_their_columns_and_hold_no_html() -> None:
    text = render_markdown(_doc(HOSTILE))
    prose = re.sub(r"`[^`\n]*`", "", re.sub(r"```sh\n.*?\n```", "", text, flags=re.S))   # code is literal
    assert "<" not in prose.replace("\\<", "")
    for table in md_tables(text):
        assert len({len(row) for row in table}) == 1
    assert "```sh\ncrm-crew review list --run <script>" in text     # a command block is code: shown as is


def test_chart_labels_are_escaped_and_cut_with_the_whole_label_in_the_tooltip() -> None:
    label = "A very long escalation reason that does not fit <b>"
    svg = ET.fromstring(chart_svg(Chart("c", "t", [(label, 2.0), ("x", 1.0)]), esc))
    bars = [g for g in svg.iter("{http://www.w3.org/2000/svg}g")]
    assert [(g.get("data-label"), g.get("data-value")) for g in bars] == [(label, "2"), ("x", "1")]
    assert bars[0].find("{http://www.w3.org/2000/svg}title").text == f"{label}: 2"


def test_latency_bins_cover_every_duration_up_to_the_slowest() -> None:
    bins = latency_bins([1, 9, 10, 240, 999, 1000, 45000])
    assert sum(n for _, n in bins) == 7
    assert bins[0] == ("<10ms", 2.0) and bins[1] == ("10ms–50ms", 1.0) and bins[-1] == ("≥30s", 1.0)
    assert latency_bins([]) == [] and latency_bins([5]) == [("<10ms", 1.0)]
