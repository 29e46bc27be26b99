/**
 * The MCP client: servers from `MCP_CONFIG` (default `DATA_DIR/mcp.json`) and the admin endpoints
 * `GET/POST/DELETE /api/mcp/servers`, `POST /api/mcp/servers/:name/restart`; each server's tools become AION tools `mcp__<server>__<tool>`.
 */
import { z } from 'zod';
import { badRequest, definePlugin, notFound } from '../../core/plugin-api/index.ts';
import { ServerEntry, ServerName } from './config.ts';
import { McpManager } from './manager.ts';

const PutBody = z.object({ name: ServerName }).passthrough();

export default definePlugin({
  name: 'mcp-client',
  version: '1.0.0',
  description: 'MCP servers (stdio, Streamable HTTP) as AION tools',
  async setup(ctx) {
    const manager = new McpManager(ctx, await ctx.store.dir());
    ctx.onUnload(() => manager.close());
    await manager.start(); // connections come up in the background; their tools register as they arrive

    ctx.routes.get('/mcp/servers', { access: 'admin', summary: 'MCP servers: status, tool counts, last errors (never env or header values)' }, () => manager.status());

    ctx.routes.post('/mcp/servers', {
      access: 'admin',
      summary: 'Add or change an MCP server ({ name, command, args, env } or { name, url, headers }, trusted?)',
      body: PutBody,
    }, async (c, { body }) => {
      const { name, ...rest } = body;
      const parsed = ServerEntry.safeParse(rest);
      if (!parsed.success) throw badRequest('Invalid MCP server', parsed.error.issues.slice(0, 5).map((i) => ({ field: i.path.join('.') || 'body', message: i.message })));
      const existed = manager.status().servers.some((s) => s.name === name);
      await manager.put(name, parsed.data);
      c.status = existed ? 200 : 201;
      return manager.status().servers.find((s) => s.name === name);
    });

    ctx.routes.post('/mcp/servers/:name/restart', { access: 'admin', summary: 'Reconnect an MCP server now (202; its status shows the progress)', params: z.object({ name: ServerName }) }, (c, { params }) => {
      if (!manager.restart(params.name)) throw notFound(`No MCP server named ${params.name}`, 'MCP_SERVER_NOT_FOUND');
      c.status = 202;
      return manager.status().servers.find((s) => s.name === params.name);
    });

    const remove = async (name: string) => {
      if (!(await manager.delete(name))) throw notFound(`No MCP server named ${name}`, 'MCP_SERVER_NOT_FOUND');
      return { ok: true };
    };
    ctx.routes.delete('/mcp/servers/:name', { access: 'admin', summary: 'Remove an MCP server (its tools go at once)', params: z.object({ name: ServerName }) }, (_c, { params }) => remove(params.name));
    ctx.routes.delete('/mcp/servers', { access: 'admin', summary: 'Remove an MCP server named in the body or ?name=', query: z.object({ name: ServerName.optional() }) }, (c, { query }) => {
      const name = ServerName.safeParse(query.name ?? (c.request as any).body?.name);
      if (!name.success) throw badRequest('name is required', [{ field: 'name', message: 'a server name' }]);
      return remove(name.data);
    });
  },
});
