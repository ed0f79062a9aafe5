"""The offline model as a CrewAI LLM (imports crewai: keep it off the CLI's fast paths)."""

from __future__ import annotations

from typing import Any

from crewai.events.types.llm_events import LLMCallType
from crewai.llms.base_llm import BaseLLM, llm_call_context
from pydantic import PrivateAttr

from crm_crew.llm.lean_protocol import LEAN_MARKER
from crm_crew.llm.offline.lean import answer_lean
from crm_crew.llm.offline.policy import decide
from crm_crew.llm.offline.transcript import read_transcript
from crm_crew.observability import tracing
from crm_crew.observability.tracing_crewai import agent_scope
from crm_crew.observability.tracing_names import chat_attributes, usage_attributes


def estimate_tokens(text: str) -> int:
    """About four characters a token, as most tokenizers average on English text."""
    return max(1, (len(text) + 3) // 4)


def _prompt_text(messages: Any) -> str:
    if isinstance(messages, str):
        return messages
    return "\n".join(str(m.get("content") or "") for m in messages)


def _lean_request(messages: Any) -> str | None:
    """The case message of a lean-route request, or None for a crew conversation."""
    if isinstance(messages, str) or not messages:
        return None
    if messages[0].get("role") == "system" and LEAN_MARKER in str(messages[0].get("content") or ""):
        case: dict[str, Any] = next((m for m in messages if m.get("role") == "user"), {})   # a repair follows
        return str(case.get("content") or "")
    return None


class OfflineLLM(BaseLLM):
    """Deterministic policy over the ReAct protocol; reports LLM events like any model."""

    llm_type: str = "offline"
    model: str = "offline"
    provider: str = "offline"
    _settings: Any = PrivateAttr(default=None)
    _meter: Any = PrivateAttr(default=None)

    def bind(self, settings: Any, meter: Any = None) -> "OfflineLLM":
        self._settings = settings
        self._meter = meter
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
        with llm_call_context(), agent_scope(from_agent, from_task), \
                tracing.span("chat offline", chat_attributes("offline", "offline")) as chat:
            self._emit_call_started_event(messages=messages, tools=tools, from_task=from_task, from_agent=from_agent)
            lean = _lean_request(messages)
            if lean is not None:
                answer = answer_lean(lean, self._settings)
            else:
                answer = decide(read_transcript(messages), self._settings)
            usage = {"prompt_tokens": estimate_tokens(_prompt_text(messages)),
                     "completion_tokens": estimate_tokens(answer)}
            usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
            self._track_token_usage_internal(usage)
            chat.set_attributes(usage_attributes({"input_tokens": usage["prompt_tokens"],
                                                  "output_tokens": usage["completion_tokens"]}))
            if self._meter is not None:
                self._meter.add("offline", calls=1, input_tokens=usage["prompt_tokens"],
                                output_tokens=usage["completion_tokens"])
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


def make_offline_llm(model: str, settings: Any, meter: Any = None, home: Any = None) -> OfflineLLM:
    return OfflineLLM(model="offline", provider="offline").bind(settings, meter)
