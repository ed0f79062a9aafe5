"""Claude through crewai's native Anthropic provider, every request through the process's GovernedTransport
(rate limiter, retries, circuit breaker, response cache, metering); the SDK's own retries are off."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import httpx
from crewai.llms import retry as crewai_retry
from crewai.llms.providers.anthropic.completion import AnthropicCompletion
from pydantic import Field

from crm_crew.llm.api_keys import anthropic_api_key
from crm_crew.llm.governors import governor_for
from crm_crew.llm.meter import Meter
from crm_crew.llm.transport import AsyncGovernedTransport, GovernedTransport
from crm_crew.observability.tracing_crewai import agent_scope


class GovernedAnthropic(AnthropicCompletion):
    """crewai's Anthropic provider whose sync and async clients both go through one GovernedTransport."""

    governed_transport: Any = Field(default=None, exclude=True)

    # crewai wraps call/acall in its own 429 retries; the transport is the one retry policy, so they run with
    # crewai's "a retry is already under way" flag set, which makes its wrapper call straight through.
    def call(self, *args: Any, **kwargs: Any) -> Any:
        token = crewai_retry._active_llm_rate_limit_retry.set(True)
        try:
            with agent_scope(kwargs.get("from_agent"), kwargs.get("from_task")):
                return super().call(*args, **kwargs)
        finally:
            crewai_retry._active_llm_rate_limit_retry.reset(token)

    async def acall(self, *args: Any, **kwargs: Any) -> Any:
        token = crewai_retry._active_llm_rate_limit_retry.set(True)
        try:
            with agent_scope(kwargs.get("from_agent"), kwargs.get("from_task")):
                return await super().acall(*args, **kwargs)
        finally:
            crewai_retry._active_llm_rate_limit_retry.reset(token)

    call._crewai_rate_limit_wrapped = True  # type: ignore[attr-defined]
    acall._crewai_rate_limit_wrapped = True  # type: ignore[attr-defined]

    def get_input_tokens_count(self, messages: Any, tools: Any = None, response_model: Any = None) -> int:
        """A local estimate (ceil(chars / 4) of the JSON of messages + tools): no count_tokens request."""
        text = json.dumps({"messages": messages, "tools": tools}, default=str, ensure_ascii=False)
        return math.ceil(len(text) / 4)

    def batch_params(self, messages: list[dict[str, str]]) -> dict[str, Any]:
        """The Messages API params `call(messages)` would send, for a Message Batch request (no streaming)."""
        formatted, system = self._format_messages_for_anthropic(messages)   # crewai's own request building
        params = self._prepare_completion_params(formatted, system)
        params.pop("stream", None)
        return params

    def _build_async_client(self) -> Any:
        from anthropic import AsyncAnthropic

        params = self._get_client_params(include_http_client=False)
        if self.governed_transport is None:
            params.pop("http_client", None)
        else:
            params["http_client"] = httpx.AsyncClient(transport=AsyncGovernedTransport(self.governed_transport),
                                                      timeout=self.timeout)
        return AsyncAnthropic(**params)


def make_anthropic_llm(model: str, settings: Any, meter: Meter | None = None, home: Path | None = None) -> Any:
    """`model` is "anthropic/<name>"; usage goes to `meter`, cached answers to home / llm-cache.sqlite."""
    cfg = settings.llm.anthropic
    transport = GovernedTransport(governor_for(settings, home), meter if meter is not None else Meter())
    return GovernedAnthropic(
        model=model.partition("/")[2] or model, provider="anthropic", api_key=anthropic_api_key(settings),
        base_url=cfg.base_url, timeout=cfg.timeout_s, max_retries=0, governed_transport=transport,
        client_params={"http_client": httpx.Client(transport=transport, timeout=cfg.timeout_s)})
