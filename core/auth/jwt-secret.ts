/**
 * The JWT signing key: `JWT_SECRET` when set, else one generated once into `DATA_DIR/jwt-secret` (mode 600).
 *
 * A secret file that exists but is damaged (empty, cut short, not the base64url text we write, unreadable) is reported
 * and the server refuses to start: replacing it silently would sign every user out and hide whatever damaged it.
 * Generation is atomic (temp file, fsync, rename), so a crash can never leave a half-written secret behind.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { StartupRefusedError } from '../store/damage.ts';

const MIN_FILE_CHARS = 32;
const MIN_ENV_CHARS = 16;
/** Printable ASCII without spaces: what we generate (base64url) and what people paste; NUL or binary bytes are damage. */
const SHAPE = /^[\x21-\x7e]+$/;

export function loadJwtSecret(dataDir: string, env: NodeJS.ProcessEnv): Uint8Array {
  const fromEnv = env.JWT_SECRET;
  if (fromEnv !== undefined && fromEnv !== '') {
    if (fromEnv.length < MIN_ENV_CHARS) {
      throw new StartupRefusedError(`AION refuses to start: JWT_SECRET is set but shorter than ${MIN_ENV_CHARS} characters. Set a longer one, or unset it to use the generated DATA_DIR/jwt-secret.`);
    }
    return new TextEncoder().encode(fromEnv);
  }
  const file = path.join(dataDir, 'jwt-secret');
  const text = readSecretFile(file);
  if (text === null) return new TextEncoder().encode(generate(file));
  const secret = text.trim();
  if (secret.length >= MIN_FILE_CHARS && SHAPE.test(secret)) return new TextEncoder().encode(secret);
  throw new StartupRefusedError(
    [
      `AION refuses to start: the JWT secret file ${file} is damaged (${secret.length} characters${secret.length && !SHAPE.test(secret) ? ' with unexpected bytes' : ''}; a secret is ${MIN_FILE_CHARS}+ printable characters).`,
      'It was left untouched. Replacing it would sign every user out, so the server does not do that on its own.',
      `To restore: put your backup of jwt-secret back at ${file}, or set JWT_SECRET.`,
      `To start with a new secret (every issued token becomes invalid; accounts and data are kept): delete ${file}.`,
    ].join('\n'),
  );
}

function readSecretFile(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return null;
    throw new StartupRefusedError(`AION refuses to start: the JWT secret file ${file} cannot be read (${code}). Fix its permissions or restore it.`);
  }
}

function generate(file: string): string {
  const secret = randomBytes(48).toString('base64url');
  const temp = path.join(path.dirname(file), `.jwt-secret.${randomBytes(6).toString('hex')}.tmp`);
  const fd = openSync(temp, 'wx', 0o600);
  try {
    writeSync(fd, secret + '\n');
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(temp, file);
  try {
    const dir = openSync(path.dirname(file), 'r');
    fsyncSync(dir);
    closeSync(dir);
  } catch {
    // some filesystems refuse fsync on a folder; the rename is still atomic
  }
  return secret;
}
