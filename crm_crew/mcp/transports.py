"""The two ways `crm-crew mcp serve` talks: stdio (stdout carries protocol only) and streamable HTTP behind
a bearer token."""

from __future__ import annotations

import hmac
import os
import socket
import sys
from io import TextIOWrapper
from typing import Any

import anyio
from mcp.server.fastmcp import FastMCP

from crm_crew.errors import UserError

MIN_TOKEN_CHARS = 16
Scope = dict[str, Any]


def serve_stdio(server: FastMCP) -> None:
    """Serve on stdin/stdout. The protocol gets its own copy of stdout; fd 1 itself then points at stderr,
    so nothing else (a library's print, a crewai banner) can ever reach the client's stream."""
    from mcp.server.stdio import stdio_server

    protocol_fd = os.dup(sys.stdout.fileno())
    sys.stdout.flush()
    os.dup2(sys.stderr.fileno(), sys.stdout.fileno())
    protocol = TextIOWrapper(os.fdopen(protocol_fd, "wb", buffering=0), encoding="utf-8")

    async def run() -> None:
        async with stdio_server(stdout=anyio.wrap_file(protocol)) as (read, write):
            low = server._mcp_server
            await low.run(read, write, low.create_initialization_options())

    anyio.run(run)


def bearer_token(env_name: str) -> str:
    token = os.environ.get(env_name, "")
    if not token:
        raise UserError(f"--transport http needs a bearer token: set the environment variable {env_name} "
                        f"(mcp.token_env in crm-crew.yaml) to a secret of at least {MIN_TOKEN_CHARS} characters; "
                        "clients send it as `Authorization: Bearer <token>`")
    if len(token) < MIN_TOKEN_CHARS:
        raise UserError(f"the bearer token in {env_name} is {len(token)} characters; use at least "
                        f"{MIN_TOKEN_CHARS} (e.g. `python -c 'import secrets; print(secrets.token_urlsafe(32))'`)")
    return token


class BearerAuth:
    """ASGI middleware: every HTTP request carries `Authorization: Bearer <token>`, else 401 and no detail."""

    def __init__(self, app: Any, token: str) -> None:
        self.app = app
        self.expected = f"Bearer {token}".encode()

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            given = next((value for name, value in scope.get("headers", []) if name == b"authorization"), b"")
            if not hmac.compare_digest(given, self.expected):
                await send({"type": "http.response.start", "status": 401,
                            "headers": [(b"content-length", b"0"), (b"www-authenticate", b"Bearer")]})
                await send({"type": "http.response.body", "body": b""})
                return
        await self.app(scope, receive, send)


def _check_port(host: str, port: int) -> None:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc} (choose another --port)") \
                from None


def serve_http(server: FastMCP, host: str, port: int, token: str) -> None:
    """Streamable HTTP at http://HOST:PORT/mcp, every request checked against the token."""
    import uvicorn

    _check_port(host, port)
    app = BearerAuth(server.streamable_http_app(), token)
    print(f"crm-crew MCP server on http://{host}:{port}/mcp (bearer token required); Ctrl-C stops it",
          file=sys.stderr, flush=True)
    config = uvicorn.Config(app, host=host, port=port, log_level="warning", lifespan="on")
    uvicorn.Server(config).run()
