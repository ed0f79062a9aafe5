"""`crm-crew mcp serve`: crm-crew as an MCP server (stdio for Claude Desktop and IDEs, streamable HTTP).

Exit codes: 0 the server stopped (the client closed stdio); 1 it cannot start (no bearer token for
HTTP, the port is taken, a bad config); 2 usage error; 130 interrupted (Ctrl-C).
"""

from __future__ import annotations

from enum import Enum
from typing import Annotated, Optional

import typer

from crm_crew.cli.common import ConfigOption, load, state_home

mcp_app = typer.Typer(help="crm-crew over the Model Context Protocol (README: MCP).", no_args_is_help=True)


class Transport(str, Enum):
    stdio = "stdio"
    http = "http"


@mcp_app.command("serve")
def serve(
    transport: Annotated[Transport, typer.Option(
        "--transport", help="stdio: for Claude Desktop, IDEs and agents that start the server; http: streamable "
                            "HTTP at http://HOST:PORT/mcp, every request with `Authorization: Bearer` and the "
                            "token in $CRM_CREW_MCP_TOKEN (mcp.token_env).")] = Transport.stdio,
    host: Annotated[Optional[str], typer.Option("--host", metavar="HOST", show_default=False,
                                                help="HTTP: address to listen on (default: mcp.host, "
                                                     "127.0.0.1).")] = None,
    port: Annotated[Optional[int], typer.Option("--port", metavar="PORT", min=1, max=65535, show_default=False,
                                                help="HTTP: port (default: mcp.port, 8765).")] = None,
    config: ConfigOption = None,
) -> int:
    """Serve crm-crew's tools to MCP clients: read contacts, runs and the review queue, triage a message in
    shadow mode, and propose CRM changes that wait in the review queue for a human. Nothing here writes
    to the CRM."""
    from crm_crew.mcp.context import ServerContext
    from crm_crew.mcp.server import build_server
    from crm_crew.mcp.transports import bearer_token, serve_http, serve_stdio

    cfg = load(config)
    settings = cfg.settings.mcp
    token = bearer_token(settings.token_env) if transport is Transport.http else None
    ctx = ServerContext(cfg, state_home(cfg))
    listen_host, listen_port = host or settings.host, port or settings.port
    server = build_server(ctx, listen_host, listen_port)
    if token is None:
        serve_stdio(server)
    else:
        serve_http(server, listen_host, listen_port, token)
    return 0
