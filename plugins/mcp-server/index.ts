/**
 * The MCP server: `POST/GET/DELETE /mcp` (Streamable HTTP, the SDK's server transport). It exposes the caller's AION
 * tools — files, code, memory and every plugin's — run under the caller's identity and in their workspace. A bearer
 * token is required on every request (401 JSON without, like every route).
 */
import type { Context } from 'koa';
import { definePlugin, type PluginContext, type User } from '../../core/plugin-api/index.ts';
import { loadServerSdk } from './sdk.ts';
import { Sessions } from './sessions.ts';
import { createMcpServer } from './tools.ts';

/** A JSON-RPC error answered before the transport is involved. */
function rpcError(c: Context, status: number, code: number, message: string): void {
  c.status = status;
  c.body = { jsonrpc: '2.0', error: { code, message }, id: null };
}

async function handle(ctx: PluginContext, sessions: Sessions, c: Context, user: User): Promise<void> {
  const sdk = await loadServerSdk();
  const body = (c.request as any).body;
  const id = c.get('mcp-session-id');
  let transport;
  if (id) {
    transport = sessions.get(id, user)?.transport;
    if (!transport) return rpcError(c, 404, -32001, 'Session not found');
  } else if (c.method === 'POST' && sdk.isInitializeRequest(body)) {
    transport = await sessions.open(sdk, user, (holder) => createMcpServer(sdk, ctx, holder));
  } else {
    return rpcError(c, 400, -32000, 'Bad request: no valid mcp-session-id (send initialize first)');
  }
  c.respond = false;
  await transport.handleRequest(c.req, c.res, c.method === 'POST' ? body : undefined);
}

export default definePlugin({
  name: 'mcp-server',
  version: '1.0.0',
  description: "MCP server at /mcp: the caller's AION tools",
  setup(ctx) {
    const sessions = new Sessions();
    ctx.onUnload(() => sessions.closeAll());
    const route = (c: Context, { user }: { user: User }) => handle(ctx, sessions, c, user);
    const options = { root: true, stream: true };
    ctx.routes.post('/mcp', { ...options, summary: 'MCP Streamable HTTP: JSON-RPC messages from the client' }, route);
    ctx.routes.get('/mcp', { ...options, summary: 'MCP Streamable HTTP: the server-to-client event stream of a session' }, route);
    ctx.routes.delete('/mcp', { ...options, summary: 'MCP Streamable HTTP: end a session' }, route);
  },
});
