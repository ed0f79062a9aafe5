"""`crm-crew mcp serve --transport http`: streamable HTTP behind a bearer token, with the SDK's own client."""

from __future__ import annotations

import signal
from pathlib import Path

import anyio
import httpx
import pytest
from mcp import ClientSession
from mcp.client.streamable_http import streamablehttp_client

from tests.mcp.mcp_helpers import free_port, payload, seed, start_http, wait_listening

pytestmark = pytest.mark.slow(seconds=10)
TOKEN = "test-token-0123456789abcdef"


def test_http_needs_the_token_and_serves_with_it(tmp_path: Path) -> None:
    home = seed(tmp_path / "home")
    port = free_port()
    proc = start_http(home, port, TOKEN)
    url = f"http://127.0.0.1:{port}/mcp"
    try:
        wait_listening(port, proc)
        hello = {"jsonrpc": "2.0", "id": 1, "method": "initialize",
                 "params": {"protocolVersion": "2025-06-18", "capabilities": {},
                            "clientInfo": {"name": "t", "version": "1"}}}
        accept = {"Accept": "application/json, text/event-stream"}
        for headers in ({}, {"Authorization": "Bearer wrong-token-0123456789"}, {"Authorization": TOKEN},
                        {"Authorization": f"Basic {TOKEN}"}):
            refused = httpx.post(url, json=hello, headers={**accept, **headers})
            assert refused.status_code == 401 and refused.content == b"", headers
        assert httpx.get(f"http://127.0.0.1:{port}/", headers=accept).status_code == 401

        async def scenario() -> dict[str, object]:
            async with streamablehttp_client(url, headers={"Authorization": f"Bearer {TOKEN}"}) as (read, write, _):
                async with ClientSession(read, write) as session:
                    await session.initialize()
                    names = {t.name for t in (await session.list_tools()).tools}
                    assert {"find_contact", "triage_message", "propose_change"} <= names
                    found: dict[str, object] = payload(
                        await session.call_tool("find_contact", {"email": "mark.chen@globex.io"}))
                    return found

        assert anyio.run(scenario)["found"] is True
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=15) == 130
    finally:
        proc.kill()
        proc.wait()


def test_http_refuses_to_start_without_a_token(tmp_path: Path) -> None:
    proc = start_http(tmp_path / "home", free_port(), None)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1
    assert "CRM_CREW_MCP_TOKEN" in err and "Traceback" not in err


def test_http_refuses_a_taken_port(tmp_path: Path) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        proc = start_http(tmp_path / "home", int(taken.getsockname()[1]), TOKEN)
        _, err = proc.communicate(timeout=60)
    assert proc.returncode == 1 and "cannot listen on" in err
