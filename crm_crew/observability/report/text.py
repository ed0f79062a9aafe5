"""The one cleaning every rendered string goes through, before its format's escaping."""

from __future__ import annotations

import unicodedata


def clean_text(value: object) -> str:
    """`value` as text with control characters (but newline and tab) and what XML 1.0 cannot hold
    (lone surrogates, U+FFFE, U+FFFF) replaced by U+FFFD."""
    text = "" if value is None else str(value)
    return "".join(
        c if c in "\n\t" or not (unicodedata.category(c) in ("Cc", "Cs") or c in "\ufffe\uffff") else "\ufffd"
        for c in text)
