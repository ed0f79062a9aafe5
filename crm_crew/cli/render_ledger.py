"""Tables for the review queue and the audit trail. Data in, Rich out: no logic beyond layout.

Everything shown here may come from a customer's message, so it goes through `Text` (never
parsed as Rich markup) after control characters are made visible.
"""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from crm_crew.cli.terminal import terminal_safe

MAX_VALUE_CHARS = 60
SENDER_CHARS = 40
SUBJECT_CHARS = 36


def _t(value: Any) -> Text:
    return Text(terminal_safe(value))


def short(value: Any, limit: int = MAX_VALUE_CHARS) -> str:
    """One line of at most `limit` characters (an ellipsis marks a cut), control characters made visible."""
    text = terminal_safe(value).replace("\n", " ")
    return text if len(text) <= limit else text[:limit - 1] + "…"


def age(seconds: int | None) -> str:
    """How long an item has waited, in its two largest units: `45s`, `12m`, `3h 05m`, `2d 04h`."""
    if seconds is None:
        return ""
    minutes, hours, days = seconds // 60, seconds // 3600, seconds // 86400
    if days:
        return f"{days}d {hours % 24:02d}h"
    if hours:
        return f"{hours}h {minutes % 60:02d}m"
    return f"{minutes}m" if minutes else f"{seconds}s"


def _review_row(i: dict[str, Any]) -> tuple[Any, ...]:
    return (i["review_id"], i["run_id"], i["interaction_id"], short(i.get("sender_email"), SENDER_CHARS),
            short(i.get("subject"), SUBJECT_CHARS), i.get("intent"), i.get("urgency"), age(i.get("age_seconds")))


REVIEW_COLUMNS = ("id", "run", "interaction", "sender", "subject", "intent", "urgency", "age")


def render_reviews(console: Console, items: list[dict[str, Any]]) -> None:
    table = Table(title=f"review items ({len(items)})", title_justify="left")
    for name in (*REVIEW_COLUMNS, "status", "decided_by"):
        table.add_column(name, no_wrap=True)     # what tells rows apart stays on one line
    table.add_column("reason", min_width=24)
    for i in items:
        table.add_row(*(_t(v) for v in (*_review_row(i), i["status"], i.get("decided_by"), i["reason"])))
    console.print(table)


def render_bulk_plan(console: Console, decision: str, run_id: str, intent: str | None,
                     items: list[dict[str, Any]]) -> None:
    """The items a batch decision is about to decide, before it asks."""
    scope = f"run {run_id}" + (f", intent {intent}" if intent else "")
    table = Table(*REVIEW_COLUMNS, title=f"{decision}: {len(items)} pending item(s) of {scope}", title_justify="left")
    for i in items:
        table.add_row(*(_t(v) for v in _review_row(i)))
    console.print(table)


def render_bulk_report(console: Console, r: dict[str, Any]) -> None:
    scope = f"run {r['run_id']}" + (f", intent {r['intent']}" if r["intent"] else "")
    if not r["items"]:
        console.print(_t(f"no pending review items in {scope}: nothing to {r['decision']}"))
        return
    done = "approved" if r["decision"] == "approve" else "rejected"
    line = f"{scope}: {r[done]} {done}, {r['failed']} failed"
    if done == "approved":
        line += f" ({sum((i['report'] or {}).get('applied', 0) for i in r['results'])} action(s) written)"
    if r["not_attempted"]:
        line += f", {r['not_attempted']} not attempted (the CRM could not be reached)"
    console.print(_t(line))
    for item in r["results"]:
        if item["outcome"] == "failed":
            console.print(_t(f"  review item {item['review_id']} ({item['interaction_id']}): {item['error']}"))
        elif (item["report"] or {}).get("failed"):
            console.print(_t(f"  review item {item['review_id']} ({item['interaction_id']}): approved, but "
                             f"{item['report']['failed']} action(s) failed to write: run `crm-crew review approve "
                             f"{item['review_id']}` again to retry them"))
    if r["not_attempted"] or r["failed"]:
        console.print(_t(f"see `crm-crew review list --run {r['run_id']}` for what is still pending"))


