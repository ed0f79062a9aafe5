"""The report's sections about the CRM: what was written (from the audit trail), what waits for review,
what was rejected, and whether the trail verifies."""

from __future__ import annotations

import json
import shlex
from collections import Counter
from pathlib import Path
from typing import Any

from crm_crew.observability.report.document import Chart, Commands, Paragraph, Section, Table
from crm_crew.observability.report.gather import MAX_LISTED, RunData
from crm_crew.observability.report.sections_run import number
from crm_crew.store.audit import AuditEntry

VALUE_CHARS = 120


def _value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= VALUE_CHARS else text[:VALUE_CHARS - 1] + "…"


def change_text(entry: AuditEntry) -> str:
    """before → after per field; a created record lists its fields."""
    before, after = entry.before or {}, entry.after or {}
    if not before:
        return "; ".join(f"{k} = {_value(v)}" for k, v in after.items()) or "-"
    keys = list(dict.fromkeys([*before, *after]))
    return "; ".join(f"{k}: {_value(before.get(k))} → {_value(after.get(k))}" for k in keys)


def _more(shown: int, total: int, command: str) -> str | None:
    return f"The first {shown:,} of {total:,}; all of them: {command}" if total > shown else None


def writes_section(data: RunData) -> Section:
    run_id, summary = shlex.quote(data.info.run_id), data.summary
    section = Section("writes", "Written to the CRM")
    writes = data.writes
    if not writes:
        planned = (summary.get("actions") or {}).get("planned", 0)
        section.blocks.append(Paragraph(f"Nothing was written to the CRM by this run. {number(planned)} actions are "
                                        "planned" + (" and wait for `apply`:" if planned else ".")))
        if planned and data.info.mode == "shadow":
            section.blocks.append(Commands([f"crm-crew apply {run_id}"]))
    section.blocks.append(Chart("chart-action-types", "Actions by type (planned, written or held)",
                                [(k, float(v)) for k, v in (summary.get("actions_by_type") or {}).items()],
                                empty="no actions"))
    if writes:
        counts = Counter((e.operation, e.object, e.outcome) for e in writes)
        section.blocks.append(Table(["Operation", "Object", "Outcome", "Count"],
                                    [[op, obj, outcome, number(n)] for (op, obj, outcome), n in counts.most_common()]))
        shown = writes[:MAX_LISTED]
        section.blocks.append(Table(
            ["#", "Interaction", "Operation", "Object", "Record", "Before → after", "Outcome", "By"],
            [[str(e.seq), e.interaction_id or "-", e.operation, e.object, e.record_id or "-", change_text(e),
              e.outcome + (f" ({e.detail})" if e.detail else ""), e.actor] for e in shown],
            note=_more(len(shown), len(writes), f"crm-crew audit show --run {run_id} --limit {len(writes)}")))
    return section


def reviews_section(data: RunData) -> Section:
    run_id = shlex.quote(data.info.run_id)
    pending = [r for r in data.reviews if r.status == "pending"]
    decided = Counter(r.status for r in data.reviews if r.status != "pending")
    section = Section("reviews", "Waiting for review")
    if not pending:
        section.blocks.append(Paragraph("Nothing from this run waits for review.", "good"))
    else:
        who = "1 interaction waits" if len(pending) == 1 else f"{len(pending):,} interactions wait"
        section.blocks.append(Paragraph(f"{who} for a person: their CRM actions are held until approved (then "
                                        "written) or rejected (never written).", "warn"))
        section.blocks.append(Chart("chart-review-reasons", "Why they wait",
                                    [(k, float(v)) for k, v in Counter(r.reason for r in pending).most_common()]))
        shown = pending[:MAX_LISTED]
        section.blocks.append(Table(
            ["Review", "Interaction", "Reason", "Intent", "Urgency", "Sender", "Subject", "Look at it"],
            [[str(r.review_id), r.interaction_id, r.reason, r.intent or "-", r.urgency or "-",
              str((r.context.get("interaction") or {}).get("sender_email") or "-"),
              str((r.context.get("interaction") or {}).get("subject") or "-"), f"crm-crew review show {r.review_id}"]
             for r in shown],
            note=_more(len(shown), len(pending), f"`crm-crew review list --run {data.info.run_id}`")))
        first = shown[0].review_id
        section.blocks.append(Paragraph("Look at each one (the redacted message, the crew's reasoning, the held "
                                        "actions and the reply draft), then approve it (its actions are written) or "
                                        f"reject it (never written; a reason is required), e.g. for review {first}:"))
        section.blocks.append(Commands([f"crm-crew review list --run {run_id}", f"crm-crew review show {first}",
                                        f"crm-crew review approve {first}",
                                        f"crm-crew review reject {first} --reason 'WHY'"]))
    if decided:
        done = ", ".join(f"{n:,} {status}" for status, n in decided.items())
        section.blocks.append(Paragraph(f"Already decided: {done}."))
    return section


def rejects_section(data: RunData) -> Section:
    bad = [r for r in data.results if r.get("status") in ("rejected", "failed")]
    section = Section("rejects", "Rejected and failed")
    if not bad:
        section.blocks.append(Paragraph("No record was rejected and none failed.", "good"))
        return section
    shown = bad[:MAX_LISTED]
    section.blocks.append(Table(
        ["Interaction", "Status", "Where", "Reason"],
        [[str(r.get("interaction_id")), str(r.get("status")),
          f"{Path(str(r.get('source') or '-')).name} {r.get('position') or ''}".strip(), str(r.get("error") or "-")]
         for r in shown],
        note=_more(len(shown), len(bad), f"the rejects file {data.summary.get('rejects_file')}")))
    if data.summary.get("rejects_file"):
        section.blocks.append(Paragraph(f"Rejected records, as read, are in {data.summary['rejects_file']}. Failed "
                                        f"ones are worked again by `crm-crew run --resume {data.info.run_id}`."))
    return section


def trail_section(data: RunData) -> Section:
    trail = data.trail
    section = Section("audit", "Audit trail")
    if trail.ok is None:
        section.blocks.append(Paragraph("Not checked: " + "; ".join(trail.problems), "warn"))
        return section
    if trail.ok:
        text = (f"Intact: {trail.entries:,} entries chained with HMAC-SHA256, and {trail.actions:,} journaled actions "
                "each as crm-crew wrote it (the same check as `crm-crew audit verify`).")
        section.blocks.append(Paragraph(text, "good"))
    else:
        section.blocks.append(Paragraph("BROKEN: the audit trail or the journal was changed behind crm-crew's back. "
                                        "Run `crm-crew audit verify` and do not apply anything until it is explained.",
                                        "bad"))
        section.blocks.append(Table(["Problem"], [[p] for p in trail.problems]))
    if trail.unsealed:
        section.blocks.append(Paragraph(f"{trail.unsealed:,} actions were planned without the audit key: "
                                        "`apply` refuses those.", "warn"))
    if trail.head:
        section.blocks.append(Paragraph(f"Head: entry {trail.head[0]} {trail.head[1]}. Later, "
                                        f"`crm-crew audit verify --expect-head {trail.head[1]}` proves the trail "
                                        "still contains it."))
    return section
