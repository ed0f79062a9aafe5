"""crm-crew over the Model Context Protocol: `crm-crew mcp serve`, and MCP tools for the crew's agents."""
