/**
 * Keys and tokens: read from `process.env` (loaded from `ENV_FILE` at start), written back to `ENV_FILE` atomically
 * with mode 600 keeping every other line. Values are never logged or returned unmasked.
 */
import { readFile } from 'node:fs/promises';
import type { SecretsApi } from './plugin-api/types.ts';
import { secretsChanged } from './secret-scrubber.ts';
import { writeFileDurable } from './store/durable-file.ts';

/** Mask for display: empty → `""`; ≤ 8 chars → one `●` per char; else first 4 + `…` + last 4. */
export function maskSecret(value: string | undefined): string {
  if (!value) return '';
  if (value.length <= 8) return '●'.repeat(value.length);
  return `${value.slice(0, 4)}…${value.slice(-4)}`;
}

/** Quote a value for a .env line when it needs it. */
function envLine(name: string, value: string): string {
  return /^[A-Za-z0-9_./:@+-]*$/.test(value) ? `${name}=${value}` : `${name}=${JSON.stringify(value)}`;
}

export class Secrets implements SecretsApi {
  private chain: Promise<unknown> = Promise.resolve();
  constructor(private readonly envFile: string) {}

  get(name: string): string | undefined {
    const v = process.env[name];
    return v === undefined || v === '' ? undefined : v;
  }

  has(name: string): boolean {
    return this.get(name) !== undefined;
  }

  mask(value: string | undefined): string {
    return maskSecret(value);
  }

  /** Serialised so two saves never interleave their read-modify-write of the file. */
  set(values: Record<string, string>): Promise<void> {
    const run = async () => {
      let lines: string[] = [];
      try {
        lines = (await readFile(this.envFile, 'utf8')).split('\n');
      } catch {
        lines = [];
      }
      const pending = new Map(Object.entries(values));
      const out = lines.map((line) => {
        const m = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line);
        if (m && pending.has(m[1])) {
          const v = pending.get(m[1])!;
          pending.delete(m[1]);
          return envLine(m[1], v);
        }
        return line;
      });
      while (out.length && out[out.length - 1] === '') out.pop();
      for (const [k, v] of pending) out.push(envLine(k, v));
      await writeFileDurable(this.envFile, out.join('\n') + '\n', 0o600);
      const { chmod } = await import('node:fs/promises');
      await chmod(this.envFile, 0o600);
      for (const [k, v] of Object.entries(values)) {
        if (v === '') delete process.env[k];
        else process.env[k] = v;
      }
      secretsChanged();
    };
    const result = this.chain.then(run, run);
    this.chain = result.catch(() => {});
    return result;
  }
}
