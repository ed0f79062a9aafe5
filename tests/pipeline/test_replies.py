"""Reply templates and the reply check (crm_crew.pipeline.replies) with config/replies.yaml."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
import pytest

from crm_crew.errors import ConfigError
from crm_crew.pipeline.replies import MAX_REPLY_CHARS, ReplyTemplates, check_reply, load_reply_templates, render_reply
from tests.unit_fixtures import CONFIG_DIR, shipped_settings

SIGNATURE = "Best regards,\nThe Customer Team"


def variables(**kw: Any) -> dict[str, Any]:
    values = {"first_name": "Jane", "subject": "Very disappointed", "intent": "complaint", "urgency": "low",
              "sentiment": "neutral", "tier": "enterprise", "company": ""}
    values.update(kw)
    return values


@pytest.fixture(scope="module")
def shipped() -> ReplyTemplates:
    return load_reply_templates(CONFIG_DIR)


def test_every_intent_of_the_taxonomy_has_a_template_entry(shipped: ReplyTemplates) -> None:
    assert set(shipped_settings().intents) <= set(shipped.templates)
    assert shipped.signature == SIGNATURE


@pytest.mark.parametrize("intent", [i for i in shipped_settings().intents if i != "spam"])
def test_render_per_intent(shipped: ReplyTemplates, intent: str) -> None:
    reply = render_reply(shipped, intent, variables(intent=intent))
    assert reply is not None and set(reply) == {"subject", "body"}
    assert reply["subject"] == "Re: Very disappointed"
    assert reply["body"].startswith("Hi Jane,")
    assert reply["body"].endswith(SIGNATURE)
    assert "{{" not in reply["body"] and "{%" not in reply["body"]
    # what the crew renders always passes the reply check
    assert check_reply(reply["subject"], reply["body"], intent) == []


def test_null_template_gives_no_reply(shipped: ReplyTemplates) -> None:
    assert shipped.templates["spam"] is None
    assert render_reply(shipped, "spam", variables()) is None


def test_an_intent_without_template_uses_other(shipped: ReplyTemplates) -> None:
    assert render_reply(shipped, "partnership", variables()) == render_reply(shipped, "other", variables())


def test_no_reply_when_other_is_null_too() -> None:
    templates = ReplyTemplates("sig", {"other": None, "support": {"subject": "s", "body": "b"}})
    assert render_reply(templates, "partnership", {}) is None


@pytest.mark.parametrize(("intent", "changes", "present", "absent"), [
    ("support", {"urgency": "high"}, "with priority", None),
    ("support", {"urgency": "low"}, None, "with priority"),
    ("support", {"sentiment": "negative"}, "sorry for the trouble", None),
    ("complaint", {"urgency": "critical"}, "as a priority", None),
    ("complaint", {"urgency": "medium"}, None, "as a priority"),
    ("sales_inquiry", {"company": "Brightwave Media"}, "on behalf of Brightwave Media", None),
    ("sales_inquiry", {"company": ""}, None, "on behalf of"),
    ("billing", {"sentiment": "negative"}, "sorry", None),
])
def test_tone_follows_the_variables(shipped: ReplyTemplates, intent: str, changes: dict[str, Any],
                                    present: str | None, absent: str | None) -> None:
    body = render_reply(shipped, intent, variables(intent=intent, **changes))["body"]  # type: ignore[index]
    if present:
        assert present in body
    if absent:
        assert absent not in body


def test_a_missing_variable_is_an_error_not_an_empty_string(shipped: ReplyTemplates) -> None:
    values = variables()
    del values["first_name"]
    with pytest.raises(jinja2.UndefinedError):
        render_reply(shipped, "support", values)


# -- loading ---------------------------------------------------------------------------------


def write(tmp_path: Path, text: str) -> Path:
    (tmp_path / "replies.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def test_load_a_custom_file(tmp_path: Path) -> None:
    templates = load_reply_templates(write(tmp_path, 'signature: "-- us"\ntemplates:\n  spam: null\n'
                                                     '  other: {subject: "Re: {{ subject }}", body: "Hi {{ first_name }}\\n{{ signature }}"}\n'))
    assert templates.templates["spam"] is None
    assert render_reply(templates, "billing", {"subject": "x", "first_name": "Al"}) == \
        {"subject": "Re: x", "body": "Hi Al\n-- us"}


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"replies\.yaml:1:1: file not found"):
        load_reply_templates(tmp_path)


@pytest.mark.parametrize(("text", "message"), [
    ("templates: [unclosed", "replies.yaml:1:21: invalid YAML"),
    ("- a\n- b\n", "replies.yaml:1:1: must be a mapping with `signature` and `templates`"),
    ("signature: x\n", "replies.yaml:1:1: must be a mapping with `signature` and `templates`"),
    ("templates:\n  support: {subject: s}\n",
     "replies.yaml:2:12: templates.support: must be null (no reply) or have exactly `subject` and `body`"),
    ("templates:\n  support: {subject: s, body: b, cc: c}\n", "replies.yaml:2:12: templates.support: must be null"),
    ("templates:\n  support: just text\n", "replies.yaml:2:12: templates.support: must be null"),
    ("signature: [a]\ntemplates: {}\n", "replies.yaml:1:12: signature: must be a string, got a list"),
    ("templates: {}\nsignatur: x\n", "replies.yaml:2:1: unknown key 'signatur' (did you mean 'signature'?)"),
    ("templates: {}\nattachments_note: '{{ attachments.__class__ }}'\n", "replies.yaml:2:35: attachments_note: access to '__class__' is not allowed"),
    ("templates: {}\nlanguages:\n  de:\n    templates: {}\n    attachment_note: x\n",
     "replies.yaml:5:5: languages.de: unknown key 'attachment_note' (did you mean 'attachments_note'?)"),
])
def test_bad_files(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_reply_templates(write(tmp_path, text))
    assert str(caught.value).startswith(str(tmp_path / message.split(":")[0]) + message[len("replies.yaml"):])


# -- attachments ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("language", "count", "words"), [
    ("en", 1, "The file you attached"), ("en", 4, "The 4 files you attached"), ("de", 2, "Ihre 2 angehängten"),
    ("es", 1, "el archivo que adjuntó"), ("fr", 3, "les 3 fichiers joints"), ("pt", 2, "os 2\narquivos")])
def test_a_reply_acknowledges_attachments_before_the_signature(shipped: ReplyTemplates, language: str,
                                                               count: int, words: str) -> None:
    plain = render_reply(shipped, "support", variables(intent="support"), language)
    reply = render_reply(shipped, "support", variables(intent="support", attachments=count), language)
    assert plain is not None and reply is not None
    signature = shipped.for_language(language, "support").signature
    note, _, sign_off = reply["body"].rpartition("\n\n")
    assert sign_off == signature and " ".join(words.split()) in " ".join(note.split())
    assert plain["body"] == reply["body"].replace(note.rpartition("\n\n")[2] + "\n\n", "")


def test_no_note_without_attachments_or_without_a_note(tmp_path: Path) -> None:
    text = ('signature: "-- us"\nattachments_note: "Got {{ attachments }} files."\ntemplates:\n'
            '  other: {subject: "Re", body: "Hi\\n{{ signature }}"}\nlanguages:\n  de:\n    signature: "-- wir"\n'
            '    templates:\n      other: {subject: "Re", body: "Hallo\\n{{ signature }}"}\n'
            '  fr:\n    attachments_note: null\n    templates:\n      other: {subject: "Re", body: "Bonjour\\n{{ signature }}"}\n')
    templates = load_reply_templates(write(tmp_path, text))
    assert render_reply(templates, "x", {"attachments": 0})["body"] == "Hi\n-- us"   # type: ignore[index]
    assert render_reply(templates, "x", {"attachments": 2})["body"] == "Hi\nGot 2 files.\n\n-- us"  # type: ignore[index]
    # a language without its own note uses English's; `null` switches it off for that language
    assert render_reply(templates, "other", {"attachments": 1}, "de")["body"] == \
        "Hallo\nGot 1 files.\n\n-- wir"  # type: ignore[index]
    assert render_reply(templates, "other", {"attachments": 1}, "fr")["body"] == "Bonjour\n-- us"  # type: ignore[index]


# -- check_reply --------------------------------------------------------------------------------


def test_a_good_reply_has_no_problems() -> None:
    assert check_reply("Re: Login", "Hi Mark,\n\nWe are looking into it.", "support") == []


def test_empty_body() -> None:
    assert check_reply("Re: x", "  \n ", "support") == ["the reply body is empty"]


def test_too_long() -> None:
    assert check_reply("Re: x", "a" * MAX_REPLY_CHARS, "support") == []
    assert check_reply("Re: x", "a" * (MAX_REPLY_CHARS + 1), "support") == \
        [f"the reply is {MAX_REPLY_CHARS + 1} characters (limit {MAX_REPLY_CHARS})"]


@pytest.mark.parametrize(("subject", "body"), [
    ("Re: x", "We will call you on [PHONE]."),
    ("Re: [EMAIL]", "Hello."),
    ("Re: x", "Your card [CARD], IBAN [IBAN] and SSN [SSN]."),
])
def test_redaction_tokens_are_never_echoed(subject: str, body: str) -> None:
    assert check_reply(subject, body, "billing") == \
        ["the reply repeats a redaction token such as [EMAIL]: never echo redacted data"]


def test_bracketed_words_that_are_not_tokens_are_fine() -> None:
    assert check_reply("Re: [Ticket 5521]", "See [docs] and [email us].", "support") == []


@pytest.mark.parametrize("word", ["offer", "offers", "discount", "demo", "pricing", "upgrade", "upgrades", "promotion", "deal",
                                  "special price", "Special Price"])
def test_an_unsubscribe_reply_carries_no_sales_content(word: str) -> None:
    body = f"You are unsubscribed. PS: ask us about our {word}!"
    assert check_reply("Re: unsubscribe", body, "unsubscribe") == \
        ["an unsubscribe confirmation must not contain sales content"]
    assert check_reply("Re: pricing", body, "sales_inquiry") == []


def test_problems_add_up() -> None:
    problems = check_reply("Re: [EMAIL]", "demo " * 1000, "unsubscribe")
    assert problems == ["the reply is 5000 characters (limit 4000)",
                        "the reply repeats a redaction token such as [EMAIL]: never echo redacted data",
                        "an unsubscribe confirmation must not contain sales content"]
