"""Tables for the terminal. Data in, Rich out: no logic beyond layout."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table


def _line(counts: dict[str, int]) -> str:
    return ", ".join(f"{key} {value}" for key, value in counts.items()) or "-"


def render_summary(console: Console, s: dict[str, Any]) -> None:
    console.print(f"run {s['run_id']}  ({s['mode']}, crm: {s['crm']})")
    if s.get("config"):
        console.print(f"config: {s['config']}", markup=False)
    if s.get("offline_model"):
        console.print(s["offline_model"])
    table = Table(show_header=False, box=None, padding=(0, 2))
    table.add_row("records", f"{s['interactions']} ({_line(s['by_status'])})")
    table.add_row("intent", _line(s["by_intent"]))
    table.add_row("urgency", _line(s["by_urgency"]))
    table.add_row("sentiment", _line(s["by_sentiment"]))
    table.add_row("actions", _line({k: v for k, v in s["actions"].items() if v}) + f"  [{_line(s['actions_by_type'])}]")
    if s.get("duplicates"):
        table.add_row("duplicates", f"{s['duplicates']} (delivered again: not worked or journaled twice)")
    table.add_row("escalations", str(s["escalations"]))
    for reason, count in s["escalation_reasons"].items():
        table.add_row("", f"{count} × {reason}")
    if s.get("notifications"):
        n = s["notifications"]
        table.add_row("notifications", f"{n['sent']} sent, {n['failed']} failed"
                                       + (f", {n['unsent']} not sent in time" if n.get("unsent") else ""))
    table.add_row("model", f"{s['llm_calls']} calls, {s['input_tokens']} tokens in, {s['output_tokens']} out, "
                           f"${s.get('cost_usd', 0.0):.4f}" + _llm_extras(s))
    for route, r in (s.get("by_route") or {}).items():
        table.add_row("", f"{route} route: {r['interactions']} interactions, {r['calls_per_interaction']} calls "
                          f"each, ${r['cost_usd']:.4f}")
    if s.get("caching"):
        table.add_row("prompt cache", _caching_line(s))
    table.add_row("time", _time_line(s))
    if s.get("state_folder"):
        table.add_row("state", f"{s['state_folder']['path']} ({s['state_folder']['from']})")
    console.print(table)
    if s.get("insights"):
        console.print(f"analytics: {s['insights']}")
    if s["mode"] == "shadow" and s["actions"].get("planned"):
        console.print(f"shadow run: nothing was written. Apply the plan with: crm-crew apply {s['run_id']}", markup=False)
    if s["mode"] != "shadow":
        render_audit_head(console, s.get("audit_head"))


def render_audit_head(console: Console, head: dict[str, Any] | None) -> None:
    """The trail's head after a write: a checkpoint the user may record and check later."""
    if head:
        console.print(f"audit head: entry {head['seq']} {head['hash']} (check later: crm-crew audit verify "
                      f"--expect-head {head['hash']})", markup=False)


def _time_line(s: dict[str, Any]) -> str:
    latency = f"latency p50 {s['latency_p50_ms']} ms, p95 {s['latency_p95_ms']} ms"
    resumed = s.get("resumed")
    if not resumed:
        return f"{s['duration_s']} s, {s['throughput_per_s']}/s, {latency}"
    total = f"{s['duration_s']} s in all" if s.get("duration_s") is not None else "total time unknown (killed)"
    return (f"{total}; resumed: {resumed['records_before']} records done before, "
            f"{resumed['records_this_part']} in {resumed['seconds_this_part']} s now "
            f"({s['throughput_per_s']}/s), {latency}")


def _caching_line(s: dict[str, Any]) -> str:
    c = s["caching"]
    tokens = (f" ({s.get('cache_read_tokens', 0)} tokens read, {s.get('cache_write_5m_tokens', 0)} written at 5 m, "
              f"{s.get('cache_write_1h_tokens', 0)} at 1 h)")
    return ("in effect: " if c.get("in_effect") else "not in effect: ") + str(c.get("reason", "")) + tokens


def _llm_extras(s: dict[str, Any]) -> str:
    extras = [f"{s[key]} {label}" for key, label in (("cache_hits", "cache hits"), ("rate_limited", "429s waited out"))
              if s.get(key)]
    extras += [f"{n} fell back to offline ({why})" for why, n in (s.get("fallbacks") or {}).items()]
    if s.get("unpriced_models"):
        extras.append(f"no price for {', '.join(s['unpriced_models'])} (llm.prices)")
    return f" ({'; '.join(extras)})" if extras else ""


