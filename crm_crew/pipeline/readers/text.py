"""Body text clean-up shared by every reader: HTML to text, quoted replies, signatures."""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, NavigableString

# A line that introduces the quoted previous message. Everything from it on is quoted.
_ON_WROTE_START = re.compile(r"^\s*On\s.+", re.IGNORECASE)
_WROTE_END = re.compile(r"\bwrote:\s*$", re.IGNORECASE)
_ORIGINAL_MESSAGE = re.compile(r"^\s*-{2,}\s*(Original Message|Forwarded message)\s*-{2,}\s*$", re.IGNORECASE)
_OUTLOOK_FROM = re.compile(r"^\s*\*?From:\*?\s+\S", re.IGNORECASE)
_OUTLOOK_SENT = re.compile(r"^\s*\*?(Sent|Date):\*?\s+\S", re.IGNORECASE)
_OUTLOOK_RULE = re.compile(r"^\s*_{8,}\s*$")

# Sign-off lines: multi-word ones may omit the comma, single words need it.
_SIGN_OFF = re.compile(
    r"^\s*(?:"
    r"(?:best|kind|warm|warmest|many)\s+(?:regards|wishes|thanks)\s*[,!.]?"
    r"|(?:yours\s+(?:sincerely|truly|faithfully))\s*[,!.]?"
    r"|(?:thank\s+you|thanks\s+again|thanks\s+a\s+lot|all\s+the\s+best)\s*[,!]"
    r"|(?:regards|thanks|cheers|sincerely|best)\s*,"
    r")\s*$",
    re.IGNORECASE,
)
_MAX_SIGNATURE_LINES = 6

# Tags whose text belongs to the surrounding line rather than a line of its own.
_INLINE_TAGS = (
    "a", "abbr", "b", "bdi", "bdo", "big", "cite", "code", "data", "dfn", "em", "font",
    "i", "kbd", "mark", "q", "s", "samp", "small", "span", "strike", "strong", "sub",
    "sup", "time", "tt", "u", "var", "wbr",
)
_DROP_TAGS = ("script", "style", "head", "noscript", "template", "title")


def normalize_newlines(text: str) -> str:
    """Turn CRLF and lone CR into LF."""
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _tidy(lines: list[str]) -> str:
    """Strip trailing whitespace per line and blank lines at both ends."""
    return "\n".join(line.rstrip() for line in lines).strip("\n").rstrip()


def collapse_blank_lines(text: str) -> str:
    """Strip each line and keep at most one blank line in a row."""
    out: list[str] = []
    for line in normalize_newlines(text).split("\n"):
        line = line.replace("\xa0", " ").strip()
        if not line and (not out or not out[-1]):
            continue
        out.append(line)
    return "\n".join(out).strip()


def html_to_text(html: str) -> str:
    """Plain text of an HTML body: scripts and styles dropped, blank lines collapsed.

    Quoted replies (<blockquote>) become "> " lines so that split_reply removes them.
    """
    soup = BeautifulSoup(html, "html.parser")
    for tag in soup.find_all(_DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all("br"):
        tag.replace_with(NavigableString("\n"))
    for tag in soup.find_all(_INLINE_TAGS):
        tag.unwrap()
    soup.smooth()
    # Innermost first so nested quotes get one prefix per level only once each.
    for quote in reversed(soup.find_all("blockquote")):
        inner = collapse_blank_lines(quote.get_text("\n"))
        quoted = "\n".join("> " + line if line else ">" for line in inner.split("\n"))
        quote.replace_with(NavigableString("\n" + quoted + "\n"))
    return collapse_blank_lines(soup.get_text("\n"))


def _reply_header_index(lines: list[str]) -> int | None:
    """Index of the first line that introduces a quoted earlier message, if any."""
    for i, line in enumerate(lines):
        if _ORIGINAL_MESSAGE.match(line):
            return i
        if _ON_WROTE_START.match(line):
            # Mail clients wrap long "On ..., Name <addr> wrote:" lines once. A real
            # header carries a date or an address, so it has a digit or an "@".
            if _WROTE_END.search(line):
                header = line
            elif i + 1 < len(lines) and _WROTE_END.search(lines[i + 1]) and len(line) < 200:
                header = line + lines[i + 1]
            else:
                header = ""
            if any(ch.isdigit() or ch == "@" for ch in header):
                return i
        if _OUTLOOK_FROM.match(line):
            window = lines[i + 1 : i + 4]
            if any(_OUTLOOK_SENT.match(nxt) for nxt in window):
                if i > 0 and _OUTLOOK_RULE.match(lines[i - 1]):
                    return i - 1
                return i
    return None


def _signature_index(lines: list[str]) -> tuple[int, bool] | None:
    """(index, keep_line) of where the signature starts, or None.

    keep_line is False for a "-- " delimiter (dropped) and True for a sign-off line
    (which is part of the signature).
    """
    for i in range(len(lines) - 1, -1, -1):
        if lines[i] in ("-- ", "--"):
            return i, False
    content_end = len(lines)
    while content_end > 0 and not lines[content_end - 1].strip():
        content_end -= 1
    for i in range(content_end - 1, -1, -1):
        if content_end - (i + 1) > _MAX_SIGNATURE_LINES:
            break
        if _SIGN_OFF.match(lines[i]):
            if any(line.strip() for line in lines[:i]):
                return i, True
            return None
    return None


def split_reply(text: str) -> tuple[str, str, str]:
    """Split a message body into (new_text, quoted_text, signature).

    Quoted text is every line starting with ">" plus everything from a reply header
    ("On <date>, <name> wrote:", "-----Original Message-----", an Outlook
    "From: ... Sent: ..." block) on. The signature is what follows a "-- " line, or a
    sign-off line ("Best regards," ...) followed by at most six lines. Newlines are
    normalized to \\n and trailing whitespace is stripped.
    """
    lines = normalize_newlines(text).split("\n")
    quoted: list[str] = []
    header = _reply_header_index(lines)
    if header is not None:
        quoted_tail = lines[header:]
        lines = lines[:header]
    else:
        quoted_tail = []
    kept: list[str] = []
    for line in lines:
        if line.lstrip().startswith(">"):
            quoted.append(line)
        else:
            kept.append(line)
    quoted.extend(quoted_tail)

    signature: list[str] = []
    found = _signature_index(kept)
    if found is not None:
        index, keep_line = found
        signature = kept[index:] if keep_line else kept[index + 1 :]
        kept = kept[:index]
    return _tidy(kept), _tidy(quoted), _tidy(signature)
