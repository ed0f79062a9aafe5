"""The offline model as a CrewAI LLM (crm_crew.llm.offline.model). Imports crewai (~3 s): keep it here."""

from __future__ import annotations

import pytest

pytest.importorskip("crewai")

from crm_crew.llm.offline.model import OfflineLLM, estimate_tokens, make_offline_llm  # noqa: E402
from crm_crew.llm.offline.policy import decide  # noqa: E402
from crm_crew.llm.offline.transcript import read_transcript  # noqa: E402
from tests.unit_fixtures import (  # noqa: E402
    assistant_call,
    manager_system_message,
    shipped_settings,
    system_message,
    user_message,
)

S = shipped_settings()


def worker_messages() -> list[dict[str, str]]:
    return [system_message("Security Officer", ["get_screening_report"]),
            user_message("Review the security screening report for interaction msg-001.")]


def test_estimate_tokens() -> None:
    assert estimate_tokens("") == 1
    assert estimate_tokens("abcd") == 1
    assert estimate_tokens("abcde") == 2
    assert estimate_tokens("x" * 400) == 100


def test_call_returns_the_policys_next_step() -> None:
    llm = OfflineLLM(model="offline").bind(S)
    messages = worker_messages()
    answer = llm.call(messages)
    assert answer == decide(read_transcript(messages), S)
    assert answer == 'Thought: next, get_screening_report.\nAction: get_screening_report\nAction Input: {}'


def test_call_finishes_once_the_playbook_is_done() -> None:
    llm = OfflineLLM(model="offline").bind(S)
    messages = worker_messages() + [assistant_call("get_screening_report", {}, {"safe_to_process": True})]
    answer = llm.call(messages)
    assert answer.startswith("Thought: I now know the final answer\nFinal Answer: ")
    assert '"safe_to_process": true' in answer


def test_call_as_manager_delegates() -> None:
    llm = make_offline_llm("offline", S)
    answer = llm.call([manager_system_message("Data Steward"), user_message("Identify the sender.")])
    assert "Action: delegate_work_to_coworker" in answer and '"coworker": "Data Steward"' in answer


def test_usage_is_counted_per_call() -> None:
    llm = OfflineLLM(model="offline").bind(S)
    assert llm.get_token_usage_summary().successful_requests == 0
    messages = worker_messages()
    prompt_chars = sum(len(m["content"]) for m in messages) + len(messages) - 1  # joined with newlines
    answer = llm.call(messages)

    usage = llm.get_token_usage_summary()
    assert usage.successful_requests == 1
    assert usage.prompt_tokens == (prompt_chars + 3) // 4
    assert abs(usage.prompt_tokens - prompt_chars / 4) < 1
    assert usage.completion_tokens == estimate_tokens(answer)
    assert usage.total_tokens == usage.prompt_tokens + usage.completion_tokens

    llm.call(messages)
    again = llm.get_token_usage_summary()
    assert again.successful_requests == 2
    assert again.prompt_tokens == 2 * usage.prompt_tokens


def test_a_plain_string_prompt_is_accepted() -> None:
    llm = OfflineLLM(model="offline").bind(S)
    prompt = user_message("Summarize the run.")["content"]
    assert llm.call(prompt) == "Thought: I now know the final answer\nFinal Answer: Nothing to do with my tools " \
                               "for this task."
    assert llm.get_token_usage_summary().prompt_tokens == estimate_tokens(prompt)
    assert llm.get_input_tokens_count(prompt) == estimate_tokens(prompt)


def test_capabilities() -> None:
    llm = make_offline_llm("anything", S)
    assert isinstance(llm, OfflineLLM)
    assert llm.model == "offline" and llm.llm_type == "offline"
    assert llm.supports_function_calling() is False
    assert llm.supports_stop_words() is True
    assert llm.get_context_window_size() == 200_000


def test_provider_is_offline() -> None:
    assert make_offline_llm("offline", S).provider == "offline"
