"""Tool specifications: plain Python, no crewai, so validation stays fast.

The crew layer wraps each spec in a CrewAI tool bound to one agent and one interaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal

from pydantic import BaseModel, ConfigDict

from crm_crew.pipeline.session import InteractionSession


class NoArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")


@dataclass
class ToolContext:
    agent_id: str                                   # the agents.yaml key of the caller
    session: InteractionSession | None = None       # interaction-scope tools
    run_statistics: Callable[[], dict[str, Any]] | None = None   # run-scope tools

    def require_session(self) -> InteractionSession:
        if self.session is None:
            raise RuntimeError("this tool works on one interaction and none is in progress")
        return self.session


@dataclass(frozen=True)
class ToolSpec:
    name: str
    description: str
    args: type[BaseModel]
    run: Callable[[ToolContext, Any], dict[str, Any]]
    scope: Literal["interaction", "run"] = "interaction"
    # The answer follows from the interaction and the CRM alone (no judgement in the arguments):
    # the routes run such steps in code rather than spend model calls on them.
    deterministic: bool = False
    # The tool records one whole decision (the assessment, the plan): its result is the calling agent's
    # answer, so an agent step costs one model call. A refusal (an "error" or "problems" key) is not final:
    # the agent sees it and may try again.
    final: bool = False
