"""Sender details from the From header, the signature block and the email domain."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from typing import Any

from crm_crew.models import Interaction
from crm_crew.security.pii import find_phone, remove_pii

_COMPANY_SUFFIX = re.compile(
    r"\b(inc|inc\.|ltd|ltd\.|llc|gmbh|corp|corp\.|corporation|co\.|company|plc|s\.a\.|ag|bv|group|industries|systems|consulting|labs|solutions)\b",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(r"^(best( regards)?|kind regards|regards|thanks|thank you|cheers|sincerely|warm regards|--)[,!.]?$", re.IGNORECASE)
_NAME_LINE = re.compile(r"^[A-Z][a-zA-Z'’-]+(?: [A-Z][a-zA-Z'’.-]+){1,2}$")
_SECOND_LEVEL = {"co", "com", "org", "net", "ac", "gov", "edu", "ltd", "plc"}
_TITLE_WORDS = re.compile(r"\b(manager|director|head|engineer|officer|ceo|cto|cfo|vp|lead|founder|owner|assistant|analyst|administrator)\b", re.IGNORECASE)


@dataclass
class SenderDetails:
    first_name: str = ""
    last_name: str = ""
    company: str = ""
    phone: str = ""
    title: str = ""
    name_source: str = ""        # header | signature | ""
    company_source: str = ""     # signature | domain | ""

    @property
    def full_name(self) -> str:
        return " ".join(p for p in (self.first_name, self.last_name) if p)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["full_name"] = self.full_name
        return data


def _split_name(name: str) -> tuple[str, str]:
    name = re.sub(r"\s+", " ", name.replace('"', "").strip())
    if "," in name:  # "Doe, Jane"
        last, _, first = name.partition(",")
        return first.strip(), last.strip()
    parts = name.split(" ")
    if len(parts) == 1:
        return parts[0], ""
    return " ".join(parts[:-1]), parts[-1]


def _company_from_domain(email: str, free_mail_domains: list[str]) -> str:
    domain = email.rpartition("@")[2].lower().strip()
    if not domain or domain in free_mail_domains:
        return ""
    labels = domain.split(".")
    if len(labels) >= 3 and labels[-2] in _SECOND_LEVEL:  # acme.co.uk, acme.com.au
        labels = labels[:-1]
    core = labels[-2] if len(labels) >= 2 else labels[0]
    return " ".join(w.capitalize() for w in re.split(r"[-_]", core) if w)


def extract_sender(interaction: Interaction, free_mail_domains: list[str]) -> SenderDetails:
    details = SenderDetails()
    lines = [ln.strip() for ln in interaction.signature.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not _SIGN_OFF.match(ln)]
    display_name = remove_pii(interaction.sender_name)
    if display_name and "@" not in display_name:
        details.first_name, details.last_name = _split_name(display_name)
        details.name_source = "header"
    for i, line in enumerate(lines):
        if not details.name_source and _NAME_LINE.match(line) and not _COMPANY_SUFFIX.search(line):
            details.first_name, details.last_name = _split_name(line)
            details.name_source = "signature"
            continue
        if _TITLE_WORDS.search(line) and not details.title:
            title, _, rest = line.partition("|") if "|" in line else line.partition(",")
            details.title = title.strip()
            if rest.strip() and not details.company:
                details.company, details.company_source = rest.strip(), "signature"
            continue
        if not details.company and (_COMPANY_SUFFIX.search(line) or (i <= 2 and details.name_source == "signature" and not find_phone(line) and "@" not in line and len(line) < 50)):
            details.company, details.company_source = line, "signature"
    details.phone = find_phone(interaction.signature)
    if not details.company:
        details.company = _company_from_domain(interaction.sender_email, free_mail_domains)
        details.company_source = "domain" if details.company else ""
    return details
