/**
 * The probe: before a plugin from `PLUGINS_DIRS` (untrusted) is imported into the host's thread, its bundle is imported
 * and its `setup` run once in a worker thread against a stand-in `ctx` that accepts every call and does nothing.
 * A synchronous loop in its top-level code or its setup — or right after, in a timer it starts at once — would freeze
 * the host's event loop for good; in the worker it only freezes the worker, which is terminated when the time limit
 * passes, and the plugin is marked failed without its code ever running in the host.
 *
 * The probe decides only "does this code give the thread back": errors, rejected promises and a setup that waits for
 * something the stand-in never delivers are inconclusive and left to the real load (which has its own timeout).
 * What it cannot see is listed in `plugins/README.md`.
 */
import { Worker } from 'node:worker_threads';
import { pathToFileURL } from 'node:url';

/** How long the worker gets after setup finished to answer a ping (timers started at once have run by then). */
const SETTLE_MS = 100;

export type ProbeResult = { ok: true } | { ok: false; reason: string };

// CommonJS, evaluated in the worker: no TypeScript loader is needed there (the bundle is plain ESM).
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const stub = () => new Proxy(function () {}, {
  get(_t, p) {
    if (p === 'then') return undefined;
    if (p === Symbol.toPrimitive) return () => '';
    if (p === Symbol.iterator) return function* () {};
    if (p === Symbol.asyncIterator) return async function* () {};
    return stub();
  },
  apply: () => stub(),
  construct: () => stub(),
});
class AppError extends Error {
  constructor(status, code, message) { super(String(message)); this.status = status; this.code = code; }
}
const api = { definePlugin: (d) => d, AppError, isAppError: (e) => e instanceof AppError };
for (const name of workerData.names) {
  if (name in api) continue;
  api[name] = name in workerData.values ? workerData.values[name] : (...a) => new AppError(500, 'PROBE', String(a[0]));
}
globalThis[Symbol.for('aion.plugin-api')] = api;
(async () => {
  const mod = await import(workerData.url);
  const def = mod.default ?? mod.plugin;
  if (def && typeof def.setup === 'function') await def.setup(stub());
})().then(() => {
  // Listening only now: a listener would keep the worker alive, and an exit while waiting means "never settles".
  parentPort.on('message', (m) => { if (m === 'ping') parentPort.postMessage('pong'); });
  parentPort.postMessage('done');
}, () => parentPort.postMessage('inconclusive'));
`;

/**
 * Probe the bundle `file` within `timeoutMs`. `apiValues` are the plugin API's plain (non-function) exports, so a
 * plugin that reads e.g. `PLUGIN_API_VERSION` sees the real value.
 */
export function probePlugin(file: string, apiNames: string[], apiValues: Record<string, unknown>, timeoutMs: number): Promise<ProbeResult> {
  return new Promise((resolve) => {
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { url: pathToFileURL(file).href, names: apiNames, values: apiValues },
      resourceLimits: { maxOldGenerationSizeMb: 256 },
      stdout: false,
      stderr: false,
    });
    let settled = false;
    const finish = (result: ProbeResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      void worker.terminate();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, reason: `plugin code did not give the thread back within ${timeoutMs} ms (a loop in its top-level code or setup?); it was not loaded` }),
      timeoutMs,
    );
    worker.on('message', (m) => {
      if (m === 'done') setTimeout(() => worker.postMessage('ping'), SETTLE_MS).unref();
      else finish({ ok: true }); // 'pong' (the thread is free after setup) or 'inconclusive'
    });
    worker.on('error', () => finish({ ok: true })); // inconclusive: the real load reports the error
    worker.on('exit', () => finish({ ok: true })); // setup awaits something the stand-in never gives: the real load's timeout decides
  });
}
