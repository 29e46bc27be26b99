/**
 * JWT with jose: HS256 only, 7 days. `tv` (token version) changes when the password changes, which revokes every
 * token issued before. `alg: none`, other algorithms, bad signatures and expired tokens fail verification.
 */
// By subpath: jose's entry loads JWE, JWK, JWKS and key import too (~25 ms at start, issue #16).
import { jwtVerify } from 'jose/jwt/verify';
import { SignJWT } from 'jose/jwt/sign';

export interface TokenClaims {
  sub: string;
  email: string;
  plan: string;
  isAdmin: boolean;
  tv: number;
  /** Expiry, Unix seconds. */
  exp: number;
}

const EXPIRY = '7d';

export async function signToken(claims: Omit<TokenClaims, 'exp'>, secret: Uint8Array): Promise<string> {
  return new SignJWT({ email: claims.email, plan: claims.plan, isAdmin: claims.isAdmin, tv: claims.tv })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(claims.sub)
    .setIssuedAt()
    .setExpirationTime(EXPIRY)
    .sign(secret);
}

/**
 * The HMAC key jose verifies with, imported once per secret: handed the raw bytes, jose imports a WebCrypto key on
 * every call, which was most of a first verification's cost (issue #16: the cold start of a GET bench).
 */
const verifyKeys = new WeakMap<Uint8Array, Promise<CryptoKey>>();
function verifyKey(secret: Uint8Array): Promise<CryptoKey> {
  let key = verifyKeys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey('raw', secret as Uint8Array<ArrayBuffer>, { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
    verifyKeys.set(secret, key);
  }
  return key;
}

/**
 * Verifications on their way, by secret and token: a client's burst of requests with one fresh token (a page load, 50
 * connections of a bench) shares one check instead of each paying for it before the first lands in the caller's cache.
 */
const inFlight = new WeakMap<Uint8Array, Map<string, Promise<TokenClaims | undefined>>>();

/** The claims of a valid token, or `undefined`. */
export function verifyToken(token: string, secret: Uint8Array): Promise<TokenClaims | undefined> {
  let pending = inFlight.get(secret);
  if (!pending) inFlight.set(secret, (pending = new Map()));
  let check = pending.get(token);
  if (!check) {
    const mine = pending;
    check = checkToken(token, secret).finally(() => mine.delete(token));
    pending.set(token, check);
  }
  return check;
}

async function checkToken(token: string, secret: Uint8Array): Promise<TokenClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, await verifyKey(secret), { algorithms: ['HS256'] });
    if (typeof payload.sub !== 'string') return undefined;
    return {
      sub: payload.sub,
      email: String(payload.email ?? ''),
      plan: String(payload.plan ?? ''),
      isAdmin: payload.isAdmin === true,
      tv: typeof payload.tv === 'number' ? payload.tv : 0,
      exp: typeof payload.exp === 'number' ? payload.exp : 0,
    };
  } catch {
    return undefined;
  }
}
