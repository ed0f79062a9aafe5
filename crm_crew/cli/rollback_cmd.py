"""`crm-crew rollback RUN_ID`."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from crm_crew.cli.common import ActorOption, ConfigOption, JsonOption, actor_name, load, open_store_for, out, state_home


def rollback(
    run_id: Annotated[str, typer.Argument(help="The run whose CRM changes to undo.", show_default=False)],
    force: Annotated[bool, typer.Option("--force", help="Also undo changes to records someone edited since the run "
                                                        "(never deletes a record the run did not create).")] = False,
    as_json: JsonOption = False,
    actor: ActorOption = None,
    config: ConfigOption = None,
) -> int:
    """Undo what a run applied: restore updated fields, delete what it created, re-enable opt-outs.

    Records changed by someone else since the run are listed as conflicts and left alone.
    Exit 0 when everything was undone, 3 when conflicts or failures remain.
    """
    from crm_crew.cli.render import render_audit_head
    from crm_crew.pipeline.rollback import rollback_run

    cfg = load(config)
    store = open_store_for(cfg)
    report = rollback_run(cfg, state_home(cfg), store, run_id, actor_name(actor), force)
    if as_json:
        print(json.dumps(report.to_dict(), indent=2))
        return report.exit_code
    out.print(f"run {run_id} rolled back on crm {report.crm}: {len(report.reverted)} change(s) undone, "
              f"{len(report.conflicts)} conflict(s), {len(report.failed)} failed")
    for item in report.conflicts:
        out.print(f"  conflict: {item['interaction_id']} {item['type']} {item['object']} {item['record_id']}: "
                  f"{item['reason']}")
    for item in report.failed:
        out.print(f"  failed: {item['interaction_id']} {item['type']} {item['record_id']}: {item['reason']}")
    for item in report.not_undone:
        out.print(f"  not undone: {item['interaction_id']} reply {item['message_id']}: {item['reason']}",
                  markup=False)
    if report.conflicts:
        out.print(f"left alone; to undo them anyway: crm-crew rollback {run_id} --force")
    if not report.reverted and not report.conflicts and not report.failed:
        out.print("nothing to roll back: no applied change of this run is left", markup=False)
    render_audit_head(out, report.audit_head)
    return report.exit_code


def register(app: Any) -> None:
    app.command()(rollback)
