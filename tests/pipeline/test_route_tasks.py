"""Which tasks the routes do in code: those whose agent has only deterministic tools."""

from __future__ import annotations

import shutil
from pathlib import Path

from crm_crew.config.loader import load_config
from crm_crew.pipeline.routing import tasks_done_in_code
from crm_crew.testing.configs import with_crew_v1

CONFIG = Path(__file__).resolve().parents[2] / "config"


def _older_config(tmp_path: Path) -> Path:
    conf = tmp_path / "conf"
    shutil.copytree(CONFIG, conf)
    return with_crew_v1(conf)


def test_the_shipped_tasks_name_no_agent_so_nothing_is_skipped() -> None:
    assert tasks_done_in_code(load_config(CONFIG)) == frozenset()


def test_screening_review_and_matching_tasks_of_an_older_tasks_yaml_are_done_in_code(tmp_path: Path) -> None:
    assert tasks_done_in_code(load_config(_older_config(tmp_path))) == {"screen_interaction", "match_contact"}


def test_a_task_whose_agent_gets_a_judgement_tool_stays_with_the_crew(tmp_path: Path) -> None:
    conf = _older_config(tmp_path)
    agents = conf / "agents.yaml"
    agents.write_text(agents.read_text().replace(
        "tools: [read_interaction, extract_signature, find_contact, get_contact_history]",
        "tools: [read_interaction, extract_signature, find_contact, get_contact_history, score_sentiment]"))
    assert tasks_done_in_code(load_config(conf)) == {"screen_interaction"}
