/**
 * The SDK transport for one configured server. Stdio servers get a clean environment: only `PATH` and the env given
 * for them — none of AION's keys or tokens. (The SDK merges its own default variables — HOME, USER, SHELL, … — into
 * every child's env; they are masked out with `undefined`, which Node leaves out of the child's environment.)
 */
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { isStdio, type ServerEntry } from './config.ts';
import type { McpClientSdk } from './sdk.ts';

export function cleanEnvironment(sdk: McpClientSdk, given: Record<string, string> | undefined): Record<string, string> {
  const masked: Record<string, string | undefined> = {};
  for (const key of Object.keys(sdk.getDefaultEnvironment())) masked[key] = undefined;
  return { ...masked, PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin', ...given } as Record<string, string>;
}

export function createTransport(sdk: McpClientSdk, entry: ServerEntry, cwd: string, onStderr: (text: string) => void): Transport {
  if (isStdio(entry)) {
    const t = new sdk.StdioClientTransport({ command: entry.command, args: entry.args ?? [], env: cleanEnvironment(sdk, entry.env), cwd: entry.cwd ?? cwd, stderr: 'pipe' });
    t.stderr?.on('data', (chunk: Buffer) => onStderr(chunk.toString('utf8')));
    return t;
  }
  return new sdk.StreamableHTTPClientTransport(new URL(entry.url), { requestInit: { headers: entry.headers ?? {} } });
}

/** Replace every configured secret value (env, headers) in a text shown to the admin or logged. */
export function redact(text: string, entry: ServerEntry): string {
  const values = Object.values((isStdio(entry) ? entry.env : entry.headers) ?? {}).filter((v) => v.length >= 4);
  let out = text;
  for (const v of values.sort((a, b) => b.length - a.length)) out = out.split(v).join('***');
  return out;
}

/** What the panel may show of a URL: no credentials, no query (tokens travel there). */
export function publicUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(invalid url)';
  }
}
