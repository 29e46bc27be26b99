/**
 * The MCP SDK's client side, loaded when the first configured server connects — not when the plugin loads: the SDK
 * (its zod schemas, ajv, the transports) costs ~10 MB and ~100 ms at start, and most installations configure no MCP
 * server (issue #16). Imported once and cached (Node keeps one instance across plugin reloads); a failed load is not
 * cached, so a reconnect tries again and the server's status shows why it failed.
 */
import type * as ClientModule from '@modelcontextprotocol/sdk/client/index.js';
import type * as StdioModule from '@modelcontextprotocol/sdk/client/stdio.js';
import type * as HttpModule from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type * as TypesModule from '@modelcontextprotocol/sdk/types.js';
import { loadOnFirstUse } from '../../core/plugin-api/index.ts';

export interface McpClientSdk {
  Client: typeof ClientModule.Client;
  ToolListChangedNotificationSchema: typeof TypesModule.ToolListChangedNotificationSchema;
  StdioClientTransport: typeof StdioModule.StdioClientTransport;
  getDefaultEnvironment: typeof StdioModule.getDefaultEnvironment;
  StreamableHTTPClientTransport: typeof HttpModule.StreamableHTTPClientTransport;
}

export const loadClientSdk = loadOnFirstUse(
  async (): Promise<McpClientSdk> => {
    const [client, types, stdio, http] = await Promise.all([
      import('@modelcontextprotocol/sdk/client/index.js'),
      import('@modelcontextprotocol/sdk/types.js'),
      import('@modelcontextprotocol/sdk/client/stdio.js'),
      import('@modelcontextprotocol/sdk/client/streamableHttp.js'),
    ]);
    return {
      Client: client.Client,
      ToolListChangedNotificationSchema: types.ToolListChangedNotificationSchema,
      StdioClientTransport: stdio.StdioClientTransport,
      getDefaultEnvironment: stdio.getDefaultEnvironment,
      StreamableHTTPClientTransport: http.StreamableHTTPClientTransport,
    };
  },
  (reason) => new Error(`the MCP SDK could not be loaded: ${reason}`),
);
