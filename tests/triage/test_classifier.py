"""The offline triage on messages written as customers write them (not in the config's own words)."""

from __future__ import annotations

from pathlib import Path

import pytest

from crm_crew.config.loader import load_config
from crm_crew.config.shipped import default_config_dir
from crm_crew.llm.offline.rules import judge
from crm_crew.triage.cues import find_cues
from crm_crew.triage.language import detect_language
from crm_crew.triage.text import tokens

S = load_config(Path(default_config_dir())).settings


def intent_of(subject: str, body: str) -> str:
    return judge(subject, body, S).intent.intent


@pytest.mark.parametrize(("body", "intent"), [
    ("Why are there two identical charges on my statement from the 3rd?", "billing"),          # plural
    ("I keep getting billed for seats we removed in March.", "billing"),                       # inflection
    ("We're cancelling at the end of the quarter, please confirm the date.", "cancellation"),  # -ing form
    ("The export keeps crashing whenever the report has more than 500 rows.", "support"),
    ("We'd like to acquire twenty more seats for the design team, what would that cost?", "sales_inquiry"),
    ("I want to lodge a claim about how your courier treated my parcel, totally unacceptable.", "complaint"),
    ("Could you stop sending me the weekly promo newsletter?", "unsubscribe"),
    ("Your onboarding call last week was brilliant, well done to Priya and the team!", "feedback"),
    ("What fees apply if I pay by bank transfer instead of card?", "billing"),
])
def test_synonyms_and_inflections(body: str, intent: str) -> None:
    assert intent_of("", body) == intent


@pytest.mark.parametrize(("subject", "body", "intent"), [
    ("", "Meine letzte Rechnung wurde zweimal abgebucht, bitte um Erstattung.", "billing"),
    ("Kündigung", "Hiermit kündige ich meinen Vertrag fristgerecht zum Monatsende.", "cancellation"),
    ("", "Seit gestern stürzt die App beim Öffnen der Berichte ständig ab.", "support"),
    ("", "Me cobraron dos veces la suscripción de este mes, ¿pueden devolverme el importe?", "billing"),
    ("", "Quisiera saber el precio de 30 licencias para mi empresa.", "sales_inquiry"),
    ("", "No puedo entrar a mi cuenta desde el cambio de contraseña.", "support"),
    ("", "Je voudrais résilier mon abonnement, il ne me sert plus.", "cancellation"),
    ("", "Bonjour, pouvez-vous m'envoyer un devis pour cinq postes ?", "sales_inquiry"),
    ("", "Depuis la mise à jour, l'application ne fonctionne plus sur mon téléphone.", "support"),
    ("", "Fui cobrado duas vezes na fatura de outubro, preciso do estorno.", "billing"),
    ("", "Quero cancelar o plano anual e encerrar a conta.", "cancellation"),
    ("", "Não consigo acessar o painel desde ontem, aparece um erro.", "support"),
])
def test_each_language(subject: str, body: str, intent: str) -> None:
    assert intent_of(subject, body) == intent


@pytest.mark.parametrize(("text", "language"), [
    ("Hello, my invoice from last month shows the wrong address, can you fix it?", "en"),
    ("Guten Tag, die Rechnung vom letzten Monat hat die falsche Adresse.", "de"),
    ("Hola, la factura del mes pasado tiene la dirección equivocada.", "es"),
    ("Bonjour, la facture du mois dernier porte une mauvaise adresse.", "fr"),
    ("Olá, a fatura do mês passado está com o endereço errado.", "pt"),
    ("ok", "en"),                         # too short to tell: the fallback
])
def test_language_detection(text: str, language: str) -> None:
    assert detect_language(text) == language


def test_a_french_charge_is_not_a_billing_charge() -> None:
    text = "L'application plante pendant la charge de mes photos."
    assert intent_of("", text) == "support"


def test_negation_keeps_a_customer_who_says_they_are_staying() -> None:
    staying = "No need to cancel anything, I just want to know how to add a second user."
    assert intent_of("", staying) != "cancellation"
    assert intent_of("", "Please cancel my membership from next month.") == "cancellation"


def test_negated_urgency_is_low_and_subject_shouting_alone_changes_nothing() -> None:
    assert judge("", "Not urgent at all, but how do I change the logo on invoices?", S).urgency == "low"
    calm = judge("URGENT", "Could you tell me where to find the user guide for exports?", S).urgency
    loud = judge("", "Our checkout is not working and customers cannot pay, please help urgently.", S).urgency
    assert calm in ("low", "medium") and loud in ("high", "critical")


def test_a_how_to_question_is_low_even_when_it_says_blocked() -> None:
    assert judge("", "How do I unblock a user who got blocked after three wrong passwords?", S).urgency \
        in ("low", "medium")


@pytest.mark.parametrize("body", [
    "Our whole production cluster is down for everyone since 9am, nobody can work.",
    "We think we have been hacked: customer records were exposed in a data breach overnight.",
])
def test_critical_situations(body: str) -> None:
    assert judge("", body, S).urgency == "critical"


def test_several_intents_the_main_one_wins_and_the_others_are_kept() -> None:
    j = judge("Double charge", "You charged my card twice for the same invoice. Also, could someone call me back "
              "tomorrow to talk about adding seats?", S)
    assert j.intent.intent == "billing"
    assert "call" in j.task_kinds


def test_other_only_when_nothing_fits() -> None:
    assert intent_of("", "Lovely weather in Lisbon this week.") == "other"
    assert judge("", "Lovely weather in Lisbon this week.", S).intent.confidence < S.escalation.confidence_threshold


def test_subject_only_messages_are_triaged_from_the_subject() -> None:
    assert intent_of("Refund for order 5521 please", "") == "billing"


def test_confidence_is_higher_when_the_evidence_is_clear() -> None:
    clear = judge("", "Please refund the duplicate payment on invoice 7781, I was charged twice.", S).intent
    vague = judge("", "I have a question about something.", S).intent
    assert clear.confidence > 0.8 > vague.confidence


def test_cues_match_word_endings_gaps_and_mark_negation() -> None:
    toks = tokens("We don't want to close the Pro account, just pausing it")
    hits = {h.text: h.negated for h in find_cues(toks, ("close .. account", "paus*"))}
    assert hits == {"close the pro account": True, "pausing": False}
