/**
 * Test PKI and certificate host for the Alexa signature checks: a root CA (trusted by the server under test through
 * `NODE_EXTRA_CA_CERTS`), an intermediate, a signing certificate for `echo-api.amazon.com` like Amazon's, plus an
 * untrusted chain and one with the wrong name — made with the `openssl` CLI at test time. A local HTTPS server serves
 * the chains under Amazon's `/echo.api/` paths; `ALEXA_CERT_URL_ROOT` points the plugin at it.
 *
 * @example
 * const pki = await startAlexaCertHost();
 * const s = await startServer({ env: { ...pki.env, ALEXA_SKILL_ID: 'amzn1.ask.skill.test' } });
 * const { raw, headers } = pki.sign(envelope);
 * await s.api('POST', '/api/alexa', { raw, headers });
 */
import { execFileSync } from 'node:child_process';
import { sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/** Amazon's URL for the good chain (what `SignatureCertChainUrl` says). */
export const GOOD_CERT_URL = 'https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem';
export const UNTRUSTED_CERT_URL = 'https://s3.amazonaws.com/echo.api/untrusted.pem';
export const WRONG_NAME_CERT_URL = 'https://s3.amazonaws.com/echo.api/wrong-name.pem';

export interface AlexaCertHost {
  /** `NODE_EXTRA_CA_CERTS` and `ALEXA_CERT_URL_ROOT` for the server under test. */
  env: { NODE_EXTRA_CA_CERTS: string; ALEXA_CERT_URL_ROOT: string };
  /** Sign a body like Alexa does; `key` picks the signing key (`good`, `untrusted`, `wrongName`). */
  sign(envelope: unknown, opts?: { key?: 'good' | 'untrusted' | 'wrongName'; certUrl?: string }): { raw: string; headers: Record<string, string> };
  /** How often each path was downloaded. */
  downloads: Map<string, number>;
  close(): Promise<void>;
}

export async function startAlexaCertHost(): Promise<AlexaCertHost> {
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-alexa-pki-'));
  const f = (name: string) => path.join(dir, name);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { cwd: dir, stdio: 'pipe' });
  const ext = (name: string, lines: string[]) => writeFileSync(f(name), `${lines.join('\n')}\n`);
  let serial = 1000;
  /** A key and a certificate `name` for `subject`, signed by `issuer` (self-signed when absent). */
  const cert = (name: string, subject: string, extLines: string[], issuer?: string) => {
    ext(`${name}.ext`, extLines);
    ssl('req', '-newkey', 'rsa:2048', '-nodes', '-keyout', `${name}.key`, '-out', `${name}.csr`, '-subj', subject);
    const signer = issuer ? ['-CA', `${issuer}.pem`, '-CAkey', `${issuer}.key`] : ['-signkey', `${name}.key`];
    ssl('x509', '-req', '-in', `${name}.csr`, ...signer, '-set_serial', String(serial++), '-days', '2', '-sha256', '-out', `${name}.pem`, '-extfile', `${name}.ext`);
  };
  const CA = ['basicConstraints=critical,CA:TRUE', 'keyUsage=critical,keyCertSign,cRLSign'];
  cert('root', '/CN=AION Test Root CA', CA);
  cert('intermediate', '/CN=AION Test Intermediate CA', CA, 'root');
  cert('good', '/CN=echo-api.amazon.com', ['basicConstraints=CA:FALSE', 'subjectAltName=DNS:echo-api.amazon.com'], 'intermediate');
  cert('wrongName', '/CN=example.com', ['basicConstraints=CA:FALSE', 'subjectAltName=DNS:example.com'], 'intermediate');
  cert('server', '/CN=127.0.0.1', ['basicConstraints=CA:FALSE', 'subjectAltName=IP:127.0.0.1'], 'root');
  cert('otherRoot', '/CN=Someone Else Root CA', CA);
  cert('untrusted', '/CN=echo-api.amazon.com', ['basicConstraints=CA:FALSE', 'subjectAltName=DNS:echo-api.amazon.com'], 'otherRoot');
  const read = (name: string) => readFileSync(f(name), 'utf8');
  const files: Record<string, string> = {
    [new URL(GOOD_CERT_URL).pathname]: read('good.pem') + read('intermediate.pem'),
    [new URL(WRONG_NAME_CERT_URL).pathname]: read('wrongName.pem') + read('intermediate.pem'),
    [new URL(UNTRUSTED_CERT_URL).pathname]: read('untrusted.pem') + read('otherRoot.pem'),
  };
  const downloads = new Map<string, number>();
  const server = createServer({ key: read('server.key'), cert: read('server.pem') }, (req, res) => {
    const p = req.url ?? '/';
    downloads.set(p, (downloads.get(p) ?? 0) + 1);
    const body = files[p];
    res.writeHead(body ? 200 : 404, { 'content-type': 'application/x-pem-file' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const keys = { good: read('good.key'), untrusted: read('untrusted.key'), wrongName: read('wrongName.key') };
  const urls = { good: GOOD_CERT_URL, untrusted: UNTRUSTED_CERT_URL, wrongName: WRONG_NAME_CERT_URL };
  return {
    env: { NODE_EXTRA_CA_CERTS: f('root.pem'), ALEXA_CERT_URL_ROOT: `https://127.0.0.1:${(server.address() as AddressInfo).port}` },
    downloads,
    sign(envelope, opts = {}) {
      const key = opts.key ?? 'good';
      const raw = JSON.stringify(envelope);
      const signature = sign('sha256', Buffer.from(raw, 'utf8'), keys[key]).toString('base64');
      return { raw, headers: { 'content-type': 'application/json; charset=utf-8', signaturecertchainurl: opts.certUrl ?? urls[key], 'signature-256': signature } };
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
