"""Wrap a registry ToolSpec as a CrewAI tool bound to one agent and one context."""

from __future__ import annotations

import json
from typing import Any

from crewai.tools import BaseTool
from crewai.tools.tool_failure import ToolFailure
from pydantic import PrivateAttr, ValidationError

from crm_crew.errors import ConnectorError
from crm_crew.tools.spec import ToolContext, ToolSpec


class BoundTool(BaseTool):
    """A registry tool as seen by exactly one agent: the context says who calls it."""

    _spec: ToolSpec = PrivateAttr()
    _context: ToolContext = PrivateAttr()

    def _run(self, **kwargs: Any) -> str | ToolFailure:
        result = self._answer(kwargs)
        text = json.dumps(result, default=str)
        if self._spec.final and ("error" in result or "problems" in result):
            return ToolFailure(message=text)    # a refused decision is not the agent's answer: it may retry
        return text

    def _answer(self, kwargs: dict[str, Any]) -> dict[str, Any]:
        try:
            args = self._spec.args(**kwargs)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors())
            return {"error": f"invalid arguments for {self._spec.name}: {problems}"}
        session = self._context.session
        if session is not None:
            session.tool_calls.append(f"{self._context.agent_id}:{self._spec.name}")
        try:
            return self._spec.run(self._context, args)
        except ConnectorError as exc:
            # The crew cannot be trusted to carry on without the CRM's answer (a failed
            # lookup would plan a duplicate contact): the flow fails this interaction.
            if session is not None and session.crm_error is None:
                session.crm_error = exc
            return {"error": f"the CRM could not answer: {exc}"}


def bind_tool(spec: ToolSpec, context: ToolContext) -> BoundTool:
    tool = BoundTool(name=spec.name, description=spec.description, args_schema=spec.args,
                     result_as_answer=spec.final)
    tool._spec = spec
    tool._context = context
    return tool
