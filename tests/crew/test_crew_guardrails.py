"""The crew built from YAML: tool access enforced in code, usage reported through LLM events."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from crm_crew.config.loader import CrewConfig, load_config
from crm_crew.connectors.contacts_file import read_contact_rows
from crm_crew.connectors.importer import import_contacts
from crm_crew.connectors.local import LocalCRM
from crm_crew.crew.environment import prepare_crewai_environment
from crm_crew.models import Interaction
from crm_crew.pipeline.replies import load_reply_templates
from crm_crew.pipeline.session import InteractionSession
from crm_crew.security.screen import screen
from crm_crew.testing.configs import with_crew_v1
from crm_crew.tools.spec import ToolContext

CONFIG = Path(__file__).resolve().parents[2] / "config"
MESSAGE = Interaction(
    id="t-1", channel="email", sender_email="mark.chen@globex.io", sender_name="Mark Chen",
    subject="Invoice question", body="We were charged twice on the last invoice, please refund it.",
    received_at="2026-11-20T10:00:00+00:00",
)


@pytest.fixture(scope="module")
def crm(tmp_path_factory: pytest.TempPathFactory) -> LocalCRM:
    home = tmp_path_factory.mktemp("crew")
    prepare_crewai_environment(home)
    crm = LocalCRM(home / "crm.sqlite")
    import_contacts(crm, read_contact_rows(CONFIG / "samples" / "contacts.csv"))
    return crm


def _run(config: CrewConfig, crm: LocalCRM) -> tuple[InteractionSession, Any]:
    """The full route's crew as the flow runs it: sender and contact in code first, then the crew."""
    from crm_crew.crew.builder import LlmSource, build_crew
    from crm_crew.llm.meter import Meter
    from crm_crew.pipeline.lean import read_sender
    from crm_crew.pipeline.routing import tasks_done_in_code

    settings = config.settings
    session = InteractionSession(MESSAGE, screen(MESSAGE, settings.security, settings.limits), settings, crm,
                                 load_reply_templates(CONFIG.resolve()))
    read_sender(config, session)
    session.tool_calls.clear()
    meter = Meter()
    crew = build_crew(config, "interaction", ToolContext("coordinator", session), LlmSource(meter),
                      tasks_done_in_code(config))
    crew.kickoff(inputs=session.task_inputs())
    return session, meter


def _older_config(tmp_path: Path) -> CrewConfig:
    conf = tmp_path / "conf"
    shutil.copytree(CONFIG, conf)
    return load_config(with_crew_v1(conf))


@pytest.mark.parametrize("which", ["shipped", "older"])
def test_each_agent_calls_only_its_own_tools_and_the_coordinator_only_delegates(
        crm: LocalCRM, tmp_path: Path, which: str) -> None:
    config = load_config(CONFIG) if which == "shipped" else _older_config(tmp_path)
    session, meter = _run(config, crm)
    assert session.tool_calls, "the crew called no tools"
    for call in session.tool_calls:
        agent_id, _, tool = call.partition(":")
        assert agent_id != "coordinator"
        assert tool in config.agents[agent_id].tools, call
    # screening and matching were done in code: the crew delegates only the two judgements
    assert {c.split(":")[0] for c in session.tool_calls} == {"communication", "action"}
    assert session.assessment is not None and session.assessment.intent == "billing"
    assert [a.type for a in session.plan.actions] == ["log_activity"]
    assert session.reply is not None
    if which == "shipped":      # the coordinator asks each decision of one coworker: 3 + 1 + 1 calls
        assert session.tool_calls == ["communication:record_assessment", "action:plan_changes"]
        assert meter.snapshot()["calls"] == 5
    else:                       # two pinned tasks (3 calls each), the planner one tool call per change
        assert session.tool_calls == ["communication:record_assessment", "action:plan_log_activity"]
        assert meter.snapshot()["calls"] == 7