def _size(size: Any) -> str:
    if not isinstance(size, int):
        return "size unknown"
    for unit, scale in (("MB", 1024 * 1024), ("KB", 1024)):
        if size >= scale:
            return f"{size / scale:.1f} {unit}"
    return f"{size} bytes"


def attachments_line(interaction: dict[str, Any]) -> str:
    """`name (type, size)` of each attachment (not processed: only listed), and how many more."""
    listed = interaction.get("attachments") or []
    line = "; ".join(f"{a.get('name')} ({a.get('type')}, {_size(a.get('size'))})" for a in listed)
    more = int(interaction.get("attachments_count") or len(listed)) - len(listed)
    return line + (f"; and {more} more" if more > 0 else "") + "  [not processed]"


def render_review(console: Console, data: dict[str, Any]) -> None:
    review, interaction, reasoning = data["review"], data["interaction"], data["reasoning"]
    console.print(_t(f"review item {review['review_id']}: {review['status']}  (run {review['run_id']}, "
                     f"interaction {review['interaction_id']}, queued {review['created_at']})"))
    console.print(_t(f"reason: {review['reason']}"))
    console.print()
    sender = interaction.get("sender_email") or ""
    if interaction.get("sender_name"):
        sender = f"{interaction['sender_name']} <{sender}>"
    head = Table(show_header=False, box=None, padding=(0, 2))
    for label, value in (("from", sender), ("channel", interaction.get("channel")),
                         ("received", interaction.get("received_at")), ("subject", interaction.get("subject")),
                         *((f"field {name}", value) for name, value in (interaction.get("extra_fields") or {}).items())):
        head.add_row(_t(label), _t(value))
    if interaction.get("attachments"):
        head.add_row(_t("attachments"), _t(attachments_line(interaction)))
    console.print(Text("interaction (as screened: personal data redacted)", style="bold"))
    console.print(head)
    console.print(_t(interaction.get("body") or ""))
    console.print()
    console.print(Text("reasoning", style="bold"))
    facts = Table(show_header=False, box=None, padding=(0, 2))
    sentiment = reasoning.get("sentiment") or {}
    security = reasoning.get("security") or {}
    contact = reasoning.get("contact") or {}
    other = reasoning.get("matched_contact")
    flags = [str(f).replace("_", " ") for f in security.get("flags") or []]
    if security.get("injection"):
        flags.insert(0, "prompt injection")
    flags = list(dict.fromkeys(flags))       # the screen's flag and the injection verdict name one finding
    rows: list[tuple[str, Any]] = [
        ("escalation", reasoning.get("escalation_reason")),
        ("intent", reasoning.get("intent")),
        ("urgency", reasoning.get("urgency")),
        ("sentiment", f"{sentiment.get('label', '')} ({sentiment.get('score', '')})" if sentiment else ""),
        ("confidence", reasoning.get("confidence")),
        ("contact", f"{contact.get('id') or '-'} ({contact.get('match') or 'none'})" if contact else ""),
        ("rationale", reasoning.get("rationale")),
        ("tools used", ", ".join(reasoning.get("tools_used") or [])),
        ("security", ", ".join(flags) or "no flags"),
        ("redacted", ", ".join(str(p) for p in security.get("pii_redacted") or []) or "-"),
    ]
    if other:
        rows.insert(6, ("matched contact", f"{other['name']} <{other['email']}>: not the sender's address"))
    for label, value in rows:
        facts.add_row(label, _t(value))
    console.print(facts)
    actions = Table("#", "type", "object", "fields", "status", "note", title="actions", title_justify="left")
    for a in data["actions"]:
        shown = {k: a["fields"].get(k) for k in ("mode", "to", "message_id")} if a["type"] == "send_reply" \
            else a["fields"]          # a reply's text is the draft shown below
        fields = "; ".join(f"{k}: {short(v)}" for k, v in shown.items())
        actions.add_row(*(_t(v) for v in (a["seq"], a["type"], a["object"], fields, a["status"], a.get("note"))))
    console.print(actions)
    _render_reply(console, "reply draft", data.get("reply_draft"))
    decision = data.get("decision")
    if decision:
        console.print()
        line = f"decision: {decision['status']} by {decision['by']} at {decision['at']}"
        if decision.get("note"):
            line += f": {decision['note']}"
        console.print(_t(line))
        if decision.get("reply") and decision["reply"] != data.get("reply_draft"):
            _render_reply(console, "reply as approved", decision["reply"])
    elif review["status"] == "pending":
        console.print()
        console.print(_t(f"decide with: crm-crew review approve {review['review_id']} [--edit-reply FILE]  |  "
                         f"crm-crew review reject {review['review_id']} --reason TEXT"))


