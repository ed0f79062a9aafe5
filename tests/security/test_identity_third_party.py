"""Requests about another person (crm_crew.security.third_party), in English, German, Spanish,
French and Portuguese, against requests a sender makes for themselves and ordinary mail that
merely mentions other people."""

from __future__ import annotations

import pytest

from crm_crew.security.third_party import asks_about_someone_else

SENDER = "r.almeida@tidewater.example"
NAMES = ["Rita Almeida"]

ABOUT_SOMEONE_ELSE = [
    # en
    "Hi, could you unsubscribe my teammate Felix? He never signed up for these.",
    "Our intern keeps receiving your promotions, please take him off the mailing list.",
    "Please delete the account of my ex-husband, we share this inbox no more.",
    "Remove my boss and me from the webinar invitations, thanks.",
    "Stop sending these offers to my daughter, she is 15.",
    "Kindly erase all data you hold on my late father.",
    "Could you update my assistant's phone number in your records to the new one?",
    "Björn Sander is no longer with the company. Please deactivate his account.",
    "I'd like you to remove Greta Lindholm from every list you have.",
    "Please opt out felix.brandt@tidewater.example from marketing.",
    "Mr. Okoro asked to be removed, please remove him today.",
    # de
    "Könnten Sie bitte meine Kollegin Frau Albers aus dem Verteiler nehmen?",
    "Bitte löschen Sie die Daten meines ehemaligen Mitarbeiters.",
    "Meinen Vorgesetzten bitte vom Newsletter abmelden, er bekommt ihn doppelt.",
    "Herr Kowalski ist nicht mehr bei uns, bitte entfernen Sie den Kontakt.",
    # es
    "Por favor, dad de baja a mi compañero Andrés de la lista de correo.",
    "Mi socia quiere darse de baja de sus boletines.",
    "Les pido que eliminen los datos de mi madre de su sistema.",
    "¿Podrían borrarlo de la lista? Es mi hermano y no quiere más correos.",
    # fr
    "Merci de désabonner ma collègue Sophie de vos communications.",
    "Pouvez-vous supprimer le compte de mon ancien associé ?",
    "Mon responsable ne veut plus vos emails, merci de le désinscrire.",
    # pt
    "Por favor, removam o meu chefe da lista de e-mails.",
    "Gostaria que excluíssem os dados da minha esposa do cadastro.",
    "A minha colega saiu da empresa, favor descadastrá-la.",
]

OWN_OR_ORDINARY = [
    # en: the sender's own requests, and mail that mentions others without asking to change them
    "Please unsubscribe me from the product newsletter.",
    "Take me off your list, my colleague will stay subscribed.",
    "My team lead asked me to opt out of the promotional emails.",
    "My colleague Felix and I loved the webinar. Could you send us the slides?",
    "Is there any update on the refund my manager requested?",
    "The sync removed all the tags my assistant had added. Can you restore them?",
    "Please update my billing address to 4 Quay Street, Cork.",
    "Our CFO would like a quote for 40 additional seats.",
    "Thanks for the quick change, my boss is happy now.",
    # de
    "Bitte tragen Sie mich aus dem Newsletter aus.",
    "Mein Kollege hat das Passwort vergessen und kommt nicht mehr rein.",
    # es
    "Quiero darme de baja de todas las comunicaciones comerciales.",
    "Mi jefe me pidió que solicitara un presupuesto para el próximo trimestre.",
    # fr
    "Veuillez me désinscrire de la lettre d'information.",
    "Ma collègue a reçu la facture en double, pouvez-vous vérifier ?",
    # pt
    "Por favor, me descadastrem da newsletter.",
    "O meu gerente gostou da demonstração e quer marcar uma reunião.",
]


@pytest.mark.parametrize("text", ABOUT_SOMEONE_ELSE)
def test_a_request_about_another_person_is_recognized(text: str) -> None:
    assert asks_about_someone_else(text, SENDER, NAMES)


@pytest.mark.parametrize("text", OWN_OR_ORDINARY)
def test_own_requests_and_ordinary_mentions_are_not(text: str) -> None:
    assert not asks_about_someone_else(text, SENDER, NAMES)


def test_the_senders_own_name_and_address_are_not_someone_else() -> None:
    assert not asks_about_someone_else("Please remove Rita Almeida from your mailing list.", SENDER, NAMES)
    assert not asks_about_someone_else(f"Please unsubscribe {SENDER.upper()} from all mailings.", SENDER, NAMES)
    assert asks_about_someone_else("Please remove Rita Almeida from your mailing list.", SENDER, ["Carla Dias"])


def test_hidden_characters_do_not_hide_the_request() -> None:
    assert asks_about_someone_else("Please unsub\u00adscribe my col\u200bleague Felix.", SENDER, NAMES)
