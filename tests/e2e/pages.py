"""Checks of rendered pages: strict XML and tag balance, Markdown tables, and PNG screenshots (decoded with zlib)."""

from __future__ import annotations

import struct
import zlib
from html.parser import HTMLParser
from pathlib import Path

import numpy as np

VOID = {"meta", "br", "hr", "img", "link", "input", "col", "area", "base", "source", "wbr"}


class BalanceChecker(HTMLParser):
    """html.parser, strictly: every non-void element closed in order, void ones self-closed (polyglot XHTML)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, tuple[int, int]]] = []
        self.problems: list[str] = []
        self.tags: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)
        if tag in VOID:
            self.problems.append(f"void <{tag}> at {self.getpos()} not self-closed")
        self.stack.append((tag, self.getpos()))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.add(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1][0] != tag:
            self.problems.append(f"</{tag}> at {self.getpos()} closes {self.stack[-1] if self.stack else 'nothing'}")
            return
        self.stack.pop()


def balance_problems(page: str) -> tuple[list[str], set[str]]:
    checker = BalanceChecker()
    checker.feed(page)
    checker.close()
    return checker.problems + [f"<{t}> at {pos} never closed" for t, pos in checker.stack], checker.tags


def md_cells(line: str) -> list[str]:
    """A Markdown table row's cells (stripped): split on pipes that no backslash escapes."""
    cells, cell, i = [], "", 0
    body = line.strip()
    assert body.startswith("|") and body.endswith("|") and not body.endswith("\\|"), line
    body = body[1:-1]
    while i < len(body):
        if body[i] == "\\" and i + 1 < len(body):
            cell += body[i:i + 2]
            i += 2
            continue
        if body[i] == "|":
            cells.append(cell)
            cell = ""
        else:
            cell += body[i]
        i += 1
    return [c.strip() for c in [*cells, cell]]


def md_tables(text: str) -> list[list[list[str]]]:
    """Every table (consecutive lines starting with `|`) as rows of cells."""
    tables: list[list[list[str]]] = []
    current: list[list[str]] = []
    for line in text.splitlines():
        if line.startswith("|"):
            current.append(md_cells(line))
        elif current:
            tables.append(current)
            current = []
    return tables + ([current] if current else [])


def _unfilter(kind: int, row: bytearray, prev: bytes, bpp: int) -> bytearray:
    """Undo one PNG row filter (Sub, Up, Average, Paeth) in place."""
    n = len(row)
    if kind == 1:
        for i in range(bpp, n):
            row[i] = (row[i] + row[i - bpp]) & 0xFF
    elif kind == 2:
        row[:] = ((np.frombuffer(row, np.uint8) + np.frombuffer(prev, np.uint8)) & 0xFF).astype(np.uint8).tobytes()
    elif kind == 3:
        for i in range(n):
            row[i] = (row[i] + ((row[i - bpp] if i >= bpp else 0) + prev[i]) // 2) & 0xFF
    elif kind == 4:
        for i in range(n):
            a = row[i - bpp] if i >= bpp else 0
            b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            row[i] = (row[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
    return row


def png_pixels(path: Path) -> np.ndarray:
    """An 8-bit RGB or RGBA PNG (what Chromium writes) as a (height, width, channels) array."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    pos, idat, header = 8, [], b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = chunk
        elif kind == b"IDAT":
            idat.append(chunk)
        pos += 12 + length
    width, height, depth, colour = struct.unpack(">IIBB", header[:10])
    assert depth == 8 and colour in (2, 6), f"unexpected PNG format: depth {depth}, colour type {colour}"
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(b"".join(idat))
    stride = 1 + width * bpp
    rows: list[bytes] = []
    prev = bytes(width * bpp)
    for y in range(height):
        prev = bytes(_unfilter(raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride]), prev, bpp))
        rows.append(prev)
    return np.frombuffer(b"".join(rows), np.uint8).reshape(height, width, bpp)


def colour_stats(pixels: np.ndarray) -> tuple[int, float]:
    """(distinct RGB colours, share of pixels that are not near-white)."""
    rgb = pixels[:, :, :3].reshape(-1, 3).astype(np.uint32)
    packed = (rgb[:, 0] << 16) | (rgb[:, 1] << 8) | rgb[:, 2]
    not_white = float(np.mean(rgb.min(axis=1) < 235))
    return len(np.unique(packed)), not_white

