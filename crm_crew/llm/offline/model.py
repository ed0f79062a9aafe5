"""The offline model as a CrewAI LLM (imports crewai: keep it off the CLI's fast paths)."""

from __future__ import annotations

from typing import Any

from crewai.events.types.llm_events import LLMCallType
from crewai.llms.base_llm import BaseLLM, llm_call_context
from pydantic import PrivateAttr

from crm_crew.llm.offline.policy import decide
from crm_crew.llm.offline.transcript import read_transcript


def estimate_tokens(text: str) -> int:
    """About four characters a token, as most tokenizers average on English text."""
    return max(1, (len(text) + 3) // 4)


def _prompt_text(messages: Any) -> str:
    if isinstance(messages, str):
        return messages
    return "\n".join(str(m.get("content") or "") for m in messages)


class OfflineLLM(BaseLLM):
    """Deterministic policy over the ReAct protocol; reports LLM events like any model."""

    llm_type: str = "offline"
    model: str = "offline"
    provider: str = "offline"
    _settings: Any = PrivateAttr(default=None)

    def bind(self, settings: Any) -> "OfflineLLM":
        self._settings = settings
        return self

    def call(
        self,
        messages: Any,
        tools: Any = None,
        callbacks: Any = None,
        available_functions: Any = None,
        from_task: Any = None,
        from_agent: Any = None,
        response_model: Any = None,
    ) -> str:
        with llm_call_context():
            self._emit_call_started_event(messages=messages, tools=tools, from_task=from_task, from_agent=from_agent)
            answer = decide(read_transcript(messages), self._settings)
            usage = {"prompt_tokens": estimate_tokens(_prompt_text(messages)),
                     "completion_tokens": estimate_tokens(answer)}
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            self._track_token_usage_internal(usage)
            self._emit_call_completed_event(response=answer, call_type=LLMCallType.LLM_CALL, from_task=from_task,
                                            from_agent=from_agent, messages=messages, usage=usage)
            return answer

    def supports_function_calling(self) -> bool:
        return False

    def supports_stop_words(self) -> bool:
        return True

    def get_input_tokens_count(self, messages: Any, tools: Any = None, response_model: Any = None) -> int:
        return estimate_tokens(_prompt_text(messages))

    def get_context_window_size(self) -> int:
        return 200_000


def make_offline_llm(model: str, settings: Any) -> OfflineLLM:
    return OfflineLLM(model="offline", provider="offline").bind(settings)
