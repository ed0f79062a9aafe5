"""Auto-replies and bounces are recognized in the five languages; customers' own mail is not."""

from __future__ import annotations

import pytest

from crm_crew.models import Interaction
from crm_crew.triage.automated import AUTO_REPLY, BOUNCE, automated_mail


def mail(subject: str, body: str = "text", sender: str = "ana@client.example", **headers: str) -> Interaction:
    return Interaction("id", "email", sender, "Ana", subject, body, "2026-01-01T00:00:00Z",
                       metadata={"headers": headers} if headers else {})


@pytest.mark.parametrize("subject", ["Automatic reply: Renewal", "Out of Office: back on the 4th",
                                     "Abwesenheitsnotiz: Ihre Anfrage", "Respuesta automática: pedido",
                                     "Réponse automatique : facture", "Resposta automática: contrato"])
def test_auto_reply_subjects(subject: str) -> None:
    found = automated_mail(mail(subject))
    assert found is not None and found.kind == AUTO_REPLY


def test_auto_reply_headers() -> None:
    assert automated_mail(mail("Re: your ticket", **{"Auto-Submitted": "auto-replied"})).kind == AUTO_REPLY
    assert automated_mail(mail("Re: your ticket", **{"X-Autoreply": "yes"})).kind == AUTO_REPLY


def test_bounces_name_the_address_that_bounced() -> None:
    dsn = mail("Undeliverable: Re: invoice", "Final-Recipient: rfc822; old.friend@gone.example\nAction: failed",
               sender="mailer-daemon@mx.example")
    found = automated_mail(dsn)
    assert found is not None and found.kind == BOUNCE and found.bounced_address == "old.friend@gone.example"
    report = mail("Mail delivery failed", "could not deliver", **{
        "Content-Type": "multipart/report; report-type=delivery-status", "X-Failed-Recipients": "b@x.example"})
    assert automated_mail(report).bounced_address == "b@x.example"
    assert automated_mail(mail("Unzustellbar: Angebot", sender="postmaster@firma.example")).kind == BOUNCE


@pytest.mark.parametrize("subject", ["I will be out of the country, please pause my plan", "Re: automatic renewal",
                                     "Question about your auto-reply feature", "Undelivered parcel, where is it?"])
def test_customers_talking_about_such_things_are_not_automated(subject: str) -> None:
    assert automated_mail(mail(subject)) is None
