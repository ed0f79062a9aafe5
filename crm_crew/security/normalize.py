"""What the injection screen matches: text folded so that disguises fall away.

`fold` undoes the cheap disguises: HTML entities and %-escapes, compatibility forms (fullwidth,
mathematical letters, ligatures: NFKC), invisible characters (zero-width, bidi controls, soft hyphens,
tag characters), Cyrillic and Greek look-alikes of Latin letters, case and accents, letter-spaced words
("i g n o r e"), words hyphenated over a line break and runs of whitespace. `words` goes further for phrase patterns: every run of
non-alphanumeric characters becomes one space and digits inside words are read as letters ("1gn0r3").
`views` adds readings of what the text hides: decoded base64 runs and rot13.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import html
import re
import unicodedata
from urllib.parse import unquote

# Format characters (Unicode category Cf) and other invisible fillers.
_INVISIBLE = re.compile(
    "[\u00ad\u034f\u061c\u115f\u1160\u17b4\u17b5\u180b-\u180f\u200b-\u200f\u202a-\u202e\u2060-\u206f"
    "\u3164\ufe00-\ufe0f\ufeff\uffa0\ufff9-\ufffb\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)

# Look-alikes of Latin letters, by case (Greek capital Nu is N, small nu is v), applied before casefolding.
_CONFUSABLES = str.maketrans({
    # Cyrillic
    "А": "A", "В": "B", "Е": "E", "Ѕ": "S", "І": "I", "Ї": "I", "Ј": "J", "К": "K", "М": "M", "Н": "H",
    "О": "O", "Р": "P", "С": "C", "Т": "T", "У": "Y", "Х": "X", "Ү": "Y", "Ԁ": "D", "Ԛ": "Q", "Ԝ": "W",
    "Ӏ": "I", "Һ": "H",
    "а": "a", "в": "b", "г": "r", "е": "e", "ё": "e", "к": "k", "м": "m", "н": "h", "о": "o", "п": "n",
    "р": "p", "с": "c", "т": "t", "у": "y", "х": "x", "ѕ": "s", "і": "i", "ї": "i", "ј": "j", "һ": "h",
    "ԁ": "d", "ԛ": "q", "ԝ": "w", "ӏ": "l", "ү": "y", "ь": "b",
    # Greek
    "Α": "A", "Β": "B", "Ε": "E", "Ζ": "Z", "Η": "H", "Ι": "I", "Κ": "K", "Μ": "M", "Ν": "N", "Ο": "O",
    "Ρ": "P", "Τ": "T", "Υ": "Y", "Χ": "X", "Ϲ": "C", "Ϳ": "J",
    "α": "a", "β": "b", "γ": "y", "ε": "e", "η": "n", "ι": "i", "κ": "k", "ν": "v", "ο": "o", "ρ": "p",
    "τ": "t", "υ": "u", "χ": "x", "ω": "w", "ϲ": "c", "ς": "s",
    # Latin small capitals and other look-alikes NFKC keeps
    "ᴀ": "a", "ʙ": "b", "ᴄ": "c", "ᴅ": "d", "ᴇ": "e", "ꜰ": "f", "ɢ": "g", "ʜ": "h", "ɪ": "i", "ᴊ": "j",
    "ᴋ": "k", "ʟ": "l", "ᴍ": "m", "ɴ": "n", "ᴏ": "o", "ᴘ": "p", "ʀ": "r", "ꜱ": "s", "ᴛ": "t", "ᴜ": "u",
    "ᴠ": "v", "ᴡ": "w", "ʏ": "y", "ᴢ": "z", "ı": "i", "ȷ": "j", "ɑ": "a", "ɡ": "g", "ɩ": "i", "ø": "o",
    "Ø": "O", "đ": "d", "Đ": "D", "ł": "l", "Ł": "L", "ħ": "h", "օ": "o", "ս": "u",
    # quotes and dashes
    "‘": "'", "’": "'", "‚": "'", "‛": "'", "ʼ": "'", "′": "'", "`": "'", "´": "'",
    "“": '"', "”": '"', "„": '"', "‟": '"', "«": '"', "»": '"', "‹": '"', "›": '"', "″": '"',
    "‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "―": "-", "−": "-", "﹣": "-",
})

_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
# Three or more single letters joined by one space, dot, dash or underscore: "i g n o r e", "d.e.l.e.t.e".
_LETTER_SPACED = re.compile(r"(?<!\w)(?:[^\W\d_][ .\-_]){2,}[^\W\d_](?!\w)")
# A word broken over two lines with a hyphen: "dis-\nregard".
_HYPHENATED = re.compile(r"(?<=[^\W\d_])-[ \t]*\n[ \t]*(?=[^\W\d_])")
_SPACES = re.compile(r"[^\S\n]+")
_LINE_BREAKS = re.compile(r" ?\n[\s]*")
_NON_WORD = re.compile(r"[\W_]+")
_MIXED_TOKEN = re.compile(r"\b(?=\w*[^\W\d_])(?=\w*[013457])\w+\b")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t"})

# Base64 runs worth decoding, and MIME-style lines of base64 to join first.
_BASE64_RUN = re.compile(r"[A-Za-z0-9+/_-]{16,}={0,2}")
_BASE64_LINE_BREAK = re.compile(r"(?<=[A-Za-z0-9+/]{40})[ \t]*\r?\n[ \t]*(?=[A-Za-z0-9+/=]{4})")
MAX_DECODED_CHARS = 50_000
MAX_BASE64_RUNS = 50


def _strip_marks(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _join_letters(match: re.Match[str]) -> str:
    return match.group(0)[::2]


def fold(text: str) -> str:
    """Lower-case, unaccented, look-alike-free text with one space between words and lines kept."""
    if "&" in text:
        text = html.unescape(text)
    if "%" in text:
        text = _PERCENT_ESCAPE.sub(lambda m: unquote(m.group(0)), text)
    text = unicodedata.normalize("NFKC", text)
    text = _INVISIBLE.sub("", text)
    text = text.translate(_CONFUSABLES).casefold()
    if not text.isascii():
        text = _strip_marks(text)
    text = _LETTER_SPACED.sub(_join_letters, text)
    text = _HYPHENATED.sub("", text)
    text = _SPACES.sub(" ", text)
    return _LINE_BREAKS.sub("\n", text).strip()


def words(folded: str) -> str:
    """Only words, one space apart, digits inside words read as letters: the view phrase patterns suit."""
    text = _NON_WORD.sub(" ", folded)
    text = _MIXED_TOKEN.sub(lambda m: m.group(0).translate(_LEET), text)
    return text.strip()


def _decode_base64(run: str) -> str | None:
    core = run.rstrip("=")
    core = core[: len(core) - len(core) % 4] if len(core) % 4 == 1 else core
    padded = core + "=" * (-len(core) % 4)
    try:
        if "-" in core or "_" in core:
            raw = base64.urlsafe_b64decode(padded)
        else:
            raw = base64.b64decode(padded, validate=True)
        decoded = raw.decode("utf-8")
    except (binascii.Error, ValueError):
        return None
    printable = sum(1 for c in decoded if c.isprintable() or c in "\n\r\t")
    letters = sum(1 for c in decoded if c.isalpha())
    if printable < 0.9 * len(decoded) or letters < 4:
        return None
    return decoded


def base64_texts(text: str, depth: int = 2) -> list[str]:
    """The text hidden in base64 runs of `text` (and in base64 inside those), decoded."""
    joined = _BASE64_LINE_BREAK.sub("", text)
    found: list[str] = []
    budget = MAX_DECODED_CHARS
    for number, match in enumerate(_BASE64_RUN.finditer(joined)):
        if number >= MAX_BASE64_RUNS or budget <= 0:
            break
        decoded = _decode_base64(match.group(0))
        if decoded is None:
            continue
        decoded = decoded[:budget]
        budget -= len(decoded)
        found.append(decoded)
        if depth > 1:
            found.extend(base64_texts(decoded, depth - 1))
    return found


def views(text: str) -> list[tuple[str, str]]:
    """(reading, text) pairs to match: the folded text, its words, their rot13, and decoded base64."""
    folded = fold(text)
    result = [("", folded), ("", words(folded)), ("rot13", words(codecs.encode(folded, "rot13")))]
    for decoded in base64_texts(text):
        folded_decoded = fold(decoded)
        result += [("base64", folded_decoded), ("base64", words(folded_decoded))]
    return [(how, view) for how, view in result if view]