def _render_reply(console: Console, title: str, reply: dict[str, Any] | None) -> None:
    console.print()
    console.print(Text(title, style="bold"))
    if not reply:
        console.print(Text("(none)"))
        return
    console.print(_t(f"Subject: {reply.get('subject') or ''}"))
    console.print(_t(reply.get("body") or ""))


def render_approve(console: Console, r: dict[str, Any]) -> None:
    if r["already_approved"]:
        head = f"review item {r['review_id']} was already approved by {r['by']} at {r['at']}"
    else:
        head = f"review item {r['review_id']} approved by {r['by']}"
    console.print(_t(f"{head} (run {r['run_id']}, interaction {r['interaction_id']}): {r['applied']} applied, "
                     f"{r['skipped']} skipped, {r['failed']} failed"
                     + ("; reply edited" if r["reply_edited"] else "")
                     + (f"; reason: {r['reason']}" if r.get("reason") else "")))
    if r["failed"]:
        console.print(_t(f"some actions failed: see `crm-crew review show {r['review_id']}`, then run "
                         f"`crm-crew review approve {r['review_id']}` again to retry them"))


def render_reject(console: Console, r: dict[str, Any]) -> None:
    if r["already_rejected"]:
        console.print(_t(f"review item {r['review_id']} was already rejected by {r['by']} at {r['at']}: "
                         f"{r['reason']} (nothing changed)"))
    else:
        console.print(_t(f"review item {r['review_id']} rejected by {r['by']} (run {r['run_id']}, interaction "
                         f"{r['interaction_id']}): {r['rejected']} action(s) will never be written"))


def changes(entry: dict[str, Any]) -> str:
    """An entry's change, compact: `field: before → after` (or `field: value` when there is no before)."""
    before, after = entry.get("before"), entry.get("after")
    if not isinstance(after, dict):
        return short(after) if after is not None else ""
    parts = []
    for key, value in after.items():
        if isinstance(before, dict) and key in before:
            parts.append(f"{key}: {short(before[key])} → {short(value)}")
        else:
            parts.append(f"{key}: {short(value)}")
    return "; ".join(parts)


def _seconds(at: str) -> str:
    """An entry's UTC time to the second, for the table (JSON and exports keep it whole)."""
    return at[:19].replace("T", " ")


def render_audit(console: Console, entries: list[dict[str, Any]], total: int) -> None:
    title = f"audit entries ({len(entries)}" + (f" newest of {total})" if total > len(entries) else ")")
    table = Table(title=title, title_justify="left")
    for name in ("seq", "at (UTC)", "run", "interaction", "actor", "agent", "connector", "operation", "object",
                 "record_id", "outcome"):
        table.add_column(name, no_wrap=True, overflow="ellipsis")
    table.add_column("changes", min_width=40)
    for e in entries:
        table.add_row(*(_t(v) for v in (e["seq"], _seconds(e["at"]), e["run_id"], e["interaction_id"], e["actor"],
                                        e["agent"], e["connector"], e["operation"], e["object"], e["record_id"],
                                        e["outcome"], changes(e))))
    console.print(table)
