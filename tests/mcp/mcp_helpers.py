"""Drive the real `crm-crew mcp serve` with the mcp SDK's own clients."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

from tests.e2e.clihelp import SAMPLES, cli, interruptible, write_jsonl

CRM_CREW = str(Path(sys.executable).with_name("crm-crew"))
MESSAGES = [json.loads(line) for line in (SAMPLES / "inbox.jsonl").read_text(encoding="utf-8").splitlines()[:3]]


def seed(home: Path) -> Path:
    """Sample contacts imported, and a shadow run `r1` of three sample messages."""
    assert cli("crm", "import", str(SAMPLES / "contacts.csv"), home=home).code == 0
    inbox = write_jsonl(home.parent / f"{home.name}-three.jsonl", MESSAGES)
    ran = cli("run", str(inbox), "--run-id", "r1", "--json", home=home)
    assert ran.code == 0, ran.err
    return home


def copy_home(template: Path, to: Path) -> Path:
    shutil.copytree(template, to)
    return to


def server_env(home: Path, extra: dict[str, str] | None = None) -> dict[str, str]:
    env = {**os.environ, "CRM_CREW_HOME": str(home), **(extra or {})}
    env.pop("CRM_CREW_CONFIG", None)
    return env


@asynccontextmanager
async def stdio_session(home: Path, *args: str) -> AsyncIterator[ClientSession]:
    params = StdioServerParameters(command=CRM_CREW, args=["mcp", "serve", *args], env=server_env(home))
    with open(os.devnull, "w") as quiet:
        async with stdio_client(params, errlog=quiet) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                yield session


def payload(result: CallToolResult) -> Any:
    assert not result.isError, result.content
    return result.structuredContent if result.structuredContent is not None else json.loads(result.content[0].text)


def error_text(result: CallToolResult) -> str:
    assert result.isError, result.content
    return " ".join(getattr(c, "text", "") for c in result.content)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_http(home: Path, port: int, token: str | None) -> subprocess.Popen[str]:
    env = server_env(home, {"CRM_CREW_MCP_TOKEN": token} if token else None)
    if not token:
        env.pop("CRM_CREW_MCP_TOKEN", None)
    return subprocess.Popen([CRM_CREW, "mcp", "serve", "--transport", "http", "--port", str(port)], env=env,
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            preexec_fn=interruptible)


def wait_listening(port: int, proc: subprocess.Popen[str], timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"server exited {proc.returncode}: {proc.stderr.read() if proc.stderr else ''}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise AssertionError("the MCP server did not listen in time")
