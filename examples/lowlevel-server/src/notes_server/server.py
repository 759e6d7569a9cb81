"""A notes MCP server using ``mcp.server.lowlevel.Server`` with hand-written handlers."""

from __future__ import annotations

import asyncio
from typing import Any

import mcp.types as types
from mcp.server.context import ServerRequestContext
from mcp.server.lowlevel import Server
from mcp.server.stdio import stdio_server

from notes_server import __version__

NOTES_URI = "notes://all"

# Starts with one note so that list_notes and notes://all have something to show.
NOTES: list[str] = ["Welcome to notes-server."]

TOOLS: list[types.Tool] = [
    types.Tool(
        name="add_note",
        description="Add a note to the in-memory notebook.",
        input_schema={
            "type": "object",
            "properties": {"text": {"type": "string", "description": "The note's text."}},
            "required": ["text"],
            "additionalProperties": False,
        },
    ),
    types.Tool(
        name="list_notes",
        description="List all notes, one per line, numbered from 1.",
        input_schema={"type": "object", "properties": {}, "additionalProperties": False},
    ),
]


def _render_notes() -> str:
    """Return the notes as numbered lines."""
    return "\n".join(f"{i}. {note}" for i, note in enumerate(NOTES, start=1))


def _text_result(text: str, *, is_error: bool = False) -> types.CallToolResult:
    """Wrap plain text as a tool result."""
    return types.CallToolResult(content=[types.TextContent(type="text", text=text)], is_error=is_error)


async def list_tools(
    ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
) -> types.ListToolsResult:
    """Handle ``tools/list``."""
    return types.ListToolsResult(tools=TOOLS)


async def call_tool(
    ctx: ServerRequestContext[Any], params: types.CallToolRequestParams
) -> types.CallToolResult:
    """Handle ``tools/call`` for add_note and list_notes."""
    arguments = params.arguments or {}
    if params.name == "add_note":
        text = arguments.get("text")
        if not isinstance(text, str) or not text.strip():
            return _text_result("add_note needs a non-empty 'text' string.", is_error=True)
        NOTES.append(text.strip())
        return _text_result(f"Added note {len(NOTES)}.")
    if params.name == "list_notes":
        return _text_result(_render_notes())
    return _text_result(f"Unknown tool: {params.name}", is_error=True)


async def list_resources(
    ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
) -> types.ListResourcesResult:
    """Handle ``resources/list``."""
    return types.ListResourcesResult(
        resources=[
            types.Resource(
                name="all-notes",
                uri=NOTES_URI,
                description="Every note in the notebook, numbered.",
                mime_type="text/plain",
            )
        ]
    )


async def read_resource(
    ctx: ServerRequestContext[Any], params: types.ReadResourceRequestParams
) -> types.ReadResourceResult:
    """Handle ``resources/read`` for notes://all."""
    if str(params.uri) != NOTES_URI:
        raise ValueError(f"Unknown resource: {params.uri}")
    return types.ReadResourceResult(
        contents=[types.TextResourceContents(uri=NOTES_URI, mime_type="text/plain", text=_render_notes())]
    )


async def list_prompts(
    ctx: ServerRequestContext[Any], params: types.PaginatedRequestParams | None
) -> types.ListPromptsResult:
    """Handle ``prompts/list``."""
    return types.ListPromptsResult(
        prompts=[
            types.Prompt(
                name="summarize_notes",
                description="Ask the model to summarize the notes.",
                arguments=[
                    types.PromptArgument(
                        name="style", description="Summary style, e.g. 'brief' or 'detailed'.", required=False
                    )
                ],
            )
        ]
    )


async def get_prompt(
    ctx: ServerRequestContext[Any], params: types.GetPromptRequestParams
) -> types.GetPromptResult:
    """Handle ``prompts/get`` for summarize_notes."""
    if params.name != "summarize_notes":
        raise ValueError(f"Unknown prompt: {params.name}")
    style = (params.arguments or {}).get("style", "brief")
    text = f"Write a {style} summary of these notes:\n\n{_render_notes()}"
    return types.GetPromptResult(
        description="Summarize the notes.",
        messages=[types.PromptMessage(role="user", content=types.TextContent(type="text", text=text))],
    )


server: Server[Any] = Server(
    "notes",
    version=__version__,
    instructions="An in-memory notebook. Notes are lost when the server exits.",
    on_list_tools=list_tools,
    on_call_tool=call_tool,
    on_list_resources=list_resources,
    on_read_resource=read_resource,
    on_list_prompts=list_prompts,
    on_get_prompt=get_prompt,
)


async def serve() -> None:
    """Serve one MCP session over stdin/stdout."""
    async with stdio_server() as (read_stream, write_stream):
        await server.run(read_stream, write_stream, server.create_initialization_options())


def main() -> None:
    """Console-script entry point."""
    asyncio.run(serve())


if __name__ == "__main__":
    main()
