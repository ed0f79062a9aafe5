"""Tools that show an interaction and its screening to the crew."""

from __future__ import annotations

from typing import Any

from crm_crew.tools.spec import NoArgs, ToolContext, ToolSpec


def _screening_report(ctx: ToolContext, _: NoArgs) -> dict[str, Any]:
    return ctx.require_session().screen.report()


def _read_interaction(ctx: ToolContext, _: NoArgs) -> dict[str, Any]:
    return ctx.require_session().case_file()


SPECS = [
    ToolSpec(
        "get_screening_report",
        "The security screen computed before any model saw the message: "
        "prompt-injection signals, legal/data-rights flags and the kinds of personal data redacted.",
        NoArgs,
        _screening_report,
        deterministic=True,
    ),
    ToolSpec(
        "read_interaction",
        "The interaction under work (redacted text) and everything known so far: sender "
        "details, matched contact, assessment, reply draft and planned actions.",
        NoArgs,
        _read_interaction,
        deterministic=True,
    ),
]
