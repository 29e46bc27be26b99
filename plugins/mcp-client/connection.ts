/**
 * One MCP server: connect, list its tools, call them; when it dies, show `failed` and reconnect with exponential
 * backoff (1 s, 2 s, 4 s … 30 s), showing `restarting` while a new attempt runs.
 */
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import type { Logger } from '../../core/plugin-api/index.ts';
import type { ServerEntry } from './config.ts';
import type { McpToolInfo } from './tool-defs.ts';
import { loadClientSdk } from './sdk.ts';
import { createTransport, redact } from './transport.ts';

export type ConnectionStatus = 'connecting' | 'connected' | 'failed' | 'restarting' | 'disabled';

const BACKOFF_MS = [1_000, 2_000, 4_000, 8_000, 16_000, 30_000];
const CONNECT_TIMEOUT_MS = 20_000;

export class McpConnection {
  status: ConnectionStatus = 'connecting';
  lastError: string | null = null;
  restarts = 0;
  connectedAt: number | null = null;
  tools: McpToolInfo[] = [];
  private client?: Client;
  private timer?: NodeJS.Timeout;
  private closed = false;
  private failures = 0;
  private stderrTail = '';
  /** Counts connect attempts: one that was overtaken while the SDK loaded (a restart) gives up. */
  private attempt = 0;

  constructor(
    readonly name: string,
    readonly entry: ServerEntry,
    private readonly cwd: string,
    private readonly log: Logger,
    /** Called with the tool list after every (re)connect and list change. */
    private readonly onTools: (tools: McpToolInfo[]) => void,
  ) {}

  start(): void {
    if (this.entry.disabled) {
      this.status = 'disabled';
      return;
    }
    void this.connect();
  }

  private async connect(): Promise<void> {
    const attempt = ++this.attempt;
    if (this.closed) return;
    let sdk;
    try {
      sdk = await loadClientSdk();
    } catch (error: any) {
      if (attempt === this.attempt) this.failedToLoad(String(error?.message ?? error));
      return;
    }
    if (this.closed || attempt !== this.attempt) return;
    const client = new sdk.Client({ name: 'aion', version: '1.0.0' }, { capabilities: {} });
    this.client = client;
    this.stderrTail = '';
    try {
      const transport = createTransport(sdk, this.entry, this.cwd, (t) => (this.stderrTail = (this.stderrTail + t).slice(-2000)));
      client.onclose = () => this.lost(client, 'the server closed the connection');
      await client.connect(transport, { timeout: CONNECT_TIMEOUT_MS });
      client.setNotificationHandler(sdk.ToolListChangedNotificationSchema, () => void this.refresh(client));
      await this.refresh(client);
      if (this.closed || this.client !== client) return;
      this.status = 'connected';
      this.connectedAt = Date.now();
      this.failures = 0;
      this.log.info({ server: this.name, tools: this.tools.length }, 'MCP server connected');
    } catch (error: any) {
      this.lost(client, String(error?.message ?? error));
    }
  }

  private async refresh(client: Client): Promise<void> {
    const tools: McpToolInfo[] = [];
    let cursor: string | undefined;
    do {
      const page = await client.listTools(cursor ? { cursor } : {});
      tools.push(...(page.tools as McpToolInfo[]));
      cursor = page.nextCursor;
    } while (cursor && tools.length < 1000);
    if (this.client !== client) return;
    this.tools = tools;
    this.onTools(tools);
  }

  /** The connection of `client` is gone: record why and schedule the next attempt. */
  private lost(client: Client, reason: string): void {
    if (this.closed || this.client !== client || this.timer) return;
    this.client = undefined;
    void client.close().catch(() => {});
    this.scheduleRetry(reason);
  }

  /** The SDK itself could not be loaded: failed, and retried with the same backoff. */
  private failedToLoad(reason: string): void {
    if (this.closed || this.timer) return;
    this.scheduleRetry(reason);
  }

  private scheduleRetry(reason: string): void {
    const stderr = this.stderrTail.trim().split('\n').pop() ?? '';
    this.lastError = redact(`${reason}${stderr ? ` (stderr: ${stderr})` : ''}`, this.entry).slice(0, 500);
    this.status = 'failed';
    this.connectedAt = null;
    const delay = BACKOFF_MS[Math.min(this.failures++, BACKOFF_MS.length - 1)];
    this.log.warn({ server: this.name, error: this.lastError, retryInMs: delay }, 'MCP server failed; reconnecting');
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.restarts++;
      this.status = 'restarting';
      void this.connect();
    }, delay);
    this.timer.unref();
  }

  /** Drop the current connection (or the wait for the next attempt) and connect again now: the admin's restart. */
  restart(): void {
    if (this.closed || this.entry.disabled) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    const old = this.client;
    this.client = undefined; // its onclose no longer counts as a loss
    void old?.close().catch(() => {});
    this.failures = 0;
    this.restarts++;
    this.status = 'restarting';
    this.connectedAt = null;
    void this.connect();
  }

  async call(tool: string, args: Record<string, unknown>, signal: AbortSignal): Promise<unknown> {
    const client = this.client;
    if (!client || this.status !== 'connected') throw new Error(`MCP server ${this.name} is not connected (${this.status}${this.lastError ? `: ${this.lastError}` : ''})`);
    let result: CallToolResult;
    try {
      result = (await client.callTool({ name: tool, arguments: args }, undefined, { signal, timeout: 120_000 })) as CallToolResult;
    } catch (error: any) {
      // An HTTP server that went away shows up only here; a protocol error (McpError has a numeric code) does not mean that.
      if (typeof error?.code !== 'number' && !signal.aborted) this.lost(client, String(error?.message ?? error));
      throw new Error(redact(String(error?.message ?? error), this.entry));
    }
    const text = (result.content ?? []).map((c: any) => (c.type === 'text' ? c.text : `[${c.type}]`)).join('\n');
    if (result.isError) throw new Error(text || `${tool} failed`);
    return result.structuredContent ?? text;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.close().catch(() => {});
  }
}
