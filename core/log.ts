/**
 * JSON-lines logging with pino. Secrets are redacted by path, and every finished line passes the secret scrubber, so
 * a configured key or a credential-looking string quoted in an error (ours, a provider's, a plugin's) never reaches
 * the log.
 */
import pino, { type Logger } from 'pino';
import { scrubSecrets } from './secret-scrubber.ts';

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
    hooks: { streamWrite: scrubSecrets },
  });
}
