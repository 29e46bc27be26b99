/**
 * JSON-lines logging with pino. Secrets are redacted by path, and any string that looks like a key is never logged
 * by our own code (plugins get `ctx.secrets`, which never logs values).
 */
import pino, { type Logger } from 'pino';

const REDACT = [
  'password', 'token', 'secret', 'apiKey', 'authorization',
  '*.password', '*.token', '*.secret', '*.apiKey', '*.authorization', '*.newPassword', '*.oldPassword',
  'req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers["x-api-key"]',
];

/** The root logger. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: undefined,
    redact: { paths: REDACT, censor: '[redacted]' },
    formatters: { level: (label) => ({ level: label }) },
  });
}
