"""The report's sections about the run itself: the summary, what came in, speed and cost, the insights."""

from __future__ import annotations

from collections import Counter
from typing import Any

from crm_crew.observability.report.document import Chart, Facts, Headline, Paragraph, Section, Table, Tone
from crm_crew.observability.report.gather import RunData

# latency bins (upper bounds in ms): even steps on a log scale read best for "most are fast, a few are slow"
LATENCY_EDGES_MS = (10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000)
STATE_NOTES: dict[str, tuple[str, Tone]] = {
    "running": ("This run is still running: the report shows what is journaled so far, and the figures are "
                "computed from those records. Make the report again when it has finished.", "warn"),
    "interrupted": ("This run was interrupted (no process holds it): the report shows what is journaled. "
                    "Finish it with `crm-crew run --resume RUN_ID`.", "warn"),
    "died": ("This run died before it finished: the report shows what is journaled, with figures computed "
             "from those records.", "bad"),
}


def number(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return "-" if value is None else ("yes" if value else "no")
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:,.6f}".rstrip("0").rstrip(".") if value else "0"
    return str(value)


def usd(value: float) -> str:
    return f"${value:,.4f}" if value else "$0"


def summary_section(data: RunData) -> Section:
    s, info = data.summary, data.info
    section = Section("summary", "Summary")
    if data.state in STATE_NOTES:
        text, tone = STATE_NOTES[data.state]
        section.blocks.append(Paragraph(text.replace("RUN_ID", info.run_id), tone))
    section.blocks.append(headline(data))
    if info.mode == "shadow":
        section.blocks.append(Paragraph("Shadow run: the crew planned CRM changes and wrote none of them. "
                                        "Apply the plan with the command under “Written to the CRM”.", "info"))
    if s.get("offline_model"):
        section.blocks.append(Paragraph(s["offline_model"], "info"))
    return section


def details_section(data: RunData) -> Section:
    """Every figure of the run summary (`crm-crew show RUN_ID --json`), one per row."""
    s, info = data.summary, data.info
    status, actions = s.get("by_status") or {}, s.get("actions") or {}
    rows: list[tuple[str, str, str]] = [
        ("run_id", "Run", info.run_id), ("status", "Status", data.state), ("mode", "Mode", info.mode),
        ("started_at", "Started", info.started_at), ("finished_at", "Finished", info.finished_at or "-"),
        ("crm", "CRM", info.crm_type), ("config", "Config", info.config_dir),
        ("models", "Models", ", ".join(f"{role}: {m}" for role, m in (s.get("models") or {}).items()) or "-"),
        ("interactions", "Interactions", number(s.get("interactions", 0))),
    ]
    rows += [(f"by_status.{k}", f"  {k}", number(v)) for k, v in status.items()]
    rows += [("escalations", "Escalations", number(s.get("escalations", 0))),
             ("rejected", "Rejected", number(s.get("rejected", 0)))]
    rows += [(f"actions.{k}", f"Actions {k}", number(v)) for k, v in actions.items()]
    for key, label in (("opt_outs", "Opt-outs"), ("duplicates", "Duplicates skipped"), ("llm_calls", "Model calls"),
                       ("input_tokens", "Input tokens"), ("output_tokens", "Output tokens"),
                       ("cache_hits", "Cache hits"), ("rate_limited", "Rate-limited (429)"),
                       ("latency_p50_ms", "Latency p50 (ms)"), ("latency_p95_ms", "Latency p95 (ms)"),
                       ("duration_s", "Duration (s)"), ("throughput_per_s", "Throughput (per s)")):
        if key in s:
            rows.append((key, label, number(s[key])))
    rows.append(("cost_usd", "Cost (USD)", usd(float(s.get("cost_usd") or 0.0))))
    if s.get("fallbacks"):
        rows.append(("fallbacks", "Fallbacks", ", ".join(f"{k}: {v}" for k, v in s["fallbacks"].items())))
    if s.get("unpriced_models"):
        rows.append(("unpriced_models", "Unpriced models", ", ".join(s["unpriced_models"])))
    return Section("details", "Run details", [Facts("summary-facts", rows)])


def headline(data: RunData) -> Headline:
    s = data.summary
    status, actions = s.get("by_status") or {}, s.get("actions") or {}
    waiting = sum(1 for r in data.reviews if r.status == "pending")
    bad = status.get("rejected", 0) + status.get("failed", 0)
    verdicts: dict[bool | None, tuple[str, Tone]] = {True: ("intact", "good"), False: ("BROKEN", "bad"),
                                                     None: ("not checked", "warn")}
    trail = verdicts[data.trail.ok]
    return Headline([
        ("interactions", "interactions", number(s.get("interactions", 0)), None),
        ("escalations", "escalated", number(s.get("escalations", 0)), "warn" if s.get("escalations") else None),
        ("review_pending", "wait for review", number(waiting), "warn" if waiting else "good"),
        ("rejected_failed", "rejected or failed", number(bad), "bad" if bad else "good"),
        ("written", "CRM writes", number(sum(1 for e in data.writes if e.outcome == "applied")), None),
        ("planned", "actions planned", number(actions.get("planned", 0)), None),
        ("cost_usd", "cost", usd(float(s.get("cost_usd") or 0.0)), None),
        ("latency_p95_ms", "p95 latency", f"{number(s.get('latency_p95_ms', 0))} ms", None),
        ("audit", "audit trail", trail[0], trail[1]),
    ])


