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

/** The claims of a valid token, or `undefined`. */
export async function verifyToken(token: string, secret: Uint8Array): Promise<TokenClaims | undefined> {
  try {
    const { payload } = await jwtVerify(token, secret, { algorithms: ['HS256'] });
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
