/**
 * Checks that a request really comes from Alexa, as Amazon's "host a custom skill as a web service" rules require:
 * the signing-certificate URL (`SignatureCertChainUrl`), the certificate chain (dates, the SAN `echo-api.amazon.com`,
 * a chain of trust to a trusted root) and the `Signature-256` header (RSA-SHA256 over the raw body).
 *
 * The same checks as ask-sdk-express-adapter's `SkillRequestSignatureVerifier`, written on node:crypto's
 * `X509Certificate` because that class hard-wires the certificate download and the trust store: here both are
 * injectable. Production: Amazon's URL, Node's default CA list (bundled roots plus `NODE_EXTRA_CA_CERTS`).
 * The request timestamp is checked with the adapter's own `TimestampVerifier`.
 */
import { X509Certificate, verify as verifySignature } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as Https from 'node:https';
import type * as Tls from 'node:tls';

/**
 * `node:https` and `node:tls` are required when a certificate chain is first fetched, not imported: their ES module
 * facades load tls (and https) into every server at start, Alexa in use or not (issue #16).
 */
const requireBuiltin = createRequire(import.meta.url);
const https = () => requireBuiltin('node:https') as typeof Https;
const tls = () => requireBuiltin('node:tls') as typeof Tls;

const CERT_HOST = 's3.amazonaws.com';
const CERT_PATH_PREFIX = '/echo.api/';
const CERT_SAN = 'echo-api.amazon.com';
const MAX_CERT_BYTES = 64 * 1024;
const CACHE_MS = 60 * 60_000;

/** A request that must not be trusted; `message` is safe to log (no body, no signature). */
export class SignatureError extends Error {
  override name = 'SignatureError';
}

export interface SignatureVerifierOptions {
  /** Download a certificate chain (PEM). Default: HTTPS GET of the URL. */
  fetchChain?: (url: URL) => Promise<string>;
  /** Trusted roots. Default: `tls.getCACertificates('default')`. */
  trustedRoots?: () => X509Certificate[];
  /** Clock (ms), for tests. */
  now?: () => number;
}

/** HTTPS GET with a size cap and a timeout; any status but 200 fails. */
export function httpsGetText(url: URL, timeoutMs = 5_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https().get(url, { timeout: timeoutMs }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new SignatureError(`certificate download failed with status ${res.statusCode}`));
      }
      let size = 0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > MAX_CERT_BYTES) req.destroy(new SignatureError('certificate chain too large'));
        else chunks.push(c);
      });
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new SignatureError('certificate download timed out')));
    req.on('error', (e) => reject(e instanceof SignatureError ? e : new SignatureError(`certificate download failed: ${e.message}`)));
  });
}

/** Amazon's rules for the certificate URL: https, host s3.amazonaws.com, port 443, path under /echo.api/. */
export function checkCertUrl(value: string): URL {
  let url: URL;
  try {
    url = new URL(value); // normalises case of scheme and host, and `..` segments, as the rules ask
  } catch {
    throw new SignatureError('SignatureCertChainUrl is not a URL');
  }
  if (url.protocol !== 'https:') throw new SignatureError('SignatureCertChainUrl must use https');
  if (url.hostname !== CERT_HOST) throw new SignatureError(`SignatureCertChainUrl host must be ${CERT_HOST}`);
  if (url.port && url.port !== '443') throw new SignatureError('SignatureCertChainUrl port must be 443');
  if (!url.pathname.startsWith(CERT_PATH_PREFIX)) throw new SignatureError(`SignatureCertChainUrl path must start with ${CERT_PATH_PREFIX}`);
  return url;
}

/** The certificates of a PEM bundle, leaf first. */
function parseChain(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (!blocks.length) throw new SignatureError('no certificate in the chain');
  try {
    return blocks.map((b) => new X509Certificate(b));
  } catch {
    throw new SignatureError('unreadable certificate in the chain');
  }
}

const issuedBy = (cert: X509Certificate, issuer: X509Certificate) => cert.checkIssued(issuer) && cert.verify(issuer.publicKey);

export class AlexaSignatureVerifier {
  private readonly cache = new Map<string, { leaf: X509Certificate; until: number }>();
  private roots: X509Certificate[] | undefined;
  private readonly fetchChain: (url: URL) => Promise<string>;
  private readonly trustedRoots: () => X509Certificate[];
  private readonly now: () => number;

  constructor(options: SignatureVerifierOptions = {}) {
    this.fetchChain = options.fetchChain ?? ((url) => httpsGetText(url));
    this.trustedRoots = options.trustedRoots ?? (() => tls().getCACertificates('default').flatMap((pem) => {
      try {
        return [new X509Certificate(pem)];
      } catch {
        return [];
      }
    }));
    this.now = options.now ?? Date.now;
  }

  /** Throws `SignatureError` unless `rawBody` carries a valid Alexa signature. */
  async verify(rawBody: string, headers: Record<string, string | string[] | undefined>): Promise<void> {
    const header = (name: string) => {
      const v = headers[name.toLowerCase()];
      return Array.isArray(v) ? v[0] : v;
    };
    const certUrl = header('SignatureCertChainUrl');
    const signature = header('Signature-256');
    if (!certUrl) throw new SignatureError('missing SignatureCertChainUrl header');
    if (!signature) throw new SignatureError('missing Signature-256 header');
    const leaf = await this.signingCert(checkCertUrl(certUrl));
    const ok = verifySignature('sha256', Buffer.from(rawBody, 'utf8'), leaf.publicKey, Buffer.from(signature, 'base64'));
    if (!ok) throw new SignatureError('request body and signature do not match');
  }

  /** The validated leaf certificate of a chain URL (cached for an hour, never past its expiry). */
  private async signingCert(url: URL): Promise<X509Certificate> {
    const key = url.href;
    const hit = this.cache.get(key);
    if (hit && hit.until > this.now()) return hit.leaf;
    const chain = parseChain(await this.fetchChain(url));
    this.checkChain(chain);
    const leaf = chain[0];
    this.cache.set(key, { leaf, until: Math.min(this.now() + CACHE_MS, Date.parse(leaf.validTo)) });
    return leaf;
  }

  /** Dates of every certificate, the SAN of the leaf, and a chain of trust ending at a trusted root. */
  private checkChain(chain: X509Certificate[]): void {
    const now = this.now();
    for (const cert of chain) {
      if (now < Date.parse(cert.validFrom) || now > Date.parse(cert.validTo)) throw new SignatureError('signing certificate expired or not yet valid');
    }
    const leaf = chain[0];
    const names = (leaf.subjectAltName ?? '').split(/,\s*/);
    if (!names.includes(`DNS:${CERT_SAN}`)) throw new SignatureError(`${CERT_SAN} missing from the signing certificate`);
    for (let i = 0; i < chain.length - 1; i++) {
      if (!chain[i + 1].ca) throw new SignatureError('an intermediate certificate is not a CA');
      if (!issuedBy(chain[i], chain[i + 1])) throw new SignatureError('broken certificate chain');
    }
    this.roots ??= this.trustedRoots();
    const top = chain[chain.length - 1];
    const trusted = this.roots.some((root) => root.fingerprint256 === top.fingerprint256 || (root.ca && issuedBy(top, root) && now <= Date.parse(root.validTo)));
    if (!trusted) throw new SignatureError('the certificate chain does not lead to a trusted root');
  }
}
