"""A small synchronous MCP client for the crew: list a server's allow-listed tools, call one.

Each call opens its own connection (a stdio server is started for it, an HTTP server is connected to),
so nothing outlives the call; the tools a server offers are listed once per process.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import anyio
from mcp import ClientSession

from crm_crew.config.models import McpServerConfig
from crm_crew.errors import CrmCrewError


class McpToolError(CrmCrewError):
    """An MCP server could not be reached, refused a call, or does not offer an allow-listed tool."""


@dataclass(frozen=True)
class McpTool:
    server: str
    name: str
    description: str
    input_schema: dict[str, Any]


def _command(server: McpServerConfig) -> tuple[str, list[str]]:
    """`python` in a command means the Python that runs crm-crew (its venv has the example server)."""
    command = list(server.command or [])
    return (sys.executable if command[0] == "python" else command[0]), command[1:]


@asynccontextmanager
async def _session(server: McpServerConfig) -> AsyncIterator[ClientSession]:
    timeout = timedelta(seconds=server.timeout_s)
    if server.url is not None:
        from mcp.client.streamable_http import streamablehttp_client

        headers = {}
        if server.token_env:
            token = os.environ.get(server.token_env)
            if not token:
                raise McpToolError(f"MCP server '{server.name}': the environment variable {server.token_env} "
                                   "(its bearer token) is not set")
            headers["Authorization"] = f"Bearer {token}"
        async with streamablehttp_client(server.url, headers=headers, timeout=server.timeout_s) as (read, write, _):
            async with ClientSession(read, write, read_timeout_seconds=timeout) as session:
                await session.initialize()
                yield session
        return
    from mcp import StdioServerParameters
    from mcp.client.stdio import stdio_client

    command, args = _command(server)
    params = StdioServerParameters(command=command, args=args, env=dict(os.environ))
    async with stdio_client(params, errlog=_errlog()) as (read, write):
        async with ClientSession(read, write, read_timeout_seconds=timeout) as session:
            await session.initialize()
            yield session


def _errlog() -> Any:
    """Where a stdio server's stderr goes: ours when it is a real file (not a captured stream)."""
    for stream in (sys.stderr, sys.__stderr__):
        try:
            if stream is not None:
                stream.fileno()
                return stream
        except (AttributeError, OSError, ValueError):
            continue
    return subprocess.DEVNULL


def _run(server: McpServerConfig, work: Any) -> Any:
    async def go() -> Any:
        with anyio.fail_after(server.timeout_s):
            async with _session(server) as session:
                return await work(session)

    try:
        return anyio.run(go)
    except McpToolError:
        raise
    except TimeoutError:
        raise McpToolError(f"MCP server '{server.name}' did not answer within {server.timeout_s:g} s") from None
    except Exception as exc:   # a server that cannot start or speaks no MCP: one clear line
        raise McpToolError(f"MCP server '{server.name}' failed: {type(exc).__name__}: {exc}") from None


_LISTED: dict[str, list[McpTool]] = {}


def allowed_tools(server: McpServerConfig) -> list[McpTool]:
    """The server's tools that its allow-list names (listed once per process); an allow-listed tool the
    server does not offer is an error."""
    key = server.model_dump_json()
    if key not in _LISTED:
        async def listing(session: ClientSession) -> list[McpTool]:
            tools = (await session.list_tools()).tools
            return [McpTool(server.name, t.name, t.description or "", dict(t.inputSchema)) for t in tools]

        offered = _run(server, listing)
        missing = [name for name in server.tools if name not in {t.name for t in offered}]
        if missing:
            raise McpToolError(f"MCP server '{server.name}' offers no tool {', '.join(missing)} "
                               f"(it offers: {', '.join(t.name for t in offered) or 'none'})")
        _LISTED[key] = [t for t in offered if t.name in server.tools]
    return _LISTED[key]


def call_tool(server: McpServerConfig, tool: str, args: dict[str, Any]) -> tuple[bool, str]:
    """(is_error, text) of one allow-listed tool call; a tool off the allow-list is refused here."""
    if tool not in server.tools:
        raise McpToolError(f"tool '{tool}' is not on MCP server '{server.name}''s allow-list in agents.yaml")

    async def calling(session: ClientSession) -> tuple[bool, str]:
        result = await session.call_tool(tool, args)
        if result.structuredContent is not None and not result.isError:
            return False, json.dumps(result.structuredContent, default=str)
        return bool(result.isError), "\n".join(getattr(c, "text", "") for c in result.content)

    answer: tuple[bool, str] = _run(server, calling)
    return answer
