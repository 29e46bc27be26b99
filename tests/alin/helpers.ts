/** Shared set-up for the ALIN data API tests: a server with an admin and extra users on chosen plans. */
import assert from 'node:assert/strict';
import { startServer, type TestServer } from '../helpers/server.ts';

export type Account = { token: string; user: { id: string; plan: string }; email: string; password: string };

/** Sign up a user and put them on `plan` (through the admin API, as an operator would). */
export async function userOnPlan(s: TestServer, admin: Account, plan: 'free' | 'pro' | 'enterprise'): Promise<Account> {
  const u = await s.signup();
  if (plan !== 'free') {
    const r = await s.api('PATCH', `/api/admin/users/${u.user.id}`, { token: admin.token, body: { plan } });
    assert.equal(r.status, 200, r.text);
  }
  return u;
}

/** A server with its admin (enterprise) account. */
export async function bootWithAdmin(env: Record<string, string> = {}): Promise<{ s: TestServer; admin: Account }> {
  const s = await startServer({ env });
  const admin = await s.signup();
  return { s, admin };
}

/** Assert the error envelope `{ error, code }` with a status. */
export function assertError(r: { status: number; body: any; text: string }, status: number, code?: string): void {
  assert.equal(r.status, status, r.text);
  assert.equal(typeof r.body?.error, 'string', r.text);
  assert.equal(typeof r.body?.code, 'string', r.text);
  if (code) assert.equal(r.body.code, code, r.text);
  assert.ok(!/\bat .+:\d+:\d+/.test(r.text), 'no stack trace in an error body');
}
