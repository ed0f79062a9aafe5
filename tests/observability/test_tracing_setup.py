"""Where spans go, and that tracing off costs no provider: crm_crew.observability.tracing's setup."""

from __future__ import annotations

import pytest

from crm_crew.config.models import TracingSettings
from crm_crew.observability import tracing


@pytest.fixture(autouse=True)
def no_otel_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (tracing.ENDPOINT_ENV, tracing.TRACES_ENDPOINT_ENV):
        monkeypatch.delenv(name, raising=False)


def test_the_config_names_a_base_url_and_beats_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(tracing.ENDPOINT_ENV, "http://env-collector:4318")
    assert tracing.traces_endpoint("http://collector:4318/") == "http://collector:4318/v1/traces"
    assert tracing.traces_endpoint("https://cloud.langfuse.com/api/public/otel") == \
        "https://cloud.langfuse.com/api/public/otel/v1/traces"
    assert tracing.traces_endpoint("http://phoenix:6006/v1/traces") == "http://phoenix:6006/v1/traces"
    assert tracing.traces_endpoint(None) == "http://env-collector:4318/v1/traces"


def test_the_traces_variable_is_a_full_url_used_as_is(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(tracing.ENDPOINT_ENV, "http://env-collector:4318")
    monkeypatch.setenv(tracing.TRACES_ENDPOINT_ENV, "http://tempo:4318/otlp/traces")
    assert tracing.traces_endpoint(None) == "http://tempo:4318/otlp/traces"


def test_without_an_endpoint_tracing_is_off_and_every_helper_is_a_no_op() -> None:
    assert tracing.configure(TracingSettings(otlp_endpoint=None, include_content=True)) is False
    assert not tracing.enabled() and not tracing.include_content()
    assert tracing.span("x") is tracing.span("y")          # one shared no-op context manager
    with tracing.span("invoke_workflow crm-crew", {"crm_crew.run_id": "r"}) as span:
        span.set_attribute("crm_crew.status", "processed")
        tracing.content(span, "crm_crew.subject", "Hello")
    assert span is tracing.OFF and tracing.start_span("chat x") is tracing.OFF
    assert tracing.traceparent() is None
    tracing.event("retry")
    tracing.flush()


def test_an_interaction_id_that_could_hold_an_address_is_shown_as_its_digest() -> None:
    from crm_crew.observability.tracing_names import interaction_ref

    assert interaction_ref("msg-002") == "msg-002"
    shown = interaction_ref("<CAF.jane.doe@acme-corp.com>")
    assert shown.startswith("sha256:") and len(shown) == 23 and "@" not in shown
    assert shown == interaction_ref("<CAF.jane.doe@acme-corp.com>")
