"""Tables for the terminal. Data in, Rich out: no logic beyond layout."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _counts(title: str, counts: dict[str, int]) -> Table:
    table = Table(title=title, title_justify="left", show_header=False, box=None, padding=(0, 2))
    for key, value in counts.items():
        table.add_row(key, str(value))
    if not counts:
        table.add_row("-", "0")
    return table


def render_summary(console: Console, s: dict[str, Any]) -> None:
    console.print(f"run {s['run_id']}  ({s['mode']}, crm: {s['crm']})", markup=False)
    if s.get("offline_model"):
        console.print(s["offline_model"], markup=False)
    grid = Table.grid(padding=(0, 4))
    grid.add_row(_counts("status", s["by_status"]), _counts("intent", s["by_intent"]),
                 _counts("urgency", s["by_urgency"]), _counts("actions", s["actions"]))
    console.print(grid)
    console.print(f"escalations: {s['escalations']}", markup=False)
    for reason, count in s["escalation_reasons"].items():
        console.print(f"  {count} × {reason}", markup=False)
    console.print(f"model calls: {s['llm_calls']}  tokens: {s['input_tokens']} in / {s['output_tokens']} out  "
                  f"latency p50 {s['latency_p50_ms']} ms, p95 {s['latency_p95_ms']} ms  "
                  f"({s['interactions']} in {s['duration_s']} s, {s['throughput_per_s']}/s)", markup=False)
    if s.get("insights"):
        console.print(f"analytics: {s['insights']}", markup=False)
    if s["mode"] == "shadow" and s["actions"].get("planned"):
        console.print(f"shadow run: nothing was written. Apply the plan with: crm-crew apply {s['run_id']}", markup=False)


def render_apply(console: Console, r: dict[str, Any]) -> None:
    console.print(f"run {r['run_id']} applied to crm {r['crm']}: {r['applied']} applied, {r['skipped']} skipped "
                  f"(already in the CRM), {r['failed']} failed, {r['held']} held for review, "
                  f"{r['already_applied']} applied before", markup=False)


def render_runs(console: Console, runs: list[dict[str, Any]]) -> None:
    table = Table("run", "started", "mode", "status", "records", "processed", "escalated", "rejected/failed", "applied")
    for r in runs:
        s = r["summary"]
        by = s.get("by_status", {})
        table.add_row(r["run_id"], r["started_at"], s.get("mode", r["mode"]), r["status"], str(s.get("interactions", "")),
                      str(by.get("processed", 0)), str(by.get("escalated", 0)),
                      str(by.get("rejected", 0) + by.get("failed", 0)), str(s.get("actions", {}).get("applied", 0)))
    console.print(table)


def render_run(console: Console, run: dict[str, Any], results: list[dict[str, Any]]) -> None:
    summary = run["summary"]
    if "by_status" in summary:
        render_summary(console, summary)
    else:
        console.print(f"run {run['run_id']} ({run['status']})", markup=False)
    table = Table("interaction", "status", "intent", "urgency", "sentiment", "contact", "actions", "escalation / error")
    for r in results:
        actions = ", ".join(f"{a['type']}:{a['status']}" for a in r["actions"])
        contact = r["contact"]
        table.add_row(r["interaction_id"], r["status"], r.get("intent") or "", r.get("urgency") or "",
                      (r.get("sentiment") or {}).get("label", ""), f"{contact.get('id') or '-'} ({contact.get('match')})",
                      actions, (r.get("escalation") or {}).get("reason") or r.get("error") or "")
    console.print(table)
