"""A run's report as a document: the sections an ops lead reads the morning after, in reading order."""

from __future__ import annotations

from datetime import datetime, timezone

from crm_crew import __version__
from crm_crew.observability.report.document import Document
from crm_crew.observability.report.gather import RunData
from crm_crew.observability.report.sections_crm import reviews_section, rejects_section, trail_section, writes_section
from crm_crew.observability.report.sections_run import (
    details_section,
    insights_section,
    intake_section,
    speed_and_cost_section,
    summary_section,
)


def build_document(data: RunData, now: datetime | None = None) -> Document:
    info = data.info
    when = (now or datetime.now(timezone.utc)).isoformat(timespec="seconds")
    state = "" if data.state == "finished" else f" ({data.state.upper()})"
    return Document(
        title=f"crm-crew run report: {info.run_id}{state}",
        subtitle=f"{info.mode} run on the {info.crm_type} CRM · started {info.started_at} · "
                 f"finished {info.finished_at or 'not yet'}",
        sections=[summary_section(data), insights_section(data), reviews_section(data), writes_section(data),
                  rejects_section(data), intake_section(data), speed_and_cost_section(data), trail_section(data),
                  details_section(data)],
        footer=f"Made by crm-crew {__version__} at {when} from the run journal and the audit trail. "
               "Message and CRM text is shown as journaled (PII redacted).",
    )
