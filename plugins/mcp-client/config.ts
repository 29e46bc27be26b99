/**
 * The MCP servers file, in the shape users already have (Claude Desktop, Cursor):
 * `{ "mcpServers": { "<name>": { command, args, env } | { url, headers } } }`, plus AION's own `trusted` (no approval
 * for its tools) and `disabled`. The file holds secrets (env, headers): written atomically with mode 600.
 */
import { randomBytes } from 'node:crypto';
import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';

/** Server names become part of tool names (`mcp__<name>__<tool>`), so they use the tool-name alphabet. */
export const ServerName = z.string().regex(/^[A-Za-z0-9_-]{1,32}$/, 'a server name is 1–32 of A-Z a-z 0-9 _ -');

const Common = {
  trusted: z.boolean().optional(),
  disabled: z.boolean().optional(),
  /** Claude Desktop / Cursor write `type`; it is implied by `command` or `url` here. */
  type: z.enum(['stdio', 'http', 'streamable-http', 'streamableHttp']).optional(),
};

export const StdioEntry = z.object({
  command: z.string().min(1).max(4096),
  args: z.array(z.string().max(4096)).max(256).optional(),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'environment names are [A-Za-z_][A-Za-z0-9_]*'), z.string().max(65_536)).optional(),
  cwd: z.string().max(4096).optional(),
  ...Common,
});

export const HttpEntry = z.object({
  url: z.string().url().max(4096).refine((u) => /^https?:\/\//i.test(u), 'url must be http(s)'),
  headers: z.record(z.string().regex(/^[A-Za-z0-9-]{1,128}$/, 'invalid header name'), z.string().max(65_536)).optional(),
  ...Common,
});

export const ServerEntry = z.union([StdioEntry.strict(), HttpEntry.strict()], { error: 'a server needs either command (stdio) or url (Streamable HTTP)' });
export type ServerEntry = z.infer<typeof ServerEntry>;
export const isStdio = (e: ServerEntry): e is z.infer<typeof StdioEntry> => 'command' in e;

export interface LoadedConfig {
  servers: Map<string, ServerEntry>;
  /** Entries that did not validate (name → message); shown as failed servers. */
  invalid: Map<string, string>;
  /** The whole file could not be read as JSON. */
  error?: string;
}

/** The file named by `MCP_CONFIG`, else `DATA_DIR/mcp.json`. */
export function configPath(dataDir: string): string {
  return path.resolve(process.env.MCP_CONFIG || path.join(dataDir, 'mcp.json'));
}

export async function loadConfig(file: string): Promise<LoadedConfig> {
  const servers = new Map<string, ServerEntry>();
  const invalid = new Map<string, string>();
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error: any) {
    if (error?.code === 'ENOENT') return { servers, invalid };
    return { servers, invalid, error: `cannot read the MCP config: ${error?.code ?? 'error'}` };
  }
  let raw: any;
  try {
    raw = text.trim() ? JSON.parse(text) : {};
  } catch {
    return { servers, invalid, error: 'the MCP config is not valid JSON' };
  }
  const entries = raw && typeof raw === 'object' && raw.mcpServers && typeof raw.mcpServers === 'object' ? raw.mcpServers : {};
  for (const [name, value] of Object.entries(entries)) {
    if (!ServerName.safeParse(name).success) {
      invalid.set(name.slice(0, 64), 'invalid server name (1–32 of A-Z a-z 0-9 _ -)');
      continue;
    }
    const parsed = ServerEntry.safeParse(value);
    if (parsed.success) servers.set(name, parsed.data);
    else invalid.set(name, parsed.error.issues.map((i) => `${i.path.join('.') || 'entry'}: ${i.message}`).slice(0, 3).join('; '));
  }
  return { servers, invalid };
}

/** Rewrite the file with `servers` (keeping other top-level keys of the file). */
export async function saveConfig(file: string, servers: Map<string, ServerEntry>): Promise<void> {
  let rest: Record<string, unknown> = {};
  try {
    const current = JSON.parse(await readFile(file, 'utf8'));
    if (current && typeof current === 'object' && !Array.isArray(current)) rest = current;
  } catch { /* a missing or broken file is replaced */ }
  const doc = { ...rest, mcpServers: Object.fromEntries(servers) };
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  await writeFile(tmp, JSON.stringify(doc, null, 2) + '\n', { mode: 0o600 });
  await chmod(tmp, 0o600);
  await rename(tmp, file);
}
