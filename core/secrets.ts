/**
 * Keys and tokens: read from `process.env` (loaded from `ENV_FILE` at start), written back to `ENV_FILE` atomically
 * with mode 600 keeping every other line. Values are never logged or returned unmasked.
 */
import { readFile } from 'node:fs/promises';
import dotenv from 'dotenv';
import type { SecretsApi } from './plugin-api/types.ts';
import { secretsChanged } from './secret-scrubber.ts';
import { badRequest } from './errors.ts';
import { writeFileDurable } from './store/durable-file.ts';
import { SerialQueue } from './plugin-api/serial.ts';

/** Mask for display: empty → `""`; ≤ 8 chars → one `●` per char; else first 4 + `…` + last 4. */
export function maskSecret(value: string | undefined): string {
  if (!value) return '';
  if (value.length <= 8) return '●'.repeat(value.length);
  return `${value.slice(0, 4)}…${value.slice(-4)}`;
}

/**
 * A `.env` line that dotenv reads back as exactly `value`. dotenv has no escapes except `\n`/`\r` inside double
 * quotes, so JSON-style quoting changes values with `"` or `\`; instead pick the quote dotenv keeps literally:
 * single quotes, else backticks, else double quotes (literal when the value has no `"` and no backslash-n or
 * backslash-r sequence). Newlines are kept as line breaks inside the quotes (dotenv reads multi-line values).
 * A value none of them can carry (or with a carriage return, which dotenv turns into a newline) is refused.
 */
export function envLine(name: string, value: string): string {
  if (/^[A-Za-z0-9_./:@+-]*$/.test(value)) return `${name}=${value}`;
  if (value.includes('\r') || value.includes('\0')) throw badRequest(`The value of ${name} contains a carriage return or NUL`, [{ field: name, message: 'invalid value' }], 'KEY_VALUE_INVALID');
  if (!value.includes("'")) return `${name}='${value}'`;
  if (!value.includes('`')) return `${name}=\`${value}\``;
  if (!value.includes('"') && !/\\[nr]/.test(value)) return `${name}="${value}"`;
  throw badRequest(`The value of ${name} cannot be written to a .env file (it mixes all three quote characters)`, [{ field: name, message: 'unrepresentable in .env' }], 'KEY_VALUE_INVALID');
}

/** Where each assignment of the file starts and ends (a quoted value may run over several lines). */
function assignments(text: string): Array<{ name: string; start: number; end: number }> {
  const out: Array<{ name: string; start: number; end: number }> = [];
  const line = /^[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*=[ \t]*(?:'(?:\\'|[^'])*'|"(?:\\"|[^"])*"|`(?:\\`|[^`])*`|[^\n]*)[^\n]*$/gm;
  for (let m = line.exec(text); m; m = line.exec(text)) out.push({ name: m[1], start: m.index, end: m.index + m[0].length });
  return out;
}

export class Secrets implements SecretsApi {
  private readonly writes = new SerialQueue();
  /** Called with the names (never the values) after this instance saved keys; the cluster tells the others to `reload`. */
  onSaved: (names: string[]) => void = () => {};
  constructor(private readonly envFile: string) {}

  /** Take these keys' current values from `ENV_FILE` (another instance sharing the file saved them). */
  reload(names: string[]): Promise<void> {
    return this.writes.run(async () => {
      const parsed = dotenv.parse(await readFile(this.envFile, 'utf8').catch(() => ''));
      for (const name of names) {
        const value = parsed[name];
        if (value === undefined || value === '') delete process.env[name];
        else process.env[name] = value;
      }
      secretsChanged();
    });
  }

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
      let text = '';
      try {
        text = (await readFile(this.envFile, 'utf8')).replace(/\r\n?/g, '\n');
      } catch {
        text = '';
      }
      const pending = new Map(Object.entries(values).map(([k, v]) => [k, envLine(k, v)]));
      // Replace each existing assignment of a saved name in place (whole multi-line values included); keep the rest.
      let out = '';
      let at = 0;
      for (const a of assignments(text)) {
        const replacement = pending.get(a.name);
        if (replacement === undefined) continue;
        out += text.slice(at, a.start) + replacement;
        at = a.end;
        pending.delete(a.name);
      }
      out = (out + text.slice(at)).replace(/\n+$/, '');
      for (const line of pending.values()) out += (out ? '\n' : '') + line;
      await writeFileDurable(this.envFile, out + '\n', 0o600);
      const { chmod } = await import('node:fs/promises');
      await chmod(this.envFile, 0o600);
      for (const [k, v] of Object.entries(values)) {
        if (v === '') delete process.env[k];
        else process.env[k] = v;
      }
      secretsChanged();
      this.onSaved(Object.keys(values));
    };
    return this.writes.run(run);
  }
}
