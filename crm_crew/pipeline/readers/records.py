"""Turn one flat record (a JSON object or a CSV row) into an Interaction."""

from __future__ import annotations

from typing import Any, Mapping

from crm_crew.models import Interaction
from crm_crew.pipeline.readers.addresses import check_sender_name, parse_from
from crm_crew.pipeline.readers.common import (
    Draft,
    Limits,
    RecordError,
    check_body_size,
    check_channel,
    finish,
    iso_timestamp,
)
from crm_crew.pipeline.readers.extra_fields import extra_fields
from crm_crew.pipeline.readers.text import html_to_text
from crm_crew.security.addresses import same_address

KNOWN_FIELDS: frozenset[str] = frozenset(
    {
        "id", "channel", "from", "sender_email", "from_name", "sender_name", "subject",
        "body", "html", "received_at", "metadata", "transcript",
    }
)
# Transcript speakers whose turns are the customer's own words.
_CUSTOMER_SPEAKERS: frozenset[str] = frozenset(
    {"customer", "client", "caller", "user", "visitor", "contact", "guest"}
)


def _present(value: Any) -> bool:
    return value is not None and not (isinstance(value, str) and not value.strip())


def _first(record: Mapping[str, Any], *names: str) -> tuple[str, Any]:
    """(name, value) of the first present field among names, else (names[0], None)."""
    for name in names:
        if _present(record.get(name)):
            return name, record[name]
    return names[0], None


def _opt_str(record: Mapping[str, Any], *names: str) -> str:
    name, value = _first(record, *names)
    if value is None:
        return ""
    if not isinstance(value, str):
        raise RecordError(f"field `{name}` must be a string, got {type(value).__name__}")
    return value


def _record_id(value: Any) -> str:
    if not _present(value):
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise RecordError(f"field `id` must be a string or an integer, got {type(value).__name__}")
    return str(value).strip()


def _transcript(value: Any, sender_name: str) -> tuple[str, str, int]:
    """(all turns as "speaker: text" lines, the customer's turns only, number of turns)."""
    if not isinstance(value, list):
        raise RecordError(
            f"field `transcript` must be a list of {{speaker, text}} objects, got {type(value).__name__}"
        )
    lines: list[str] = []
    customer: list[str] = []
    customer_names = _CUSTOMER_SPEAKERS | ({sender_name.strip().lower()} if sender_name.strip() else set())
    for number, turn in enumerate(value, start=1):
        if not isinstance(turn, dict) or not isinstance(turn.get("text"), str):
            raise RecordError(
                f"field `transcript`: turn {number} must be an object with a string `text` "
                "(and a `speaker`)"
            )
        speaker = turn.get("speaker")
        speaker = speaker.strip() if isinstance(speaker, str) and speaker.strip() else "unknown"
        text = " ".join(turn["text"].split())
        if not text:
            continue
        lines.append(f"{speaker}: {text}")
        if speaker.lower() in customer_names:
            customer.append(text)
    return "\n".join(lines), "\n".join(customer), len(lines)


def _sender(record: Mapping[str, Any]) -> tuple[str, str]:
    """(address, display name) from `from` and/or `sender_email`; both given must be one address."""
    found: list[tuple[str, str]] = []
    for field in ("from", "sender_email"):
        value = record.get(field)
        if not _present(value):
            continue
        if not isinstance(value, str):
            raise RecordError(f"field `{field}` must be a string, got {type(value).__name__}")
        found.append(parse_from(value, f"`{field}`"))
    if not found:
        raise RecordError("missing sender: set `from` or `sender_email`")
    if len(found) == 2 and not same_address(found[0][0], found[1][0], False):
        raise RecordError("`from` and `sender_email` name different addresses: give one sender")
    return found[0][0], found[0][1] or found[-1][1]


def record_to_interaction(
    record: Mapping[str, Any],
    limits: Limits,
    *,
    source: str,
    position: str,
    metadata: dict[str, Any] | None = None,
) -> Interaction:
    """Validate a record and build its Interaction; raises RecordError with the reason."""
    record_id = _record_id(record.get("id"))
    try:
        return _build(record, record_id, limits, source=source, position=position, metadata=metadata)
    except RecordError as error:
        error.interaction_id = error.interaction_id or record_id or None
        raise


def _build(
    record: Mapping[str, Any],
    record_id: str,
    limits: Limits,
    *,
    source: str,
    position: str,
    metadata: dict[str, Any] | None,
) -> Interaction:
    sender_email, parsed_name = _sender(record)
    name_field, _ = _first(record, "from_name", "sender_name")
    given_name = _opt_str(record, "from_name", "sender_name")
    sender_name = check_sender_name(given_name, sender_email, f"`{name_field}`") if given_name.strip() else parsed_name

    channel_value = record.get("channel")
    channel = check_channel(channel_value) if _present(channel_value) else "email"

    meta: dict[str, Any] = {}
    user_meta = record.get("metadata")
    if user_meta is not None:
        if not isinstance(user_meta, dict):
            raise RecordError("field `metadata` must be a JSON object")
        meta.update(user_meta)
    meta.update(extra_fields(record, KNOWN_FIELDS))
    meta.update(metadata or {})

    raw_date = _opt_str(record, "received_at")
    received_at = iso_timestamp(raw_date)
    if received_at is None:
        meta["received_at_unparsed"] = raw_date
        received_at = ""

    body = _opt_str(record, "body")
    html = _opt_str(record, "html")
    if body.strip():
        text = body
    elif html.strip():
        check_body_size(html, limits)
        text = html_to_text(html)
        meta["html_converted"] = True
    else:
        text = ""

    extra = ""
    if record.get("transcript") is not None:
        extra, customer_text, turns = _transcript(record["transcript"], sender_name)
        check_body_size(extra, limits)
        meta["transcript_turns"] = turns
        meta["customer_text"] = customer_text

    draft = Draft(
        sender_email=sender_email,
        sender_name=sender_name,
        subject=_opt_str(record, "subject"),
        body=text,
        channel=channel,
        received_at=received_at,
        id=record_id,
        extra_body=extra,
        metadata=meta,
    )
    return finish(draft, limits, source=source, position=position)
