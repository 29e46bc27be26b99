/**
 * Nothing locale-aware runs at start (issue #16): Intl formatters, collation (`localeCompare`) and `toLocale*String` map
 * ICU's locale, zone and collation data (~7 MB resident) the first time they are used, so the mood engine and the
 * scheduler resolve the host's time zone on first use instead of at import or setup. The first mood and the first
 * fixed-time schedule then still work, in the host's zone — and the trace sees those calls, so it can fail.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { ROOT, startServer } from '../helpers/server.ts';
import { pluginSettings, tool } from './helpers.ts';

/** Locale-aware calls from the server's own code and its plugins (the test's TypeScript loader is not the server). */
const serverCalls = (trace: string) =>
  readFileSync(trace, 'utf8').split('\n').filter(Boolean).filter((line) => !/node_modules\/(tsx|esbuild|get-tsconfig)\//.test(line));

test('no Intl, collation or toLocale call at start; the first mood and fixed-time schedule use the host zone', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-intl-'));
  const trace = path.join(dir, 'intl.txt');
  writeFileSync(trace, '');
  const s = await startServer({ env: { NODE_OPTIONS: `--import=${path.join(ROOT, 'tests/plugin-set/intl-tracer.mjs')}`, AION_INTL_TRACE: trace } });
  try {
    assert.equal((await s.api('GET', '/api/health')).status, 200);
    const admin = await s.signup();
    assert.equal((await s.api('GET', '/api/plugins', { token: admin.token })).status, 200);
    assert.deepEqual(serverCalls(trace), [], 'locale-aware calls at start');

    const mood = await tool(s, admin.token, 'mood_check');
    assert.ok(['curious', 'focused', 'playful', 'calm', 'reflective'].includes(mood.mood), JSON.stringify(mood));
    assert.ok(serverCalls(trace).some((l) => l.startsWith('Intl.DateTimeFormat')), 'the trace sees the first mood use Intl');

    // The scheduler's zone is unset: a fixed time is read in the host's zone, found on first use.
    const added = await tool(s, admin.token, 'schedule_add', { name: 'morning', task: 'good morning', time: '08:00' });
    const listed = (await tool(s, admin.token, 'schedule_list')).tasks.find((t: any) => t.id === added.id);
    const hostZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
    const next = new Date(listed.next_run);
    assert.ok(next.getTime() > Date.now(), listed.next_run);
    const hourThere = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: hostZone }).format(next);
    assert.equal(hourThere, '08:00', `next run ${listed.next_run} read in ${hostZone}`);
    // An unknown zone is still refused; a real one moves the fixed time.
    const bad = await s.api('POST', '/api/config/settings', { token: admin.token, body: { scheduler: { timezone: 'Mars/Olympus' } } });
    assert.equal(bad.status, 400, bad.text);
    const otherZone = hostZone === 'Asia/Tokyo' ? 'America/New_York' : 'Asia/Tokyo';
    await pluginSettings(s, admin.token, 'scheduler', { timezone: otherZone });
    const moved = await waitFor(async () => {
      const t = (await tool(s, admin.token, 'schedule_list')).tasks.find((x: any) => x.id === added.id);
      return t.next_run !== listed.next_run ? t : undefined;
    });
    const hourMoved = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hour12: false, timeZone: otherZone }).format(new Date(moved.next_run));
    assert.equal(hourMoved, '08:00', `after the zone change: ${moved.next_run} read in ${otherZone}`);
  } finally {
    await s.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Poll until `probe` returns a value (the retime after a settings change runs in the background). */
async function waitFor<T>(probe: () => Promise<T | undefined>, tries = 50): Promise<T> {
  for (let i = 0; i < tries; i++) {
    const v = await probe();
    if (v !== undefined) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('condition not reached');
}
