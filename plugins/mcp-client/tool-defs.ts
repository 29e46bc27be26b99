/**
 * An MCP server's tools as AION tools: `mcp__<server>__<tool>`, the server's JSON Schema as input, risk `exec` and an
 * approval for every call unless the admin trusts the server (then `read` or `write` by the tool's read-only hint).
 */
import type { JsonSchema, ToolDefinition } from '../../core/plugin-api/index.ts';

export interface McpToolInfo {
  name: string;
  description?: string;
  inputSchema: Record<string, unknown>;
  annotations?: { readOnlyHint?: boolean };
}

/** The AION name of an MCP tool (tool names allow `[a-zA-Z0-9_-]{1,64}`; other characters become `_`). */
export function aionToolName(server: string, tool: string): string {
  return `mcp__${server}__${tool.replace(/[^a-zA-Z0-9_-]/g, '_')}`.slice(0, 64);
}

/** The schema providers see: an object schema without `$schema` (some providers reject unknown keywords). */
function inputSchema(schema: Record<string, unknown>): JsonSchema {
  const { $schema: _s, ...rest } = schema ?? {};
  return { type: 'object', properties: {}, ...rest };
}

export function toAionTool(
  server: string,
  tool: McpToolInfo,
  trusted: boolean,
  call: (tool: string, args: Record<string, unknown>, signal: AbortSignal) => Promise<unknown>,
): ToolDefinition {
  return {
    name: aionToolName(server, tool.name),
    description: `${tool.description?.trim() || tool.name} (tool of the MCP server "${server}")`.slice(0, 4000),
    input: inputSchema(tool.inputSchema),
    risk: trusted ? (tool.annotations?.readOnlyHint ? 'read' : 'write') : 'exec',
    needsApproval: !trusted,
    timeoutMs: 120_000,
    run: (args, ctx) => call(tool.name, args ?? {}, ctx.signal),
  };
}
