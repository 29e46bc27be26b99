/** Shared helpers of the plugin-set tests: drive tools through echo's `/tool NAME {json}` lines, read the push stream. */
import assert from 'node:assert/strict';
import { createParser } from 'eventsource-parser';
import { readSse, type SseEvent, type TestServer } from '../helpers/server.ts';

/** One AION chat turn; `onEvent` may approve. */
export const chat = (s: TestServer, token: string, message: string, extra: Record<string, unknown> = {}, onEvent?: (e: SseEvent) => void | Promise<void>) =>
  readSse(`${s.url}/api/chat`, { token, body: { message, model: 'echo-1', ...extra }, onEvent });

/**
 * One AION chat turn whose approvals are answered as the original client does: the turn parks (`approval`, then
 * `done { approval_pending }`) and the next message, "ja" or "nein", answers it and continues in its own stream.
 */
export async function chatAnswering(s: TestServer, token: string, message: string, approve: boolean): Promise<{ approvals: SseEvent[]; events: SseEvent[] }> {
  const first = await chat(s, token, message);
  const approvals = first.events.filter((e) => e.event === 'approval');
  if (!approvals.length) return { approvals, events: first.events };
  const answer = await chat(s, token, approve ? 'ja' : 'nein');
  return { approvals, events: [...first.events, ...answer.events] };
}

/** Run tool lines as `token` and return the `tool_result` events' data, in order. */
export async function tools(s: TestServer, token: string, ...lines: Array<[string, Record<string, unknown>?]>): Promise<any[]> {
  const r = await chat(s, token, lines.map(([name, args]) => `/tool ${name} ${JSON.stringify(args ?? {})}`).join('\n'));
  assert.equal(r.status, 200, JSON.stringify(r.json));
  return r.events.filter((e) => e.event === 'tool_result').map((e) => e.data);
}

/** Run one tool and return its result (asserting it succeeded unless `expectOk` is false). */
export async function tool(s: TestServer, token: string, name: string, args: Record<string, unknown> = {}, expectOk = true): Promise<any> {
  const [r] = await tools(s, token, [name, args]);
  assert.ok(r, `no tool_result for ${name}`);
  assert.equal(r.name, name);
  if (expectOk) assert.equal(r.ok, true, JSON.stringify(r));
  return expectOk ? r.result : r;
}

/** A live `GET /api/events` stream of one user. */
export async function pushStream(s: TestServer, token: string) {
  const controller = new AbortController();
  const res = await fetch(`${s.url}/api/events`, { headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
  assert.equal(res.status, 200);
  const events: any[] = [];
  const waiters = new Set<() => void>();
  const parser = createParser({ onEvent: (m) => { events.push(JSON.parse(m.data)); for (const w of waiters) w(); } });
  void (async () => {
    try {
      const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.feed(value);
      }
    } catch { /* closed */ }
  })();
  return {
    events,
    close: () => controller.abort(),
    /** Resolves with the first event matching `pred`; rejects after `timeoutMs`. */
    waitFor(pred: (e: any) => boolean, timeoutMs = 30_000): Promise<any> {
      return new Promise((resolve, reject) => {
        const check = () => {
          const hit = events.find(pred);
          if (!hit) return;
          waiters.delete(check);
          clearTimeout(timer);
          resolve(hit);
        };
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no matching push event; got ${JSON.stringify(events)}`)); }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}

/** Set a plugin's settings as the admin. */
export async function pluginSettings(s: TestServer, adminToken: string, plugin: string, values: Record<string, unknown>) {
  const r = await s.api('POST', '/api/config/settings', { token: adminToken, body: { [plugin]: values } });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

/** A second account on the pro plan (no hourly message limit), so a test can run many tool turns as it. */
export async function signupPro(s: TestServer, adminToken: string) {
  const u = await s.signup();
  const r = await s.api('PATCH', `/api/admin/users/${u.user.id}`, { token: adminToken, body: { plan: 'pro' } });
  assert.equal(r.status, 200, r.text);
  return u;
}

/** Sign in again (after a restart tokens stay valid, but this keeps tests independent of that). */
export async function login(s: TestServer, u: { email: string; password: string }) {
  const r = await s.api('POST', '/api/auth/login', { body: { email: u.email, password: u.password } });
  assert.equal(r.status, 200, r.text);
  return r.body.token as string;
}
