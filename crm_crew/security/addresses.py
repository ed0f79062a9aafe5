"""Email addresses as identities: one normal form, and look-alikes told apart from the real thing.

Two addresses are the same sender only when their normal forms are equal, character for
character. The normal form lowercases ASCII letters only: Unicode case folding would turn
look-alikes into the real address (KELVIN SIGN lowercases to ASCII `k`), and so would NFC or
NFKC (KELVIN SIGN, fullwidth letters) or IDNA (a punycode label and its Unicode form). Look-alikes are
recognized separately, by their skeleton, so that they can be named and held, never matched.
"""

from __future__ import annotations

import codecs
import unicodedata
from functools import lru_cache

_ASCII_LOWER = {code: code + 32 for code in range(ord("A"), ord("Z") + 1)}
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Co", "Cs", "Cn", "Zl", "Zp"})


def canonical_address(address: str) -> str:
    """The stored form of an address: trimmed, ASCII letters lowercased, nothing else folded (not even
    NFC, which maps KELVIN SIGN to K; RFC 6532 has internationalized addresses sent in NFC already)."""
    return address.strip().translate(_ASCII_LOWER)


def identity_address(address: str, strip_plus_tags: bool = True) -> str:
    """The form two addresses are compared in: canonical, and without a `+tag` when configured."""
    text = canonical_address(address)
    local, sep, domain = text.partition("@")
    if strip_plus_tags and "+" in local:
        local = local.split("+", 1)[0]
    return f"{local}{sep}{domain.rstrip('.')}" if sep else text


def same_address(first: str, second: str, strip_plus_tags: bool = True) -> bool:
    """Whether two addresses are one mailbox for identity purposes (never true for look-alikes)."""
    if not first.strip() or not second.strip():
        return False
    return identity_address(first, strip_plus_tags) == identity_address(second, strip_plus_tags)


def has_invisible_characters(text: str) -> bool:
    """Control, format (zero-width, bidi overrides), private-use or unassigned characters, or whitespace."""
    return any(ch.isspace() or unicodedata.category(ch) in _INVISIBLE_CATEGORIES for ch in text)


def _decode_label(label: str) -> str:
    if not label.startswith("xn--"):
        return label
    try:
        return codecs.decode(label[4:].encode("ascii"), "punycode")
    except (UnicodeError, ValueError):
        return label


@lru_cache(maxsize=4096)
def _prototype(ch: str) -> str:
    """The ASCII character `ch` is confusable with (Unicode confusables data), else `ch`."""
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(ch, greedy=True, preferred_aliases=[])
    for entry in found or []:
        for glyph in entry["homoglyphs"]:
            candidate = glyph["c"]
            if candidate.isascii() and candidate.isprintable():
                return candidate.lower()
    return ch


def skeleton(address: str) -> str:
    """What an address looks like on screen: punycode labels shown as Unicode, compatibility forms
    folded (NFKC), invisible characters dropped, and every character mapped to the ASCII letter it
    is confusable with. Different addresses with equal skeletons are look-alikes."""
    local, sep, domain = canonical_address(address).partition("@")
    shown = f"{local}{sep}{'.'.join(_decode_label(label) for label in domain.split('.'))}" if sep else local
    folded = unicodedata.normalize("NFKC", shown)
    visible = "".join(ch for ch in folded if not has_invisible_characters(ch))
    return "".join(ch if ch.isascii() else _prototype(ch) for ch in visible).translate(_ASCII_LOWER)


def imitated_address(address: str, strip_plus_tags: bool = True) -> str | None:
    """The plain ASCII address this one imitates (homoglyphs, punycode, fullwidth or invisible
    characters), or None when the address is plain ASCII or imitates nothing ASCII."""
    canonical = canonical_address(address)
    if canonical.isascii() and "xn--" not in canonical and not has_invisible_characters(canonical):
        return None
    shape = skeleton(address)
    if not shape.isascii():
        return None
    imitated = identity_address(shape, strip_plus_tags)
    return None if imitated == identity_address(address, strip_plus_tags) else imitated


def is_lookalike(first: str, second: str, strip_plus_tags: bool = True) -> bool:
    """Different addresses that look the same on screen."""
    if same_address(first, second, strip_plus_tags):
        return False
    return identity_address(skeleton(first), strip_plus_tags) == identity_address(skeleton(second), strip_plus_tags)
