/**
 * MCP sessions of the Streamable HTTP transport (session mode, so a tool call can ask for approval and get the answer
 * back). A session belongs to the user who opened it: another user's token gets "session not found". Idle sessions
 * close after 30 minutes; a user holds at most 16 (the oldest is closed).
 */
import { randomUUID } from 'node:crypto';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Server } from '@modelcontextprotocol/sdk/server/index.js';
import type { User } from '../../core/plugin-api/index.ts';
import type { McpServerSdk } from './sdk.ts';
import type { SessionUser } from './tools.ts';

const IDLE_MS = 30 * 60_000;
const PER_USER = 16;

export interface Session extends SessionUser {
  id: string;
  transport: StreamableHTTPServerTransport;
  server: Server;
  lastSeen: number;
}

export class Sessions {
  private byId = new Map<string, Session>();
  private sweeper = setInterval(() => this.sweep(), 60_000);

  constructor() {
    this.sweeper.unref();
  }

  /** The caller's session, touched; `undefined` for an unknown id or another user's. */
  get(id: string, user: User): Session | undefined {
    const s = this.byId.get(id);
    if (!s || s.user.id !== user.id) return undefined;
    s.user = user;
    s.lastSeen = Date.now();
    return s;
  }

  /** A transport for a new session; it is registered once the client's initialize request succeeded. */
  async open(sdk: McpServerSdk, user: User, makeServer: (holder: SessionUser) => Server): Promise<StreamableHTTPServerTransport> {
    const holder: SessionUser = { user };
    const server = makeServer(holder);
    const transport: StreamableHTTPServerTransport = new sdk.StreamableHTTPServerTransport({
      sessionIdGenerator: () => randomUUID(),
      onsessioninitialized: (id) => {
        this.byId.set(id, Object.assign(holder, { id, transport, server, lastSeen: Date.now() }) as Session);
        this.limit(user.id);
      },
    });
    transport.onclose = () => {
      if (transport.sessionId) this.byId.delete(transport.sessionId);
    };
    await server.connect(transport);
    return transport;
  }

  private limit(userId: string): void {
    const mine = [...this.byId.values()].filter((s) => s.user.id === userId).sort((a, b) => a.lastSeen - b.lastSeen);
    for (const s of mine.slice(0, Math.max(0, mine.length - PER_USER))) void this.close(s);
  }

  private sweep(): void {
    const cutoff = Date.now() - IDLE_MS;
    for (const s of this.byId.values()) if (s.lastSeen < cutoff) void this.close(s);
  }

  private async close(s: Session): Promise<void> {
    this.byId.delete(s.id);
    await s.server.close().catch(() => {});
  }

  async closeAll(): Promise<void> {
    clearInterval(this.sweeper);
    await Promise.all([...this.byId.values()].map((s) => this.close(s)));
  }
}
