/**
 * Build one generation of one plugin, all the way to a finished `setup`, without touching anything the host serves:
 * manifest and API range first (before any code is bundled or imported), then the bundle (rebuilt when a cached one is
 * unusable), the probe for untrusted code, the import, and `setup` into a fresh ledger within a time bound.
 * Throws with a message for the plugin list; the caller swaps the result in.
 */
import { rm } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Logger } from 'pino';
import type { PluginDefinition } from '../plugin-api/types.ts';
import { bundlePlugin, type BuiltPlugin } from './bundle.ts';
import { locatedThrow } from './error-location.ts';
import type { DiscoveredPlugin } from './discover.ts';
import { Generation } from './generation.ts';
import { apiMismatch, NO_CAPABILITIES, providesMismatch } from './manifest.ts';
import { probePlugin } from './probe.ts';
import { withTimeout } from './with-timeout.ts';

export interface LoadEnvironment {
  cacheDir: string;
  prebuiltDirs(d: DiscoveredPlugin): string[];
  apiNames: string[];
  apiValues: Record<string, unknown>;
  setupTimeoutMs: number;
  log: Logger;
  makeContext(gen: Generation, settings: PluginDefinition['settings']): Generation['ctx'];
}

type Built = BuiltPlugin & { cached: boolean };

let importCounter = 0;

/** Import a bundle and check its default export (probing it first when untrusted). */
async function importDefinition(built: Built, d: DiscoveredPlugin, env: LoadEnvironment, fresh: boolean): Promise<PluginDefinition> {
  if (!d.builtin) {
    const probe = await probePlugin(built.file, env.apiNames, env.apiValues, env.setupTimeoutMs);
    if (!probe.ok) throw new Error(probe.reason);
  }
  // A rebuilt bundle has the same name as the broken one; a new URL keeps Node from handing back the failed import.
  const url = pathToFileURL(built.file).href + (fresh ? `?rebuilt=${++importCounter}` : '');
  const mod = await import(url).catch((error) => {
    throw locatedThrow(error, 'import', built.file, path.dirname(d.entry));
  });
  const def = (mod.default ?? mod.plugin) as PluginDefinition | undefined;
  if (!def || typeof def !== 'object' || typeof def.setup !== 'function') {
    throw new Error(`${path.basename(d.entry)}: the default export must be a plugin definition with a setup(ctx) function`);
  }
  return def;
}

/** Bundle and import; a cached bundle that fails to import (truncated, corrupt) is thrown away and rebuilt once. */
async function buildAndImport(d: DiscoveredPlugin, env: LoadEnvironment, prebuilt?: Promise<Built>): Promise<{ built: Built; def: PluginDefinition }> {
  const built = await (prebuilt ?? bundlePlugin(d.name, d.entry, env.cacheDir, env.apiNames, env.prebuiltDirs(d)));
  try {
    return { built, def: await importDefinition(built, d, env, false) };
  } catch (error) {
    if (!built.cached) throw error;
    env.log.warn({ plugin: d.name, file: path.basename(built.file), error: String((error as Error)?.message ?? error) }, 'cached plugin bundle is unusable; rebuilding it');
    if (built.file.startsWith(env.cacheDir + path.sep)) await rm(built.file, { force: true });
    const rebuilt = await bundlePlugin(d.name, d.entry, env.cacheDir, env.apiNames, [], { force: true });
    return { built: rebuilt, def: await importDefinition(rebuilt, d, env, true) };
  }
}

/** What a ledger registered, as `kind:name` entries (compared with `provides`). */
function registered(gen: Generation): string[] {
  const l = gen.ledger;
  return [
    ...[...l.tools.keys()].map((n) => `tool:${n}`),
    ...[...l.providers.keys()].map((n) => `provider:${n}`),
    ...[...l.channels.keys()].map((n) => `channel:${n}`),
    ...[...l.embedders.keys()].map((n) => `embedder:${n}`),
    ...[...l.services.keys()].map((n) => `service:${n}`),
    ...l.routes.map((r) => `route:${r.method.toUpperCase()} ${r.path}`),
  ];
}

export async function loadGeneration(d: DiscoveredPlugin, env: LoadEnvironment, prebuilt?: Promise<Built>): Promise<{ gen: Generation; def: PluginDefinition }> {
  if (d.manifestError) throw new Error(d.manifestError);
  const mismatch = apiMismatch(d.manifest.api);
  if (mismatch) throw new Error(mismatch);
  const { built, def } = await buildAndImport(d, env, prebuilt);
  const log = env.log.child({ plugin: d.name });
  if (def.name && def.name !== d.name) log.warn({ declared: def.name }, 'plugin name differs from its folder; using the folder name');
  const gen = new Generation(d.name, def.version ?? d.manifest.version ?? '0.0.0', def.description ?? d.manifest.description ?? '', built.file, log, d.manifest.capabilities ?? NO_CAPABILITIES);
  gen.ctx = env.makeContext(gen, def.settings);
  try {
    const ms = env.setupTimeoutMs;
    await withTimeout(Promise.resolve().then(() => def.setup(gen.ctx)), ms, `setup did not finish within ${ms} ms`);
  } catch (error) {
    await gen.dispose({ waitForRequests: false });
    throw locatedThrow(error, 'setup', built.file, path.dirname(d.entry));
  }
  // Route handlers run counted on this generation, like every other entry into its code.
  for (const r of gen.ledger.routes) {
    const handler = r.handler;
    r.handler = (ctx, input) => gen.enterWith(handler, ctx, input);
  }
  const { missing, undeclared } = providesMismatch(d.manifest.provides, registered(gen));
  if (missing.length || undeclared.length) log.warn({ missing, undeclared }, 'plugin.json "provides" does not match what setup registered');
  return { gen, def };
}
