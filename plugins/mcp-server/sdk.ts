/**
 * The MCP SDK's server side, loaded on the first request to `/mcp` — not when the plugin loads: the SDK (its zod
 * schemas, ajv, the web-standard transport and its Hono adapter) costs ~10 MB and ~100 ms at start, for an endpoint
 * most installations never see a request on (issue #16). Imported once and cached (Node keeps one instance across
 * plugin reloads); a failed load is a coded 503 and is tried again on the next request.
 */
import type * as ServerModule from '@modelcontextprotocol/sdk/server/index.js';
import type * as HttpModule from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type * as TypesModule from '@modelcontextprotocol/sdk/types.js';
import { AppError, loadOnFirstUse } from '../../core/plugin-api/index.ts';

export interface McpServerSdk {
  Server: typeof ServerModule.Server;
  StreamableHTTPServerTransport: typeof HttpModule.StreamableHTTPServerTransport;
  isInitializeRequest: typeof TypesModule.isInitializeRequest;
  CallToolRequestSchema: typeof TypesModule.CallToolRequestSchema;
  ListToolsRequestSchema: typeof TypesModule.ListToolsRequestSchema;
  ElicitResultSchema: typeof TypesModule.ElicitResultSchema;
}

export const loadServerSdk = loadOnFirstUse(
  async (): Promise<McpServerSdk> => {
    const [server, http, types] = await Promise.all([
      import('@modelcontextprotocol/sdk/server/index.js'),
      import('@modelcontextprotocol/sdk/server/streamableHttp.js'),
      import('@modelcontextprotocol/sdk/types.js'),
    ]);
    return {
      Server: server.Server,
      StreamableHTTPServerTransport: http.StreamableHTTPServerTransport,
      isInitializeRequest: types.isInitializeRequest,
      CallToolRequestSchema: types.CallToolRequestSchema,
      ListToolsRequestSchema: types.ListToolsRequestSchema,
      ElicitResultSchema: types.ElicitResultSchema,
    };
  },
  (reason) => new AppError(503, 'MCP_SDK_UNAVAILABLE', `The MCP server is unavailable: its SDK could not be loaded (${reason})`),
);
