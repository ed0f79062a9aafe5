"""`crm-crew mcp serve` over stdio, driven by the mcp SDK's own client: tools, annotations, reads,
resources, triage_message as `run` sees it, propose_change held until `review approve`."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import anyio
import pytest

from tests.e2e.clihelp import cli, write_jsonl
from tests.mcp.mcp_helpers import CRM_CREW, MESSAGES, copy_home, error_text, payload, seed, server_env, stdio_session

pytestmark = pytest.mark.slow(seconds=30)

READ_ONLY = {"find_contact", "contact_history", "list_runs", "run_summary", "run_records", "review_queue",
             "review_item", "audit_verify"}
# what makes two records "the same" (ids, timings, usage and paths differ between runs)
SAME = ("status", "contact", "intent", "urgency", "sentiment", "confidence", "language", "reply", "escalation",
        "security", "route")


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed(tmp_path_factory.mktemp("mcp") / "home")


@pytest.fixture
def home(template: Path, tmp_path: Path) -> Path:
    return copy_home(template, tmp_path / "home")


def test_tools_annotations_reads_and_resources(home: Path) -> None:
    async def scenario() -> None:
        async with stdio_session(home) as session:
            tools = {t.name: t for t in (await session.list_tools()).tools}
            assert set(tools) == READ_ONLY | {"triage_message", "propose_change"}
            for name in READ_ONLY | {"triage_message"}:
                hints = tools[name].annotations
                assert hints and hints.readOnlyHint is True and hints.destructiveHint is False, name
                assert tools[name].description and tools[name].inputSchema["type"] == "object"
            propose = tools["propose_change"].annotations
            assert propose and propose.readOnlyHint is False and propose.destructiveHint is False
            assert set(tools["propose_change"].inputSchema["required"]) == {"action_type", "contact_email"}
            assert "request" not in tools["propose_change"].inputSchema["properties"]

            found = payload(await session.call_tool("find_contact", {"email": "Jane.Doe@acme-corp.com"}))
            assert found["found"] and found["match"] == "email"
            assert found["contact"]["phone"] == "[PHONE]"          # redacted as the journal redacts
            history = payload(await session.call_tool("contact_history", {"contact_id": found["contact"]["id"]}))
            assert history["contact"]["id"] == found["contact"]["id"] and history["activities"] == []
            runs = payload(await session.call_tool("list_runs", {}))["runs"]
            assert [r["run_id"] for r in runs] == ["r1"]
            summary = payload(await session.call_tool("run_summary", {"run_id": "r1"}))
            assert summary["summary"]["interactions"] == 3
            page = payload(await session.call_tool("run_records", {"run_id": "r1", "limit": 2}))
            assert (page["total"], len(page["records"]), page["next_offset"]) == (3, 2, 2)
            rest = payload(await session.call_tool("run_records", {"run_id": "r1", "offset": 2}))
            assert len(rest["records"]) == 1 and rest["next_offset"] is None
            assert "4111" not in json.dumps(rest)                  # msg-003's card number, redacted
            queue = payload(await session.call_tool("review_queue", {}))["items"]
            assert [i["interaction_id"] for i in queue] == ["msg-002"]
            item = payload(await session.call_tool("review_item", {"review_id": queue[0]["review_id"]}))
            assert item["review"]["interaction_id"] == "msg-002" and item["actions"]
            audit = payload(await session.call_tool("audit_verify", {}))
            assert audit["ok"] is True and audit["entries"] > 0

            missing = error_text(await session.call_tool("run_summary", {"run_id": "nope"}))
            assert "no run 'nope'" in missing and "Traceback" not in missing
            bad = await session.call_tool("run_records", {"run_id": "r1", "offset": -1})
            assert bad.isError

            report = (await session.read_resource("crm-crew://runs/r1/report")).contents[0]
            assert getattr(report, "text", "").startswith("# crm-crew run report: r1")
            shown = (await session.read_resource("crm-crew://runs/r1/summary")).contents[0]
            assert json.loads(getattr(shown, "text", ""))["run_id"] == "r1"
            review = (await session.read_resource(f"crm-crew://review/{queue[0]['review_id']}")).contents[0]
            assert json.loads(getattr(review, "text", ""))["review"]["review_id"] == queue[0]["review_id"]

    anyio.run(scenario)


def _crm(home: Path) -> dict[str, list[dict[str, object]]]:
    exported = cli("crm", "export", "--json", home=home)
    assert exported.code == 0, exported.err
    data: dict[str, list[dict[str, object]]] = exported.json()
    return data


def _reviews(home: Path) -> list[tuple[object, ...]]:
    listed = cli("review", "list", "--status", "all", "--json", home=home).json()
    return [(i["review_id"], i["run_id"], i["status"]) for i in listed]


def test_triage_message_is_the_run_record_and_writes_nothing(home: Path, tmp_path: Path) -> None:
    message = {**MESSAGES[1], "id": "mcp-triage-1"}          # the enterprise complaint: escalated, with actions
    before_crm, before_runs = _crm(home), cli("runs", "--json", home=home).json()
    before_reviews = _reviews(home)

    async def scenario() -> tuple[dict[str, object], dict[str, object]]:
        async with stdio_session(home) as session:
            fields = {"sender_email": "jane.doe@acme-corp.com", "sender_name": "Jane Doe",
                      "subject": message["subject"], "body": message["body"], "received_at": message["received_at"]}
            by_fields = payload(await session.call_tool("triage_message", fields))
            raw = (f"From: Jane Doe <jane.doe@acme-corp.com>\r\nTo: support@example.com\r\n"
                   f"Subject: {message['subject']}\r\nDate: Fri, 20 Nov 2026 08:30:00 +0000\r\n"
                   f"Message-ID: <triage-raw@example.com>\r\n\r\n{message['body']}\r\n")
            by_raw = payload(await session.call_tool("triage_message", {"raw": raw}))
            both = error_text(await session.call_tool("triage_message", {"raw": raw, "subject": "x"}))
            assert "not both" in both
            return by_fields, by_raw

    by_fields, by_raw = anyio.run(scenario)
    assert _crm(home) == before_crm
    assert cli("runs", "--json", home=home).json() == before_runs
    assert _reviews(home) == before_reviews

    other = copy_home(home, tmp_path / "other")
    inbox = write_jsonl(tmp_path / "one.jsonl", [message])
    assert cli("run", str(inbox), "--run-id", "same", "--json", home=other).code == 0
    ran = cli("show", "same", "--json", home=other).json()["results"][0]
    for triaged in (by_fields, by_raw):
        record = triaged["record"]
        assert isinstance(record, dict)
        assert {k: record.get(k) for k in SAME} == {k: ran.get(k) for k in SAME}
        strip = [{k: a[k] for k in ("type", "object", "fields", "status")} for a in ran["actions"]]
        assert [{k: a[k] for k in ("type", "object", "fields", "status")} for a in triaged["plan"]] == \
            [{**a, "fields": {**a["fields"], "interaction_id": record["interaction_id"]}}
             if "interaction_id" in a["fields"] else a for a in strip]
    assert by_fields["record"]["status"] == "escalated" and by_fields["plan"]


def test_propose_change_is_held_until_review_approve(home: Path) -> None:
    async def scenario() -> dict[str, object]:
        async with stdio_session(home) as session:
            held = payload(await session.call_tool("propose_change", {
                "action_type": "create_case", "contact_email": "priya.patel@initech.com",
                "subject": "Refund follow-up", "description": "Asked on the phone for the refund status.",
                "reason": "billing"}))
            refused = error_text(await session.call_tool("propose_change", {
                "action_type": "opt_out", "contact_email": "priya.patel@initech.com"}))
            assert "may not propose 'opt_out'" in refused and "mcp.propose" in refused
            unknown = error_text(await session.call_tool("propose_change", {
                "action_type": "create_case", "contact_email": "nobody@nowhere.example"}))
            assert "proposal refused" in unknown
            return held

    held = anyio.run(scenario)
    assert held["held"] is True
    listed = cli("review", "list", "--json", home=home).json()
    item = next(i for i in listed if i["review_id"] == held["review_id"])
    assert item["run_id"] == held["run_id"] and "proposed over MCP by MCP client 'mcp'" in item["reason"]
    assert _crm(home)["cases"] == []                       # nothing written before a human approves
    approved = cli("review", "approve", str(held["review_id"]), "--json", home=home)
    assert approved.code == 0, approved.err
    cases = _crm(home)["cases"]
    assert [c["subject"] for c in cases] == ["Refund follow-up"]
    assert cli("audit", "verify", home=home).code == 0


def test_a_permission_the_config_does_not_grant_is_refused(home: Path, tmp_path: Path) -> None:
    import shutil

    from tests.e2e.clihelp import CONFIG

    config = tmp_path / "config"
    shutil.copytree(CONFIG, config)
    text = (config / "crm-crew.yaml").read_text(encoding="utf-8")
    (config / "crm-crew.yaml").write_text(text.replace("propose: [log_activity, create_case, create_task]",
                                                       "propose: [log_activity]"), encoding="utf-8")

    async def scenario() -> str:
        async with stdio_session(home, "--config", str(config)) as session:
            return error_text(await session.call_tool("propose_change", {
                "action_type": "create_case", "contact_email": "priya.patel@initech.com", "subject": "x"}))

    refused = anyio.run(scenario)
    assert "may not propose 'create_case'" in refused and "log_activity" in refused
    assert cli("review", "list", "--json", home=home).json()[-1]["interaction_id"] == "msg-002"


def test_stdout_carries_protocol_only(home: Path) -> None:
    """Raw JSON-RPC over the pipe: even while crewai is imported for triage, every stdout line is a message."""
    calls = [
        {"jsonrpc": "2.0", "id": 1, "method": "initialize",
         "params": {"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}},
        {"jsonrpc": "2.0", "method": "notifications/initialized"},
        {"jsonrpc": "2.0", "id": 2, "method": "tools/call",
         "params": {"name": "triage_message", "arguments": {"sender_email": "mark.chen@globex.io",
                                                            "subject": "Login broken", "body": "Please help."}}},
    ]
    proc = subprocess.Popen([CRM_CREW, "mcp", "serve"], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                            stderr=subprocess.DEVNULL, text=True, env=server_env(home))
    assert proc.stdin is not None and proc.stdout is not None
    try:
        proc.stdin.write("".join(json.dumps(c) + "\n" for c in calls))
        proc.stdin.flush()
        lines = [json.loads(proc.stdout.readline()) for _ in range(2)]   # each line must be a JSON-RPC message
        proc.stdin.close()                                               # the client goes: the server stops
        assert proc.wait(timeout=30) == 0
        assert proc.stdout.read() == ""
    finally:
        proc.kill()
    assert [m.get("id") for m in lines] == [1, 2]
    assert lines[1]["result"]["isError"] is False
