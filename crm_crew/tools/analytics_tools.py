"""Analytics-agent tool: figures of the run, read from the run journal."""

from __future__ import annotations

from typing import Any

from crm_crew.tools.spec import NoArgs, ToolContext, ToolSpec


def _run_statistics(ctx: ToolContext, _: NoArgs) -> dict[str, Any]:
    if ctx.run_statistics is None:
        return {"error": "no run in progress"}
    return ctx.run_statistics()


SPECS = [
    ToolSpec("run_statistics", "Per-run figures from the journal: volumes by status, intent, urgency "
             "and sentiment, escalation reasons, actions, model calls, tokens and latency.",
             NoArgs, _run_statistics, scope="run"),
]
