/**
 * Heavy SDKs load on first use, not with their plugins: a fresh server that has answered its first request has not
 * loaded googleapis, ElevenLabs, telegraf, @google/genai, ask-sdk, playwright-core, the OpenAI/Anthropic SDKs, the MCP
 * SDK or web-tools' HTML parsers (linkedom, Readability, turndown); the
 * first Alexa request then loads ask-sdk-core (so the trace really sees loads).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { intentRequest } from '../fakes/alexa-envelopes.ts';
import { ROOT, startServer } from '../helpers/server.ts';

const HEAVY = ['googleapis', '@elevenlabs/elevenlabs-js', 'telegraf', '@google/genai', 'ask-sdk-core', 'ask-sdk-express-adapter', 'playwright-core', 'openai', '@anthropic-ai/sdk', 'google-auth-library',
  '@modelcontextprotocol/sdk', 'ajv', 'hono', 'linkedom', '@mozilla/readability', 'turndown'];

test('no heavy SDK is loaded at start; the first Alexa request loads ask-sdk-core', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'aion-loads-'));
  const trace = path.join(dir, 'loads.txt');
  const s = await startServer({ env: { NODE_OPTIONS: `--import=${path.join(ROOT, 'tests/plugin-set/load-tracer.mjs')}`, AION_LOAD_TRACE: trace, ALEXA_VERIFY_SIGNATURE: 'false' } });
  const loaded = () => readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  try {
    assert.equal((await s.api('GET', '/api/health')).status, 200);
    await s.signup();
    assert.ok(loaded().includes('koa'), 'the trace sees the server load its packages');
    assert.deepEqual(HEAVY.filter((p) => loaded().includes(p)), [], 'loaded at start');
    const r = await s.api('POST', '/api/alexa', { body: intentRequest('AionCommandIntent', { command: 'hello' }, { skillId: 'any' }) });
    assert.equal(r.status, 200);
    assert.ok(loaded().includes('ask-sdk-core'), 'loaded on first use');
  } finally {
    await s.dispose();
    rmSync(dir, { recursive: true, force: true });
  }
});
