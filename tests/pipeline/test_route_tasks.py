"""Which tasks the routes do in code: those whose agent has only deterministic tools."""

from __future__ import annotations

import shutil
from pathlib import Path

from crm_crew.config.loader import load_config
from crm_crew.pipeline.routing import tasks_done_in_code

CONFIG = Path(__file__).resolve().parents[2] / "config"


def test_screening_review_and_matching_are_done_in_code_by_default() -> None:
    assert tasks_done_in_code(load_config(CONFIG)) == {"screen_interaction", "match_contact"}


def test_a_task_whose_agent_gets_a_judgement_tool_stays_with_the_crew(tmp_path: Path) -> None:
    conf = tmp_path / "conf"
    shutil.copytree(CONFIG, conf)
    agents = conf / "agents.yaml"
    agents.write_text(agents.read_text().replace(
        "tools: [read_interaction, extract_signature, find_contact, get_contact_history]",
        "tools: [read_interaction, extract_signature, find_contact, get_contact_history, score_sentiment]"))
    assert tasks_done_in_code(load_config(conf)) == {"screen_interaction"}
