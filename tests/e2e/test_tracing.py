"""OpenTelemetry traces of real `crm-crew` processes, received by the tests' own OTLP/HTTP receiver on loopback
(crm_crew/testing/otlp_receiver.py decodes each ExportTraceServiceRequest with opentelemetry-proto).

A run on "Claude" (the fake Messages API) with routing on sends lean and full-crew interactions: the span tree,
the GenAI attributes, the tokens against the journal, and no address or message text anywhere. A queued run
(`run --queue` + `worker --burst` on the tests' Redis) shows the worker continuing the run's trace."""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from crm_crew.config.loader import load_config
from crm_crew.testing.anthropic_api import FakeAnthropic
from crm_crew.testing.crew_policy import crew_policy
from crm_crew.testing.otlp_receiver import ReceivedSpan, otlp_receiver
from tests.e2e.backends import Backend
from tests.e2e.claude_env import CLAUDE, make_config, write_inbox
from tests.e2e.clihelp import CONFIG, SAMPLES, cli, cli_process, read_jsonl
from tests.e2e.killing import spawn
from tests.e2e.test_rq_runner import ended, queue_url, wait_queued
from tests.servers_fixtures import redis_url  # noqa: F401  (session fixture)

pytestmark = pytest.mark.slow(seconds=18)     # the whole file: one traced run on "Claude", one queued run

# complaint + case (full crew), quote + task + lead status (lean), critical + case + task
PICKED = ("msg-002", "msg-004", "msg-010")
SECRET = "s3cret-otlp-token"


class Tree:
    def __init__(self, spans: list[ReceivedSpan]) -> None:
        self.spans = spans
        self.by_id = {s.span_id: s for s in spans}

    def named(self, prefix: str) -> list[ReceivedSpan]:
        return [s for s in self.spans if s.name.startswith(prefix)]

    def ancestors(self, span: ReceivedSpan) -> list[ReceivedSpan]:
        found = []
        while span.parent_id in self.by_id:
            span = self.by_id[span.parent_id]
            found.append(span)
        return found

    def under(self, root: ReceivedSpan, prefix: str) -> list[ReceivedSpan]:
        return [s for s in self.named(prefix) if root in self.ancestors(s)]


def strings(span: ReceivedSpan) -> Iterator[str]:
    yield span.name
    for attributes in [span.attributes, *(attrs for _, attrs in span.events)]:
        for value in attributes.values():
            for item in value if isinstance(value, list) else [value]:
                if isinstance(item, str):
                    yield item


def assert_no_pii(spans: list[ReceivedSpan], inbox: list[dict[str, Any]]) -> None:
    names = {re.sub(r"\s*<.*", "", m["from"]).strip() for m in inbox}
    texts = [f"{m.get('subject', '')}\n{m['body']}" for m in inbox]
    for span in spans:
        for value in strings(span):
            assert "@" not in value, f"an address in span {span.name}"
            assert not any(name and name in value for name in names), f"a sender's name in span {span.name}"
            assert not (len(value) >= 16 and any(value in text for text in texts)), \
                f"message text in span {span.name}: {value!r}"


def int_sum(spans: list[ReceivedSpan], key: str) -> int:
    return sum(int(s.attributes.get(key, 0)) for s in spans)


@pytest.fixture(scope="module")
def claude_run(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    tmp = tmp_path_factory.mktemp("traced")
    inbox = write_inbox(tmp, PICKED)
    with FakeAnthropic(policy=crew_policy(load_config(CONFIG).settings)) as fake, otlp_receiver() as (url, got):
        config = make_config(tmp / "config", fake.url, routing=True)
        home = tmp / "home"
        assert cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home).code == 0
        out = tmp / "results.jsonl"
        env = {"ANTHROPIC_API_KEY": fake.api_key, "OTEL_EXPORTER_OTLP_ENDPOINT": url,
               "OTEL_EXPORTER_OTLP_HEADERS": f"authorization=Bearer {SECRET}"}
        result = cli_process("run", str(inbox), "--apply", "--out", str(out), "--json", "-c", str(config),
                             "--llm", CLAUDE, home=home, env=env)
        assert result.code == 0, result.err
        yield {"spans": list(got.spans), "headers": list(got.headers), "records": read_jsonl(out),
               "summary": json.loads(result.out), "output": result.out + result.err,
               "inbox": read_jsonl(inbox)}


