/**
 * Keeps the running MCP connections equal to the config: a new or changed entry (re)connects, a removed one is closed
 * and its tools unregistered — live, without a restart. The file is watched (chokidar), so edits by hand apply too.
 */
import { watch, type FSWatcher } from 'chokidar';
import { SerialQueue, type PluginContext } from '../../core/plugin-api/index.ts';
import { configPath, isStdio, loadConfig, saveConfig, type ServerEntry } from './config.ts';
import { McpConnection } from './connection.ts';
import { toAionTool, type McpToolInfo } from './tool-defs.ts';
import { publicUrl } from './transport.ts';

export class McpManager {
  readonly file: string;
  private connections = new Map<string, McpConnection>();
  private toolNames = new Map<string, string[]>();
  private invalid = new Map<string, string>();
  private fileError?: string;
  private watcher?: FSWatcher;
  private readonly applying = new SerialQueue();

  constructor(private readonly ctx: PluginContext, private readonly cwd: string) {
    this.file = configPath(ctx.host.dataDir);
  }

  async start(): Promise<void> {
    await this.reload();
    this.watcher = watch(this.file, { ignoreInitial: true, awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 50 } });
    for (const event of ['add', 'change', 'unlink'] as const) this.watcher.on(event, () => void this.reload());
    this.watcher.on('error', (error) => this.ctx.log.warn({ error: String(error) }, 'cannot watch the MCP config'));
  }

  /** Read the file and apply it (serialised: one apply at a time). */
  reload(): Promise<void> {
    return this.applying.run(async () => {
      const loaded = await loadConfig(this.file);
      this.fileError = loaded.error;
      if (loaded.error) {
        this.ctx.log.error({ file: this.file, error: loaded.error }, 'MCP config not applied; the running servers are kept');
        return;
      }
      this.invalid = loaded.invalid;
      this.apply(loaded.servers);
    });
  }

  private apply(servers: Map<string, ServerEntry>): void {
    for (const [name, conn] of this.connections) {
      const next = servers.get(name);
      if (!next || JSON.stringify(next) !== JSON.stringify(conn.entry)) this.remove(name);
    }
    for (const [name, entry] of servers) if (!this.connections.has(name)) this.add(name, entry);
  }

  private add(name: string, entry: ServerEntry): void {
    const conn: McpConnection = new McpConnection(name, entry, this.cwd, this.ctx.log, (tools) => this.registerTools(conn, tools));
    this.connections.set(name, conn);
    conn.start();
  }

  private remove(name: string): void {
    const conn = this.connections.get(name);
    this.connections.delete(name);
    for (const t of this.toolNames.get(name) ?? []) this.ctx.tools.unregister(t);
    this.toolNames.delete(name);
    void conn?.close();
  }

  private registerTools(conn: McpConnection, tools: McpToolInfo[]): void {
    if (this.connections.get(conn.name) !== conn) return;
    for (const t of this.toolNames.get(conn.name) ?? []) this.ctx.tools.unregister(t);
    const names: string[] = [];
    const trusted = conn.entry.trusted === true;
    for (const tool of tools) {
      const def = toAionTool(conn.name, tool, trusted, (n, args, signal) => conn.call(n, args, signal));
      if (names.includes(def.name)) continue;
      try {
        this.ctx.tools.register(def);
        names.push(def.name);
      } catch (error) {
        this.ctx.log.warn({ server: conn.name, tool: tool.name, error: String((error as Error)?.message ?? error) }, 'MCP tool skipped');
      }
    }
    this.toolNames.set(conn.name, names);
  }

  /** Add or replace one server in the file, then apply. */
  async put(name: string, entry: ServerEntry): Promise<void> {
    await this.edit((servers) => void servers.set(name, entry));
  }

  /** Reconnect one server now (a stuck or crashed one); false when there is none of that name. */
  restart(name: string): boolean {
    const conn = this.connections.get(name);
    conn?.restart();
    return !!conn;
  }

  /** Remove one server; false when there is none of that name. */
  async delete(name: string): Promise<boolean> {
    let found = false;
    await this.edit((servers) => void (found = servers.delete(name)));
    return found;
  }

  private async edit(change: (servers: Map<string, ServerEntry>) => void): Promise<void> {
    const run = async () => {
      const loaded = await loadConfig(this.file);
      if (loaded.error) throw new Error(loaded.error);
      change(loaded.servers);
      await saveConfig(this.file, loaded.servers);
      this.invalid = loaded.invalid;
      this.apply(loaded.servers);
    };
    await this.applying.run(run);
  }

  /** What the admin sees: status and counts, names of env and header keys, never their values. */
  status() {
    const servers = [...this.connections.values()].map((c) => ({
      name: c.name,
      transport: isStdio(c.entry) ? 'stdio' : 'http',
      ...(isStdio(c.entry) ? { command: c.entry.command, envKeys: Object.keys(c.entry.env ?? {}) } : { url: publicUrl(c.entry.url), headerKeys: Object.keys(c.entry.headers ?? {}) }),
      trusted: c.entry.trusted === true,
      status: c.status,
      toolCount: this.toolNames.get(c.name)?.length ?? 0,
      tools: this.toolNames.get(c.name) ?? [],
      lastError: c.lastError,
      restarts: c.restarts,
      connectedAt: c.connectedAt,
    }));
    for (const [name, error] of this.invalid) servers.push({ name, transport: 'invalid', trusted: false, status: 'failed', toolCount: 0, tools: [], lastError: error, restarts: 0, connectedAt: null } as any);
    return { configFile: this.file, ...(this.fileError ? { configError: this.fileError } : {}), servers };
  }

  async close(): Promise<void> {
    await this.watcher?.close();
    await Promise.all([...this.connections.values()].map((c) => c.close()));
    this.connections.clear();
  }
}
