"""The sender of a record: one unambiguous address, parsed strictly, or a specific reject reason.

`victim@x <attacker@evil>` is one address to a lenient parser and another to a person, so a From
value is accepted only when the standard library's RFC 5322 parser (email.headerregistry, the
parser of email.policy.default) reads exactly one mailbox with no defect, and the lenient reading
of email.utils.getaddresses (which tells "ambiguous" from "several addresses") finds that same one;
on Pythons whose getaddresses has `strict` (3.11.10+, 3.12.6+, 3.13), its strict reading must agree
too. A display name may not carry an address other than the sender's. Reasons name the field and
the problem, never the value.
"""

from __future__ import annotations

import re
from email.errors import InvalidHeaderDefect
from email.headerregistry import AddressHeader, HeaderRegistry
from email.utils import getaddresses
from inspect import signature

from crm_crew.pipeline.readers.common import RecordError
from crm_crew.security.addresses import has_invisible_characters, same_address

_REGISTRY = HeaderRegistry()
_EMAIL_RE = re.compile(r"^[^@\s<>(),;:\"\[\]]+@[^@\s<>(),;:\"\[\]]+\.(?:[A-Za-z0-9-]{2,}|[^\W\d_]{2,})$")
_ADDRESS_IN_TEXT = re.compile(r"[^\s<>\"'@]{1,64}@[^\s<>\"'@]{1,255}\.[^\s<>\"'@]{1,63}")
FORM = 'write it as "Name <address>" or a bare address'
_HAS_STRICT = "strict" in signature(getaddresses).parameters


def _addresses(text: str, strict: bool) -> list[str]:
    """The addresses getaddresses reads in `text`, leniently (the historic reading) or strictly."""
    if _HAS_STRICT:
        found = getaddresses([text], strict=strict)  # type: ignore[call-arg]
    elif strict:
        return []
    else:
        found = getaddresses([text])
    return [address for _, address in found if address]


def is_valid_email(address: str) -> bool:
    """A plausible addr-spec: one @, no spaces, brackets or quotes, a dot and a top-level domain."""
    return bool(_EMAIL_RE.match(address)) and not has_invisible_characters(address)


def parse_from(value: str, where: str) -> tuple[str, str]:
    """(address, display name) of a From value ("Name <addr>" or a bare address); RecordError otherwise.

    `where` names the field in reasons: "`from`", "`sender_email`", "the From header".
    """
    text = value.strip()
    if not text:
        raise RecordError(f"{where} is empty: {FORM}")
    if "\r" in text or "\n" in text:
        raise RecordError(f"{where} has a line break: a sender is one line")
    try:
        header = _REGISTRY("from", text)
    except Exception:  # noqa: BLE001 - the parser may raise on pathological input
        raise RecordError(f"{where} cannot be parsed as an address: {FORM}") from None
    assert isinstance(header, AddressHeader)
    if any(group.display_name is not None for group in header.groups):
        raise RecordError(f"{where} is a group of addresses (name: ...;), not one sender")
    lenient = _addresses(text, strict=False)
    mailboxes = header.addresses
    if len(mailboxes) > 1 or len(lenient) > 1:
        if len(mailboxes) == 1 and all("@" in a for a in lenient):
            raise RecordError(f"{where} is ambiguous: it has text that reads as another address besides "
                              f"the one in <...>; {FORM}")
        raise RecordError(f"{where} holds several addresses (or a name with an unquoted comma): "
                          "give exactly one sender, quoting a name that has a comma")
    if not mailboxes or not mailboxes[0].username or not mailboxes[0].domain:
        raise RecordError(f"{where} has no address (no name@domain): {FORM}")
    mailbox = mailboxes[0]
    if any(isinstance(defect, InvalidHeaderDefect) for defect in header.defects):
        raise RecordError(f"{where} is malformed (unbalanced <>, quotes or brackets, or stray text): {FORM}")
    address = mailbox.addr_spec
    if has_invisible_characters(address):
        raise RecordError(f"{where}: the address has invisible, control or space characters")
    if not is_valid_email(address) or lenient != [address] or (_HAS_STRICT and _addresses(text, True) != [address]):
        raise RecordError(f"{where}: not a valid email address: {FORM}")
    return address, check_sender_name(mailbox.display_name, address, f"{where}: the display name")


def check_sender_name(name: str, address: str, where: str) -> str:
    """A sender's name may not carry another address (the display-name trick); a name that is just the
    sender's own address is no name."""
    clean = " ".join(name.split())
    if "<" in clean or ">" in clean or any(not same_address(found, address, False)
                                           for found in _ADDRESS_IN_TEXT.findall(clean)):
        raise RecordError(f"{where} holds an email address other than the sender's")
    return "" if same_address(clean.strip("'\" "), address, False) else clean
