"""Mail that is not a customer talking: auto-replies (out of office) and delivery failures (bounces)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from crm_crew.models import Interaction
from crm_crew.triage.text import fold

AUTO_REPLY = "auto_reply"
BOUNCE = "bounce"

_BOUNCE_SENDERS = {"mailer-daemon", "postmaster", "mail-daemon", "bounce", "bounces"}
# Subject openings, folded (lowercase, no accents), in the five languages.
_BOUNCE_SUBJECTS = re.compile(
    r"^(undeliverable|undelivered mail|delivery status notification \(failure|delivery failure|mail delivery failed"
    r"|returned mail|failure notice|message not delivered|unzustellbar|nicht zustellbar|zustellung fehlgeschlagen"
    r"|no se puede entregar|no entregado|mensaje no entregado|non remis|echec de (la )?(remise|livraison)"
    r"|non distribuable|nao entregue|falha na entrega|mensagem nao entregue)")
_AUTO_REPLY_SUBJECTS = re.compile(
    r"^(automatic reply|auto[- ]?reply|autoreply|auto[- ]?response|out of (the )?office|ooo\b|away from (the )?office"
    r"|abwesenheitsnotiz|automatische antwort|abwesend|respuesta automatica|fuera de la oficina|ausente"
    r"|reponse automatique|absence du bureau|absent du bureau|message d'absence|resposta automatica"
    r"|ausente do escritorio|fora do escritorio)")
_ADDRESS = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+")
_BOUNCED_LINE = re.compile(r"(?im)^(?:final-recipient|original-recipient)\s*:\s*(?:rfc822\s*;)?\s*(\S+@\S+)\s*$")


@dataclass(frozen=True)
class Automated:
    kind: str                       # AUTO_REPLY | BOUNCE
    evidence: str                   # which header or subject said so
    bounced_address: str = ""       # for a bounce: the address that could not be reached, when found


def automated_mail(interaction: Interaction) -> Automated | None:
    headers = {k.lower(): str(v).strip().lower() for k, v in (interaction.metadata.get("headers") or {}).items()}
    subject = fold(interaction.subject).strip()
    subject = re.sub(r"^((re|aw|fw|fwd|wg)\s*:\s*)+", "", subject)
    local = interaction.sender_email.partition("@")[0].lower()
    content_type = headers.get("content-type", "")
    evidence = ""
    if "multipart/report" in content_type and "delivery-status" in content_type:
        evidence = "Content-Type: multipart/report (delivery status)"
    elif local in _BOUNCE_SENDERS:
        evidence = f"sender {local}"
    elif _BOUNCE_SUBJECTS.match(subject):
        evidence = "subject of a delivery failure"
    elif headers.get("x-failed-recipients"):
        evidence = "X-Failed-Recipients"
    if evidence:
        return Automated(BOUNCE, evidence, _bounced_address(interaction, headers))
    if headers.get("auto-submitted", "no") not in ("", "no"):
        return Automated(AUTO_REPLY, "Auto-Submitted header")
    if any(k in headers for k in ("x-autoreply", "x-autorespond")) or headers.get("precedence") == "auto_reply":
        return Automated(AUTO_REPLY, "auto-reply header")
    if _AUTO_REPLY_SUBJECTS.match(subject):
        return Automated(AUTO_REPLY, "subject of an automatic reply")
    return None


def _bounced_address(interaction: Interaction, headers: dict[str, str]) -> str:
    failed = headers.get("x-failed-recipients", "")
    match = _ADDRESS.search(failed) or _BOUNCED_LINE.search(interaction.body)
    if match is None:
        match = next((m for m in _ADDRESS.finditer(interaction.body)
                      if m.group(0).lower() != interaction.sender_email.lower()), None)
    if match is None:
        return ""
    address = match.group(1) if match.re is _BOUNCED_LINE else match.group(0)
    return address.strip("<>;,.").lower()
