"""What a report says, independent of how it is rendered: sections of text, tables, charts and commands.

Every string in here is plain text (data); the renderers escape it for their format.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal, Union

Tone = Literal["info", "good", "warn", "bad"]


@dataclass
class Paragraph:
    text: str
    tone: Tone | None = None          # a notice stands out (a run still running, a broken trail)


@dataclass
class Facts:
    """Label/value pairs (the summary): a two-column table with an id tests and readers can find."""

    id: str
    rows: list[tuple[str, str]]


@dataclass
class Headline:
    """The few figures read first, as tiles: (key, label, value, tone)."""

    items: list[tuple[str, str, str, Tone | None]]


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]
    note: str | None = None           # e.g. "first 300 of 1,204; the rest: crm-crew audit show --run ..."


@dataclass
class Chart:
    """Bars of a count (or amount) per label; `histogram` draws them side by side as bins."""

    id: str
    title: str
    bars: list[tuple[str, float]]
    unit: str = ""
    histogram: bool = False
    empty: str = "nothing to show"


@dataclass
class Commands:
    """Shell commands to copy (already quoted for a POSIX shell)."""

    lines: list[str]


Block = Union[Paragraph, Headline, Facts, Table, Chart, Commands]


@dataclass
class Section:
    id: str
    title: str
    blocks: list[Block] = field(default_factory=list)


@dataclass
class Document:
    title: str
    subtitle: str
    sections: list[Section]
    footer: str
