/**
 * The one scrubber for everything that leaves the server or reaches a log: error messages (HTTP errors, SSE `error`
 * frames of both dialects, provider, tool and channel errors) and every log line. Upstream services quote the
 * credential they were sent ("Incorrect API key provided: sk-…"), so an error is never trusted to be clean.
 *
 * Two passes: every configured secret value (environment variables and keys-file entries whose names look like
 * secrets — `*_KEY`, `*_TOKEN`, `*_SECRET`, passwords — plus values registered at start, such as the JWT secret) is
 * replaced wherever it appears, also JSON- or URL-escaped; then strings that look like credentials whatever their
 * source (`Bearer …`, `sk-…`, `sk-ant-…`, JWTs, our `aion_` keys, long hex or base64 tokens, URL passwords).
 */
import { readFileSync } from 'node:fs';
import dotenv from 'dotenv';

export const REDACTED = '[redacted]';

/** Variable names whose values are secrets. */
const SECRET_NAME = /(KEY|TOKEN|SECRET|PASSWORD|PASSWD|PASSPHRASE|CREDENTIAL|PRIVATE|_PASS$|_PWD$)/i;
/** Shorter values are too likely to be ordinary words or flags (`true`, `1`) to replace everywhere. */
const MIN_SECRET_LENGTH = 8;
/** How long a built list of values is trusted before the environment and keys file are read again. */
const REBUILD_AFTER_MS = 2_000;

const PATTERNS: Array<[RegExp, string]> = [
  [/\b(Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}/gi, `$1 ${REDACTED}`],
  [/\b(?:sk|pk|rk)[-_](?:ant-|proj-|live_|test_|svcacct-|admin-)?[A-Za-z0-9_-]{8,}/g, REDACTED],
  [/\baion_[A-Za-z0-9_-]{16,}/g, REDACTED],
  [/\beyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/g, REDACTED],
  [/\b(?:AIza[0-9A-Za-z_-]{30,}|ya29\.[0-9A-Za-z._-]{20,}|gh[pousr]_[A-Za-z0-9]{30,}|xox[abprs]-[A-Za-z0-9-]{10,})/g, REDACTED],
  // Telegram bot tokens, also inside `/bot<token>/` URLs.
  [/(?<![0-9])\d{6,12}:[A-Za-z0-9_-]{30,}/g, REDACTED],
  // user:password@ in URLs.
  [/\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@]+:)[^\s@/]+@/gi, `$1${REDACTED}@`],
  [/(?<![A-Za-z0-9])[0-9a-fA-F]{32,}(?![A-Za-z0-9])/g, REDACTED],
  // base64/base64url runs of 32+ with upper, lower and digits (paths are left alone: no `/` in the class).
  [/(?<![A-Za-z0-9+_-])(?=[A-Za-z0-9+_-]*[0-9])(?=[A-Za-z0-9+_-]*[a-z])(?=[A-Za-z0-9+_-]*[A-Z])[A-Za-z0-9+_-]{32,}={0,2}/g, REDACTED],
];

let keysFile: string | undefined;
const registered = new Set<string>();
let cached: { values: string[]; builtAt: number } | undefined;

/** Where the keys file is (its entries are scrubbed too) and values known at start (the JWT secret). */
export function configureScrubber(options: { keysFile?: string; values?: Array<string | undefined> }): void {
  keysFile = options.keysFile;
  for (const v of options.values ?? []) if (v && v.length >= MIN_SECRET_LENGTH) registered.add(v);
  cached = undefined;
}

/** Call when secrets change (a key saved through the API), so the next scrub knows the new value. */
export function secretsChanged(): void {
  cached = undefined;
}

function fromKeysFile(): Record<string, string> {
  if (!keysFile) return {};
  try {
    return dotenv.parse(readFileSync(keysFile, 'utf8'));
  } catch {
    return {};
  }
}

/** Every form of every secret value, longest first (so a secret containing another is replaced whole). */
function secretValues(): string[] {
  const now = Date.now();
  if (cached && now - cached.builtAt < REBUILD_AFTER_MS) return cached.values;
  const raw = new Set(registered);
  for (const source of [process.env, fromKeysFile()]) {
    for (const [name, value] of Object.entries(source)) {
      if (value && value.length >= MIN_SECRET_LENGTH && SECRET_NAME.test(name)) raw.add(value);
    }
  }
  const forms = new Set<string>();
  for (const v of raw) {
    forms.add(v);
    forms.add(JSON.stringify(v).slice(1, -1));
    forms.add(encodeURIComponent(v));
  }
  cached = { values: [...forms].sort((a, b) => b.length - a.length), builtAt: now };
  return cached.values;
}

/** Replace configured secret values only (for results whose text must otherwise stay exact, such as file contents). */
export function scrubSecretValues(text: string): string {
  let out = text;
  for (const v of secretValues()) if (out.includes(v)) out = out.split(v).join(REDACTED);
  return out;
}

/** Replace secret values and anything that looks like a credential. For error messages and log lines. */
export function scrubSecrets(text: string): string {
  let out = scrubSecretValues(text);
  for (const [pattern, replacement] of PATTERNS) out = out.replace(pattern, replacement);
  return out;
}

/** Absolute file paths → `[path]` (for 5xx messages, which must not tell where the server lives). */
export function scrubPaths(text: string): string {
  return text.replace(/(?<![\w:/.])\/(?:[\w.@+-]+\/)+[\w.@+-]*/g, '[path]');
}

/** Apply `scrub` to every string inside a JSON-like value (tool results), keeping its shape. */
export function scrubDeep<T>(value: T, scrub: (text: string) => string = scrubSecrets, depth = 0): T {
  if (typeof value === 'string') return scrub(value) as T;
  if (depth > 20 || value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) return value.map((v) => scrubDeep(v, scrub, depth + 1)) as T;
  if (Object.getPrototypeOf(value) !== Object.prototype) return value;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = scrubDeep(v, scrub, depth + 1);
  return out as T;
}
