"""Sender details from the From header, the signature block and the email domain.

Each value is message text on its way to a CRM field: it is kept only when it reads as a name, job
title or company (crm_crew.security.contact_fields); a dropped value is noted with the reason. The
display name arrives already checked by the security screen, and a signature the screen flagged is
not read at all.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from crm_crew.models import Interaction
from crm_crew.security.contact_fields import Checked, company_name, job_title, person_name
from crm_crew.security.pii import find_phone, remove_pii
from crm_crew.security.screen import ScreenResult

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
    dropped: list[str] = field(default_factory=list)   # "field (source): why" for values not kept

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


def _keep(details: SenderDetails, check: Callable[[str], Checked], raw: str, label: str) -> str:
    checked = check(raw)
    if checked.problem:
        details.dropped.append(f"{label}: {checked.problem}")
    return checked.value


def extract_sender(interaction: Interaction, screened: ScreenResult, free_mail_domains: list[str]) -> SenderDetails:
    details = SenderDetails()
    signature = interaction.signature if screened.signature_usable else ""
    lines = [ln.strip() for ln in signature.splitlines() if ln.strip()]
    lines = [ln for ln in lines if not _SIGN_OFF.match(ln)]
    display_name = remove_pii(screened.sender_name)
    if display_name and "@" not in display_name:
        details.first_name, details.last_name = _split_name(display_name)
        details.name_source = "header"
    for i, line in enumerate(lines):
        if not details.name_source and _NAME_LINE.match(line) and not _COMPANY_SUFFIX.search(line):
            name = _keep(details, person_name, line, "name (signature)")
            if name:
                details.first_name, details.last_name = _split_name(name)
                details.name_source = "signature"
            continue
        if _TITLE_WORDS.search(line) and not details.title:
            title, _, rest = line.partition("|") if "|" in line else line.partition(",")
            details.title = _keep(details, job_title, title, "title (signature)")
            if rest.strip() and not details.company:
                details.company = _keep(details, company_name, rest, "company (signature)")
                details.company_source = "signature" if details.company else ""
            continue
        if not details.company and (_COMPANY_SUFFIX.search(line) or (i <= 2 and details.name_source == "signature" and not find_phone(line) and "@" not in line and len(line) < 50)):
            details.company = _keep(details, company_name, line, "company (signature)")
            details.company_source = "signature" if details.company else ""
    details.phone = find_phone(signature)
    if not details.company:
        from_domain = _company_from_domain(interaction.sender_email, free_mail_domains)
        if from_domain:
            details.company = _keep(details, company_name, from_domain, "company (domain)")
        details.company_source = "domain" if details.company else ""
    return details
