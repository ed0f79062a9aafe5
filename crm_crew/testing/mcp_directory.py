"""An example read-only MCP server: a company directory (email domain -> company and tier).

Run it as `python -m crm_crew.testing.mcp_directory [--data FILE.json]` (stdio), or give an agent its tools
in agents.yaml (README: MCP). The data file maps domains to {"company": ..., "tier": ...}; without one it
serves the domains of the sample contacts. Tests put an injection string in a record to check that the crew
screens what an MCP tool returns.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Annotated, Any

from mcp.server.fastmcp import FastMCP
from mcp.types import ToolAnnotations
from pydantic import Field

SAMPLE: dict[str, dict[str, str]] = {
    "acme-corp.com": {"company": "Acme Corp", "tier": "enterprise"},
    "globex.io": {"company": "Globex", "tier": "standard"},
    "initech.com": {"company": "Initech", "tier": "premium"},
    "umbrella.example": {"company": "Umbrella Health", "tier": "enterprise"},
}
READ_ONLY = ToolAnnotations(readOnlyHint=True, destructiveHint=False, idempotentHint=True, openWorldHint=False)


def build(directory: dict[str, dict[str, Any]]) -> FastMCP:
    server = FastMCP("company-directory", log_level="WARNING")

    @server.tool(annotations=READ_ONLY)
    def company_by_domain(
        domain: Annotated[str, Field(min_length=1, max_length=253, description="An email domain, e.g. acme.com")],
    ) -> dict[str, Any]:
        """The company and customer tier registered for an email domain."""
        entry = directory.get(domain.strip().lower().lstrip("@"))
        return {"found": entry is not None, "domain": domain, **(entry or {})}

    @server.tool(annotations=READ_ONLY)
    def list_domains() -> dict[str, Any]:
        """Every domain in the directory (not for agents: tests check the allow-list keeps it out)."""
        return {"domains": sorted(directory)}

    return server


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, help="JSON file: {domain: {company, tier}}")
    args = parser.parse_args(argv)
    directory = json.loads(args.data.read_text(encoding="utf-8")) if args.data else SAMPLE
    build(directory).run("stdio")


if __name__ == "__main__":
    main()
