/**
 * The server's Prometheus metrics (prom-client): one registry per process, so the hooks in the agent loop and the
 * plugin host can record without being handed an object. Label values are bounded: routes are the router's patterns
 * (never raw paths), tools and providers are registered names.
 */
import type PromClient from 'prom-client';
import counterFile from 'prom-client/lib/counter.js';
import histogramFile from 'prom-client/lib/histogram.js';
import registryFile from 'prom-client/lib/registry.js';
import { BatchedHistogram } from './batched-histogram.ts';
import { registerDefaultMetrics } from './default-metrics.ts';

/**
 * prom-client by file: its entry also loads the Pushgateway client (`http`, `https` and so tls, ~7 MB resident) and
 * the cluster aggregator, which this server does not use (issue #16). Static imports, so `npm run build` bundles these
 * files into the server (scripts/build.mjs `HOST_PACKAGES`).
 */
const client = { Registry: registryFile, Counter: counterFile, Histogram: histogramFile } as Pick<typeof PromClient, 'Registry' | 'Counter' | 'Histogram'>;

export const registry = new client.Registry();

// Event-loop lag, heap and RSS, GC, handles: prom-client's standard process and Node.js metrics.
registerDefaultMetrics(registry, 20);

/** Where `aion_http_requests_total` finds the requests counted since its last read (metrics/http.ts counts them). */
let pendingRequestCounts: () => void = () => {};
export function setRequestCountSource(flush: () => void): void {
  pendingRequestCounts = flush;
}

export const httpRequests = new client.Counter({
  name: 'aion_http_requests_total',
  help: 'HTTP requests by method, route pattern and status',
  labelNames: ['method', 'route', 'status'] as const,
  registers: [registry],
  collect: () => pendingRequestCounts(),
});

/**
 * Observed on every request: a histogram whose observation is an array increment (batched-histogram.ts), formatted by
 * this registry exactly as a prom-client `Histogram` of the same name, labels and buckets would be.
 */
export const httpDuration = new BatchedHistogram(
  'aion_http_request_duration_seconds',
  'HTTP request duration until the response is finished (streams: until they end)',
  ['method', 'route', 'status'],
  [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
);
registry.registerMetric(httpDuration as unknown as PromClient.Metric);

export const chatTurns = new client.Counter({
  name: 'aion_chat_turns_total',
  help: 'Agent turns by kind (run = full agent, turn = one model turn) and outcome',
  labelNames: ['kind', 'provider', 'outcome'] as const,
  registers: [registry],
});

export const timeToFirstToken = new client.Histogram({
  name: 'aion_chat_time_to_first_token_seconds',
  help: 'Time from the start of a turn to the first text, thinking or tool-call event of the model',
  labelNames: ['provider'] as const,
  buckets: [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 30],
  registers: [registry],
});

export const tokens = new client.Counter({
  name: 'aion_tokens_total',
  help: 'Tokens by provider and direction (input, output)',
  labelNames: ['provider', 'direction'] as const,
  registers: [registry],
});

export const toolCalls = new client.Counter({
  name: 'aion_tool_calls_total',
  help: 'Server-side tool calls by tool and outcome (ok, error)',
  labelNames: ['tool', 'outcome'] as const,
  registers: [registry],
});

export const pluginLoads = new client.Counter({
  name: 'aion_plugin_loads_total',
  help: 'Plugin loads and reloads by plugin and outcome (ok, error)',
  labelNames: ['plugin', 'outcome'] as const,
  registers: [registry],
});

export const pluginErrors = new client.Counter({
  name: 'aion_plugin_uncaught_errors_total',
  help: 'Uncaught errors charged to a plugin (its timers and handlers)',
  labelNames: ['plugin'] as const,
  registers: [registry],
});

/** Record one finished tool call (agent loop and direct calls). */
export function recordToolCall(tool: string, ok: boolean): void {
  toolCalls.inc({ tool, outcome: ok ? 'ok' : 'error' });
}

/** Record one plugin load attempt. */
export function recordPluginLoad(plugin: string, ok: boolean): void {
  pluginLoads.inc({ plugin, outcome: ok ? 'ok' : 'error' });
}
