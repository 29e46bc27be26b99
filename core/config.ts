/**
 * Configuration from the environment and `.env` (dotenv). Read once at start; `ENV_FILE` is also the file that
 * `POST /api/keys` writes, so keys saved there survive a restart.
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import dotenv from 'dotenv';
import { loadJwtSecret } from './auth/jwt-secret.ts';

/** The project root (folder of package.json). */
export const ROOT_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface Config {
  port: number;
  host: string;
  dataDir: string;
  envFile: string;
  /** Built-in plugins first, then `PLUGINS_DIRS` entries. */
  pluginDirs: string[];
  pluginsWatch: boolean;
  jwtSecret: Uint8Array;
  promptsDir: string;
  webDir: string;
  version: string;
  logLevel: string;
  /** Request body limit for JSON bodies. */
  bodyLimit: string;
  /** Time a client has to send a whole request (headers and body), ms; a trickled body is cut off with 408. */
  bodyTimeoutMs: number;
  /** `TRUST_PROXY`: unset (off), `true`, a hop count, or a comma list of trusted proxy CIDRs (see core/http/client-address.ts). */
  trustProxy: string;
  /** Signups per client address and hour (`SIGNUP_RATE_LIMIT`); 0 turns the limit off. */
  signupRateLimit: number;
  /** Body limit of the chat routes (images inside messages). */
  chatBodyLimit: string;
  /** Budget of the store's cache of loaded files (`STORE_CACHE_MB`, default 128: 100k messages of ~550 bytes fit twice over). */
  storeCacheBytes: number;
}

function positiveInt(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== '' && Number.isInteger(n) && n >= 0 ? n : fallback;
}

function readVersion(): string {
  try {
    return JSON.parse(readFileSync(path.join(ROOT_DIR, 'package.json'), 'utf8')).version ?? '0.0.0';
  } catch {
    return '0.0.0';
  }
}

/** Build the configuration. `overrides` (tests) win over the environment. */
export function loadConfig(overrides: Record<string, string | undefined> = {}): Config {
  const envFile = path.resolve(overrides.ENV_FILE ?? process.env.ENV_FILE ?? path.join(ROOT_DIR, '.env'));
  if (existsSync(envFile)) dotenv.config({ path: envFile, quiet: true } as any);
  const env = { ...process.env, ...overrides };
  const dataDir = path.resolve(env.DATA_DIR ?? path.join(ROOT_DIR, 'data'));
  mkdirSync(dataDir, { recursive: true });
  const extraDirs = (env.PLUGINS_DIRS ?? '')
    .split(':')
    .map((d) => d.trim())
    .filter(Boolean)
    .map((d) => path.resolve(d));
  const builtin = path.join(ROOT_DIR, 'plugins');
  const port = Number(env.PORT ?? 7000);
  return {
    port: Number.isInteger(port) && port >= 0 && port < 65536 ? port : 7000,
    host: env.HOST || '127.0.0.1',
    dataDir,
    envFile,
    pluginDirs: [builtin, ...extraDirs.filter((d) => d !== builtin)],
    pluginsWatch: env.PLUGINS_WATCH !== '0' && env.PLUGINS_WATCH !== 'false',
    jwtSecret: loadJwtSecret(dataDir, env),
    promptsDir: path.join(ROOT_DIR, 'prompts'),
    webDir: path.join(ROOT_DIR, 'web'),
    version: readVersion(),
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'warn' : 'info'),
    bodyLimit: env.BODY_LIMIT ?? '1mb',
    bodyTimeoutMs: positiveInt(env.BODY_TIMEOUT_MS, 30_000) || 30_000,
    trustProxy: env.TRUST_PROXY ?? '',
    signupRateLimit: positiveInt(env.SIGNUP_RATE_LIMIT, 10),
    chatBodyLimit: env.CHAT_BODY_LIMIT ?? '10mb',
    storeCacheBytes: megabytes(env.STORE_CACHE_MB, 128),
  };
}

/** A size setting in MiB (fractions allowed, for tests); a missing or bad value gives the default. */
function megabytes(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Math.round((value !== undefined && value !== '' && Number.isFinite(n) && n >= 0 ? n : fallback) * 1024 * 1024);
}
