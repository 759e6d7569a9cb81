"""A low-level server whose hand-written tool list breaks the MCP specification in three ways."""

from __future__ import annotations

import asyncio
from typing import Any

import mcp.types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

_TEXT = {"type": "object", "properties": {"text": {"type": "string"}}, "required": ["text"]}

TOOLS: list[types.Tool] = [
    types.Tool(
        name="lookup",
        description="Look a record up.",
        input_schema={"type": "object", "properties": {"record": {"type": "objekt"}}},
    ),
    types.Tool(name="echo", description="Return the text.", input_schema=_TEXT),
    types.Tool(name="echo", description="Return the text, again.", input_schema=_TEXT),
    types.Tool(name="bad name", description="A name with a space.", input_schema=_TEXT),
]


async def list_tools(
    ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
) -> types.ListToolsResult:
    """Handle ``tools/list``."""
    return types.ListToolsResult(tools=TOOLS)


async def call_tool(ctx: ServerRequestContext[Any], params: types.CallToolRequestParams) -> types.CallToolResult:
    """Handle ``tools/call``: every tool echoes its arguments."""
    return types.CallToolResult(content=[types.TextContent(type="text", text=str(params.arguments))])


server: Server[Any] = Server("mvt-check-bad-tools", version="1.0.0", on_list_tools=list_tools, on_call_tool=call_tool)


async def serve() -> None:
    """Serve one MCP session over stdin/stdout."""
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def main() -> None:
    """Console-script entry point."""
    asyncio.run(serve())
