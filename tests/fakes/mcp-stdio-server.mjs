// A stdio MCP server written with the official SDK's McpServer, for the MCP client tests: `env` reports its own
// environment, `add` adds, `fail` answers an error result, `crash` exits the process (to test restarts).
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { z } from 'zod';

const server = new McpServer({ name: 'fake-stdio', version: '1.0.0' });
const text = (t) => ({ content: [{ type: 'text', text: t }] });

server.registerTool('env', { description: 'The environment variables this server runs with' }, async () => text(JSON.stringify(process.env)));
server.registerTool('add', { description: 'Add two numbers', inputSchema: { a: z.number(), b: z.number() }, annotations: { readOnlyHint: true } }, async ({ a, b }) => text(String(a + b)));
server.registerTool('fail', { description: 'Always fails' }, async () => ({ ...text('it broke on purpose'), isError: true }));
server.registerTool('crash', { description: 'Exits the server process' }, async () => {
  setTimeout(() => {
    process.stderr.write('fake server: crashing now\n');
    process.exit(3);
  }, 20);
  return text('bye');
});

await server.connect(new StdioServerTransport());
