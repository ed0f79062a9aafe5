"""The fake Anthropic Messages API, driven by the real `anthropic` SDK over loopback HTTP."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import anthropic
import httpx
import pytest

from crm_crew.testing.anthropic_api import FakeAnthropic
from crm_crew.testing.anthropic_policies import (
    Reply,
    ScriptedPolicy,
    count_input_tokens,
    fixed_policy,
    tool_then_text_policy,
)

MODEL = "claude-fake-1"
HELLO: list[Any] = [{"role": "user", "content": "Hello, Claude"}]
TOOLS: list[Any] = [{"name": "lookup_contact", "description": "Find a contact by email.",
          "input_schema": {"type": "object", "properties": {"email": {"type": "string"}}}},
         {"name": "create_task", "description": "Create a task.", "input_schema": {"type": "object"}}]


@pytest.fixture
def server() -> Iterator[FakeAnthropic]:
    with FakeAnthropic() as fake:
        yield fake


def raw_post(server: FakeAnthropic, body: Any, headers: dict[str, str] | None = None) -> httpx.Response:
    base = {"x-api-key": server.api_key, "anthropic-version": "2023-06-01"}
    return httpx.post(f"{server.url}/v1/messages", json=body, headers={**base, **(headers or {})})


def test_text_answer_and_usage_match_count_tokens(server: FakeAnthropic) -> None:
    client = server.client()
    message = client.messages.create(model=MODEL, max_tokens=200, messages=HELLO, system="Be brief.")
    assert message.type == "message" and message.role == "assistant" and message.model == MODEL
    assert message.id.startswith("msg_")
    assert [b.type for b in message.content] == ["text"]
    assert message.content[0].text == "Echo: Hello, Claude"           # type: ignore[union-attr]
    assert message.stop_reason == "end_turn" and message.stop_sequence is None
    counted = client.messages.count_tokens(model=MODEL, messages=HELLO, system="Be brief.")
    assert message.usage.input_tokens == counted.input_tokens == count_input_tokens(
        {"messages": HELLO, "system": "Be brief."})
    assert message.usage.output_tokens >= 1
    assert message.usage.cache_read_input_tokens == 0 and message.usage.cache_creation_input_tokens == 0
    stats = server.stats()
    assert stats["requests"] == 1 and stats["count_tokens_requests"] == 1
    assert stats["per_model"][MODEL]["input_tokens"] == message.usage.input_tokens


def test_tool_use_then_text(server: FakeAnthropic) -> None:
    server.set_policy(tool_then_text_policy)
    client = server.client()
    first = client.messages.create(model=MODEL, max_tokens=200, messages=HELLO, tools=TOOLS)
    assert first.stop_reason == "tool_use"
    (call,) = first.content
    assert call.type == "tool_use" and call.name == "lookup_contact" and call.id.startswith("toolu_")
    assert call.input == {}
    messages = [*HELLO, {"role": "assistant", "content": [call.model_dump()]},
                {"role": "user", "content": [{"type": "tool_result", "tool_use_id": call.id,
                                              "content": "jane@example.com"}]}]
    second = client.messages.create(model=MODEL, max_tokens=200, messages=messages, tools=TOOLS)
    assert second.stop_reason == "end_turn"
    assert second.content[0].text == "Final answer: jane@example.com"  # type: ignore[union-attr]
    # the real API rejects a tool_result that answers no tool_use of the previous message
    bad = [*messages[:2], {"role": "user", "content": [{"type": "tool_result", "tool_use_id": "toolu_nope"}]}]
    with pytest.raises(anthropic.BadRequestError, match="tool_use_id"):
        client.messages.create(model=MODEL, max_tokens=200, messages=bad, tools=TOOLS)


def test_policy_may_only_call_declared_tools(server: FakeAnthropic) -> None:
    server.set_policy(fixed_policy("x"))
    server.set_policy(lambda request: Reply(tool_calls=[("not_declared", {})]))
    with pytest.raises(anthropic.InternalServerError) as caught:
        server.client().messages.create(model=MODEL, max_tokens=50, messages=HELLO, tools=TOOLS)
    assert caught.value.status_code == 500 and "not_declared" in str(caught.value)


def test_stop_sequences_and_max_tokens(server: FakeAnthropic) -> None:
    server.set_policy(fixed_policy("Thought: look it up\nObservation: found it\nFinal Answer: done"))
    client = server.client()
    stopped = client.messages.create(model=MODEL, max_tokens=200, messages=HELLO,
                                     stop_sequences=["\nObservation:", "Final"])
    assert stopped.stop_reason == "stop_sequence" and stopped.stop_sequence == "\nObservation:"
    assert stopped.content[0].text == "Thought: look it up"            # type: ignore[union-attr]
    cut = client.messages.create(model=MODEL, max_tokens=3, messages=HELLO)
    assert cut.stop_reason == "max_tokens" and cut.usage.output_tokens <= 3
    assert cut.content[0].text == "Thought: loo"                        # type: ignore[union-attr]


def test_errors_have_the_real_shapes(server: FakeAnthropic) -> None:
    wrong = anthropic.Anthropic(api_key="sk-ant-wrong", base_url=server.url, max_retries=0)
    with pytest.raises(anthropic.AuthenticationError) as auth:
        wrong.messages.create(model=MODEL, max_tokens=10, messages=HELLO)
    assert auth.value.status_code == 401
    assert auth.value.body["type"] == "error"                            # type: ignore[index]
    assert auth.value.body["error"]["type"] == "authentication_error"  # type: ignore[index]
    assert auth.value.request_id and auth.value.request_id.startswith("req_")
    client = server.client()
    with pytest.raises(anthropic.BadRequestError) as bad:
        client.post("/v1/messages", cast_to=httpx.Response, body={"model": MODEL, "messages": HELLO})
    assert bad.value.body["error"] == {"type": "invalid_request_error",  # type: ignore[index]
                                       "message": "max_tokens: Field required"}
    same_role = [*HELLO, {"role": "user", "content": "again"}]
    with pytest.raises(anthropic.BadRequestError, match="alternate"):
        client.messages.create(model=MODEL, max_tokens=10, messages=same_role)
    with pytest.raises(anthropic.BadRequestError, match="at least one message"):
        client.messages.create(model=MODEL, max_tokens=10, messages=[])
    no_version = httpx.post(f"{server.url}/v1/messages", headers={"x-api-key": server.api_key},
                            json={"model": MODEL, "max_tokens": 5, "messages": HELLO})
    assert no_version.status_code == 400 and "anthropic-version" in no_version.json()["error"]["message"]
    assert server.stats()["errors"] == {"401": 1, "400": 4}


def test_rate_limit_rolling_window(server: FakeAnthropic) -> None:
    server.set_limits(rpm=5)
    client = server.client()
    remaining = []
    for _ in range(5):
        raw = client.messages.with_raw_response.create(model=MODEL, max_tokens=10, messages=HELLO)
        remaining.append(int(raw.headers["anthropic-ratelimit-requests-remaining"]))
        assert raw.headers["anthropic-ratelimit-requests-limit"] == "5"
        assert raw.headers["anthropic-ratelimit-requests-reset"].endswith("Z")
        assert int(raw.headers["anthropic-ratelimit-input-tokens-remaining"]) > 0
        assert "anthropic-ratelimit-output-tokens-limit" in raw.headers and raw.headers["request-id"]
    assert remaining == [4, 3, 2, 1, 0]
    client.messages.count_tokens(model=MODEL, messages=HELLO)           # has its own limits: not counted
    with pytest.raises(anthropic.RateLimitError) as caught:
        client.messages.create(model=MODEL, max_tokens=10, messages=HELLO)
    assert 1 <= int(caught.value.response.headers["retry-after"]) <= 60
    assert caught.value.body["error"]["type"] == "rate_limit_error"     # type: ignore[index]
    assert server.stats()["rate_limited"] == 1 and server.stats()["requests"] == 5
    server.set_limits(itpm=10)                                           # one request is already over it
    with pytest.raises(anthropic.RateLimitError, match="input tokens"):
        client.messages.create(model=MODEL, max_tokens=10, messages=HELLO)


def test_injected_faults(server: FakeAnthropic) -> None:
    client = server.client()
    server.inject("overloaded")
    with pytest.raises(anthropic.APIStatusError) as overloaded:           # SDK 0.73: OverloadedError
        client.messages.create(model=MODEL, max_tokens=10, messages=HELLO)
    assert overloaded.value.status_code == 529
    assert overloaded.value.body["error"] == {"type": "overloaded_error", "message": "Overloaded"}  # type: ignore[index]
    server.inject("api_error")
    with pytest.raises(anthropic.InternalServerError) as internal:
        client.messages.create(model=MODEL, max_tokens=10, messages=HELLO)
    assert internal.value.status_code == 500
    server.inject("rate_limit", retry_after_s=7)
    with pytest.raises(anthropic.RateLimitError) as limited:
        client.messages.create(model=MODEL, max_tokens=10, messages=HELLO)
    assert limited.value.response.headers["retry-after"] == "7"
    assert client.messages.create(model=MODEL, max_tokens=10, messages=HELLO).stop_reason == "end_turn"
    # with retries the SDK gets through a 529 (a short retry-after keeps it fast)
    server.faults.schedule(529, 1, "POST", "/v1/messages", retry_after_s=0.01)
    retrying = server.client(max_retries=2)
    assert retrying.messages.create(model=MODEL, max_tokens=10, messages=HELLO).content


def test_injected_timeout(server: FakeAnthropic) -> None:
    server.configure_faults(timeout_s=3.0)
    server.inject("timeout")
    started = time.monotonic()
    with pytest.raises(anthropic.APITimeoutError):
        server.client(timeout=0.2).messages.create(model=MODEL, max_tokens=10, messages=HELLO)
    assert time.monotonic() - started < 2.0


def test_random_faults_are_seeded() -> None:
    def run() -> list[int]:
        with FakeAnthropic(seed=7) as fake:
            fake.configure_faults(rate_429=0.2, rate_529=0.2, rate_5xx=0.1, retry_after_s=0)
            client = fake.client()
            statuses = []
            for _ in range(20):
                try:
                    client.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
                    statuses.append(200)
                except anthropic.APIStatusError as exc:
                    statuses.append(exc.status_code)
            return statuses

    first = run()
    assert first == run() and {429, 529, 200} <= set(first)


def test_latency_overlaps_across_threads() -> None:
    with FakeAnthropic(latency_s=0.3) as fake:
        client = fake.client()
        errors: list[BaseException] = []

        def one() -> None:
            try:
                client.messages.create(model=MODEL, max_tokens=5, messages=HELLO)
            except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
                errors.append(exc)

        threads = [threading.Thread(target=one) for _ in range(4)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
    assert not errors and 0.3 <= elapsed < 1.0


def test_scripted_policy_streaming_and_admin(server: FakeAnthropic) -> None:
    server.set_policy(ScriptedPolicy(["first answer", Reply(text="then this, repeated")]))
    client = server.client()
    assert client.messages.create(model=MODEL, max_tokens=50, messages=HELLO).content[0].text == "first answer"  # type: ignore[union-attr]
    with client.messages.stream(model=MODEL, max_tokens=50, messages=HELLO) as stream:
        streamed = "".join(stream.text_stream)
        final = stream.get_final_message()
    assert streamed == "then this, repeated" and final.stop_reason == "end_turn"
    assert final.usage.input_tokens == count_input_tokens({"messages": HELLO})
    request = urllib.request.Request(f"{server.url}/_emulator/limits", data=json.dumps({"rpm": 2}).encode(),
                                     method="POST")
    urllib.request.urlopen(request).close()
    with urllib.request.urlopen(f"{server.url}/_emulator/stats") as response:
        assert json.load(response)["requests"] == 2
    assert server.limits["rpm"] == 2
    assert [c["status"] for c in server.calls] == [200, 200]
    assert server.connection()["env"]["ANTHROPIC_BASE_URL"] == server.url
