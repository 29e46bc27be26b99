/**
 * `plugin.json`: the static part of a plugin, read and checked before any of its code is bundled or imported — its
 * name, the plugin-API range it was written for, and the capabilities its `ctx` is allowed to use.
 * The JSON Schema for editors (`core/plugin-api/plugin.schema.json`) describes the same shape.
 */
// The two functions by file: semver's entry loads its ~40 modules (issue #16).
import satisfies from 'semver/functions/satisfies.js';
import validRange from 'semver/ranges/valid.js';
import { z } from 'zod';
import { excerpt, lineAndColumn } from './error-location.ts';
import { PLUGIN_API_VERSION } from '../plugin-api/version.ts';

/** Privileged host powers a plugin may ask for. Everything else on `ctx.host` is a read-only view open to all. */
export const HOST_POWERS = ['plugins', 'accounts', 'notify', 'settings', 'prompts'] as const;
export type HostPower = (typeof HOST_POWERS)[number];

const SERVICE_NAME = z.string().regex(/^[a-z0-9][a-z0-9.-]{0,63}$/, 'a service name is [a-z0-9.-], at most 64 characters');
const SECRET_NAME = z.string().regex(/^(\*|[A-Z][A-Z0-9_]{0,127})$/, 'a secret name is UPPER_SNAKE (or "*" for every key)');

export const Capabilities = z.strictObject({
  /** Names of the keys the plugin may read (and save) through `ctx.secrets`; `"*"` is every key. */
  secrets: z.array(SECRET_NAME).default([]).describe('Keys the plugin may read and save through ctx.secrets, by name; "*" is every key'),
  /** Privileged host powers. */
  host: z.array(z.enum(HOST_POWERS)).default([]).describe('Privileged host powers: plugins (reload/enable/disable), accounts (account management), notify (message users through channels), settings (change global settings), prompts (edit the system prompts)'),
  /** The plugin talks to the network (required for tools of risk `network`). */
  network: z.boolean().default(false).describe('The plugin talks to the network (expected for tools of risk network)'),
  /** The plugin runs programs: `ctx.workspace.execute` and tools of risk `exec`. */
  exec: z.boolean().default(false).describe('The plugin runs programs: ctx.workspace.execute, tools of risk exec'),
  /** Named services handed between plugins through `ctx.services`. */
  services: z.strictObject({
    provide: z.array(SERVICE_NAME).default([]).describe('Services this plugin offers with ctx.services.provide'),
    use: z.array(SERVICE_NAME).default([]).describe('Services this plugin asks for with ctx.services.use'),
  }).default({ provide: [], use: [] }).describe('Named services handed between plugins'),
});
export type PluginCapabilities = z.infer<typeof Capabilities>;

export const NO_CAPABILITIES: PluginCapabilities = Capabilities.parse({});

export const Manifest = z.object({
  $schema: z.string().optional().describe('Path or URL of this schema, for editors'),
  name: z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/).optional().describe('Unique plugin name (default: the folder name)'),
  version: z.string().optional(),
  description: z.string().optional(),
  builtin: z.boolean().optional().describe('Ignored outside the built-in plugins/ folder'),
  required: z.boolean().optional().describe('Cannot be disabled; honoured only for built-in plugins'),
  enabled: z.boolean().optional().describe('Enabled when first discovered (default true)'),
  /** A semver range of the plugin API (`^1.0.0`). */
  api: z.string().optional().describe('Semver range of the plugin API the plugin needs, e.g. ^1.0.0; checked before any code is imported'),
  /** What setup registers (`tool:NAME`, `provider:ID`, `channel:ID`, `embedder:ID`, `service:NAME`, `route:GET /path`). */
  provides: z.array(z.string()).optional().describe('What setup registers (tool:NAME, provider:ID, channel:ID, embedder:ID, service:NAME, route:GET /path); a mismatch is logged'),
  capabilities: Capabilities.optional().describe('What the plugin ctx may use; undeclared uses throw PLUGIN_CAPABILITY_MISSING'),
}).passthrough();
export type PluginManifest = z.infer<typeof Manifest>;

/** Parse `plugin.json` text: the manifest, or the reason it is invalid with `plugin.json:line:column` and the line quoted. */
export function parseManifest(text: string): { manifest: PluginManifest } | { error: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    const message = (error as Error).message;
    // V8 names the offending character's offset ("… at position 58 (line 1 column 59)").
    const offset = /position (\d+)/.exec(message)?.[1];
    const reason = message.replace(/\s*in JSON at position \d+.*$/s, '');
    return { error: withManifestLine(reason, text, offset === undefined ? text.length : Number(offset)) };
  }
  const parsed = Manifest.safeParse(json);
  if (parsed.success) return { manifest: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.join('.') || '(root)';
  return { error: withManifestLine(`${where}: ${issue?.message}`, text, keyOffset(text, issue?.path ?? [])) };
}

/** `invalid plugin.json: reason (plugin.json:line:column)` and the line quoted: the reason first, as before locations. */
function withManifestLine(reason: string, text: string, offset: number): string {
  const { line, column, lineText } = lineAndColumn(text, Math.min(offset, text.length));
  return `invalid plugin.json: ${reason} (plugin.json:${line}:${column})${excerpt(line, column, lineText)}`;
}

/**
 * Where the value at `keys` starts in the JSON text, found by looking for each key's `"name":` after the previous
 * one (array indices are skipped): the line a reader must fix. The start of the text when a key is not found.
 */
function keyOffset(text: string, keys: PropertyKey[]): number {
  let at = 0;
  for (const key of keys) {
    if (typeof key !== 'string') continue;
    const m = new RegExp(`"${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"\\s*:\\s*`, 'g');
    m.lastIndex = at;
    const found = m.exec(text);
    if (!found) return at;
    at = found.index + found[0].length;
  }
  return at;
}

/**
 * Why this host cannot load a plugin written for `range`, or `undefined` when it can. No range means "any" (the
 * plugin predates ranges); an unparseable range is refused rather than guessed.
 */
export function apiMismatch(range: string | undefined, hostVersion = PLUGIN_API_VERSION): string | undefined {
  if (range === undefined) return undefined;
  if (!validRange(range)) return `plugin.json "api" is not a semver range: "${range}"`;
  if (satisfies(hostVersion, range)) return undefined;
  return `plugin needs plugin API ${range}, this host provides ${hostVersion}`;
}

/**
 * Compare `provides` with what setup registered: names declared but not registered, and registered but not declared.
 * Entries are `kind:name`; a bare name matches any kind.
 */
export function providesMismatch(declared: string[] | undefined, registered: string[]): { missing: string[]; undeclared: string[] } {
  if (!declared) return { missing: [], undeclared: [] };
  const bare = (s: string) => s.slice(s.indexOf(':') + 1);
  const has = (list: string[], item: string) => list.some((d) => d === item || (!d.includes(':') && d === bare(item)));
  const missing = declared.filter((d) => !registered.some((r) => r === d || (!d.includes(':') && bare(r) === d)));
  const undeclared = registered.filter((r) => !has(declared, r));
  return { missing, undeclared };
}

/** The JSON Schema of plugin.json, as shipped in `core/plugin-api/plugin.schema.json` (a test keeps the two equal). */
export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(Manifest, { io: 'input', target: 'draft-2020-12' }) as Record<string, unknown>;
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://aion.dev/schemas/plugin.schema.json',
    title: 'AION plugin manifest (plugin.json)',
    ...schema,
  };
}