def _count(records: list[dict[str, Any]], key: str) -> list[tuple[str, float]]:
    counts = Counter(str(r[key]) for r in records if r.get(key))
    return [(label, float(n)) for label, n in counts.most_common()]


def _bars(figures: dict[str, Any] | None) -> list[tuple[str, float]]:
    return [(str(k), float(v)) for k, v in (figures or {}).items()]


def intake_section(data: RunData) -> Section:
    s, records = data.summary, data.results
    worked = [r for r in records if r.get("status") in ("processed", "escalated")]
    return Section("intake", "What came in", [
        Chart("chart-status", "Interactions by status", _bars(s.get("by_status"))),
        Chart("chart-intent", "Intents", _bars(s.get("by_intent"))),
        Chart("chart-urgency", "Urgency", _bars(s.get("by_urgency"))),
        Chart("chart-sentiment", "Sentiment", _bars(s.get("by_sentiment"))),
        Chart("chart-route", "Routes", _count(worked, "route")),
        Chart("chart-language", "Languages", _count(worked, "language")),
        Chart("chart-escalation", "Escalation reasons", _bars(s.get("escalation_reasons")), empty="no escalations"),
    ])


def latency_bins(durations: list[int]) -> list[tuple[str, float]]:
    if not durations:
        return []
    counts = [0] * (len(LATENCY_EDGES_MS) + 1)
    for ms in durations:
        counts[next((i for i, edge in enumerate(LATENCY_EDGES_MS) if ms < edge), len(LATENCY_EDGES_MS))] += 1
    last = max(i for i, n in enumerate(counts) if n)
    lows = (0, *LATENCY_EDGES_MS)
    labels = [f"<{_ms(LATENCY_EDGES_MS[0])}"] + [f"{_ms(lows[i])}–{_ms(LATENCY_EDGES_MS[i])}"
                                                 for i in range(1, len(LATENCY_EDGES_MS))]
    labels.append(f"≥{_ms(LATENCY_EDGES_MS[-1])}")
    return [(labels[i], float(counts[i])) for i in range(last + 1)]


def _ms(value: int) -> str:
    return f"{value / 1000:g}s" if value >= 1000 else f"{value}ms"


def _model_name(models: dict[str, Any]) -> str:
    return " + ".join(sorted(models)) or "-"


def cost_rows(data: RunData) -> list[list[str]]:
    """Usage and cost per (route, model): a record's cost goes to the model (or models) it used."""
    book: dict[tuple[str, str], list[float]] = {}
    for record in data.results:
        llm = record.get("llm") or {}
        if not llm.get("calls"):
            continue
        row = book.setdefault((record.get("route") or "none", _model_name(llm.get("models") or {})), [0.0] * 5)
        for i, key in enumerate(("calls", "input_tokens", "output_tokens", "cost_usd")):
            row[i + 1] += float(llm.get(key) or 0)
        row[0] += 1
    analytics = data.summary.get("analytics_llm") or {}
    if analytics.get("calls"):
        book[("analytics", _model_name(analytics.get("models") or {}))] = [
            0.0, *(float(analytics.get(k) or 0) for k in ("calls", "input_tokens", "output_tokens", "cost_usd"))]
    return [[route, model, number(int(n)), number(int(calls)), number(int(tin)), number(int(tout)), usd(cost)]
            for (route, model), (n, calls, tin, tout, cost) in sorted(book.items())]


def speed_and_cost_section(data: RunData) -> Section:
    durations = [int(r.get("duration_ms") or 0) for r in data.results if r.get("status") in ("processed", "escalated")]
    by_route = data.summary.get("by_route") or {}
    cost_bars = [(route, float(v.get("cost_usd") or 0)) for route, v in by_route.items()]
    free = "no cost: every call was on the offline model (free)" if data.summary.get("llm_calls") else "no model calls"
    return Section("speed-cost", "Speed and cost", [
        Chart("chart-latency", "Latency per interaction (processed and escalated)", latency_bins(durations),
              unit="interactions", histogram=True),
        Chart("chart-cost-route", "Cost by route (USD)", cost_bars if any(v for _, v in cost_bars) else [],
              unit="USD", empty=free),
        Chart("chart-tokens-route", "Tokens by route (input + output)",
              [(route, float((v.get("input_tokens") or 0) + (v.get("output_tokens") or 0)))
               for route, v in by_route.items()]),
        Table(["Route", "Model", "Interactions", "Calls", "Input tokens", "Output tokens", "Cost"], cost_rows(data),
              note="Cost by route and model; `analytics` is the run's closing analytics step."),
    ])


def insights_section(data: RunData) -> Section:
    text = str(data.summary.get("insights") or "").strip()
    blocks = [Paragraph(part.strip()) for part in text.split("\n\n") if part.strip()] if text else [
        Paragraph("No insights: the analytics step did not run (the run is not finished, or has no analytics task).")]
    return Section("insights", "The analytics agent's insights", list(blocks))
