"""The read-only MCP tools: contacts, runs, their records, the review queue, the audit check.

Each returns plain JSON-able data. The journal already holds message text redacted; CRM free text
(activity subjects and descriptions, phone numbers) is redacted here the same way.
"""

from __future__ import annotations

from typing import Any

from crm_crew.errors import NotFoundError, UserError
from crm_crew.mcp.context import ServerContext
from crm_crew.models import Activity, Contact


def contact_view(ctx: ServerContext, contact: Contact) -> dict[str, Any]:
    shown = contact.to_dict()
    shown["phone"] = ctx.redacted(contact.phone)
    return shown


def _activity_view(ctx: ServerContext, activity: Activity) -> dict[str, Any]:
    shown = activity.to_dict()
    shown["subject"] = ctx.redacted(activity.subject)
    shown["description"] = ctx.redacted(activity.description)
    return shown


def find_contact(ctx: ServerContext, email: str, name: str, company: str) -> dict[str, Any]:
    from crm_crew.pipeline.matching import match_contact

    if not email.strip() and not (name.strip() and company.strip()):
        raise UserError("give an email address, or a name and a company")
    with ctx.crm() as crm:
        match = match_contact(crm, email.strip(), name.strip(), company.strip(), ctx.settings.matching)
    if match.contact is None:
        return {"found": False, "match": "none"}
    return {"found": True, "match": match.how, "score": match.score, "contact": contact_view(ctx, match.contact),
            "note": None if match.how == "email" else
            "not the sender's own address: this match informs, it never authorizes a change"}


def contact_history(ctx: ServerContext, contact_id: str, limit: int) -> dict[str, Any]:
    with ctx.crm() as crm:
        contact = crm.get_contact(contact_id)
        if contact is None:
            raise NotFoundError(f"no contact '{contact_id}' in the CRM (find it with find_contact)")
        activities = crm.recent_activities(contact_id, limit)
    return {"contact": contact_view(ctx, contact), "activities": [_activity_view(ctx, a) for a in activities]}


def list_runs(ctx: ServerContext, limit: int) -> list[dict[str, Any]]:
    from crm_crew.pipeline.run_view import run_view

    with ctx.store() as store:
        return [run_view(ctx.home, store, info) for info in store.list_runs(limit)]


def run_summary(ctx: ServerContext, run_id: str) -> dict[str, Any]:
    from crm_crew.pipeline.run_view import run_view

    with ctx.store() as store:
        info = store.get_run(run_id)
        if info is None:
            raise NotFoundError(f"no run '{run_id}' (see list_runs)")
        return run_view(ctx.home, store, info)


def run_records(ctx: ServerContext, run_id: str, offset: int, limit: int) -> dict[str, Any]:
    limit = min(limit, ctx.settings.mcp.max_page)
    with ctx.store() as store:
        if store.get_run(run_id) is None:
            raise NotFoundError(f"no run '{run_id}' (see list_runs)")
        page: list[dict[str, Any]] = []
        total = 0
        for index, record in enumerate(store.results(run_id)):
            total = index + 1
            if offset <= index < offset + limit:
                page.append(record)
    following = offset + len(page)
    return {"run_id": run_id, "offset": offset, "total": total, "records": page,
            "next_offset": following if following < total else None}


def review_queue(ctx: ServerContext, status: str, run_id: str | None) -> list[dict[str, Any]]:
    from crm_crew.cli.review_cmd import _summary

    with ctx.store() as store:
        items = store.list_reviews(None if status == "all" else status, None, None, run_id)
    return [_summary(item) for item in items]


def review_item(ctx: ServerContext, review_id: int) -> dict[str, Any]:
    from crm_crew.cli.review_cmd import review_view

    with ctx.store() as store:
        return review_view(store, review_id)


def audit_verify(ctx: ServerContext) -> dict[str, Any]:
    """Check the trail without moving its anchor (a read-only check; `crm-crew audit verify` moves it)."""
    from crm_crew.store.key_source import require_key
    from crm_crew.store.trail import anchor_file, is_embedded
    from crm_crew.store.verify import check_trail

    with ctx.store() as store:
        source = require_key(ctx.settings.audit.key_env, ctx.home, is_embedded(store))
        report = check_trail(store, source, anchor_file(ctx.home, store, source.key), None)
    problems = report.all_problems()
    head = {"seq": report.head.seq, "hash": report.head.hash} if report.head else None
    return {"ok": report.ok, "entries": report.chain.entries, "problems": problems, "head": head,
            "actions": report.actions, "actions_unsealed": report.unsealed}
