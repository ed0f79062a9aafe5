"""tasks.yaml without `agent`: the coordinator chooses its coworkers, so validate checks it has some."""

from __future__ import annotations

import shutil
from pathlib import Path

from crm_crew.config import load_config
from crm_crew.testing.configs import CREW_V1
from tests.config.test_loader import at, cfg, edit, problems  # noqa: F401  (cfg: fixture)


def test_a_task_without_agent_needs_coworkers_and_an_interaction_scope(cfg: Path) -> None:
    edit(cfg, "agents.yaml", "tools: [record_assessment, read_interaction, score_sentiment, render_reply_template]",
         "tools: [read_interaction]")
    edit(cfg, "agents.yaml", "tools: [plan_changes, read_interaction]", "tools: [read_interaction]")
    edit(cfg, "tasks.yaml", "  scope: run\n  agent: analytics\n", "  scope: run\n")
    assert problems(cfg) == [
        f"{at(cfg, 'tasks.yaml', 'handle_interaction:')}: task 'handle_interaction': no 'agent', so the coordinator "
        "chooses its coworkers, but no agent in agents.yaml has a judgement tool (such as record_assessment or "
        "plan_changes): add the tools or give the task an 'agent'",
        f"{at(cfg, 'tasks.yaml', 'summarize_run:')}: task 'summarize_run': a run task needs an 'agent' "
        "(the coordinator chooses coworkers only for interaction tasks)",
    ]


def test_older_agents_yaml_with_the_shipped_tasks_loads(cfg: Path) -> None:
    """An agents.yaml from before plan_changes (one tool per CRM change) still gives the coordinator both
    coworkers."""
    from crm_crew.tools.registry import coworker_ids

    shutil.copyfile(CREW_V1 / "agents.yaml", cfg / "agents.yaml")
    config = load_config(cfg)
    assert coworker_ids(config.agents, "interaction", "coordinator") == ["communication", "action"]
