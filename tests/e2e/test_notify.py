"""Escalation notices: a real `crm-crew run` of the sample inbox POSTs to a real HTTP server on loopback."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
import yaml

from crm_crew.testing.configs import write_config
from tests.e2e.clihelp import SAMPLES, cli, read_jsonl

VARIABLE = "CRM_CREW_TEST_WEBHOOK"
SAMPLE_PART = slice(5, 11)      # msg-006..msg-011 of the sample inbox: 4 escalations (medium, medium, high, critical)


class Webhook:
    """A webhook on a free loopback port that answers `failures` requests with 500, then 200 (-1: always 500)."""

    def __init__(self, failures: int) -> None:
        self.failures, self.bodies = failures, []   # type: tuple[int, list[Any]]
        hook = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's name
                body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
                hook.bodies.append(body)
                failing = hook.failures < 0 or len(hook.bodies) <= hook.failures
                self.send_response(500 if failing else 200)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks/secret-token"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def webhook(request: pytest.FixtureRequest) -> Iterator[Webhook]:
    hook = Webhook(getattr(request, "param", 1))
    yield hook
    hook.stop()


def notify_config(folder: Path, notify: dict[str, Any]) -> Path:
    write_config(folder, {})
    path = folder / "crm-crew.yaml"
    settings = yaml.safe_load(path.read_text(encoding="utf-8"))
    settings["notify"] = {**settings["notify"], **notify}
    path.write_text(yaml.safe_dump(settings, sort_keys=False), encoding="utf-8")
    return folder


def sample_part(tmp_path: Path) -> Path:
    path = tmp_path / "inbox.jsonl"
    lines = (SAMPLES / "inbox.jsonl").read_text(encoding="utf-8").splitlines(keepends=True)
    path.write_text("".join(lines[SAMPLE_PART]), encoding="utf-8")
    return path


def run(tmp_path: Path, config: Path, url: str) -> tuple[int, dict[str, Any], str]:
    result = cli("run", str(sample_part(tmp_path)), "--config", str(config), "--json", home=tmp_path / "state",
                 env={VARIABLE: url})
    return result.code, json.loads(result.out), result.err


def test_each_escalation_is_posted_once_journaled_retried_after_a_failure(tmp_path: Path, webhook: Webhook) -> None:
    config = notify_config(tmp_path / "config", {"webhook_url_env": VARIABLE, "max_attempts": 3})
    code, summary, err = run(tmp_path, config, webhook.url)
    assert code == 0, err
    escalations = summary["escalations"]
    assert escalations > 0
    assert summary["notifications"] == {"sent": escalations, "failed": 0, "unsent": 0}
    assert len(webhook.bodies) == escalations + 1          # the first answer was a 500: that notice went again
    assert webhook.bodies[0] == webhook.bodies[1]
    notices = {b["interaction_id"]: b for b in webhook.bodies}
    reviews = cli("review", "list", "--run", summary["run_id"], "--json", "--config", str(config),
                  home=tmp_path / "state").json()
    assert set(notices) == {r["interaction_id"] for r in reviews}
    for review in reviews:
        notice = notices[review["interaction_id"]]
        assert notice["event"] == "crm_crew.escalation" and notice["run_id"] == summary["run_id"]
        assert notice["command"] == f"crm-crew review show {review['review_id']}"
        assert (notice["intent"], notice["urgency"], notice["reason"]) == \
            (review["intent"], review["urgency"], review["reason"])
        assert notice["subject"] == review["subject"]
        local, domain = review["sender_email"].split("@")
        assert notice["sender"] == f"{local[0]}…@{domain}"
    sent = json.dumps(webhook.bodies, ensure_ascii=False)
    for message in read_jsonl(tmp_path / "inbox.jsonl"):    # no address, no body, whoever escalated
        assert message["from"].rsplit("<", 1)[-1].rstrip(">") not in sent
        assert message["body"].splitlines()[0][:30] not in sent
    assert webhook.url not in err


@pytest.mark.parametrize("webhook", [-1], indirect=True)
def test_a_failing_webhook_is_counted_once_and_the_digest_filters_by_urgency(tmp_path: Path,
                                                                            webhook: Webhook) -> None:
    config = notify_config(tmp_path / "config", {"webhook_url_env": VARIABLE, "mode": "digest",
                                                 "format": "slack", "min_urgency": "high", "max_attempts": 2})
    code, summary, err = run(tmp_path, config, webhook.url)
    assert code == 0, err                                   # the run does not fail for its notices
    urgent = [r for r in cli("review", "list", "--run", summary["run_id"], "--json", "--config", str(config),
                             home=tmp_path / "state").json() if r["urgency"] in ("high", "critical")]
    assert urgent and len(urgent) < summary["escalations"]
    assert summary["notifications"] == {"sent": 0, "failed": len(urgent), "unsent": 0}
    assert len(webhook.bodies) == 2 and webhook.bodies[0] == webhook.bodies[1]   # one digest, tried twice
    text = webhook.bodies[0]["text"]
    assert text.startswith(f"crm-crew: {len(urgent)} escalation(s) in run {summary['run_id']}")
    for item in urgent:
        assert f"`crm-crew review show {item['review_id']}`" in text
    assert "<" not in text                                  # customer text cannot ping a channel or link
    warnings = [line for line in err.splitlines() if "escalation notice" in line]
    assert len(warnings) == 1 and f"${VARIABLE}" in warnings[0] and "HTTP 500" in warnings[0]
    assert "127.0.0.1" not in err and "secret-token" not in err


def test_the_webhook_url_is_never_in_the_yaml_and_its_variable_must_be_set(tmp_path: Path) -> None:
    secret = "https://hooks.example.com/services/T000/B000/very-secret"
    literal = notify_config(tmp_path / "literal", {"webhook_url_env": secret, "min_urgency": "urgentish"})
    checked = cli("validate", "--config", str(literal), home=tmp_path / "state")
    assert checked.code == 1
    assert "notify.webhook_url_env" in checked.err and "NAME of an environment variable" in checked.err
    assert "very-secret" not in checked.err + checked.out
    assert "unknown urgency level 'urgentish'" in checked.err

    named = notify_config(tmp_path / "named", {"webhook_url_env": VARIABLE})
    unset = cli("run", str(sample_part(tmp_path)), "--config", str(named), home=tmp_path / "state",
                env={VARIABLE: ""})
    assert unset.code == 1 and f"${VARIABLE}, which is not set" in unset.err, unset.err
    assert not (tmp_path / "state").exists()
