/**
 * Unit-level harness for provider plugins: runs a plugin's `setup` against a minimal context (providers captured,
 * secrets read from `process.env`, a silent logger) and collects what `stream()` yields.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { test } from 'node:test';
import type { PluginContext, PluginDefinition, ProviderDefinition, ProviderEvent, ProviderRequest } from '../../core/plugin-api/index.ts';
import { startFakeServer, type FakeServer } from '../fakes/server.ts';

/** Log lines the plugin wrote (level and arguments), for assertions. */
export type LogLine = { level: string; args: unknown[] };

/** Set up `plugin` and return the one provider it registered, plus its log. */
export async function loadProvider(plugin: PluginDefinition): Promise<{ provider: ProviderDefinition; logs: LogLine[] }> {
  const registered: ProviderDefinition[] = [];
  const logs: LogLine[] = [];
  const log = Object.fromEntries(
    ['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((level) => [level, (...args: unknown[]) => void logs.push({ level, args })]),
  );
  const ctx = {
    name: plugin.name,
    providers: { register: (def: ProviderDefinition) => void registered.push(def) },
    embedders: { register: () => {} },
    services: { provide: () => {}, use: () => undefined },
    secrets: {
      get: (name: string) => process.env[name] || undefined,
      has: (name: string) => !!process.env[name],
      set: async (values: Record<string, string>) => void Object.assign(process.env, values),
      mask: () => '●●●●',
    },
    log: { ...log, child: () => log },
    onUnload: () => {},
  };
  await plugin.setup(ctx as unknown as PluginContext);
  // The plugin's own provider comes first (provider-openai also registers its OpenAI-compatible presets after it).
  if (!registered.length) throw new Error('expected a provider, got none');
  return { provider: registered[0], logs };
}

/** Drain a stream into an array. */
export async function collect(stream: AsyncIterable<ProviderEvent>): Promise<ProviderEvent[]> {
  const events: ProviderEvent[] = [];
  for await (const e of stream) events.push(e);
  return events;
}

/** Set environment variables for one test; returns a function that restores the old values. */
/**
 * Consecutive text (or thinking) deltas joined: where a stream's deltas split is the network's choice (a provider
 * joins the deltas of one network read), so tests compare the text, not the pieces.
 */
export function joined(events: ProviderEvent[]): ProviderEvent[] {
  const out: ProviderEvent[] = [];
  for (const e of events) {
    const last = out.at(-1);
    if (last && (e.type === 'text' || e.type === 'thinking') && last.type === e.type) out[out.length - 1] = { ...last, delta: last.delta + e.delta };
    else out.push(e);
  }
  return out;
}

export function setEnv(values: Record<string, string | undefined>): () => void {
  const old = Object.fromEntries(Object.keys(values).map((k) => [k, process.env[k]]));
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, val] of Object.entries(v)) {
      if (val === undefined) delete process.env[k];
      else process.env[k] = val;
    }
  };
  apply(values);
  return () => apply(old);
}

/** A request with defaults for the fields a test does not care about. */
export function request(patch: Partial<ProviderRequest> & { model: string }): ProviderRequest {
  return { messages: [{ role: 'user', content: 'Hi' }], maxTokens: 1024, ...patch };
}

/** The weather tool the tests offer. */
export const WEATHER_TOOL = {
  name: 'get_weather',
  description: 'Current weather of a city',
  inputSchema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

/**
 * Start iterating, abort once the first event arrived, and collect what the iteration gives until it ends. No clock:
 * the stand-in of these tests never finishes its stream, so the iteration ending at all, with `stop: aborted`, is
 * the abort's doing (a request timeout would end it with an error instead). A provider that ignored the abort would
 * hang the test until the runner's timeout fails it.
 */
export async function abortAfterFirstEvent(
  start: (signal: AbortSignal) => AsyncIterable<ProviderEvent>,
): Promise<{ events: ProviderEvent[]; error?: unknown }> {
  const controller = new AbortController();
  const events: ProviderEvent[] = [];
  try {
    for await (const e of start(controller.signal)) {
      events.push(e);
      if (!controller.signal.aborted) controller.abort();
    }
  } catch (error) {
    return { events, error };
  }
  return { events };
}

/**
 * The two abort behaviours every provider must have, registered as tests: an abort mid-stream ends the iteration
 * with `stop: aborted` and cuts the upstream request; leaving the loop early cuts it too. Neither reads a clock
 * (issue #16's rule: no timing assertions; under load a 100 ms bound failed): the stand-in never finishes, so an
 * iteration that ends, or an upstream request that closes, did so because of the abort.
 * `hang()` scripts the stand-in to send a first text block and never finish.
 */
export function abortBehaviourTests(opts: { plugin: PluginDefinition; model: string; hang: () => void; upstreamClosed: () => Promise<unknown> }): void {
  test('aborting mid-stream ends the iteration with stop: aborted', async () => {
    const { provider } = await loadProvider(opts.plugin);
    opts.hang();
    const { events, error } = await abortAfterFirstEvent((s) => provider.stream(request({ model: opts.model }), s));
    assert.equal(error, undefined);
    // The first text (a provider may join the deltas of one network read into one).
    assert.equal(events[0].type, 'text');
    const first = (events[0] as { delta: string }).delta;
    assert.ok(first.length >= 'This ans'.length && 'This answer never finishes'.startsWith(first), first);
    assert.deepEqual(events.at(-1), { type: 'stop', reason: 'aborted' });
    await opts.upstreamClosed();
  });

  test('leaving the loop early closes the upstream request', async () => {
    const { provider } = await loadProvider(opts.plugin);
    opts.hang();
    for await (const event of provider.stream(request({ model: opts.model }), new AbortController().signal)) {
      assert.equal(event.type, 'text');
      break;
    }
    await opts.upstreamClosed();
  });
}

/**
 * A server that answers every request with `current().body` as an event stream, written in network pieces of
 * `current().piece` bytes: odd sizes split lines, frames and multi-byte characters across chunks, which is what the
 * reader-parity tests feed both readers.
 */
export function startPieceServer(contentType: string, current: () => { body: string; piece: number }): Promise<FakeServer> {
  return startFakeServer((_req, res: ServerResponse) => {
    const { body, piece } = current();
    res.writeHead(200, { 'content-type': contentType });
    const bytes = Buffer.from(body, 'utf8');
    for (let at = 0; at < bytes.length; at += piece) res.write(bytes.subarray(at, at + piece));
    res.end();
  });
}