def test_the_coordinator_chooses_among_the_coworkers_with_a_judgement_tool(crm: LocalCRM) -> None:
    from crm_crew.crew.builder import LlmSource, build_crew, coworkers
    from crm_crew.llm.meter import Meter

    config = load_config(CONFIG)
    assert coworkers(config, "interaction") == ["communication", "action"]
    session = InteractionSession(MESSAGE, screen(MESSAGE, config.settings.security, config.settings.limits),
                                 config.settings, crm, load_reply_templates(CONFIG.resolve()))
    crew = build_crew(config, "interaction", ToolContext("coordinator", session), LlmSource(Meter()))
    (task,) = crew.tasks
    assert task.agent is None and {a.role for a in crew.agents} == {"Communication Analyst", "CRM Action Planner"}
    assert "- Communication Analyst: tools record_assessment" in task.description


def test_a_tool_removed_from_yaml_is_out_of_reach(crm: LocalCRM, tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    shutil.copytree(CONFIG, conf)
    agents = conf / "agents.yaml"
    agents.write_text(agents.read_text().replace(
        "tools: [read_interaction, extract_signature, find_contact, get_contact_history]",
        "tools: [read_interaction, extract_signature]"))
    session, _ = _run(load_config(conf), crm)
    assert not any(c.endswith(":find_contact") for c in session.tool_calls)
    assert session.match is None, "no agent may match contacts without the find_contact tool"


def test_offline_model_reports_llm_events_that_match_its_usage(crm: LocalCRM) -> None:
    from crewai.events import crewai_event_bus
    from crewai.events.types.llm_events import (
        LLMCallCompletedEvent,
        LLMCallStartedEvent,
    )

    seen: dict[str, int] = {"started": 0, "completed": 0}
    lock = threading.Lock()
    with crewai_event_bus.scoped_handlers():
        @crewai_event_bus.on(LLMCallStartedEvent)
        def _started(source: Any, event: Any) -> None:
            with lock:
                seen["started"] += 1

        @crewai_event_bus.on(LLMCallCompletedEvent)
        def _completed(source: Any, event: Any) -> None:
            if event.model == "offline":
                with lock:
                    seen["completed"] += 1

        _, meter = _run(load_config(CONFIG), crm)
        crewai_event_bus.flush()
    usage = meter.snapshot()
    assert usage["calls"] == 5  # manager → assessor → manager → planner → manager
    assert seen["started"] == seen["completed"] == usage["calls"]
    assert usage["input_tokens"] > usage["output_tokens"] > 0


def test_the_coordinator_is_offered_no_worker_tool(crm: LocalCRM) -> None:
    """crewai runs each task of a hierarchical crew on the manager with the task's tools: they must be empty."""
    from crm_crew.crew.builder import LlmSource, build_crew
    from crm_crew.llm.meter import Meter

    config = load_config(CONFIG)
    settings = config.settings
    session = InteractionSession(MESSAGE, screen(MESSAGE, settings.security, settings.limits), settings, crm,
                                 load_reply_templates(CONFIG.resolve()))
    for scope, context in (("interaction", ToolContext("coordinator", session)),
                           ("run", ToolContext("analytics", run_statistics=dict))):
        crew = build_crew(config, scope, context, LlmSource(Meter()))
        assert crew.tasks and all(task.tools == [] for task in crew.tasks)


def test_a_decision_tool_ends_the_agents_turn_unless_it_refuses(crm: LocalCRM) -> None:
    """crewai takes a result_as_answer tool's result as the agent's answer, but never a ToolFailure: a refused
    decision goes back to the model, which may try again."""
    from crewai.tools.tool_failure import ToolFailure

    from crm_crew.crew.tool_adapter import bind_tool
    from crm_crew.tools.registry import TOOLS

    config = load_config(CONFIG)
    settings = config.settings
    session = InteractionSession(MESSAGE, screen(MESSAGE, settings.security, settings.limits), settings, crm,
                                 load_reply_templates(CONFIG.resolve()))
    tool = bind_tool(TOOLS["record_assessment"], ToolContext("communication", session))
    assert tool.result_as_answer and not bind_tool(TOOLS["read_interaction"], ToolContext("x", session)).result_as_answer
    args = {"urgency": "low", "sentiment": "neutral", "sentiment_score": 0.0, "confidence": 0.9}
    refused = tool._run(intent="refund_request", **args)
    assert isinstance(refused, ToolFailure) and "not in the taxonomy" in refused.message
    assert session.assessment is None
    recorded = tool._run(intent="billing", **args)
    assert isinstance(recorded, str) and '"recorded": true' in recorded and session.assessment.intent == "billing"
