"""`crm check` for Salesforce: who the token belongs to, what it may do, the API left. Read-only."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from crm_crew.connectors.base import CheckReport
from crm_crew.connectors.salesforce.errors import CRM
from crm_crew.connectors.salesforce.mapping import SOBJECT, split_contact_target
from crm_crew.errors import ConnectorError, CrmUnavailableError

if TYPE_CHECKING:
    from crm_crew.connectors.salesforce.connector import SalesforceConnector

DESCRIBED: tuple[str, ...] = ("Contact", "Lead", "Account", "Task", "Case")


def run_check(conn: SalesforceConnector) -> CheckReport:
    report = CheckReport(crm=CRM, endpoint=f"{conn.options.instance_url} (API v{conn.options.api_version})")
    client = conn.client
    try:
        info = client.call("read the user's identity", lambda: client.sf.oauth2("userinfo")) or {}
        report.identity = f"{info.get('preferred_username', '?')} (org {info.get('organization_id', '?')})"
    except CrmUnavailableError:
        raise
    except ConnectorError as exc:
        report.notes.append(f"identity unknown: {exc}")
    described: dict[str, dict[str, Any] | None] = {}
    for sobject in DESCRIBED:
        try:
            described[sobject] = client.rest(f"describe {sobject}", f"sobjects/{sobject}/describe/")
        except CrmUnavailableError:
            raise
        except ConnectorError as exc:
            described[sobject] = None
            report.notes.append(f"{sobject}: not accessible ({exc})")

    def can(sobject: str, what: str) -> bool:
        info = described.get(sobject)
        return bool(info and info.get(what))

    new = conn.options.new_contact_object
    needs_account = conn.map.contact["Contact"].get("company") == "Account.Name"
    perms = report.permissions
    perms["contact:read"] = can("Contact", "queryable") and can("Lead", "queryable")
    perms["contact:create"] = can(new, "createable") and (new != "Contact" or not needs_account
                                                          or can("Account", "createable"))
    perms["contact:update"] = can("Contact", "updateable") and can("Lead", "updateable")
    for obj, sobject in SOBJECT.items():
        perms[f"{obj}:read"] = can(sobject, "queryable")
        perms[f"{obj}:create"] = can(sobject, "createable")
        if obj != "activity":
            perms[f"{obj}:update"] = can(sobject, "updateable")
    _check_fields(conn, described, report)
    try:
        limits = client.call("read org limits", client.sf.limits)
        daily = limits.get("DailyApiRequests") or {}
        report.budget.update({"daily_max": daily.get("Max"), "daily_remaining": daily.get("Remaining")})
    except CrmUnavailableError:
        raise
    except ConnectorError as exc:
        report.notes.append(f"limits not readable (needs View Setup and Configuration): {exc}")
    usage = client.api_usage
    if usage is not None:
        report.budget.update({"daily_used": usage[0], "daily_max": report.budget.get("daily_max") or usage[1]})
    return report


def _check_fields(conn: SalesforceConnector, described: dict[str, dict[str, Any] | None],
                  report: CheckReport) -> None:
    """Every mapped field (and the idempotency field) must exist: a missing one fails writes."""
    wanted: dict[str, dict[str, str]] = {s: {} for s in ("Contact", "Lead", "Task", "Case")}
    for name, target in conn.map.fields["contact"].items():
        for sobject, field in split_contact_target(target).items():
            if field:
                wanted[sobject][field.split(".")[0] if "." not in field else "AccountId"] = f"contact.{name}"
    for obj, sobject in SOBJECT.items():
        for name, field in conn.map.fields[obj].items():
            if field:
                wanted[sobject][field] = f"{obj}.{name}"
    if conn.key_field:
        for sobject in wanted:
            wanted[sobject][conn.key_field] = "idempotency_field"
    for sobject, fields in wanted.items():
        info = described.get(sobject)
        if info is None:
            continue
        names = {str(f.get("name", "")).lower() for f in info.get("fields") or []}
        missing = [f"{field} ({why})" for field, why in fields.items() if field.lower() not in names]
        objs = ["contact"] if sobject in ("Contact", "Lead") else [o for o, s in SOBJECT.items() if s == sobject]
        for obj in objs:
            report.permissions[f"{obj}:fields"] = report.permissions.get(f"{obj}:fields", True) and not missing
        if missing:
            report.notes.append(f"{sobject} lacks field(s) {', '.join(missing)}: add them in Setup (custom fields) "
                                "or change crm.options.field_map / idempotency_field")
