"""`crm-crew crm check` on HubSpot: read-only probes and the API budget."""

from __future__ import annotations

from typing import TYPE_CHECKING

from crm_crew.connectors.base import CheckReport
from crm_crew.connectors.hubspot.mapping import HUBSPOT_TYPES
from crm_crew.errors import CrmRecordError

if TYPE_CHECKING:
    from crm_crew.connectors.hubspot.connector import HubSpotConnector


def run_check(conn: HubSpotConnector) -> CheckReport:
    """Read-only: verifies the token, probes read access per object and the idempotency property,
    and reports the API budget from the X-HubSpot-RateLimit-* headers. Write scopes are not probed."""
    report = CheckReport(crm="hubspot", endpoint=conn.options.base_url,
                         identity=f"private app token from {conn.options.access_token_env}")
    for obj, kind in HUBSPOT_TYPES.items():
        try:
            conn.call(f"list {kind}", conn.basic[kind].get_page, limit=1)
            report.permissions[f"{obj}:read"] = True
        except CrmRecordError as exc:
            report.permissions[f"{obj}:read"] = False
            report.notes.append(str(exc))
    prop = conn.options.idempotency_property
    for obj in ("activity", "task", "case"):
        kind = HUBSPOT_TYPES[obj]
        if not prop:
            continue
        try:
            found = conn.call(f"read property {kind}.{prop}", conn.properties_api.get_by_name, kind, prop).body
            unique = bool(found.get("hasUniqueValue"))
        except CrmRecordError:
            unique = False
        report.permissions[f"{obj}:idempotent_create"] = unique
        if not unique:
            report.notes.append(f"{kind} need a text property {prop!r} with unique values (create it in "
                                "HubSpot settings) for idempotent creates, or set crm.options.idempotency_property")
    if not prop:
        report.notes.append("idempotency_property is unset: notes, tasks and tickets retried after a lost "
                            "response may be created twice")
    report.budget = dict(conn.gate.budget)
    report.notes.append("write scopes are not probed (that would write to the CRM)")
    return report
