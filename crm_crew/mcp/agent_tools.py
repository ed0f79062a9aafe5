"""MCP tools as read-only inputs to the crew: called in code after the contact lookup, screened, recorded.

For each agent's `mcps:` in agents.yaml, each allow-listed tool whose required arguments can be filled
from what the interaction says about its sender (email, domain, name, company) is called once. What it
returns is untrusted text, like a customer message: redacted, length-bounded and put through the
injection screen; a result that carries an injection signal is withheld from the model, flags the
interaction (so it is escalated) and is named in the record's security section. The results reach the
agents in the case file (`mcp_results`); every call is in the record's `tools_used` as
`AGENT:mcp:SERVER.TOOL`. No MCP tool can write to the CRM: only the plan tools and the write path do.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from crm_crew.observability import tracing
from crm_crew.observability.tracing_names import tool_attributes
from crm_crew.security.injection import detector_for
from crm_crew.security.pii import redact
from crm_crew.security.screen import INJECTION_FLAG

if TYPE_CHECKING:
    from crm_crew.config.loader import CrewConfig
    from crm_crew.pipeline.session import InteractionSession

WITHHELD = "withheld: the tool's result carried a prompt-injection signal"
# argument names the offline side fills, and from what
_FROM_EMAIL = ("email", "sender_email", "email_address", "address")
_FROM_DOMAIN = ("domain", "email_domain", "company_domain")
_FROM_NAME = ("name", "full_name", "sender_name")
_FROM_COMPANY = ("company", "company_name")


def _sender_values(session: "InteractionSession") -> dict[str, str]:
    email = session.interaction.sender_email.strip()
    domain = email.rsplit("@", 1)[1].lower() if "@" in email else ""
    sender = session.sender
    values = {name: email for name in _FROM_EMAIL} | {name: domain for name in _FROM_DOMAIN}
    values |= {name: sender.full_name if sender else "" for name in _FROM_NAME}
    values |= {name: sender.company if sender else "" for name in _FROM_COMPANY}
    return {k: v for k, v in values.items() if v}


def fill_arguments(schema: dict[str, Any], known: dict[str, str]) -> dict[str, Any] | None:
    """Arguments for a tool from what is known about the sender; None when a required one is unknown."""
    properties = schema.get("properties") or {}
    args = {name: known[name] for name in properties if name in known}
    if any(name not in args for name in schema.get("required") or []):
        return None
    return args if args or not properties else None


def consult_mcp_tools(config: "CrewConfig", session: "InteractionSession") -> None:
    """Call every agent's allow-listed MCP tools that apply to this interaction (once per session)."""
    from crm_crew.mcp.client import McpToolError, allowed_tools, call_tool

    known = _sender_values(session)
    for agent_id, agent in config.agents.items():
        for server in agent.mcps:
            try:
                tools = allowed_tools(server)
            except McpToolError as exc:   # the interaction goes on without it; the record says so
                session.tool_calls.append(f"{agent_id}:mcp:{server.name} (unavailable)")
                session.mcp_results.append({"agent": agent_id, "tool": f"mcp:{server.name}", "error": str(exc)})
                continue
            for tool in tools:
                args = fill_arguments(tool.input_schema, known)
                if args is None:
                    continue
                label = f"mcp:{server.name}.{tool.name}"
                session.tool_calls.append(f"{agent_id}:{label}")
                with tracing.span(f"execute_tool {label}", tool_attributes(label, agent_id)):
                    try:
                        failed, text = call_tool(server, tool.name, args)
                    except McpToolError as exc:
                        failed, text = True, str(exc)
                session.mcp_results.append({"agent": agent_id, "tool": label, "arguments": args,
                                            **_screened(session, label, failed, text)})


def _screened(session: "InteractionSession", label: str, failed: bool, text: str) -> dict[str, Any]:
    """The result as a model may see it: redacted, bounded, and withheld when it carries an injection signal."""
    settings = session.settings
    screen = session.screen
    signals = detector_for(settings.security).signals(text)
    if signals:
        if label not in screen.injected_fields:
            screen.injected_fields.append(label)
            screen.injection_signals += [redact(s.describe(label), settings.security.redact)[0] for s in signals]
        screen.injection = True
        if INJECTION_FLAG not in screen.flags:
            screen.flags.append(INJECTION_FLAG)
        return {"error": WITHHELD}
    shown = redact(text, settings.security.redact)[0][: settings.limits.model_text_chars]
    if failed:
        return {"error": shown}
    try:
        return {"result": json.loads(shown)}
    except ValueError:
        return {"result": shown}
