"""Action-agent tools: each proposes one CRM change through the write path's planner.

The tools take no record ids: a change can only concern this interaction's own contact, and
one the identity rule does not grant the sender is planned held for review.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from crm_crew.errors import PermissionDenied
from crm_crew.pipeline.proposals import ProposalRefused, propose
from crm_crew.tools.spec import NoArgs, ToolContext, ToolSpec


class CreateContactArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    first_name: str = Field("", description="Overrides the extracted first name")
    last_name: str = Field("", description="Overrides the extracted last name")
    company: str = Field("", description="Overrides the extracted company")


class CaseArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field("", description="Why a case is opened")


class TaskArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: str = Field(..., description="call | meeting | quote (the configured task triggers)")
    note: str = Field("", description="What the customer asked for")


class LeadStatusArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    status: str


ChangeType = Literal["create_contact", "log_activity", "create_case", "create_task", "update_lead_status", "opt_out"]


class Change(BaseModel):
    model_config = ConfigDict(extra="forbid")
    type: ChangeType
    reason: str = Field("", description="create_case: why a case is opened")
    kind: str = Field("", description="create_task: call | meeting | quote (the configured task triggers)")
    note: str = Field("", description="create_task: what the customer asked for")
    status: str = Field("", description="update_lead_status: the new lead status")
    first_name: str = Field("", description="create_contact: overrides the extracted first name")
    last_name: str = Field("", description="create_contact: overrides the extracted last name")
    company: str = Field("", description="create_contact: overrides the extracted company")


class PlanArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")
    changes: list[Change] = Field(..., max_length=12, description="Every CRM change for this interaction; "
                                                                   "an empty list plans nothing")


def _propose(ctx: ToolContext, action_type: str, args: dict[str, Any]) -> dict[str, Any]:
    try:
        action = propose(ctx.require_session(), ctx.agent_id, action_type, args)
    except (ProposalRefused, PermissionDenied) as exc:
        return {"planned": False, "refused": str(exc)}
    result: dict[str, Any] = {"planned": True, "type": action.type, "fields": action.fields}
    if action.hold:
        result["held_for_review"] = action.hold
    return result


def _planner(action_type: str) -> Any:
    def run(ctx: ToolContext, args: BaseModel) -> dict[str, Any]:
        return _propose(ctx, action_type, args.model_dump())

    return run


def _plan_changes(ctx: ToolContext, args: PlanArgs) -> dict[str, Any]:
    """Each change through the same planner as the one-change tools; a new contact first, as the others need it."""
    ordered = sorted(args.changes, key=lambda c: c.type != "create_contact")
    results = [{"type": c.type, **_propose(ctx, c.type, c.model_dump(exclude={"type"}))} for c in ordered]
    return {"plan": results}


SPECS = [
    ToolSpec("plan_create_contact", "Plan creating the sender as a new CRM contact (human senders only).",
             CreateContactArgs, _planner("create_contact")),
    ToolSpec("plan_log_activity", "Plan logging this interaction as an activity on the contact.",
             NoArgs, _planner("log_activity")),
    ToolSpec("plan_create_case", "Plan opening a case (priority follows urgency).", CaseArgs, _planner("create_case")),
    ToolSpec("plan_create_task", "Plan a follow-up task for a requested call, meeting or quote.",
             TaskArgs, _planner("create_task")),
    ToolSpec("plan_update_lead_status", "Plan a lead-status change on the contact.", LeadStatusArgs,
             _planner("update_lead_status")),
    ToolSpec("plan_opt_out", "Plan opting the contact out of email.", NoArgs, _planner("opt_out")),
    ToolSpec("plan_changes", "Plan every CRM change for this interaction in one call: create_contact (human "
             "senders only), log_activity, create_case (priority follows urgency), create_task (one per requested "
             "call, meeting or quote), update_lead_status, opt_out. This is your answer: call it once.",
             PlanArgs, _plan_changes, final=True),
]