def render_apply(console: Console, r: dict[str, Any]) -> None:
    console.print(f"run {r['run_id']} applied to crm {r['crm']}: {r['applied']} applied, {r['skipped']} skipped "
                  f"(already in the CRM), {r['failed']} failed, {r['held']} held for review, "
                  f"{r['already_applied']} applied before", markup=False)
    render_audit_head(console, r.get("audit_head"))


def render_runs(console: Console, runs: list[dict[str, Any]]) -> None:
    """Runs as `run_view` made them: true status, journal counts for a run without its summary yet."""
    from crm_crew.pipeline.run_view import counts

    table = Table("run", "started", "mode", "status", "records", "processed", "escalated", "rejected/failed",
                  "applied", "rolled back")
    for r in runs:
        s = counts(r)
        by = s.get("by_status", {})
        table.add_row(r["run_id"], r["started_at"], r["summary"].get("mode", r["mode"]), r["status"],
                      str(s.get("interactions", 0)), str(by.get("processed", 0)), str(by.get("escalated", 0)),
                      str(by.get("rejected", 0) + by.get("failed", 0)), str(s.get("actions", {}).get("applied", 0)),
                      _rolled_back(r["summary"].get("rollback")))
    console.print(table)


def _rolled_back(rollback: dict[str, Any] | None) -> str:
    if not rollback:
        return "-"
    left = [f"{rollback[key]} {label}" for key, label in (("conflicts", "conflicts left"), ("failed", "failed"))
            if rollback.get(key)]
    return ", ".join([str(rollback["reverted"]), *left])


def render_rollback(console: Console, rollback: dict[str, Any] | None) -> None:
    if rollback:
        console.print(f"rolled back at {rollback['at']} by {rollback['by']}: {rollback['reverted']} change(s) undone, "
                      f"{rollback['conflicts']} conflict(s) left, {rollback['failed']} failed", markup=False)


def _journaled(journal: dict[str, Any]) -> str:
    actions = {k: v for k, v in journal["actions"].items() if v}
    return f"{journal['interactions']} records ({_line(journal['by_status'])}), actions: {_line(actions)}"


def render_run(console: Console, run: dict[str, Any], results: list[dict[str, Any]]) -> None:
    summary = run["summary"]
    if "journal" in run:
        console.print(f"run {run['run_id']} ({run['status']}; journaled so far: {_journaled(run['journal'])})",
                      markup=False)
        if run["status"] in ("interrupted", "died"):
            console.print(f"finish it with: crm-crew run --resume {run['run_id']}", markup=False)
    else:
        render_summary(console, summary)
    render_rollback(console, summary.get("rollback"))
    from crm_crew.cli.render_ledger import SENDER_CHARS, SUBJECT_CHARS, short

    table = Table()
    for name in ("interaction", "sender", "subject", "status", "intent", "urgency", "sentiment"):
        table.add_column(name, no_wrap=True)     # what tells rows apart stays on one line
    for name in ("contact", "actions", "escalation / error"):
        table.add_column(name)
    for r in results:
        actions = ", ".join(f"{a['type']}:{a['status']}" for a in r["actions"])
        contact = r["contact"]
        table.add_row(r["interaction_id"], short(contact.get("email"), SENDER_CHARS),
                      short(r.get("subject"), SUBJECT_CHARS), r["status"], r.get("intent") or "", r.get("urgency") or "",
                      (r.get("sentiment") or {}).get("label", ""), f"{contact.get('id') or '-'} ({contact.get('match')})",
                      actions, (r.get("escalation") or {}).get("reason") or r.get("error") or "")
    console.print(table)
    _render_extra_fields(console, results)


def _render_extra_fields(console: Console, results: list[dict[str, Any]]) -> None:
    """The input's unknown fields, per interaction (names and values are data: never markup)."""
    from rich.text import Text

    from crm_crew.cli.render_ledger import short

    extras = [(r["interaction_id"], r["extra_fields"]) for r in results if r.get("extra_fields")]
    if extras:
        console.print("extra fields (the input's columns crm-crew does not use; personal data redacted):")
    for interaction_id, fields in extras:
        console.print(Text(short(f"  {interaction_id}  " + "; ".join(f"{k}={v}" for k, v in fields.items()), 400)))
