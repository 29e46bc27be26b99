/**
 * One MCP server per session, over the caller's AION tools (low-level `Server`: the tools arrive as plain JSON
 * Schema, which the high-level `McpServer` does not take). A tool that needs approval is listed only when the client
 * declared the elicitation capability, and each call of it asks there first.
 */
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { DirectTool, PluginContext, User } from '../../core/plugin-api/index.ts';
import type { McpServerSdk } from './sdk.ts';

/** How long an approval question may stay open (the user answers in their MCP client). */
const APPROVAL_TIMEOUT_MS = 5 * 60_000;

export interface SessionUser {
  /** Refreshed on every request of the session (plan and role changes apply at once). */
  user: User;
}

function resultText(value: unknown): string {
  if (typeof value === 'string') return value;
  try {
    return JSON.stringify(value) ?? 'null';
  } catch {
    return String(value);
  }
}

export function createMcpServer(sdk: McpServerSdk, ctx: PluginContext, session: SessionUser): Server {
  const { CallToolRequestSchema, ElicitResultSchema, ListToolsRequestSchema } = sdk;
  const server = new sdk.Server({ name: 'aion', version: ctx.host.version }, { capabilities: { tools: {} } });
  const canAsk = () => !!server.getClientCapabilities()?.elicitation;
  const visible = async (): Promise<DirectTool[]> => (await ctx.agent.toolsFor(session.user)).filter((t) => !t.needsApproval || canAsk());

  server.setRequestHandler(ListToolsRequestSchema, async () => ({
    tools: (await visible()).map((t) => ({
      name: t.name,
      description: t.description,
      inputSchema: { type: 'object' as const, ...t.inputSchema },
      annotations: { readOnlyHint: t.risk === 'read', destructiveHint: t.risk === 'exec' || t.risk === 'write', openWorldHint: t.risk === 'network' },
    })),
  }));

  server.setRequestHandler(CallToolRequestSchema, async (request, extra): Promise<CallToolResult> => {
    const name = request.params.name;
    if (!(await visible()).some((t) => t.name === name)) return { content: [{ type: 'text', text: `Unknown tool: ${name}` }], isError: true };
    const { ok, result } = await ctx.agent.callTool({
      user: session.user,
      name,
      args: request.params.arguments ?? {},
      signal: extra.signal,
      conversationId: `mcp-${extra.sessionId ?? 'session'}`,
      // Sent on this call's own response stream (related to the request), so it reaches the client without a GET stream.
      confirm: async (q) => {
        const answer = await extra.sendRequest(
          {
            method: 'elicitation/create',
            params: {
              message: `${q.message}\n\nArguments: ${resultText(q.args).slice(0, 2000)}`,
              requestedSchema: { type: 'object', properties: { approve: { type: 'boolean', title: `Allow ${q.name}`, description: `Run ${q.name} (${q.risk}) with these arguments` } }, required: ['approve'] },
            },
          },
          ElicitResultSchema,
          { signal: extra.signal, timeout: APPROVAL_TIMEOUT_MS },
        );
        return answer.action === 'accept' && answer.content?.approve === true;
      },
    });
    const text = ok ? resultText(result) : String((result as { error?: unknown })?.error ?? resultText(result));
    return { content: [{ type: 'text', text }], ...(ok ? {} : { isError: true }) };
  });
  return server;
}
