/** Write plain-JavaScript plugin folders into a temp dir for `PLUGINS_DIRS` (users can drop in folders like these). */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export function pluginsDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'aion-plugins-'));
}

/** Write (or overwrite) `dir/<name>/index.js` with `source`. */
export function writePlugin(dir: string, name: string, source: string, manifest?: Record<string, unknown>): string {
  const folder = path.join(dir, name);
  mkdirSync(folder, { recursive: true });
  writeFileSync(path.join(folder, 'index.js'), source);
  if (manifest) writeFileSync(path.join(folder, 'plugin.json'), JSON.stringify(manifest));
  return folder;
}

/** The manifest `TEST_TOOLS_PLUGIN` needs: its `danger` tool is of risk `exec`, which a plugin must declare. */
export const TEST_TOOLS_MANIFEST = { name: 'test-tools', version: '1.0.0', description: 'Tools for the tests', api: '^1.0.0', capabilities: { exec: true } };

/** A plugin with a read tool `lookup`, a tool that needs approval `danger`, a slow tool and a failing tool. */
export const TEST_TOOLS_PLUGIN = `
export default {
  name: 'test-tools',
  version: '1.0.0',
  setup(ctx) {
    ctx.tools.register({ name: 'lookup', description: 'Look something up', risk: 'read',
      input: { type: 'object', properties: { q: { type: 'string' } }, required: ['q'] },
      run: (a) => ({ answer: 42, q: a.q }) });
    ctx.tools.register({ name: 'danger', description: 'Needs approval', risk: 'exec', needsApproval: true,
      input: { type: 'object', properties: {} }, run: () => ({ done: true }) });
    ctx.tools.register({ name: 'slow', description: 'Waits', risk: 'read', input: { type: 'object', properties: { ms: { type: 'number' } } },
      run: (a, call) => new Promise((resolve, reject) => {
        const t = setTimeout(() => resolve({ waited: a.ms }), a.ms ?? 5000);
        call.signal.addEventListener('abort', () => { clearTimeout(t); globalThis.__slowAborted = true; reject(new Error('aborted')); });
      }), timeoutMs: 1000 });
    ctx.tools.register({ name: 'boom', description: 'Throws', risk: 'read', input: { type: 'object', properties: {} },
      run: () => { throw new Error('kaboom'); } });
  },
};
`;