def test_a_run_is_one_trace_whose_tree_follows_the_genai_conventions(claude_run: dict[str, Any]) -> None:
    tree = Tree(claude_run["spans"])
    records = {r["interaction_id"]: r for r in claude_run["records"]}
    assert {r["route"] for r in records.values()} == {"lean", "full"}
    assert len({s.trace_id for s in tree.spans}) == 1
    assert {s.service for s in tree.spans} == {"crm-crew"}
    roots = [s for s in tree.spans if not s.parent_id]
    assert [r.name for r in roots] == ["run crm-crew"]
    assert all(s.parent_id in tree.by_id for s in tree.spans if s.parent_id), "a span whose parent never came"
    assert roots[0].attributes["crm_crew.run_id"] == claude_run["summary"]["run_id"]

    workflows = [s for s in tree.named("invoke_workflow ") if s.attributes.get("gen_ai.workflow.name") == "crm-crew"]
    assert sorted(w.attributes["crm_crew.interaction_id"] for w in workflows) == sorted(records)
    for workflow in workflows:
        record = records[workflow.attributes["crm_crew.interaction_id"]]
        assert workflow.parent_id == roots[0].span_id
        assert workflow.attributes["gen_ai.operation.name"] == "invoke_workflow"
        for key in ("route", "status", "intent"):
            assert workflow.attributes[f"crm_crew.{key}"] == record[key]
        chats = tree.under(workflow, "chat ")
        assert chats, f"no model request under {record['interaction_id']}"
        for chat in chats:
            assert chat.name == "chat claude-haiku-4-5"
            assert chat.attributes["gen_ai.operation.name"] == "chat"
            assert chat.attributes["gen_ai.provider.name"] == "anthropic"
            assert chat.attributes["gen_ai.request.model"] == "claude-haiku-4-5"
            assert any(a.name.startswith("invoke_agent ") for a in tree.ancestors(chat))
        # the spans' tokens are the journal's, to the token
        assert int_sum(chats, "gen_ai.usage.input_tokens") == record["llm"]["input_tokens"] > 0
        assert int_sum(chats, "gen_ai.usage.output_tokens") == record["llm"]["output_tokens"] > 0
        assert workflow.attributes["gen_ai.usage.input_tokens"] == record["llm"]["input_tokens"]
        assert all("gen_ai.usage.cache_read.input_tokens" in c.attributes for c in chats)
        assert tree.under(workflow, "crm find_contact_by_email contact")
        applies = tree.under(workflow, "apply ")
        assert sorted(a.attributes["crm_crew.action.type"] for a in applies) == \
            sorted(a["type"] for a in record["actions"] if a["status"] == "applied")
        assert all(tree.under(a, "crm create ") or tree.under(a, "crm update ") for a in applies)
        if record["route"] == "full":         # the crew's agents and tools, from crewai's event bus
            agents = tree.under(workflow, "invoke_agent ")
            assert {"invoke_agent coordinator", "invoke_agent communication"} <= {a.name for a in agents}
            assert all(a.attributes["gen_ai.operation.name"] == "invoke_agent" for a in agents)
            tools = tree.under(workflow, "execute_tool ")
            assert any(tree.by_id[t.parent_id] in agents for t in tools)
            assert all(t.attributes["gen_ai.tool.name"] == t.name.split(" ", 1)[1] for t in tools)


def test_no_address_or_message_text_leaves_in_a_span_and_the_headers_stay_secret(claude_run: dict[str, Any]) -> None:
    assert_no_pii(claude_run["spans"], claude_run["inbox"])
    assert all(h.get("authorization") == f"Bearer {SECRET}" for h in claude_run["headers"])
    assert all(h.get("content-type") == "application/x-protobuf" for h in claude_run["headers"])
    assert SECRET not in claude_run["output"]


def test_a_queued_run_continues_its_trace_on_the_worker(tmp_path: Path, redis_url: str) -> None:  # noqa: F811
    url = queue_url(redis_url, 15)
    inbox = write_inbox(tmp_path, PICKED[:2])
    config = tmp_path / "config"
    with otlp_receiver() as (endpoint, got):
        make_config(config, "http://127.0.0.1:9")          # the offline model: no API is called
        settings_path = config / "crm-crew.yaml"
        settings = yaml.safe_load(settings_path.read_text(encoding="utf-8"))
        settings["tracing"] = {"otlp_endpoint": endpoint, "include_content": True}
        settings_path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
        backend = Backend("local", tmp_path / "home", {"CRM_CREW_CONFIG": str(config)})
        assert backend.cli("crm", "import", str(SAMPLES / "contacts.csv")).code == 0
        run = spawn(backend, "run", str(inbox), "--queue", url, "--llm", "offline", "--run-id", "traced", "--json")
        wait_queued(url, 2)
        worker = spawn(backend, "worker", "--queue", url, "--burst")
        code, _, err = ended(worker)
        assert code == 0, err
        code, out, err = ended(run)
        assert code == 0, err
        spans = list(got.spans)
    tree = Tree(spans)
    root = next(s for s in spans if s.name == "run crm-crew")
    assert len({s.trace_id for s in spans}) == 1
    workflows = [s for s in tree.named("invoke_workflow ") if s.attributes.get("gen_ai.workflow.name") == "crm-crew"]
    assert len(workflows) == 2 and all(w.parent_id == root.span_id for w in workflows)   # made by the worker
    assert Counter(c.attributes["gen_ai.provider.name"] for c in tree.named("chat ")).keys() == {"offline"}
    shown = backend.cli("show", "traced", "--json").json()
    subjects = {r["interaction_id"]: r["subject"] for r in shown["results"]}
    assert {w.attributes["crm_crew.interaction_id"]: w.attributes["crm_crew.subject"] for w in workflows} == subjects
    assert all("@" not in value for s in spans for value in strings(s))
